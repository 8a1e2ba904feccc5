import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { EnvironmentError } from '../util/errors.ts';

/** Repository root (this file lives in lib/lab/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * The lab cache: built tools, binaries, image contexts, lab clusters' kubeconfigs
 * and edge files. The user's cache directory, so an installed package is never
 * written to and every checkout shares one lab; V6E2E_LAB_DIR overrides.
 */
export function labDirFor(env: NodeJS.ProcessEnv, home = os.homedir()): string {
  if (env.V6E2E_LAB_DIR) return path.resolve(env.V6E2E_LAB_DIR);
  const cache = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache');
  return path.join(cache, 'v6e2e');
}
export const LAB_DIR = labDirFor(process.env);
export const LAB_SRC = path.join(REPO_ROOT, 'lab');
export const TOOLS_BIN = path.join(LAB_DIR, 'bin');

let modCache: Promise<string> | undefined;
/** GOMODCACHE, where dependency files (kind's base-image files…) are read at build time. */
export function goModCache(): Promise<string> {
  modCache ??= execa('go', ['env', 'GOMODCACHE']).then((r) => r.stdout.trim());
  return modCache;
}

/** Module directories found in this process: a lab check asks for kind's three times. */
const moduleDirs = new Map<string, Promise<string>>();

/** Directory of a module version in the module cache (downloading it if needed). */
export function moduleDir(mod: string, version: string): Promise<string> {
  const key = `${mod}@${version}`;
  let dir = moduleDirs.get(key);
  if (!dir) {
    dir = findModuleDir(mod, version);
    moduleDirs.set(key, dir);
    dir.catch(() => moduleDirs.delete(key)); // a failure is asked again, not remembered
  }
  return dir;
}

async function findModuleDir(mod: string, version: string): Promise<string> {
  const r = await execa('go', ['mod', 'download', '-json', `${mod}@${version}`], { cwd: LAB_DIR, reject: false });
  if (r.exitCode === undefined && !r.isTerminated) {
    throw new EnvironmentError(`cannot run go (${r.code ?? r.shortMessage}); install Go and put it on PATH: the lab builds its tools with it`);
  }
  // -json reports a download error in its output, with a non-zero exit.
  let parsed: { Dir?: string; Error?: string } = {};
  try {
    parsed = JSON.parse(r.stdout) as { Dir?: string; Error?: string };
  } catch {
    // Not JSON (go failed before it could answer): stderr below says why.
  }
  if (r.exitCode !== 0 || !parsed.Dir) {
    const why = parsed.Error ?? (r.stderr.trim() || 'no directory');
    throw new EnvironmentError(`go mod download ${mod}@${version} failed: ${why}; check the network and GOPROXY (the lab fetches modules from the Go module proxy)`);
  }
  return parsed.Dir;
}
