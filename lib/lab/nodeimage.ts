import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { docker, dockerTry } from '../util/docker.ts';
import { RunBrokenError } from '../util/errors.ts';
import type { Progress } from '../util/progress.ts';
import type { LabBinaries } from './artefacts.ts';
import { ContentHash } from './hash.ts';
import { imageId, isCurrent, type ImageRecipe } from './images.ts';
import { LAB_DIR, moduleDir } from './paths.ts';
import { HASH_LABEL, IMAGES, LAB, LAB_LABEL } from './versions.ts';

/**
 * Assembles the kind node image the way the pinned kind version lays it out
 * (pkg/build/nodeimage), but offline: kind's builder fetches every image it did
 * not build from a registry, so the lab replays its steps with images it built
 * itself. Layout produced:
 *   /usr/bin/{kubeadm,kubelet,kubectl}, /kind/version,
 *   /kind/manifests/default-cni.yaml and default-storage.yaml (kind's own text,
 *   read from the module), and containerd's k8s.io namespace preloaded with every
 *   in-cluster image, pinned, unpacked lazily — exactly what `kind create` reads.
 */
export async function buildNodeImage(
  bin: LabBinaries,
  inCluster: ImageRecipe[],
  progress: Progress,
): Promise<boolean> {
  const baseId = await imageId(IMAGES.kindBase);
  if (!baseId) throw new RunBrokenError(`base image ${IMAGES.kindBase} missing after it was built; run \`v6e2e lab setup\` again`);
  const nodeimageDir = path.join(await moduleDir('sigs.k8s.io/kind', LAB.kind), 'pkg', 'build', 'nodeimage');
  const kindconst = path.join(bin.kindconst, 'kindconst');
  const cni = (await execa(kindconst, [nodeimageDir, 'defaultCNIManifest'])).stdout;
  const storage = (await execa(kindconst, [nodeimageDir, 'defaultStorageManifest'])).stdout;

  const h = new ContentHash().add('base', baseId).add('k8s', LAB.kubernetes).add('bin', path.relative(LAB_DIR, bin.kubernetes));
  h.add('cni', cni).add('storage', storage);
  const preload: string[][] = [];
  for (const r of inCluster) {
    const id = await imageId(r.tags[0]!);
    if (!id) throw new RunBrokenError(`image ${r.tags[0]} missing after it was built; run \`v6e2e lab setup\` again`);
    h.add(`image:${r.tags.join(',')}`, id);
    preload.push(r.tags);
  }
  const hash = h.digest();
  if (await isCurrent([IMAGES.node], hash)) return false;

  await progress.step(`node image ${IMAGES.node}`, async () => {
    const name = `v6e2e-nodeimage-build-${process.pid}`;
    await docker([
      'run', '-d', '--name', name, '--label', `${LAB_LABEL}=build`, '--entrypoint=sleep',
      '--privileged', '--security-opt', 'seccomp=unconfined', IMAGES.kindBase, 'infinity',
    ]);
    const inNode = (cmd: string[], input?: string) => docker(['exec', '-i', name, ...cmd], input !== undefined ? { input } : {});
    try {
      for (const b of ['kubeadm', 'kubelet', 'kubectl']) {
        await docker(['cp', path.join(bin.kubernetes, b), `${name}:/usr/bin/${b}`]);
      }
      await inNode(['chown', 'root:root', '/usr/bin/kubeadm', '/usr/bin/kubelet', '/usr/bin/kubectl']);
      await inNode(['chmod', '0755', '/usr/bin/kubeadm', '/usr/bin/kubelet', '/usr/bin/kubectl']);
      await inNode(['mkdir', '-p', '/kind/manifests']);
      await inNode(['sh', '-c', 'cat > /kind/version'], LAB.kubernetes);
      await inNode(['sh', '-c', 'cat > /kind/manifests/default-cni.yaml'], cni);
      await inNode(['sh', '-c', 'cat > /kind/manifests/default-storage.yaml'], storage);

      await inNode(['bash', '-c', 'nohup containerd > /var/log/containerd-build.log 2>&1 &']);
      await inNode(['bash', '-c', 'for i in $(seq 1 50); do [ -S /run/containerd/containerd.sock ] && ctr version >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1']);
      await preloadImages(name, preload, progress);
      await inNode(['bash', '-c', 'pkill containerd; for i in $(seq 1 50); do pgrep containerd >/dev/null || exit 0; sleep 0.2; done']);
      await docker([
        'commit',
        '--change', 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]',
        '--change', `LABEL ${HASH_LABEL}=${hash}`,
        name, IMAGES.node,
      ]);
    } finally {
      // Best-effort removal of the build container; an error of the build itself is already on its way.
      await dockerTry(['rm', '-f', name]);
    }
  });
  return true;
}

/**
 * Imports images (each a list of tags) from the Docker engine into containerd's
 * k8s.io namespace of a node-image build container whose containerd runs, pinned
 * as kind pins its preloads. Through a file: `docker save` streams hundreds of MB.
 */
export async function preloadImages(container: string, images: readonly string[][], progress: Progress): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'v6e2e-save-'));
  try {
    for (const tags of images) {
      progress.info(`preload ${tags.join(', ')}`);
      const archive = path.join(tmp, 'image.tar');
      await docker(['save', '-o', archive, ...tags]);
      await docker(['cp', archive, `${container}:/image.tar`]);
      await docker(['exec', container,
        'ctr', '--namespace=k8s.io', 'images', 'import', '--label=io.cri-containerd.pinned=pinned',
        '--all-platforms', '--no-unpack', '--digests', '/image.tar',
      ]);
      await docker(['exec', container, 'rm', '-f', '/image.tar']);
      await rm(archive, { force: true });
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
