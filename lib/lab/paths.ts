import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { execa } from 'execa';

/** Repository root (this file lives in lib/lab/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Project-local cache for built tools, binaries and image contexts (git-ignored). */
export const LAB_DIR = process.env.V6E2E_LAB_DIR ?? path.join(REPO_ROOT, '.lab');
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
