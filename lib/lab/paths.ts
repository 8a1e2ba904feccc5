import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

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

/** Directory of a module version in the module cache (downloading it if needed). */
export async function moduleDir(mod: string, version: string): Promise<string> {
  const r = await execa('go', ['mod', 'download', '-json', `${mod}@${version}`], { cwd: LAB_DIR });
  const parsed = JSON.parse(r.stdout) as { Dir?: string; Error?: string };
  if (!parsed.Dir) throw new Error(`go mod download ${mod}@${version}: ${parsed.Error ?? 'no directory'}`);
  return parsed.Dir;
}
