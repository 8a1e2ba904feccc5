import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { docker } from '../util/docker.ts';
import { EnvironmentError } from '../util/errors.ts';
import type { Progress } from '../util/progress.ts';
import { ContentHash } from './hash.ts';
import { imageId, isCurrent } from './images.ts';
import { LAB_DIR, LAB_SRC, moduleDir } from './paths.ts';
import { HASH_LABEL, IMAGES, LAB, LAB_LABEL } from './versions.ts';

/** Packages in the root filesystem every lab image starts from. */
export const DEBIAN_PACKAGES = ['iproute2', 'iptables', 'nftables', 'ca-certificates', 'procps', 'conntrack'];
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/**
 * The root of every lab image: a Debian rootfs made by debootstrap from
 * Debian's archive and imported with `docker import` — no registry involved.
 */
export async function buildDebianBase(progress: Progress): Promise<boolean> {
  const hash = new ContentHash().add('suite', LAB.debianSuite).add('pkgs', DEBIAN_PACKAGES.join(',')).digest();
  if (await isCurrent([IMAGES.debian], hash)) return false;
  await progress.step(`debian rootfs ${IMAGES.debian} (debootstrap)`, async () => {
    if ((await execa('sh', ['-c', 'command -v debootstrap'], { reject: false })).exitCode !== 0) {
      if (process.getuid?.() !== 0) throw new EnvironmentError('debootstrap is missing: install it (apt-get install debootstrap) or run as root');
      await execa('apt-get', ['update'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
      await execa('apt-get', ['install', '-y', '--no-install-recommends', 'debootstrap'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
    }
    const root = path.join(LAB_DIR, 'rootfs', 'debian');
    await rm(root, { recursive: true, force: true });
    await mkdir(path.dirname(root), { recursive: true });
    // debootstrap fetches with wget, whose default read timeout is 15 minutes: one stalled
    // download from a flaky mirror or proxy once held a fresh lab for 8 of them and then failed.
    const wgetrc = path.join(LAB_DIR, 'wgetrc');
    await writeFile(wgetrc, 'timeout = 30\ntries = 6\nwaitretry = 2\nretry_connrefused = on\n');
    await execa('debootstrap', ['--variant=minbase', `--include=${DEBIAN_PACKAGES.join(',')}`, LAB.debianSuite, root, DEBIAN_MIRROR], {
      env: { WGETRC: wgetrc },
    });
    await execa('sh', ['-c', `rm -rf ${root}/var/cache/apt/archives/*.deb ${root}/var/lib/apt/lists/*`]);
    await writeFile(
      path.join(root, 'etc/apt/sources.list'),
      [`deb ${DEBIAN_MIRROR} ${LAB.debianSuite} main`, `deb ${DEBIAN_MIRROR} ${LAB.debianSuite}-updates main`,
        `deb http://deb.debian.org/debian-security ${LAB.debianSuite}-security main`, ''].join('\n'),
    );
    await execa('sh', ['-c',
      `tar -C ${root} -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' ` +
      `-c 'LABEL ${HASH_LABEL}=${hash}' -c 'LABEL ${LAB_LABEL}=image' -c 'CMD ["/bin/bash"]' - ${IMAGES.debian}`]);
    await rm(root, { recursive: true, force: true });
  });
  return true;
}

/**
 * kind's base image: kind's own images/base/files from the pinned kind module
 * (read from the module cache at build time), Debian's systemd/containerd/runc,
 * and our runtime wrapper in front of runc.
 */
export async function buildKindBase(wrapperBinary: string, progress: Progress): Promise<boolean> {
  const kindFiles = path.join(await moduleDir('sigs.k8s.io/kind', LAB.kind), 'images', 'base', 'files');
  const recipe = path.join(LAB_SRC, 'images', 'node-base');
  const h = new ContentHash().add('debian', (await imageId(IMAGES.debian)) ?? 'missing');
  await h.addTree('kind-files', kindFiles);
  await h.addTree('recipe', recipe);
  await h.addFile('wrapper', wrapperBinary);
  const hash = h.digest();
  if (await isCurrent([IMAGES.kindBase], hash)) return false;
  await progress.step(`kind base image ${IMAGES.kindBase}`, async () => {
    const ctx = path.join(LAB_DIR, 'ctx', 'node-base');
    await rm(ctx, { recursive: true, force: true });
    await cp(recipe, ctx, { recursive: true });
    await cp(kindFiles, path.join(ctx, 'kind-files'), { recursive: true });
    await execa('chmod', ['-R', 'u+w', ctx]);
    await mkdir(path.join(ctx, 'bin'), { recursive: true });
    await cp(wrapperBinary, path.join(ctx, 'bin', 'runc-wrapper'));
    await docker(['build', '--label', `${HASH_LABEL}=${hash}`, '--label', `${LAB_LABEL}=image`,
      '--build-arg', `BASE=${IMAGES.debian}`, '-t', IMAGES.kindBase, ctx], { env: { DOCKER_BUILDKIT: '0' }, hint: "look at the recipe lab/images/node-base (docker's last lines below)" });
  });
  return true;
}
