/**
 * Which IP families does an existing cluster run, and which one is primary?
 *
 * Primary: the family of `default/kubernetes` `spec.clusterIPs[0]`, as upstream e2e does
 * (test/e2e/e2e.go getDefaultClusterIPFamily): the apiserver allocates that Service from
 * the first service CIDR. Families: the union over node podCIDRs, node InternalIPs, pod
 * IPs and service ClusterIPs. The sources are also cross-checked, because a cluster
 * whose layers disagree (IPv6 services over IPv4-only nodes) is exactly what the user
 * needs to hear about before the checks start failing for a confusing reason.
 */
import type { CoreV1Api, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { familyOf, familyOfCidr, IP_FAMILIES, isIp, type IPFamily } from '../net/family.ts';
import { EnvironmentError } from '../util/errors.ts';

export type Stack = 'ipv4' | 'ipv6' | 'dual' | 'dual-v6';

export interface ClusterFamilies {
  primary: IPFamily;
  /** Primary first. */
  families: IPFamily[];
  stack: Stack;
  /** What each conclusion rests on, one line per source. */
  evidence: string[];
  /** Inconsistencies between sources; empty on a healthy cluster. */
  warnings: string[];
}

export interface ClusterObjects {
  nodes: readonly V1Node[];
  /** Must include default/kubernetes for a reliable primary family. */
  services: readonly V1Service[];
  pods: readonly V1Pod[];
}

type FamilySet = Set<IPFamily>;

function fmt(set: Iterable<IPFamily>): string {
  const list = IP_FAMILIES.filter((f) => new Set(set).has(f));
  return list.length > 0 ? list.join('+') : 'none';
}

/** Family of a field value, or a warning when the API holds something unparsable. */
function safeFamily(value: string, where: string, warnings: string[], cidr = false): IPFamily | undefined {
  try {
    return cidr ? familyOfCidr(value) : familyOf(value);
  } catch {
    warnings.push(`${where}: ${JSON.stringify(value)} is not a valid ${cidr ? 'CIDR' : 'IP address'}`);
    return undefined;
  }
}

function nodeName(n: V1Node): string {
  return n.metadata?.name ?? '(unnamed node)';
}

function podName(p: V1Pod): string {
  return `${p.metadata?.namespace ?? '?'}/${p.metadata?.name ?? '?'}`;
}

function serviceClusterIPs(s: V1Service): string[] {
  const ips = s.spec?.clusterIPs?.length ? s.spec.clusterIPs : s.spec?.clusterIP ? [s.spec.clusterIP] : [];
  return ips.filter((ip) => ip !== 'None' && ip !== '');
}

export function stackOf(primary: IPFamily, families: readonly IPFamily[]): Stack {
  if (families.length > 1) return primary === 'IPv4' ? 'dual' : 'dual-v6';
  return primary === 'IPv4' ? 'ipv4' : 'ipv6';
}

/** Pure detection over recorded API objects (see fixtures/api-objects/). */
export function detectFamilies(objs: ClusterObjects): ClusterFamilies {
  const evidence: string[] = [];
  const warnings: string[] = [];

  // --- services
  const serviceFams: FamilySet = new Set();
  let primary: IPFamily | undefined;
  for (const s of objs.services) {
    const name = `${s.metadata?.namespace ?? '?'}/${s.metadata?.name ?? '?'}`;
    const ips = serviceClusterIPs(s);
    const fams = ips.map((ip) => safeFamily(ip, `service ${name} clusterIPs`, warnings));
    fams.forEach((f) => f && serviceFams.add(f));
    const declared = s.spec?.ipFamilies ?? [];
    if (declared.length > 0 && ips.length > 0) {
      const same = declared.length === fams.length && declared.every((d, i) => d === fams[i]);
      if (!same) warnings.push(`service ${name}: spec.ipFamilies [${declared.join(', ')}] do not match clusterIPs [${ips.join(', ')}]`);
    }
    if (name === 'default/kubernetes' && fams[0]) {
      primary = fams[0];
      evidence.push(`service default/kubernetes clusterIPs [${ips.join(', ')}] → primary ${primary}`);
    }
  }
  if (objs.services.length > 0) evidence.push(`service ClusterIPs: ${fmt(serviceFams)} (${objs.services.length} services)`);

  // --- nodes
  const podCidrFams: FamilySet = new Set();
  const internalFams: FamilySet = new Set();
  const perNode: { name: string; cidr: IPFamily[]; internal: IPFamily[] }[] = [];
  for (const n of objs.nodes) {
    const name = nodeName(n);
    const cidrs = n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : [];
    const cidr = cidrs.map((c) => safeFamily(c, `node ${name} podCIDRs`, warnings, true)).filter((f): f is IPFamily => !!f);
    const internal = (n.status?.addresses ?? [])
      .filter((a) => a.type === 'InternalIP')
      .map((a) => safeFamily(a.address, `node ${name} InternalIP`, warnings))
      .filter((f): f is IPFamily => !!f);
    cidr.forEach((f) => podCidrFams.add(f));
    internal.forEach((f) => internalFams.add(f));
    perNode.push({ name, cidr, internal });
    if (new Set(cidr).size !== cidr.length) warnings.push(`node ${name}: podCIDRs [${cidrs.join(', ')}] repeat a family`);
  }
  if (objs.nodes.length > 0) {
    evidence.push(`node podCIDRs: ${fmt(podCidrFams)} (${objs.nodes.length} nodes)`);
    evidence.push(`node InternalIPs: ${fmt(internalFams)}`);
  }

  // --- pods (host-network pods carry node IPs, which is fine for the union)
  const podFams: FamilySet = new Set();
  let podCount = 0;
  const podIpsByPod: { name: string; hostNetwork: boolean; fams: IPFamily[] }[] = [];
  for (const p of objs.pods) {
    const ips = p.status?.podIPs?.length ? p.status.podIPs.map((x) => x.ip) : p.status?.podIP ? [p.status.podIP] : [];
    if (ips.length === 0) continue;
    podCount++;
    const fams = ips
      .filter((ip): ip is string => typeof ip === 'string')
      .map((ip) => safeFamily(ip, `pod ${podName(p)} podIPs`, warnings))
      .filter((f): f is IPFamily => !!f);
    fams.forEach((f) => podFams.add(f));
    podIpsByPod.push({ name: podName(p), hostNetwork: p.spec?.hostNetwork === true, fams });
  }
  if (podCount > 0) evidence.push(`pod IPs: ${fmt(podFams)} (${podCount} pods with IPs)`);

  // --- primary
  const union: FamilySet = new Set([...serviceFams, ...podCidrFams, ...internalFams, ...podFams]);
  if (!primary) {
    const fallback =
      perNode.find((n) => n.cidr[0])?.cidr[0] ?? perNode.find((n) => n.internal[0])?.internal[0] ?? [...union][0];
    if (!fallback) {
      throw new EnvironmentError(
        'cannot detect IP families: no default/kubernetes service, node podCIDRs, node InternalIPs or pod IPs to look at; point v6e2e at a running cluster with nodes (--kubeconfig/--context)',
      );
    }
    primary = fallback;
    warnings.push(`service default/kubernetes not found or has no ClusterIP; primary family ${primary} guessed from nodes/pods`);
  }
  union.add(primary);
  const families: IPFamily[] = [primary, ...IP_FAMILIES.filter((f) => f !== primary && union.has(f))];
  const stack = stackOf(primary, families);
  evidence.push(`→ ${stack} (primary ${primary}, families ${families.join(', ')})`);

  // --- consistency between layers
  const want = new Set(families);
  const missing = (have: FamilySet) => families.filter((f) => !have.has(f));
  if (objs.nodes.length > 0) {
    if (!internalFams.has(primary)) {
      warnings.push(`primary family is ${primary} but no node has a ${primary} InternalIP (nodes have ${fmt(internalFams)})`);
    }
    for (const n of perNode) {
      const cidrMissing = families.filter((f) => !n.cidr.includes(f));
      // A node without podCIDRs is normal when the CNI does its own IPAM (Calico, Cilium).
      if (n.cidr.length > 0 && cidrMissing.length > 0) warnings.push(`node ${n.name} has no ${cidrMissing.join('/')} podCIDR`);
      const ipMissing = families.filter((f) => !n.internal.includes(f));
      if (ipMissing.length > 0) warnings.push(`node ${n.name} has no ${ipMissing.join('/')} InternalIP`);
    }
    const firstCidr = perNode.find((n) => n.cidr[0])?.cidr[0];
    if (firstCidr && firstCidr !== primary) {
      warnings.push(`node podCIDRs list ${firstCidr} first while services are ${primary}-primary (allowed, but pods' podIP will be ${firstCidr})`);
    }
  }
  if (podCount > 0 && missing(podFams).length > 0) warnings.push(`no pod has a ${missing(podFams).join('/')} IP`);
  if (want.size > 1) {
    for (const f of families) {
      // host-network pods mirror the node's addresses, checked above
      const lacking = podIpsByPod.filter((p) => !p.hostNetwork && p.fams.length > 0 && !p.fams.includes(f)).map((p) => p.name);
      if (lacking.length > 0) {
        const shown = lacking.slice(0, 3).join(', ') + (lacking.length > 3 ? `, … (${lacking.length} in all)` : '');
        warnings.push(`${lacking.length} pod(s) have no ${f} IP: ${shown}`);
      }
    }
  }
  return { primary, families, stack, evidence, warnings };
}

export interface DetectOptions {
  /** Cap on pods listed (all namespaces). Default 500: enough evidence, bounded cost. */
  podLimit?: number;
}

/** Lists what `detectFamilies` needs from a live cluster. */
export async function detectClusterFamilies(core: CoreV1Api, opts: DetectOptions = {}): Promise<ClusterFamilies> {
  const [nodes, services, pods] = await Promise.all([
    core.listNode({}),
    core.listServiceForAllNamespaces({}),
    core.listPodForAllNamespaces({ limit: opts.podLimit ?? 500, fieldSelector: 'status.phase=Running' }),
  ]);
  return detectFamilies({ nodes: nodes.items, services: services.items, pods: pods.items });
}

/** True when `ip` parses and is of `family` (for filtering address lists). */
export function isFamily(ip: string, family: IPFamily): boolean {
  return isIp(ip) && familyOf(ip) === family;
}
