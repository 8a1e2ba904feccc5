/**
 * A user's Kubernetes source tree (`--kubernetes-src DIR`): what it is, which
 * version it stamps, and the identity of its current state. Everything here only
 * reads the tree (git plumbing and file reads); nothing is written into it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LAB } from '../lab/versions.ts';
import { UsageError } from '../util/errors.ts';

/** Version fields Kubernetes stamps into its binaries (hack/lib/version.sh's KUBE_GIT_*). */
export interface VersionStamp {
  /** `v1.34.4`, `v1.34.4-3+0123456789abcd`, `…-dirty`. */
  gitVersion: string;
  gitMajor: string;
  /** `34`, or `34+` for a version past or before a release tag. */
  gitMinor: string;
  gitCommit: string;
  gitTreeState: 'clean' | 'dirty';
  /** UTC `YYYY-MM-DDTHH:MM:SSZ`: the commit's date, so an unchanged binary is byte-identical across builds. */
  buildDate: string;
}

export interface KubernetesTree {
  /** Absolute path of the tree's top (where go.mod and go.work are). */
  dir: string;
  stamp: VersionStamp;
  /** Has a vendor/modules.txt: builds need no module cache or proxy. */
  vendored: boolean;
  /**
   * Hash of HEAD, the diff against it and the untracked files: equal states
   * share every artefact, any change (staged or not) makes a new one.
   */
  state: string;
}

/** The minor the lab runs: cgroup v1 hosts and kubeadm's pinned etcd/CoreDNS/pause constants. */
export const SUPPORTED_MINOR = (/^v(\d+\.\d+)\./.exec(LAB.kubernetes) ?? [])[1] ?? '';

/**
 * `git describe --tags --abbrev=14` output to the semver Kubernetes stamps:
 * `v1.34.4-3-g<hash>` → `v1.34.4-3+<hash>`, `v1.35.0-alpha.1-3-g<hash>` →
 * `v1.35.0-alpha.1.3+<hash>`, and `-dirty` when the tree has any change.
 */
export function describeToVersion(describe: string, dirty: boolean): string {
  let v = describe.trim();
  const distance = /^(.*)-(\d+)-g([0-9a-f]+)$/.exec(v);
  if (distance) {
    const [, tag = '', n = '', hash = ''] = distance;
    // A tag with its own pre-release (-alpha.1) gets the distance as one more dot field.
    v = tag.includes('-') ? `${tag}.${n}+${hash}` : `${tag}-${n}+${hash}`;
  }
  return dirty ? `${v}-dirty` : v;
}

/** gitMajor/gitMinor from a version (`34+` when it carries a pre-release part). */
export function majorMinor(version: string): { major: string; minor: string } | undefined {
  const m = /^v(\d+)\.(\d+)(?:\.\d+)?(-[^+]*)?(\+.*)?$/.exec(version);
  if (!m) return undefined;
  return { major: m[1]!, minor: `${m[2]}${m[3] ? '+' : ''}` };
}

/** The image tag kubeadm derives from a version: `+` is not allowed in tags. */
export function imageTagOf(version: string): string {
  return version.replace(/\+/g, '_');
}

function gitBuffer(dir: string, args: string[]): Buffer {
  return execFileSync('git', ['-C', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}

function git(dir: string, args: string[]): string {
  return gitBuffer(dir, args).toString('utf8');
}

/**
 * Reads `--kubernetes-src DIR`: a git checkout of k8s.io/kubernetes whose tags say a
 * 1.34 version. Anything else is a UsageError naming what was found and what works.
 */
export function inspectKubernetesTree(given: string): KubernetesTree {
  const dir = path.resolve(given);
  const flag = `--kubernetes-src ${given}`;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag}: no such directory; give the top of a Kubernetes checkout (git clone https://github.com/kubernetes/kubernetes)`);
  const goMod = path.join(dir, 'go.mod');
  const module = existsSync(goMod) ? /^module\s+(\S+)/m.exec(readFileSync(goMod, 'utf8'))?.[1] : undefined;
  if (module !== 'k8s.io/kubernetes') {
    const found = module ? `a Go module ${module}` : 'no go.mod';
    throw new UsageError(`${flag} is not a Kubernetes tree (found ${found}); give the top of a k8s.io/kubernetes checkout, where go.mod says "module k8s.io/kubernetes"`);
  }
  for (const cmd of ['kube-proxy', 'kubelet', 'kubeadm']) {
    if (!existsSync(path.join(dir, 'cmd', cmd))) throw new UsageError(`${flag} has no cmd/${cmd}; give the top of a full k8s.io/kubernetes checkout`);
  }
  let top: string;
  try {
    top = git(dir, ['rev-parse', '--show-toplevel']).trim();
  } catch {
    throw new UsageError(`${flag} is not a git checkout; v6e2e stamps the version from git as Kubernetes does (clone it, or git init and tag the base commit v${SUPPORTED_MINOR}.x)`);
  }
  if (path.resolve(top) !== dir) throw new UsageError(`${flag} is inside the git checkout ${top}; give its top`);
  const commit = git(dir, ['rev-parse', 'HEAD']).trim();
  let describe: string;
  try {
    describe = git(dir, ['describe', '--tags', '--match=v*', '--abbrev=14', `${commit}^{commit}`]).trim();
  } catch {
    throw new UsageError(`${flag}: no v* tag reachable from HEAD ${commit.slice(0, 12)}, so its version is unknown; fetch the tags (git fetch --tags) or tag the release it is based on`);
  }
  const status = git(dir, ['status', '--porcelain']);
  const dirty = status.trim() !== '';
  const gitVersion = describeToVersion(describe, dirty);
  const mm = majorMinor(gitVersion);
  if (!mm || `${mm.major}.${mm.minor.replace('+', '')}` !== SUPPORTED_MINOR) {
    throw new UsageError(
      `${flag} is Kubernetes ${gitVersion}; the lab runs ${SUPPORTED_MINOR} only (these hosts are cgroup v1, and kubeadm pins etcd/CoreDNS/pause per minor): check out a release-${SUPPORTED_MINOR} branch or a v${SUPPORTED_MINOR}.x tag`,
    );
  }
  const committed = new Date(git(dir, ['log', '-1', '--format=%cI', commit]).trim());
  return {
    dir,
    vendored: existsSync(path.join(dir, 'vendor', 'modules.txt')),
    state: treeState(dir, commit),
    stamp: {
      gitVersion,
      gitMajor: mm.major,
      gitMinor: mm.minor,
      gitCommit: commit,
      gitTreeState: dirty ? 'dirty' : 'clean',
      buildDate: committed.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  };
}

/** HEAD, every change against it (staged or not, binary-safe) and the untracked files' names and contents. */
function treeState(dir: string, commit: string): string {
  const h = createHash('sha256').update(`head\0${commit}\0`);
  // Pinned output format: full hashes and plain prefixes whatever the user's git config or object count.
  const plain = ['-c', 'diff.noprefix=false', '-c', 'diff.mnemonicPrefix=false', '-c', 'diff.relative=false', '-c', 'core.quotePath=true'];
  h.update(gitBuffer(dir, [...plain, 'diff', 'HEAD', '--binary', '--full-index', '--no-ext-diff', '--no-color', '--no-renames']));
  const untracked = gitBuffer(dir, ['ls-files', '-z', '--others', '--exclude-standard']).toString('utf8').split('\0').filter(Boolean).sort();
  for (const rel of untracked) {
    const file = path.join(dir, rel);
    h.update(`untracked\0${rel}\0`);
    if (statSync(file).isFile()) h.update(readFileSync(file));
  }
  return h.digest('hex').slice(0, 16);
}

/** `v1.34.4-3+0123456789abcd-dirty (commit 0123456789ab, dirty) at /src/kubernetes` for progress lines. */
export function describeTree(t: KubernetesTree): string {
  return `${t.stamp.gitVersion} (commit ${t.stamp.gitCommit.slice(0, 12)}, ${t.stamp.gitTreeState}${t.vendored ? ', vendored' : ''}) at ${t.dir}`;
}
