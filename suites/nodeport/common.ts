/**
 * Shared set-up of the nodeport and loadbalancer suites: namespaces, Services of type
 * NodePort/LoadBalancer built for the cluster's families, kube-proxy's NodePort
 * configuration, endpoint waits (the outside client and report() live in lib/harness). The
 * NodePort scenarios its checks and fault tests share are in scenarios.ts.
 */
import { CustomObjectsApi, type KubeConfig, type V1Pod, type V1Service } from '@kubernetes/client-node';
import { parseKubeProxyConfig, type KubeProxyNodePorts } from '../../lib/checks/nodeport.ts';
import { poolInfo, type PoolInfo } from '../../lib/checks/loadbalancer.ts';
import { METALLB_NS } from '../../lib/edge/metallb.ts';
import { type Harness } from '../../lib/harness/context.ts';
export { skipWithoutFamily, suiteNamespace } from '../../lib/harness/context.ts';
// Shared with the loadbalancer suite through this module.
export { outsideClient, requireOutside } from '../../lib/harness/outside.ts';
export { report } from '../../lib/harness/annotate.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { describeApiError, isNotFound } from '../../lib/k8s/client.ts';
import { waitFor } from '../../lib/k8s/wait.ts';
import { familyOfAny, type IPFamily } from '../../lib/net/family.ts';
import {
  createService as sharedCreate,
  NETEXEC_HTTP,
  serviceManifest as sharedManifest,
  type ServiceShape as SharedShape,
} from '../../lib/k8s/services.ts';
import { fleet, fleetPodSelector, FLEET_ECHO_SELECTOR } from '../../lib/probes/fleet.ts';

export { FAMILIES } from '../../lib/harness/context.ts';
export { ROLE_LABEL } from '../../lib/probes/pods.ts';
import { ROLE_LABEL } from '../../lib/probes/pods.ts';

/** The random tail of `v6e2e-<suite>-<hex>`: makes pod names (netexec /hostname) unique across clusters and runs. */
export function tailOf(ns: TestNamespace): string {
  return ns.name.split('-').at(-1) ?? 'x';
}

export function podLabel(p: V1Pod): string {
  return `pod ${p.metadata?.namespace ?? '?'}/${p.metadata?.name ?? '?'}${p.spec?.nodeName ? ` on ${p.spec.nodeName}` : ''}`;
}

/** NodePort/LoadBalancer Services of these suites serve netexec's HTTP port only. */
export type ServiceShape = Omit<SharedShape, 'type'> & { type: 'NodePort' | 'LoadBalancer' };

export function serviceManifest(ns: string, s: ServiceShape): V1Service {
  return sharedManifest(ns, { ...s, ports: s.ports ?? [NETEXEC_HTTP] });
}

export function createService(kc: KubeConfig, ns: string, s: ServiceShape): Promise<V1Service> {
  return sharedCreate(kc, ns, { ...s, ports: s.ports ?? [NETEXEC_HTTP] });
}

/** Deletes a Service and waits until it is gone: its ingress IP is back in the pool before the next step. */
export async function deleteServiceAndWait(h: Harness, ns: string, name: string): Promise<void> {
  await h.api.core.deleteNamespacedService({ name, namespace: ns });
  await waitFor(`Service ${ns}/${name} gone`, async () => {
    try {
      await h.api.core.readNamespacedService({ name, namespace: ns });
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  }, { timeoutMs: 30_000, intervalMs: 250 });
}

export function nodePortOf(svc: V1Service): number {
  const p = svc.spec?.ports?.[0]?.nodePort;
  if (!p) throw new Error(`Service ${svc.metadata?.namespace}/${svc.metadata?.name} has no nodePort`);
  return p;
}

/** kube-proxy's nodePortAddresses and mode, from the kubeadm ConfigMap. */
export async function readKubeProxy(h: Harness): Promise<KubeProxyNodePorts> {
  try {
    const cm = await h.api.core.readNamespacedConfigMap({ name: 'kube-proxy', namespace: 'kube-system' });
    return parseKubeProxyConfig(cm.data?.['config.conf']);
  } catch (err) {
    return parseKubeProxyConfig(undefined, `ConfigMap kube-system/kube-proxy (${describeApiError(err)})`);
  }
}

// ---------------------------------------------------------------- MetalLB pools

export const METALLB_GROUP = 'metallb.io';
export const METALLB_VERSION = 'v1beta1';

export async function listPools(kc: KubeConfig): Promise<PoolInfo[]> {
  try {
    const list = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
      group: METALLB_GROUP,
      version: METALLB_VERSION,
      namespace: METALLB_NS,
      plural: 'ipaddresspools',
    })) as { items?: { metadata?: { name?: string }; spec?: { addresses?: string[] } }[] };
    return (list.items ?? []).map(poolInfo);
  } catch {
    return [];
  }
}

/** Is the string a CIDR of the family (for loadBalancerSourceRanges filtering)? */
export function cidrOfFamily(cidr: string, family: IPFamily): boolean {
  try {
    return familyOfAny(cidr) === family;
  } catch {
    return false;
  }
}

export const SERVER = { [ROLE_LABEL]: 'server' };

/**
 * The layout both reachability suites (NodePort, LoadBalancer) probe, on the run's probe
 * fleet (lib/probes/fleet.ts): they only probe these pods, so they need none of their own.
 * Their Services go in the fleet's namespace under the file's own names.
 */
export interface ReachabilityPods {
  /** The fleet's namespace, where the Services over these pods must be. */
  namespace: string;
  /** The twin on the first worker: no Service of these selects it. */
  client: V1Pod;
  /** The fleet's echo pods, one per sampled worker; `servers` selects exactly them. */
  servers: V1Pod[];
  server: Record<string, string>;
  /** The only endpoint of the externalTrafficPolicy Local Services (the second worker's echo pod): one node has it, the others must not answer. */
  local: V1Pod;
  localSelector: Record<string, string>;
}

export async function reachabilityPods(h: Harness): Promise<ReachabilityPods> {
  const f = await fleet(h.kc, h.env.runId);
  const local = f.pods[1] ?? f.pods[0]!;
  return { namespace: f.namespace, client: f.twin, servers: f.pods, server: FLEET_ECHO_SELECTOR, local, localSelector: fleetPodSelector(local) };
}
