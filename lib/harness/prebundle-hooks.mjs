// Module resolve hook of the CLI process (lib/harness/prebundle.ts useExistingPrebundles):
// the exact specifiers it was given load from their prebuilt bundles.
import { pathToFileURL } from 'node:url';

/** @type {Record<string, string>} */
let bundles = {};

/** @param {Record<string, string>} data specifier → bundle file */
export function initialize(data) {
  bundles = data;
}

/** @type {import('node:module').ResolveHook} */
export function resolve(specifier, context, next) {
  const file = bundles[specifier];
  return file ? { url: pathToFileURL(file).href, format: 'module', shortCircuit: true } : next(specifier, context);
}
