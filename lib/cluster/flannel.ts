/**
 * Flannel as the lab's second real CNI: flannel's own kube-flannel.yml from the
 * pinned module (read from the module cache, as MetalLB's manifest is), with the
 * lab's locally built image, the variant's networks in net-conf.json and a CNI
 * config the v0.9.1 `flannel` plugin understands.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppsV1Api, type KubeConfig, type KubernetesObject, type V1DaemonSet } from '@kubernetes/client-node';
import { applyObjects, parseManifests } from '../k8s/apply.ts';
import { waitFor } from '../k8s/wait.ts';
import { moduleDir } from '../lab/paths.ts';
import { IMAGES, LAB } from '../lab/versions.ts';
import { familyOfAny, type IPFamily } from '../net/family.ts';
import type { Progress } from '../util/progress.ts';
import type { ClusterVariant } from './variant.ts';

export const FLANNEL_NS = 'kube-flannel';
export const FLANNEL_DAEMONSET = 'kube-flannel-ds';

/** flannel's net-conf.json for the variant: one network per family, node subnets as the controller-manager cuts them. */
export function flannelNetConf(v: ClusterVariant): Record<string, unknown> {
  const of = (f: IPFamily) => v.addressing.podSubnets.find((c) => familyOfAny(c) === f);
  const v4 = of('IPv4');
  const v6 = of('IPv6');
  return {
    EnableIPv4: v4 !== undefined,
    EnableIPv6: v6 !== undefined,
    ...(v4 ? { Network: v4, SubnetLen: v.addressing.nodeCidrMask.IPv4 } : {}),
    ...(v6 ? { IPv6Network: v6, IPv6SubnetLen: v.addressing.nodeCidrMask.IPv6 } : {}),
    EnableNFTables: false,
    Backend: { Type: 'vxlan' },
  };
}

/** CNI 0.4.0: the newest version containernetworking/plugins v0.9.1's flannel plugin speaks. */
export const FLANNEL_CNI_CONF = {
  name: 'cbr0',
  cniVersion: '0.4.0',
  plugins: [
    { type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true } },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
};

type Container = { name: string; image?: string; command?: string[]; args?: string[] };

/** The upstream manifest's objects, rewritten for the lab (pure: unit-tested on the module's file). */
export function flannelObjects(upstream: readonly KubernetesObject[], v: ClusterVariant): KubernetesObject[] {
  return upstream.map((o) => {
    if (o.kind === 'ConfigMap' && o.metadata?.name === 'kube-flannel-cfg') {
      return { ...o, data: { 'cni-conf.json': JSON.stringify(FLANNEL_CNI_CONF, null, 2), 'net-conf.json': JSON.stringify(flannelNetConf(v), null, 2) } } as KubernetesObject;
    }
    if (o.kind !== 'DaemonSet') return o;
    const ds = structuredClone(o) as V1DaemonSet;
    const spec = ds.spec!.template.spec!;
    const fix = (c: Container): Container => {
      c.image = IMAGES.flannel;
      // The lab image has no install-conf helper; a copy does the same for a static file.
      if (c.name === 'install-cni') {
        c.command = ['cp'];
        c.args = ['-f', '/etc/kube-flannel/cni-conf.json', '/etc/cni/net.d/10-flannel.conflist'];
      }
      // kind nodes have one interface on kind's network; name it so IPv6-only nodes need no IPv4 default route.
      if (c.name === 'kube-flannel' && !(c.args ?? []).some((a) => a.startsWith('--iface'))) c.args = [...(c.args ?? []), '--iface=eth0'];
      return c;
    };
    spec.initContainers = (spec.initContainers ?? []).map((c) => fix(c as Container) as typeof c);
    spec.containers = spec.containers.map((c) => fix(c as Container) as typeof c);
    return ds as KubernetesObject;
  });
}

export async function upstreamFlannelManifest(): Promise<KubernetesObject[]> {
  const file = path.join(await moduleDir('github.com/flannel-io/flannel', LAB.flannel), 'Documentation', 'kube-flannel.yml');
  return parseManifests(await readFile(file, 'utf8'), file);
}

/**
 * Applies flannel and waits until it runs on every node (nodes then turn Ready). `signal`
 * (Ctrl-C) ends the wait: the cluster is being deleted, its API would only time out.
 */
export async function installFlannel(kc: KubeConfig, v: ClusterVariant, progress: Progress, signal?: AbortSignal): Promise<void> {
  const objects = flannelObjects(await upstreamFlannelManifest(), v);
  await progress.step(`flannel ${LAB.flannel} (vxlan; ${v.addressing.podSubnets.join(', ')})`, async () => {
    await applyObjects(kc, objects);
    const apps = kc.makeApiClient(AppsV1Api);
    await waitFor(
      `DaemonSet ${FLANNEL_NS}/${FLANNEL_DAEMONSET} ready on every node`,
      async () => {
        const s = (await apps.readNamespacedDaemonSet({ name: FLANNEL_DAEMONSET, namespace: FLANNEL_NS })).status;
        return (s && s.desiredNumberScheduled > 0 && s.numberReady === s.desiredNumberScheduled) || undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000, ...(signal ? { signal } : {}) },
    );
  });
}
