/**
 * Dependencies the vitest workers load as one prebuilt ESM file instead of their packages'
 * many modules. @kubernetes/client-node is ~970 ESM files: Node 20 resolves, reads and
 * compiles each in every worker (8 per self-test run), about 1.3 CPU-s per process on
 * this 2-core lab; the same code as one file loads in ~0.35 s. A run is CPU-bound, so
 * that time is the run's.
 *
 * The bundle is built once per dependency version into the lab cache (an installed
 * v6e2e is only read) and aliased in vitest.config.ts. It is an optimization only: when
 * it cannot be built the workers load the package as before (one warning line), and
 * V6E2E_PREBUNDLE=0 turns it off. The CLI process loads an existing bundle too
 * (useExistingPrebundles, from bin/v6e2e.js): it hosts vitest's main process, which would
 * otherwise load the package twice.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import path from 'node:path';
import { LAB_DIR } from '../lab/paths.ts';

/** Where the bundles are built: the lab cache. */
export const PREBUNDLE_DIR = path.join(LAB_DIR, 'prebundle');

export interface Prebundle {
  /** The import specifier the bundle replaces. */
  specifier: string;
  /** Absolute path of the bundle. */
  file: string;
}

/** The dependencies prebundled for the workers. */
export const PREBUNDLED = ['@kubernetes/client-node'] as const;

/**
 * ESM output of CommonJS dependencies calls `require` for Node's built-ins: give the
 * bundle a real one.
 */
const REQUIRE_BANNER = "import { createRequire as __v6e2eRequire } from 'node:module'; const require = __v6e2eRequire(import.meta.url);";

/**
 * `client-node-1.4.0-esbuild-0.28.2-<installed>.mjs`: a new version of either, or another
 * install of its dependencies (`installed`, a hash of npm's node_modules/.package-lock.json),
 * builds a new bundle.
 */
export function bundleName(specifier: string, packageVersion: string, bundler: string, installed: string): string {
  const base = specifier.replace(/^@/, '').replace(/[/]/g, '-').replace(/^kubernetes-/, '');
  return `${base}-${packageVersion}-esbuild-${bundler}-${installed}.mjs`;
}

/** What npm installed beside `pkgJson`'s package: its hidden lockfile's hash, `unlocked` without one. */
function installedStamp(pkgJson: string, specifier: string): string {
  const nodeModules = path.resolve(path.dirname(pkgJson), ...specifier.split('/').map(() => '..'));
  const lock = path.join(nodeModules, '.package-lock.json');
  return existsSync(lock) ? createHash('sha256').update(readFileSync(lock)).digest('hex').slice(0, 10) : 'unlocked';
}

/**
 * The bundles of PREBUNDLED under `dir`, built where missing. Returns only the ones that
 * exist afterwards; `warn` gets one line per dependency that could not be built.
 */
export function prebundles(
  dir: string,
  warn: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  specifiers: readonly string[] = PREBUNDLED,
  opts: { build?: boolean } = {},
): Prebundle[] {
  if (env.V6E2E_PREBUNDLE === '0') return [];
  const out: Prebundle[] = [];
  for (const specifier of specifiers) {
    try {
      const pkgJson = require.resolve(`${specifier}/package.json`);
      const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as PackageJson;
      const file = path.join(dir, bundleName(specifier, pkg.version, versionOf('esbuild'), installedStamp(pkgJson, specifier)));
      if (!existsSync(file)) {
        if (opts.build === false) continue;
        build(path.join(path.dirname(pkgJson), pkg.main ?? 'index.js'), file);
      }
      out.push({ specifier, file });
    } catch (err) {
      warn(`v6e2e: loading ${specifier} unbundled (could not prebundle it: ${(err as Error).message.split('\n')[0]})`);
    }
  }
  return out;
}

interface PackageJson {
  version: string;
  main?: string;
}

// The CLI asks for existing bundles at every start: read versions, load esbuild only to build.
const require = createRequire(import.meta.url);
const versionOf = (pkg: string): string => (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as PackageJson).version;

/** Builds to a name of this process and renames: runs started side by side may build at once. */
function build(entry: string, file: string): void {
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    buildSync({ entryPoints: [entry], outfile: tmp, bundle: true, platform: 'node', format: 'esm', target: 'node20', banner: { js: REQUIRE_BANNER }, logLevel: 'silent' });
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
  pruneSiblings(file);
}

/** A day: a run started before the new bundle may still start workers on the old one. */
const STALE_MS = 24 * 3600_000;

/** Removes the package's other bundles (14 MB each) once they are a day old. */
function pruneSiblings(file: string): void {
  const dir = path.dirname(file);
  const base = path.basename(file).replace(/-[^-]+-esbuild-.*$/, '-');
  for (const name of readdirSync(dir)) {
    const other = path.join(dir, name);
    if (other === file || !name.startsWith(base) || !name.endsWith('.mjs')) continue;
    if (Date.now() - statSync(other).mtimeMs > STALE_MS) rmSync(other, { force: true });
  }
}

/**
 * Resolves PREBUNDLED to their bundles in this process (a module resolve hook), where
 * they are already built; never builds (a CLI command that needs none should not wait).
 */
export function useExistingPrebundles(dir = PREBUNDLE_DIR): void {
  const existing = prebundles(dir, () => undefined, process.env, PREBUNDLED, { build: false });
  if (existing.length === 0) return;
  register('./prebundle-hooks.mjs', import.meta.url, { data: Object.fromEntries(existing.map((b) => [b.specifier, b.file])) });
}
