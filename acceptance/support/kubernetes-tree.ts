/**
 * A real-shaped Kubernetes checkout assembled offline for the --kubernetes-src
 * acceptance and bench: k8s.io/kubernetes v1.34.4 from the module cache with each
 * staging module (k8s.io/<name>@v0.34.4) put back at staging/src/k8s.io/<name>,
 * where the tree's own go.work expects it, committed in a fresh git repository
 * and tagged v1.34.4 as a clone would be. Module zips leave out nested modules
 * and vendored code, hence the reassembly; the two sample staging modules the
 * proxy does not serve (no command needs them) are left out of go.work.
 */
import { chmod, cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { moduleDir } from '../../lib/lab/paths.ts';
import { LAB } from '../../lib/lab/versions.ts';

export const UNSERVED_STAGING = ['sample-cli-plugin', 'sample-controller'];

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'v6e2e fixture',
  GIT_AUTHOR_EMAIL: 'fixture@v6e2e.local',
  GIT_COMMITTER_NAME: 'v6e2e fixture',
  GIT_COMMITTER_EMAIL: 'fixture@v6e2e.local',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

export function git(dir: string, ...args: string[]) {
  return execa('git', ['-C', dir, ...args], { env: GIT_ENV });
}

/** Builds the tree at `dest` (which must not exist) and returns it. */
export async function assembleKubernetesTree(dest: string): Promise<string> {
  const version = LAB.kubernetes;
  const stagingVersion = version.replace(/^v1\./, 'v0.');
  await cp(await moduleDir('k8s.io/kubernetes', version), dest, { recursive: true });
  const goWork = await readFile(path.join(dest, 'go.work'), 'utf8');
  const used = [...goWork.matchAll(/^\s*\.\/staging\/src\/k8s\.io\/([a-z0-9-]+)\s*$/gm)].map((m) => m[1]!);
  const kept = used.filter((n) => !UNSERVED_STAGING.includes(n));
  for (const name of kept) {
    await cp(await moduleDir(`k8s.io/${name}`, stagingVersion), path.join(dest, 'staging', 'src', 'k8s.io', name), { recursive: true });
  }
  await writeFile(
    path.join(dest, 'go.work'),
    goWork
      .split('\n')
      .filter((l) => !UNSERVED_STAGING.some((n) => l.trim() === `./staging/src/k8s.io/${n}`))
      .join('\n'),
  );
  // The module cache is read-only; a checkout is not.
  await execa('chmod', ['-R', 'u+w', dest]);
  await chmod(dest, 0o755);
  await git(dest, 'init', '-q');
  await git(dest, 'add', '-A');
  await git(dest, 'commit', '-q', '-m', `Kubernetes ${version} (assembled from the module cache)`);
  await git(dest, 'tag', version);
  return dest;
}

/** Applies one of fixtures/kubernetes-patches/*.diff to the tree's work tree (uncommitted, as a developer's edit is). */
export async function applyPatch(tree: string, patch: string): Promise<void> {
  await git(tree, 'apply', '--whitespace=nowarn', patch);
}

/** Back to the tagged commit, untracked files gone (ignored build outputs kept). */
export async function resetTree(tree: string): Promise<void> {
  await git(tree, 'checkout', '-q', '--', '.');
  await git(tree, 'clean', '-q', '-fd');
}
