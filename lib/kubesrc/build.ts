/**
 * Builds the lab's Kubernetes from a user's tree: the seven commands compiled in
 * the tree (its own go.work, vendor/ when it has one), the four in-cluster images
 * made from them, and a kind node image that is the pinned lab node image with
 * those swapped in. Outputs live in the lab cache, keyed by content; the tree is
 * only read.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, link, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { cachedDir, KUBE_COMMANDS, kubernetesLdflags } from '../lab/artefacts.ts';
import { ContentHash } from '../lab/hash.ts';
import { buildImage, imageId, isCurrent, type ImageRecipe } from '../lab/images.ts';
import { preloadImages } from '../lab/nodeimage.ts';
import { LAB_DIR, LAB_SRC } from '../lab/paths.ts';
import { HASH_LABEL, IMAGES, LAB_LABEL, LOCAL_REGISTRY } from '../lab/versions.ts';
import { runGo } from '../lab/gobuild.ts';
import { docker, dockerTry } from '../util/docker.ts';
import { RunBrokenError } from '../util/errors.ts';
import type { Progress } from '../util/progress.ts';
import { describeTree, imageTagOf, type KubernetesTree } from './tree.ts';

/** The lab's static build: the same tags and flags as the pinned build (lib/lab/artefacts.ts). */
export const TREE_BUILD_TAGS = ['providerless', 'selinux', 'notest'];

/** What a tree build produced: each command's binary at a path that embeds its content hash. */
export type TreeBinaries = Record<(typeof KUBE_COMMANDS)[number], string>;

export interface TreeBuild {
  tree: KubernetesTree;
  binaries: TreeBinaries;
  /** The kind node image that runs this tree's Kubernetes. */
  nodeImage: string;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex').slice(0, 16);
}

/** Where the last build of a tree (by path) is: its binaries seed the next build so go relinks only what changed. */
function lastBuildFile(tree: KubernetesTree): string {
  const key = createHash('sha256').update(tree.dir).digest('hex').slice(0, 16);
  return path.join(LAB_DIR, 'kubernetes-src', `${key}.last`);
}

/**
 * `go build` of the seven commands inside the tree, seeded with the last build's
 * binaries so go relinks only commands whose build ID changed. A compile error
 * is a RunBrokenError (exit 3) carrying the compiler's lines.
 */
async function compileTree(tree: KubernetesTree, out: string, progress: Progress): Promise<void> {
  const last = lastBuildFile(tree);
  if (existsSync(last)) {
    const previous = (await readFile(last, 'utf8')).trim();
    for (const cmd of KUBE_COMMANDS) {
      if (existsSync(path.join(previous, cmd))) await copyFile(path.join(previous, cmd), path.join(out, cmd));
    }
  }
  await runGo(
    {
      name: 'kubernetes-src',
      verb: 'build',
      flags: ['-trimpath', '-tags', TREE_BUILD_TAGS.join(','), '-ldflags', `-s -w ${kubernetesLdflags(tree.stamp)}`, '-o', `${out}/`],
      packages: KUBE_COMMANDS.map((c) => `./cmd/${c}`),
      tags: TREE_BUILD_TAGS,
      cwd: tree.dir,
      // The tree decides modules (its go.work, vendor/); never a toolchain download, never an edit of its go files.
      env: {
        CGO_ENABLED: '0',
        GOTOOLCHAIN: 'local',
        GOFLAGS: `-mod=${tree.vendored ? 'vendor' : 'readonly'}`,
        GOWORK: existsSync(path.join(tree.dir, 'go.work')) ? path.join(tree.dir, 'go.work') : 'off',
      },
    },
    progress,
  );
}

/**
 * The seven binaries of the tree's current state: cached under its state hash,
 * each also linked under `<lab dir>/bin/kubernetes-src-objects/<content hash>/` so
 * images built from an unchanged binary are reused across states.
 */
export async function buildTreeBinaries(tree: KubernetesTree, progress: Progress): Promise<TreeBinaries> {
  const { stdout: goVersion } = await execa('go', ['version']);
  const hash = new ContentHash().add('go', goVersion).add('state', tree.state).add('tags', TREE_BUILD_TAGS.join(',')).add('stamp', JSON.stringify(tree.stamp)).digest();
  const dir = await cachedDir('kubernetes-src', hash, progress, (out) => compileTree(tree, out, progress));
  await mkdir(path.dirname(lastBuildFile(tree)), { recursive: true });
  await writeFile(lastBuildFile(tree), `${dir}\n`);
  const out = {} as TreeBinaries;
  for (const cmd of KUBE_COMMANDS) {
    const object = path.join(LAB_DIR, 'bin', 'kubernetes-src-objects', await sha256File(path.join(dir, cmd)), cmd);
    if (!existsSync(object)) {
      await mkdir(path.dirname(object), { recursive: true });
      // No hard link across file systems (EXDEV) or where links are refused: a copy does; its own failure still throws.
      await link(path.join(dir, cmd), object).catch(() => copyFile(path.join(dir, cmd), object));
    }
    out[cmd] = object;
  }
  return out;
}

/** The in-cluster images kubeadm runs from the tree's binaries, each tagged by its binary's content hash. */
export function treeImageRecipes(bin: TreeBinaries): ImageRecipe[] {
  const tag = (cmd: string) => `${LOCAL_REGISTRY}/kubernetes-src/${cmd}:${path.basename(path.dirname(bin[cmd as keyof TreeBinaries]))}`;
  const controlPlane = (['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const).map(
    (cmd): ImageRecipe => ({ id: `src-${cmd}`, tags: [tag(cmd)], recipe: 'static-binary', files: { [`bin/${cmd}`]: bin[cmd] }, inCluster: true }),
  );
  return [
    ...controlPlane,
    {
      id: 'src-kube-proxy',
      tags: [tag('kube-proxy')],
      recipe: 'kube-proxy',
      usesDebian: true,
      files: { 'bin/kube-proxy': bin['kube-proxy'], 'iptables-wrapper': path.join(LAB_SRC, 'images', 'iptables-wrapper', 'iptables-wrapper') },
      inCluster: true,
    },
  ];
}

/** The names kubeadm pulls for a version: `registry.k8s.io/<cmd>:<version, + as _>`. */
function kubeadmImageName(recipe: ImageRecipe, version: string): string {
  return `registry.k8s.io/${recipe.id.replace(/^src-/, '')}:${imageTagOf(version)}`;
}

/**
 * The pinned node image with the tree's kubeadm, kubelet and kubectl, its
 * version in /kind/version (kind sets kubeadm's kubernetesVersion from it) and
 * its four images preloaded under the names kubeadm derives from that version.
 * Tagged by the hash of all of that, so equal builds share one image.
 */
async function buildTreeNodeImage(tree: KubernetesTree, bin: TreeBinaries, images: ImageRecipe[], progress: Progress): Promise<string> {
  const baseId = await imageId(IMAGES.node);
  if (!baseId) throw new RunBrokenError(`the lab node image ${IMAGES.node} is missing; run v6e2e lab setup`);
  const h = new ContentHash().add('base', baseId).add('version', tree.stamp.gitVersion);
  for (const cmd of ['kubeadm', 'kubelet', 'kubectl'] as const) h.add(cmd, path.relative(LAB_DIR, bin[cmd]));
  for (const r of images) h.add(r.id, (await imageId(r.tags[0]!)) ?? 'missing');
  const hash = h.digest();
  const tag = `${LOCAL_REGISTRY}/kind-node:src-${hash}`;
  if (await isCurrent([tag], hash)) return tag;
  await progress.step(`node image ${tag} (Kubernetes ${tree.stamp.gitVersion})`, async () => {
    const name = `v6e2e-nodeimage-src-${process.pid}`;
    await docker(['run', '-d', '--name', name, '--label', `${LAB_LABEL}=build`, '--entrypoint=sleep', '--privileged', IMAGES.node, 'infinity']);
    const inNode = (cmd: string[], input?: string) => docker(['exec', '-i', name, ...cmd], input !== undefined ? { input } : {});
    try {
      for (const cmd of ['kubeadm', 'kubelet', 'kubectl'] as const) await docker(['cp', bin[cmd], `${name}:/usr/bin/${cmd}`]);
      await inNode(['chmod', '0755', '/usr/bin/kubeadm', '/usr/bin/kubelet', '/usr/bin/kubectl']);
      await inNode(['sh', '-c', 'cat > /kind/version'], tree.stamp.gitVersion);
      await inNode(['bash', '-c', 'nohup containerd > /var/log/containerd-build.log 2>&1 &']);
      await inNode(['bash', '-c', 'for i in $(seq 1 50); do ctr version >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1']);
      await preloadImages(name, images.map((r) => [r.tags[0]!]), progress);
      for (const r of images) {
        // The name kubeadm asks for; a host-side docker tag would move the pinned release's tag.
        const as = kubeadmImageName(r, tree.stamp.gitVersion);
        await inNode(['ctr', '--namespace=k8s.io', 'images', 'tag', '--force', r.tags[0]!, as]);
        await inNode(['ctr', '--namespace=k8s.io', 'images', 'label', as, 'io.cri-containerd.pinned=pinned']);
      }
      await inNode(['bash', '-c', 'pkill containerd; for i in $(seq 1 50); do pgrep containerd >/dev/null || exit 0; sleep 0.2; done']);
      await docker(['commit', '--change', 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]', '--change', `LABEL ${HASH_LABEL}=${hash}`, name, tag]);
    } finally {
      // Best-effort removal of the build container; an error of the build itself is already on its way.
      await dockerTry(['rm', '-f', name]);
    }
  });
  return tag;
}

/** Everything a cluster of the tree needs, on top of a set-up lab. Unchanged trees only hash and inspect. */
export async function buildFromTree(tree: KubernetesTree, progress: Progress): Promise<TreeBuild> {
  return progress.step(`Kubernetes from ${describeTree(tree)}`, async () => {
    const binaries = await buildTreeBinaries(tree, progress);
    const images = treeImageRecipes(binaries);
    for (const r of images) await buildImage(r, progress);
    const nodeImage = await buildTreeNodeImage(tree, binaries, images, progress);
    return { tree, binaries, nodeImage };
  });
}
