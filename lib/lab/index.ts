import path from 'node:path';
import type { KubernetesTree } from '../kubesrc/tree.ts';
import { dockerTry } from '../util/docker.ts';
import type { Progress } from '../util/progress.ts';
import { buildAllBinaries, goBuild, type LabBinaries } from './artefacts.ts';
import { buildDebianBase, buildKindBase } from './baseimages.ts';
import { dockerAnswers, ensureDockerEngine } from './docker.ts';
import { buildImage, imageId, kindImageNames, recipes } from './images.ts';
import { buildNodeImage } from './nodeimage.ts';
import { tuneHost } from './host.ts';
import { IMAGES, LAB } from './versions.ts';

export { IMAGES, LAB } from './versions.ts';

export interface LabResult {
  binaries: LabBinaries;
  /** Images (re)built by this call; empty when everything was cached. */
  built: string[];
  /** The kind node image: the pinned release's, or the one built from `kubernetes`. */
  nodeImage: string;
}

/**
 * Everything a cluster and the suites need, built locally and cached by
 * content: Docker engine, Go-built tools, Debian-based images, the kind node
 * image. A second call with nothing changed only hashes and inspects.
 */
export async function labSetup(opts: { progress: Progress; kubernetes?: KubernetesTree }): Promise<LabResult> {
  const { progress } = opts;
  const built: string[] = [];
  // The runtime wrapper comes first: a fresh engine on a host without CAP_SYS_RESOURCE needs it to run anything.
  const wrapper = await goBuild({ name: 'runc-wrapper', module: 'lab/runc-wrapper', packages: ['.'] }, progress);
  await progress.step('docker engine', () => ensureDockerEngine(progress, path.join(wrapper, 'runc-wrapper')));
  for (const problem of await tuneHost(progress)) progress.info(`warning: ${problem}`);
  const binaries = await progress.step('binaries (Go module proxy)', () => buildAllBinaries(progress));
  await progress.step('images', async () => {
    if (await buildDebianBase(progress)) built.push(IMAGES.debian);
    if (await buildKindBase(path.join(wrapper, 'runc-wrapper'), progress)) built.push(IMAGES.kindBase);
    const all = recipes(binaries, await kindImageNames(binaries));
    // Read once: a docker call per recipe otherwise, and no recipe here rebuilds the base.
    const debian = await imageId(IMAGES.debian);
    for (const r of all) if (await buildImage(r, progress, debian)) built.push(r.tags[0]!);
    if (await buildNodeImage(binaries, all.filter((r) => r.inCluster), progress)) built.push(IMAGES.node);
  });
  progress.info(built.length ? `built: ${built.join(', ')}` : 'everything was up to date');
  if (opts.kubernetes) {
    const { buildFromTree } = await import('../kubesrc/build.ts');
    const tree = await buildFromTree(opts.kubernetes, progress);
    return { binaries, built, nodeImage: tree.nodeImage };
  }
  return { binaries, built, nodeImage: IMAGES.node };
}

/** A human-readable report of what the lab has on this machine. */
export async function labStatus(): Promise<string> {
  const lines: string[] = [];
  const docker = await dockerAnswers();
  lines.push(`docker engine: ${docker ? 'answers' : 'not running (run `v6e2e lab setup`)'}`);
  lines.push(`pins: kind ${LAB.kind}, kubernetes ${LAB.kubernetes}, etcd ${LAB.etcdTag}, coredns ${LAB.coredns}, metallb ${LAB.metallb}`);
  if (docker) {
    for (const ref of Object.values(IMAGES)) {
      lines.push(`${(await imageId(ref)) ? 'present' : 'MISSING'}  ${ref}`);
    }
    const clusters = await dockerTry(['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster', '--format', '{{.Label "io.x-k8s.kind.cluster"}}']);
    const names = [...new Set(clusters.stdout.split('\n').filter(Boolean))];
    // A status report says what it could not find out rather than "none".
    if (clusters.exitCode !== 0) lines.push(`kind clusters: cannot list (${clusters.stderr.trim().split('\n', 1)[0] ?? ''})`);
    else lines.push(`kind clusters: ${names.length ? names.join(', ') : 'none'}`);
  }
  return lines.join('\n');
}
