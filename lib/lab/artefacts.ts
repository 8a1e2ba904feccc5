import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { VersionStamp } from '../kubesrc/tree.ts';
import type { Progress } from '../util/progress.ts';
import { runGo } from './gobuild.ts';
import { ContentHash } from './hash.ts';
import { LAB_DIR, REPO_ROOT, moduleDir } from './paths.ts';
import { LAB } from './versions.ts';

/**
 * A directory of build outputs keyed by content hash: `<lab dir>/bin/<name>/<hash>/`.
 * It is built into a temporary sibling and renamed into place only when the
 * build succeeded, so an interrupted build never looks cached.
 */
export async function cachedDir(
  name: string,
  hash: string,
  progress: Progress,
  build: (outDir: string) => Promise<void>,
): Promise<string> {
  const dir = path.join(LAB_DIR, 'bin', name, hash);
  if (existsSync(path.join(dir, '.done'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await progress.step(`build ${name}`, () => build(tmp));
  } catch (err) {
    // A failed build (a compile error in a user's tree) leaves nothing behind.
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await writeFile(path.join(tmp, '.done'), `${new Date().toISOString()}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return dir;
}

let goVersion: Promise<string> | undefined;
function goVersionOnce(): Promise<string> {
  goVersion ??= execa('go', ['version']).then((r) => r.stdout.trim());
  return goVersion;
}

export interface GoBuildSpec {
  /** Cache folder name, e.g. "kubernetes". */
  name: string;
  /** Our module folder (holds go.mod/go.sum and any Go sources of ours). */
  module: string;
  /** Packages to build into the output directory (main packages). */
  packages: string[];
  ldflags?: string;
  tags?: string[];
}

/** `go build` of one of our build modules, static (CGO off), cached by content. */
/** The content hash goBuild caches a spec's output under. */
async function goBuildHash(spec: GoBuildSpec): Promise<string> {
  const moduleAbs = path.resolve(REPO_ROOT, spec.module);
  const h = new ContentHash()
    .add('go', await goVersionOnce())
    .add('packages', spec.packages.join(' '))
    .add('ldflags', spec.ldflags ?? '')
    .add('tags', (spec.tags ?? []).join(','));
  await h.addTree('src', moduleAbs, (rel) => !(rel.endsWith('.go') || rel === 'go.mod' || rel === 'go.sum') || rel.endsWith('_test.go'));
  return h.digest();
}

export async function goBuild(spec: GoBuildSpec, progress: Progress): Promise<string> {
  const moduleAbs = path.resolve(REPO_ROOT, spec.module);
  return cachedDir(spec.name, await goBuildHash(spec), progress, async (out) => {
    const flags = ['-trimpath', '-o', `${out}/`];
    if (spec.tags?.length) flags.push('-tags', spec.tags.join(','));
    flags.push('-ldflags', `-s -w ${spec.ldflags ?? ''}`.trim());
    await runGo({ name: spec.name, verb: 'build', flags, packages: spec.packages, cwd: moduleAbs, env: { CGO_ENABLED: '0' }, ...(spec.tags ? { tags: spec.tags } : {}) }, progress);
  });
}

/** The stamp of a Kubernetes release built from the module proxy (no git: a fixed commit and date). */
export function releaseStamp(version: string): VersionStamp {
  const m = /^v(\d+)\.(\d+)\./.exec(version);
  if (!m) throw new Error(`not a Kubernetes release version: ${version}`);
  return {
    gitVersion: version,
    gitMajor: m[1]!,
    gitMinor: m[2]!,
    gitTreeState: 'clean',
    gitCommit: '0000000000000000000000000000000000000000',
    buildDate: '2026-01-01T00:00:00Z',
  };
}

/** Version stamping as Kubernetes' hack/lib/version.sh does it, so `kubectl version` and kubeadm report the real version. */
export function kubernetesLdflags(stamp: VersionStamp): string {
  // The order is part of the pinned build's cache key: keep it.
  const values: [string, string][] = [
    ['gitVersion', stamp.gitVersion],
    ['gitMajor', stamp.gitMajor],
    ['gitMinor', stamp.gitMinor],
    ['gitTreeState', stamp.gitTreeState],
    ['gitCommit', stamp.gitCommit],
    ['buildDate', stamp.buildDate],
  ];
  const flags: string[] = [];
  for (const pkg of ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version']) {
    for (const [k, v] of values) flags.push(`-X '${pkg}.${k}=${v}'`);
  }
  return flags.join(' ');
}

export const KUBE_COMMANDS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
  'kubeadm',
  'kubectl',
  'kubelet',
] as const;

/** Binaries the lab needs, each built (or found cached) under <lab dir>/bin. */
export interface LabBinaries {
  kubernetes: string;
  kind: string;
  etcd: string;
  coredns: string;
  metallb: string;
  kindnetd: string;
  localPath: string;
  pause: string;
  kindconst: string;
  /** flanneld (vxlan only) and the `flannel` CNI plugin. */
  flannel: string;
}

export async function buildKubernetes(progress: Progress): Promise<string> {
  return goBuild(
    {
      name: `kubernetes-${LAB.kubernetes}`,
      module: 'lab/go/kubernetes',
      packages: [...KUBE_COMMANDS.map((c) => `k8s.io/kubernetes/cmd/${c}`), 'k8s.io/kubernetes/test/images/agnhost'],
      ldflags: kubernetesLdflags(releaseStamp(LAB.kubernetes)),
      tags: ['providerless', 'selinux', 'notest'],
    },
    progress,
  );
}

/** kind itself, via `go install` of the pinned module version. */
export async function buildKind(progress: Progress): Promise<string> {
  const hash = new ContentHash().add('go', await goVersionOnce()).add('kind', LAB.kind).digest();
  return cachedDir(`kind-${LAB.kind}`, hash, progress, async (out) => {
    await runGo({ name: `kind-${LAB.kind}`, verb: 'install', flags: [], packages: [`sigs.k8s.io/kind@${LAB.kind}`], env: { GOBIN: out, CGO_ENABLED: '0' }, cwd: LAB_DIR }, progress);
  });
}

/** Kubernetes' own pause.c from the module cache, compiled statically. */
export async function buildPause(progress: Progress): Promise<string> {
  const k8s = await moduleDir('k8s.io/kubernetes', LAB.kubernetes);
  const src = path.join(k8s, 'build', 'pause', 'linux', 'pause.c');
  const hash = (await new ContentHash().add('tag', LAB.pauseTag).addFile('pause.c', src)).digest();
  return cachedDir('pause', hash, progress, async (out) => {
    await execa('gcc', ['-Os', '-Wall', '-static', `-DVERSION=v${LAB.pauseTag}`, '-o', path.join(out, 'pause'), src]);
  });
}

/** Backends flanneld registers by blank import; the lab keeps vxlan (its SDK-free default) and drops the rest, tencentvpc among them (its SDK is not on the module proxy). */
const FLANNEL_BACKEND_IMPORT = /^\s*_ "github\.com\/flannel-io\/flannel\/pkg\/backend\/(?!vxlan")[a-z0-9]+"\s*$/;

/**
 * flanneld from the pinned flannel module: its own main.go, read from the module
 * cache at build time with the backend imports above left out, compiled in a build
 * directory of the lab cache against lab/go/flannel's go.mod. Plus the `flannel`
 * CNI plugin (containernetworking/plugins v0.9.1 plugins/meta/flannel), which
 * delegates to the node's bridge and host-local plugins.
 */
export async function buildFlannel(progress: Progress): Promise<string> {
  const ours = path.join(REPO_ROOT, 'lab', 'go', 'flannel');
  const goMod = await readFile(path.join(ours, 'go.mod'), 'utf8');
  if (!goMod.includes(`github.com/flannel-io/flannel ${LAB.flannel}`)) {
    throw new Error(`lab/go/flannel/go.mod does not require github.com/flannel-io/flannel ${LAB.flannel} (lib/lab/versions.ts)`);
  }
  const upstreamMain = path.join(await moduleDir('github.com/flannel-io/flannel', LAB.flannel), 'main.go');
  const h = new ContentHash().add('go', await goVersionOnce()).add('flannel', LAB.flannel).add('filter', FLANNEL_BACKEND_IMPORT.source);
  await h.addFile('go.mod', path.join(ours, 'go.mod'));
  await h.addFile('go.sum', path.join(ours, 'go.sum'));
  const cni = await goBuildHash({ name: 'flannel-cni', module: 'lab/go/flannel-cni', packages: ['github.com/containernetworking/plugins/plugins/meta/flannel'] });
  h.add('cni', cni);
  return cachedDir(`flannel-${LAB.flannel}`, h.digest(), progress, async (out) => {
    const src = path.join(LAB_DIR, 'src', 'flannel');
    await rm(src, { recursive: true, force: true });
    await mkdir(src, { recursive: true });
    await copyFile(path.join(ours, 'go.mod'), path.join(src, 'go.mod'));
    await copyFile(path.join(ours, 'go.sum'), path.join(src, 'go.sum'));
    const main = (await readFile(upstreamMain, 'utf8')).split('\n').filter((l) => !FLANNEL_BACKEND_IMPORT.test(l));
    await writeFile(path.join(src, 'main.go'), main.join('\n'));
    const version = `-X github.com/flannel-io/flannel/pkg/version.Version=${LAB.flannel}`;
    const env = { CGO_ENABLED: '0' };
    await runGo({ name: 'flanneld', verb: 'build', flags: ['-trimpath', '-o', path.join(out, 'flanneld'), '-ldflags', `-s -w ${version}`], packages: ['.'], cwd: src, env }, progress);
    await runGo(
      {
        name: 'flannel-cni',
        verb: 'build',
        flags: ['-trimpath', '-o', path.join(out, 'flannel'), '-ldflags', '-s -w'],
        packages: ['github.com/containernetworking/plugins/plugins/meta/flannel'],
        cwd: path.join(REPO_ROOT, 'lab', 'go', 'flannel-cni'),
        env,
      },
      progress,
    );
    await rm(src, { recursive: true, force: true });
  });
}

export async function buildAllBinaries(progress: Progress): Promise<LabBinaries> {
  // Sequential on purpose: each go build already uses every core.
  const kubernetes = await buildKubernetes(progress);
  const kind = await buildKind(progress);
  const etcd = await goBuild({ name: 'etcd', module: 'lab/go/etcd', packages: ['.'] }, progress);
  const coredns = await goBuild({ name: 'coredns', module: 'lab/go/coredns', packages: ['.'] }, progress);
  const metallb = await goBuild(
    { name: 'metallb', module: 'lab/go/metallb', packages: ['go.universe.tf/metallb/controller', 'go.universe.tf/metallb/speaker'] },
    progress,
  );
  const kindnetd = await goBuild({ name: 'kindnetd', module: 'lab/images/kindnetd', packages: ['.'] }, progress);
  const localPath = await goBuild(
    {
      name: 'local-path',
      module: 'lab/images/local-path',
      packages: ['github.com/rancher/local-path-provisioner'],
      // As Rancher's scripts/build stamps it.
      ldflags: '-X main.VERSION=v0.0.30',
    },
    progress,
  );
  const pause = await buildPause(progress);
  const kindconst = await goBuild({ name: 'kindconst', module: 'lab/go/kindconst', packages: ['.'] }, progress);
  const flannel = await buildFlannel(progress);
  return { kubernetes, kind, etcd, coredns, metallb, kindnetd, localPath, pause, kindconst, flannel };
}
