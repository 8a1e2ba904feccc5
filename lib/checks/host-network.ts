/**
 * Host-network judgements: which node address of a family a hostNetwork or hostPort
 * path must use, which node addresses a pod must be able to ping, and whether a
 * Service's EndpointSlice of a family lists its hostNetwork endpoints at their node's
 * address of that family. Pure (API objects in, Verdict out); the probes themselves are
 * judged by the connectivity verdicts (checkHttp / checkUdpEcho / checkPing).
 */
import type { V1EndpointSlice, V1Node, V1Pod } from '@kubernetes/client-node';
import { familyOf, isIp, type IPFamily } from '../net/family.ts';
import { checkNodeInternalIP, internalIPs, nodeHostIPs, sameIp, showIps } from './address-families.ts';
import { all, verdict, type Verdict } from './verdict.ts';

function ofFamily(ips: readonly string[], family: IPFamily): string[] {
  return ips.filter((ip) => isIp(ip) && familyOf(ip) === family);
}

/** The node address of `family` a pod's hostPort is published on: its status.hostIPs entry (hostIP on older API servers). */
export function hostIpOf(pod: V1Pod, family: IPFamily): string | undefined {
  const listed = (pod.status?.hostIPs ?? []).map((h) => h.ip);
  const ips = listed.length ? listed : pod.status?.hostIP ? [pod.status.hostIP] : [];
  return ofFamily(ips, family)[0];
}

/** The node's host IP of `family` as kubelet picks it (nodeHostIPs): what a hostNetwork pod on it has as PodIP. */
export function nodeHostIpOf(node: V1Node, family: IPFamily): string | undefined {
  return ofFamily(nodeHostIPs(node), family)[0];
}

/** A failed verdict for a pod whose node has no address of the family (nothing to dial). */
export function missingHostIp(pod: V1Pod, family: IPFamily, object: string): Verdict {
  const listed = (pod.status?.hostIPs ?? []).map((h) => h.ip);
  return verdict(false, {
    object,
    family,
    expected: `pod ${pod.metadata?.namespace ?? '?'}/${pod.metadata?.name ?? '?'}'s node ${pod.spec?.nodeName ?? '?'} to have an ${family} host IP`,
    seen: `hostIPs ${showIps(listed.length ? listed : pod.status?.hostIP ? [pod.status.hostIP] : [])}`,
  });
}

export interface NodeAddress {
  node: string;
  address: string;
}

/**
 * Every InternalIP of `family` on every node: what "pod → every node address" pings.
 * A node without one is a failed verdict (checkNodeInternalIP), not a silent gap.
 */
export function nodeAddressesOf(nodes: readonly V1Node[], family: IPFamily): { targets: NodeAddress[]; missing: Verdict[] } {
  const targets: NodeAddress[] = [];
  const missing: Verdict[] = [];
  for (const n of nodes) {
    const ips = ofFamily(internalIPs(n), family);
    if (ips.length === 0) missing.push(checkNodeInternalIP(n, family));
    for (const address of ips) targets.push({ node: n.metadata?.name ?? '?', address });
  }
  return { targets, missing };
}

/** A hostNetwork endpoint pod and its node, as the EndpointSlice should list it. */
export interface HostEndpoint {
  /** `ns/name`. */
  pod: string;
  node: V1Node;
}

function describeEndpoint(e: NonNullable<V1EndpointSlice['endpoints']>[number], slice: string): string {
  const ready = e.conditions?.ready === false ? 'not ready' : 'ready';
  return `${slice}: addresses ${showIps(e.addresses ?? [])}, nodeName ${e.nodeName ?? '(unset)'}, ${ready}`;
}

/**
 * The Service's EndpointSlices of `family` list each hostNetwork endpoint pod once, ready,
 * with its node's name and its node's host IP of that family as address (a hostNetwork
 * pod has no address of its own). One failure per endpoint that is missing or wrong.
 */
export function hostNetworkSliceVerdict(c: { service: string; family: IPFamily; slices: readonly V1EndpointSlice[]; endpoints: readonly HostEndpoint[] }): Verdict {
  const { family } = c;
  const ofFam = c.slices.filter((s) => s.addressType === family);
  const sliceNames = ofFam.map((s) => s.metadata?.name ?? '?');
  const parts = c.endpoints.map((ep) => {
    const nodeName = ep.node.metadata?.name ?? '?';
    const object = `Service ${c.service} EndpointSlice (${family}) endpoint for pod ${ep.pod}`;
    const want = nodeHostIpOf(ep.node, family);
    if (!want) return verdict(false, { object, family, expected: `Node ${nodeName} to have an ${family} host IP`, seen: `Node ${nodeName} host IPs ${showIps(nodeHostIPs(ep.node))}` });
    const expected = `address ${want} (Node ${nodeName}'s ${family} host IP), nodeName ${nodeName}, ready`;
    if (ofFam.length === 0) {
      const types = c.slices.map((s) => `${s.metadata?.name ?? '?'} (${s.addressType})`);
      return verdict(false, { object, family, expected, seen: `no ${family} EndpointSlice (slices: ${types.length ? types.join(', ') : 'none'})` });
    }
    const [podNs, podName] = ep.pod.split('/');
    const found = ofFam.flatMap((s) =>
      (s.endpoints ?? []).filter((e) => e.targetRef?.name === podName && (e.targetRef?.namespace ?? podNs) === podNs).map((e) => ({ e, slice: s.metadata?.name ?? '?' })),
    );
    if (found.length === 0) return verdict(false, { object, family, expected, seen: `no endpoint for the pod in ${sliceNames.join(', ')}` });
    const ok = found.length === 1 && found.every(({ e }) => (e.addresses ?? []).length === 1 && sameIp(e.addresses[0], want) && e.nodeName === nodeName && e.conditions?.ready !== false);
    return verdict(ok, { object, family, expected, seen: found.map(({ e, slice }) => describeEndpoint(e, slice)).join('; ') });
  });
  const v = all(parts, `Service ${c.service} EndpointSlices (${family}, ${c.endpoints.length} hostNetwork endpoints)`, family);
  return v.ok ? verdict(true, { object: v.object, family, expected: `every hostNetwork endpoint listed at its node's ${family} host IP`, seen: `${c.endpoints.length} listed in ${sliceNames.join(', ')}` }) : v;
}
