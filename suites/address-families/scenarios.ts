/**
 * One function per address-family behaviour, shared by the check that asserts it on the live
 * cluster and the fault test that seeds its fault: objects in, Verdict out. The per-object
 * judgements are in lib/checks/address-families.ts; here they are applied to what a check
 * looks at (every node, every probe pod, a Service as created, its EndpointSlices within 10 s),
 * so a fault test hands in its seeded object and goes through the check's own path and policy.
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import {
  checkEndpointSliceAddressTypes,
  checkEndpointSlices,
  checkHostNetworkPodIPs,
  checkNodeInternalIP,
  checkNodeInternalIPOrder,
  checkNodePodCIDR,
  checkNodePodCIDRPlan,
  checkNodePodCIDRs,
  checkPodHostIPs,
  checkPodIPInNodeCIDR,
  checkPodIPs,
  checkServiceCreation,
  checkServiceFamilies,
  podIPs,
  type NodeIpamConfig,
  type ServiceFamilies,
  type ServiceRequest,
} from '../../lib/checks/address-families.ts';
import { all, retryVerdict, verdict, type Verdict } from '../../lib/checks/verdict.ts';
import type { Harness } from '../../lib/harness/context.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import { createService, endpointSlicesOf, nodeNamed, serviceBody } from './common.ts';

// ---------------------------------------------------------------- nodes

export function nodesHaveInternalIP(nodes: readonly V1Node[], f: IPFamily): Verdict {
  return all(nodes.map((n) => checkNodeInternalIP(n, f)), 'Nodes', f);
}

export function nodesHaveInternalIPsInOrder(nodes: readonly V1Node[], cluster: readonly IPFamily[]): Verdict {
  return all(nodes.map((n) => checkNodeInternalIPOrder(n, cluster)), 'Nodes', 'dual');
}

export function nodesHavePodCIDR(nodes: readonly V1Node[], f: IPFamily): Verdict {
  return all(nodes.map((n) => checkNodePodCIDR(n, f)), 'Nodes', f);
}

export function nodesHavePodCIDRsInOrder(nodes: readonly V1Node[], cluster: readonly IPFamily[]): Verdict {
  return all(nodes.map((n) => checkNodePodCIDRs(n, cluster)), 'Nodes', 'dual');
}

export function nodesFollowPodCIDRPlan(nodes: readonly V1Node[], f: IPFamily, plan: NodeIpamConfig): Verdict {
  return all(nodes.map((n) => checkNodePodCIDRPlan(n, f, plan)), 'Nodes', f);
}

// ---------------------------------------------------------------- pods

/** A pod and the node it is judged against: its own for the checks, another one for wrong-pairing faults. */
export interface PlacedPod {
  pod: V1Pod;
  node: V1Node;
}

export function probePodIPs(pods: readonly V1Pod[], cluster: readonly IPFamily[]): Verdict {
  return all(pods.map((p) => checkPodIPs(p, cluster)), 'probe pods', 'dual');
}

export function probePodIPsInNodeCIDR(placed: readonly PlacedPod[], f: IPFamily): Verdict {
  return all(placed.map(({ pod, node }) => checkPodIPInNodeCIDR(pod, node, f)), 'probe pods', f);
}

export function probePodHostIPs(placed: readonly PlacedPod[], cluster: readonly IPFamily[]): Verdict {
  return all(placed.map(({ pod, node }) => checkPodHostIPs(pod, node, cluster)), 'probe pods', 'dual');
}

export function hostNetworkPodIPs({ pod, node }: PlacedPod, cluster: readonly IPFamily[]): Verdict {
  return checkHostNetworkPodIPs(pod, node, cluster);
}

/** Every running kube-system pod: podIPs per cluster family, or its node's InternalIPs when hostNetwork. */
export async function kubeSystemPodIPs(h: Harness, nodes: readonly V1Node[]): Promise<Verdict> {
  const list = await h.api.core.listNamespacedPod({ namespace: 'kube-system', fieldSelector: 'status.phase=Running' });
  if (list.items.length === 0) {
    return verdict(false, { object: 'kube-system pods', family: 'dual', expected: 'running pods to judge', seen: 'no running pod in kube-system' });
  }
  const verdicts = list.items.map((p) =>
    p.spec?.hostNetwork ? checkHostNetworkPodIPs(p, nodeNamed(nodes, p.spec.nodeName), h.families.families) : checkPodIPs(p, h.families.families),
  );
  return all(verdicts, 'kube-system pods', 'dual');
}

// ---------------------------------------------------------------- Services

export interface ServiceScenarioOptions {
  type?: 'ClusterIP' | 'NodePort';
  /**
   * Fault tests only: turns the created Service into the one judged (a change the API allows,
   * applied through it, or a deep copy where the API forbids the change).
   */
  seed?: (created: V1Service) => Promise<V1Service> | V1Service;
}

/**
 * Creates Service `name` from the request and judges the outcome (created with the expected
 * family fields, or refused with 422 naming the policy/family) against the API server's
 * defaulting on a cluster of families `cluster`.
 */
export async function serviceAsRequested(
  h: Harness,
  namespace: string,
  name: string,
  req: ServiceRequest,
  cluster: readonly IPFamily[],
  opts: ServiceScenarioOptions = {},
): Promise<Verdict> {
  const outcome = await createService(h, namespace, serviceBody(name, req, { type: opts.type }));
  const judged = 'service' in outcome && opts.seed ? { service: await opts.seed(outcome.service) } : outcome;
  return checkServiceCreation(`${namespace}/${name}`, req, judged, cluster);
}

/** A Service the cluster made itself (default/kubernetes, kube-system/kube-dns) has the family fields `want`. */
export async function existingServiceFamilies(h: Harness, namespace: string, name: string, want: ServiceFamilies): Promise<Verdict> {
  return checkServiceFamilies(await h.api.core.readNamespacedService({ namespace, name }), want);
}

// ---------------------------------------------------------------- EndpointSlices

/** EndpointSlices must be right within this long after the Service (upstream validateEndpointSlices: 10 s). */
export const SLICE_DEADLINE_MS = 10_000;

/**
 * Within 10 s, the Service's EndpointSlices are one per Service family, none of another
 * addressType, listing exactly `backendIps` of each family; the last verdict otherwise.
 */
export async function endpointSlicesListBackends(h: Harness, svc: V1Service, backendIps: readonly string[]): Promise<Verdict> {
  const namespace = svc.metadata!.namespace!;
  const name = svc.metadata!.name!;
  return retryVerdict(async () => checkEndpointSlices(svc, await endpointSlicesOf(h, namespace, name), backendIps), { withinMs: SLICE_DEADLINE_MS, delayMs: 500 });
}

/** kube-system/kube-dns: its slices list exactly the Ready CoreDNS pods' IPs of the Service's family. */
export async function kubeDnsEndpointSlices(h: Harness): Promise<Verdict> {
  const svc = await h.api.core.readNamespacedService({ namespace: 'kube-system', name: 'kube-dns' });
  const selector = Object.entries(svc.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await h.api.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: selector });
  const ready = pods.items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (ready.length === 0) {
    return verdict(false, { object: 'Service kube-system/kube-dns', family: 'dual', expected: `a Ready pod matching ${selector}`, seen: 'none' });
  }
  return checkEndpointSlices(svc, await endpointSlicesOf(h, 'kube-system', 'kube-dns'), ready.flatMap(podIPs));
}

/** The Service's EndpointSlices are of its families only (backends unknown: default/kubernetes). */
export async function endpointSliceFamilies(h: Harness, namespace: string, name: string): Promise<Verdict> {
  const svc = await h.api.core.readNamespacedService({ namespace, name });
  return checkEndpointSliceAddressTypes(svc, await endpointSlicesOf(h, namespace, name));
}
