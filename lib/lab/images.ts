import { statSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { docker, dockerFailed, dockerTry } from '../util/docker.ts';
import type { Progress } from '../util/progress.ts';
import type { LabBinaries } from './artefacts.ts';
import { ContentHash } from './hash.ts';
import { LAB_DIR, LAB_SRC, moduleDir } from './paths.ts';
import { HASH_LABEL, IMAGES, LAB, LAB_LABEL } from './versions.ts';

/** One image the lab builds: a recipe folder under lab/images plus files put into its context. */
export interface ImageRecipe {
  id: string;
  /** Every tag the image carries; the first is its canonical name. */
  tags: string[];
  /** Recipe folder under lab/images (Dockerfile and static files). */
  recipe: string;
  /** Extra context entries: context-relative path → absolute source (file or folder). */
  files: Record<string, string>;
  buildArgs?: Record<string, string>;
  /** Dockerfile name inside the recipe folder (default Dockerfile). */
  dockerfile?: string;
  /** Passes the lab's Debian image as build arg BASE. */
  usesDebian?: boolean;
  /** Preloaded into the kind node image (runs inside clusters). */
  inCluster: boolean;
}

/** Tags kind v0.30's built-in manifests use, read from the kind module itself. */
export interface KindImageNames {
  kindnetd: string;
  storageProvisioner: string;
  storageHelper: string;
}

export async function kindImageNames(bin: LabBinaries): Promise<KindImageNames> {
  const dir = path.join(await moduleDir('sigs.k8s.io/kind', LAB.kind), 'pkg', 'build', 'nodeimage');
  const get = async (name: string) => (await execa(path.join(bin.kindconst, 'kindconst'), [dir, name])).stdout.trim();
  return {
    kindnetd: await get('kindnetdImage'),
    storageProvisioner: await get('storageProvisionerImage'),
    storageHelper: await get('storageHelperImage'),
  };
}

/** kube-proxy's choice of iptables backend (kindnetd makes the same choice in Go). */
const IPTABLES_WRAPPER = path.join(LAB_SRC, 'images', 'iptables-wrapper', 'iptables-wrapper');

export function recipes(bin: LabBinaries, kindImages: KindImageNames): ImageRecipe[] {
  const k = (cmd: string) => path.join(bin.kubernetes, cmd);
  const controlPlane = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map(
    (cmd): ImageRecipe => ({
      id: cmd,
      tags: [`registry.k8s.io/${cmd}:${LAB.kubernetes}`],
      recipe: 'static-binary',
      files: { [`bin/${cmd}`]: k(cmd) },
      inCluster: true,
    }),
  );
  return [
    ...controlPlane,
    {
      id: 'kube-proxy',
      tags: [`registry.k8s.io/kube-proxy:${LAB.kubernetes}`],
      recipe: 'kube-proxy',
      usesDebian: true,
      files: { 'bin/kube-proxy': k('kube-proxy'), 'iptables-wrapper': IPTABLES_WRAPPER },
      inCluster: true,
    },
    { id: 'etcd', tags: [`registry.k8s.io/etcd:${LAB.etcdTag}`], recipe: 'etcd', files: { 'bin/etcd': path.join(bin.etcd, 'etcd') }, inCluster: true },
    { id: 'coredns', tags: [`registry.k8s.io/coredns/coredns:${LAB.coredns}`], recipe: 'coredns', files: { 'bin/coredns': path.join(bin.coredns, 'coredns') }, inCluster: true },
    {
      id: 'pause',
      tags: [`registry.k8s.io/pause:${LAB.pauseTag}`, `registry.k8s.io/pause:${LAB.kindSandboxPauseTag}`],
      recipe: 'pause',
      files: { 'bin/pause': path.join(bin.pause, 'pause') },
      inCluster: true,
    },
    { id: 'kindnetd', tags: [kindImages.kindnetd], recipe: 'kindnetd', usesDebian: true, files: { kindnetd: path.join(bin.kindnetd, 'kindnetd') }, inCluster: true },
    {
      id: 'local-path-provisioner',
      tags: [kindImages.storageProvisioner],
      recipe: 'local-path',
      usesDebian: true,
      dockerfile: 'Dockerfile.provisioner',
      files: { 'local-path-provisioner': path.join(bin.localPath, 'local-path-provisioner') },
      inCluster: true,
    },
    { id: 'local-path-helper', tags: [kindImages.storageHelper], recipe: 'local-path', usesDebian: true, dockerfile: 'Dockerfile.helper', files: {}, inCluster: true },
    { id: 'agnhost', tags: [IMAGES.agnhost], recipe: 'agnhost', usesDebian: true, files: { 'bin/agnhost': k('agnhost') }, inCluster: true },
    { id: 'redis', tags: [IMAGES.redis], recipe: 'redis', usesDebian: true, files: {}, inCluster: true },
    { id: 'metallb-controller', tags: [IMAGES.metallbController], recipe: 'metallb', usesDebian: true, buildArgs: { BIN: 'controller' }, files: { 'bin/controller': path.join(bin.metallb, 'controller') }, inCluster: true },
    { id: 'metallb-speaker', tags: [IMAGES.metallbSpeaker], recipe: 'metallb', usesDebian: true, buildArgs: { BIN: 'speaker' }, files: { 'bin/speaker': path.join(bin.metallb, 'speaker') }, inCluster: true },
    {
      id: 'flannel',
      tags: [IMAGES.flannel],
      recipe: 'flannel',
      usesDebian: true,
      files: { 'bin/flanneld': path.join(bin.flannel, 'flanneld'), 'bin/flannel': path.join(bin.flannel, 'flannel'), 'iptables-wrapper': IPTABLES_WRAPPER },
      inCluster: true,
    },
    { id: 'tayga', tags: [IMAGES.tayga], recipe: 'tayga', usesDebian: true, files: {}, inCluster: false },
    { id: 'unbound', tags: [IMAGES.unbound], recipe: 'unbound', usesDebian: true, files: {}, inCluster: false },
  ];
}

/** The image's id, or undefined when absent. */
export async function imageId(ref: string): Promise<string | undefined> {
  return inspectImage(ref, '{{.Id}}');
}

async function imageHashLabel(ref: string): Promise<string | undefined> {
  return inspectImage(ref, `{{index .Config.Labels "${HASH_LABEL}"}}`);
}

/** `docker image inspect --format`, or undefined when there is no such image; any other failure (no engine) throws. */
async function inspectImage(ref: string, format: string): Promise<string | undefined> {
  const args = ['image', 'inspect', '--format', format, ref];
  const r = await dockerTry(args);
  if (r.exitCode === 0) return r.stdout.trim();
  if (/no such image/i.test(r.stderr)) return undefined;
  throw dockerFailed(args, r);
}

/** True when every tag exists and carries this content hash. */
export async function isCurrent(tags: string[], hash: string): Promise<boolean> {
  for (const t of tags) if ((await imageHashLabel(t)) !== hash) return false;
  return true;
}

function recipeDir(recipe: string): string {
  return path.resolve(LAB_SRC, 'images', recipe);
}

/**
 * Content hash of a recipe: its folder, the cache paths of the binaries it
 * copies (those paths already embed their own content hash), its build args
 * and the id of the Debian base it builds on.
 */
export async function recipeHash(r: ImageRecipe, debianId: string | undefined): Promise<string> {
  const h = new ContentHash()
    .add('tags', r.tags.join(' '))
    .add('args', JSON.stringify(r.buildArgs ?? {}))
    .add('dockerfile', r.dockerfile ?? 'Dockerfile');
  // Go sources are hashed through the binaries they build; files the context
  // receives from the build (a stray local binary of the same name) never count.
  const fromBuild = new Set(Object.keys(r.files));
  await h.addTree('recipe', recipeDir(r.recipe), (rel) => rel.endsWith('.go') || rel.startsWith('go.') || fromBuild.has(rel));
  for (const [dst, src] of Object.entries(r.files).sort()) {
    const rel = path.relative(LAB_DIR, src);
    // Build outputs: their cache path embeds their content hash. Files of the checkout
    // (the iptables wrapper): their content, so no checkout path enters the key.
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) h.add(`file:${dst}`, rel);
    else if (statSync(src).isDirectory()) await h.addTree(`file:${dst}`, src);
    else await h.addFile(`file:${dst}`, src);
  }
  if (r.usesDebian) h.add('debian', debianId ?? 'missing');
  return h.digest();
}

/** Builds one recipe unless an image with the same content hash exists. Returns true if built. `debian`: the Debian base's id, when the caller read it already. */
export async function buildImage(r: ImageRecipe, progress: Progress, debian?: string): Promise<boolean> {
  const debianId = r.usesDebian ? (debian ?? (await imageId(IMAGES.debian))) : undefined;
  const hash = await recipeHash(r, debianId);
  if (await isCurrent(r.tags, hash)) return false;
  await progress.step(`image ${r.tags[0]}`, async () => {
    const ctx = path.join(LAB_DIR, 'ctx', r.id);
    await rm(ctx, { recursive: true, force: true });
    await mkdir(ctx, { recursive: true });
    await cp(recipeDir(r.recipe), ctx, {
      recursive: true,
      filter: (src) => !/\.go$|\/go\.(mod|sum)$/.test(src),
    });
    for (const [dst, src] of Object.entries(r.files)) {
      await mkdir(path.dirname(path.join(ctx, dst)), { recursive: true });
      await cp(src, path.join(ctx, dst), { recursive: true, dereference: true });
    }
    const args = ['build', '--label', `${HASH_LABEL}=${hash}`, '--label', `${LAB_LABEL}=image`];
    for (const t of r.tags) args.push('-t', t);
    const buildArgs = { ...(r.usesDebian ? { BASE: IMAGES.debian } : {}), ...(r.buildArgs ?? {}) };
    for (const [k, v] of Object.entries(buildArgs)) args.push('--build-arg', `${k}=${v}`);
    const dockerfile = r.dockerfile ?? 'Dockerfile';
    args.push('-f', path.join(ctx, dockerfile), ctx);
    // The legacy builder: BuildKit needs buildx, which is not installable offline.
    await docker(args, { env: { DOCKER_BUILDKIT: '0' }, hint: `look at the recipe lab/images/${r.recipe} (docker's last lines below)` });
  });
  return true;
}
