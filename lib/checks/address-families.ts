/**
 * Address-family conformance of API objects: pure judgements over V1Node, V1Pod,
 * V1Service and V1EndpointSlice against the families the cluster should have
 * (primary first). The suites in suites/address-families/ call these on live
 * objects and assertOk the result; their fault tests call the same functions on a
 * seeded fault and expect !ok with a message naming object, family, expected, seen.
 *
 * Every address goes through lib/net/family.ts (ip-address); order matters wherever
 * Kubernetes says it does (node InternalIPs, podCIDRs, podIPs, hostIPs, ipFamilies,
 * clusterIPs): the first entry is the primary family.
 */
import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { familyOf, familyOfCidr, isInCidr, isIp, normalizeIp, otherFamily, parseCidr, type IPFamily } from '../net/family.ts';
import { cidrContains, networkOf } from '../net/cidr.ts';
import { all, verdict, type CheckFamily, type Verdict } from './verdict.ts';

// ---------------------------------------------------------------- naming and formatting

export function nodeRef(n: V1Node): string {
  return `Node ${n.metadata?.name ?? '(unnamed)'}`;
}

function nsName(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? '?'}/${o.metadata?.name ?? '?'}`;
}

export function podRef(p: V1Pod): string {
  return `Pod ${nsName(p)}`;
}

export function serviceRef(s: V1Service): string {
  return `Service ${nsName(s)}`;
}

/** `dual` for two families, the family itself for one. */
export function familyTag(families: readonly IPFamily[]): CheckFamily {
  if (families.length > 1) return 'dual';
  return families[0] ?? 'none';
}

function famOf(ip: string): IPFamily | undefined {
  try {
    return familyOf(ip);
  } catch {
    return undefined;
  }
}

function famOfCidr(cidr: string): IPFamily | undefined {
  try {
    return familyOfCidr(cidr);
  } catch {
    return undefined;
  }
}

function norm(ip: string): string | undefined {
  try {
    return normalizeIp(ip);
  } catch {
    return undefined;
  }
}

/** Same address after RFC 5952 normalisation (`fd00:0:0::1` == `fd00::1`). */
export function sameIp(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const na = norm(a);
  return na !== undefined && na === norm(b);
}

/** Same CIDR: family, address (normalised, host bits kept) and prefix length. */
export function sameCidr(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  try {
    const pa = parseCidr(a);
    const pb = parseCidr(b);
    return familyOfCidr(a) === familyOfCidr(b) && pa.correctForm() === pb.correctForm() && pa.subnetMask === pb.subnetMask;
  } catch {
    return false;
  }
}

/** `[172.18.0.2 (IPv4), fc00::2 (IPv6)]`; unparsable entries show as `"x" (invalid)`. */
export function showIps(ips: readonly (string | undefined)[]): string {
  return `[${ips.map((ip) => (ip === undefined ? '(missing)' : famOf(ip) ? `${ip} (${famOf(ip)})` : `${JSON.stringify(ip)} (invalid)`)).join(', ')}]`;
}

function showCidrs(cidrs: readonly string[]): string {
  return `[${cidrs.map((c) => (famOfCidr(c) ? `${c} (${famOfCidr(c)})` : `${JSON.stringify(c)} (invalid)`)).join(', ')}]`;
}

function list(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

/**
 * The ordered list must be exactly `families`: entry i of family families[i], nothing
 * more. One verdict per expected index (named by that family) plus one per extra entry.
 */
function orderedFamilies(
  object: string,
  field: string,
  values: readonly string[],
  families: readonly IPFamily[],
  familyOfValue: (v: string) => IPFamily | undefined,
  seen: string,
): Verdict[] {
  const out: Verdict[] = [];
  families.forEach((f, i) => {
    const v = values[i];
    const ok = v !== undefined && familyOfValue(v) === f;
    out.push(verdict(ok, { object, family: f, expected: `${field}[${i}] of ${f}`, seen }));
  });
  for (let i = families.length; i < values.length; i++) {
    const v = values[i]!;
    const fam = familyOfValue(v);
    out.push(
      verdict(false, {
        object,
        family: fam ?? familyTag(families),
        expected: `${families.length} ${field} entr${families.length === 1 ? 'y' : 'ies'} (one per family ${list(families)})`,
        seen,
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------- the cluster

/** What the harness detected about the cluster's families (lib/k8s/families.ts ClusterFamilies). */
export interface DetectedFamilies {
  stack: string;
  evidence: readonly string[];
  warnings: readonly string[];
}

/** The detected stack is the one the run declared (V6E2E_PROFILE): a lab that came up as another profile is not that profile. */
export function checkDetectedStack(cluster: string, detected: DetectedFamilies, profile: string): Verdict {
  return verdict(detected.stack === profile, {
    object: `cluster ${cluster}`,
    family: 'dual',
    expected: `stack ${profile}`,
    seen: `stack ${detected.stack} (${detected.evidence.join('; ')})`,
  });
}

/** Nodes, pods and Services told the detector the same families (it records each disagreement as a warning). */
export function checkFamiliesAgree(cluster: string, detected: DetectedFamilies): Verdict {
  return verdict(detected.warnings.length === 0, {
    object: `cluster ${cluster}`,
    family: 'dual',
    expected: `no inconsistencies between node, pod and Service families (${detected.stack})`,
    seen: detected.warnings.length ? detected.warnings.join('; ') : 'none',
  });
}

// ---------------------------------------------------------------- nodes

export function internalIPs(n: V1Node): string[] {
  return (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
}

/**
 * The one host-IP rule: the node's host IPs as kubelet computes them
 * (k8s.io/component-helpers GetNodeHostIPs): the first InternalIP (else the first
 * ExternalIP), then the first address of the other family among both kinds.
 */
export function nodeHostIPs(n: V1Node): string[] {
  const ofType = (type: string) => (n.status?.addresses ?? []).filter((a) => a.type === type && isIp(a.address)).map((a) => normalizeIp(a.address));
  const candidates = [...ofType('InternalIP'), ...ofType('ExternalIP')];
  const first = candidates[0];
  if (!first) return [];
  const second = candidates.find((ip) => famOf(ip) !== famOf(first));
  return second ? [first, second] : [first];
}

export function podCIDRs(n: V1Node): string[] {
  return n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : [];
}

/** The node has at least one InternalIP of `family`. */
export function checkNodeInternalIP(n: V1Node, family: IPFamily): Verdict {
  const ips = internalIPs(n);
  return verdict(
    ips.some((ip) => famOf(ip) === family),
    { object: nodeRef(n), family, expected: `an InternalIP of ${family}`, seen: `InternalIPs ${showIps(ips)}` },
  );
}

/**
 * Exactly one InternalIP per cluster family, in cluster order: the first InternalIP
 * is of the primary family (upstream dual_stack.go: exactly two InternalIPs of
 * different families on dual-stack nodes; kind's node-ip follows the primary family).
 */
export function checkNodeInternalIPOrder(n: V1Node, families: readonly IPFamily[]): Verdict {
  const ips = internalIPs(n);
  const subs = orderedFamilies(nodeRef(n), 'InternalIPs', ips, families, famOf, `InternalIPs ${showIps(ips)}`);
  return all(subs, nodeRef(n), familyTag(families));
}

/** spec.podCIDRs: one per family in cluster order, and spec.podCIDR == podCIDRs[0]. */
export function checkNodePodCIDRs(n: V1Node, families: readonly IPFamily[]): Verdict {
  const object = nodeRef(n);
  const cidrs = n.spec?.podCIDRs ?? [];
  const seen = `podCIDRs ${showCidrs(cidrs)}, podCIDR ${n.spec?.podCIDR ?? '(unset)'}`;
  const subs = orderedFamilies(object, 'podCIDRs', cidrs, families, famOfCidr, seen);
  subs.push(
    verdict(cidrs.length > 0 && sameCidr(n.spec?.podCIDR, cidrs[0]), {
      object,
      family: families[0] ?? 'none',
      expected: `podCIDR == podCIDRs[0]`,
      seen,
    }),
  );
  return all(subs, object, familyTag(families));
}

/** The node has a podCIDR of `family`. */
export function checkNodePodCIDR(n: V1Node, family: IPFamily): Verdict {
  const cidrs = podCIDRs(n);
  return verdict(cidrs.some((c) => famOfCidr(c) === family), {
    object: nodeRef(n),
    family,
    expected: `a podCIDR of ${family}`,
    seen: `podCIDRs ${showCidrs(cidrs)}`,
  });
}

function cidrsOverlap(a: string, b: string): boolean {
  if (famOfCidr(a) !== famOfCidr(b)) return false;
  return cidrContains(a, networkOf(b)) || cidrContains(b, networkOf(a));
}

/** No two nodes share (or overlap in) a podCIDR of `family`. */
export function checkPodCIDRsDisjoint(nodes: readonly V1Node[], family: IPFamily): Verdict {
  const entries = nodes.flatMap((n) => podCIDRs(n).filter((c) => famOfCidr(c) === family).map((c) => ({ node: n.metadata?.name ?? '?', cidr: c })));
  const clashes: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const a = entries[i]!;
      const b = entries[j]!;
      if (cidrsOverlap(a.cidr, b.cidr)) clashes.push(`${a.node} ${a.cidr} overlaps ${b.node} ${b.cidr}`);
    }
  }
  return verdict(clashes.length === 0, {
    object: `Nodes ${list(nodes.map((n) => n.metadata?.name ?? '?'))}`,
    family,
    expected: `disjoint ${family} podCIDRs`,
    seen: clashes.length ? clashes.join('; ') : `${entries.length} disjoint ${family} podCIDRs`,
  });
}

/**
 * How kube-controller-manager's range allocator cuts node podCIDRs: `--cluster-cidr`
 * (comma list) and the node mask per family (`--node-cidr-mask-size-ipv4/-ipv6`, or the
 * single-stack `--node-cidr-mask-size`; defaults /24 and /64, cmd/kube-controller-manager).
 */
export interface NodeIpamConfig {
  clusterCidrs: string[];
  masks: Partial<Record<IPFamily, number>>;
  /** Where it was read, for messages: `kube-system/kube-controller-manager-<node> flags`. */
  source: string;
}

/** From the controller-manager's command line; undefined when it allocates no node CIDRs. */
export function parseNodeIpamFlags(argv: readonly string[], source: string): NodeIpamConfig | undefined {
  const flag = (name: string) => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
      if (a === `--${name}`) return argv[i + 1];
    }
    return undefined;
  };
  const cidrs = (flag('cluster-cidr') ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  if (flag('allocate-node-cidrs') !== 'true' || cidrs.length === 0) return undefined;
  const single = flag('node-cidr-mask-size');
  const masks: Partial<Record<IPFamily, number>> = {};
  for (const c of cidrs) {
    const f = famOfCidr(c);
    if (f === undefined) continue;
    const perFamily = flag(`node-cidr-mask-size-${f.toLowerCase()}`);
    masks[f] = Number(perFamily ?? (cidrs.length === 1 ? single : undefined) ?? (f === 'IPv4' ? 24 : 64));
  }
  return { clusterCidrs: cidrs, masks, source };
}

/** The node's podCIDR of `family` has the allocator's node mask and lies inside a cluster CIDR of that family. */
export function checkNodePodCIDRPlan(n: V1Node, family: IPFamily, cfg: NodeIpamConfig): Verdict {
  const mask = cfg.masks[family];
  const ranges = cfg.clusterCidrs.filter((c) => famOfCidr(c) === family);
  const cidr = podCIDRs(n).find((c) => famOfCidr(c) === family);
  const length = cidr !== undefined ? Number(cidr.split('/')[1]) : undefined;
  const inside = cidr !== undefined && ranges.some((r) => cidrContains(r, cidr));
  return verdict(cidr !== undefined && length === mask && inside, {
    object: nodeRef(n),
    family,
    expected: `a ${family} podCIDR of size /${mask ?? '?'} inside ${ranges.join(', ') || '(no cluster CIDR of the family)'} (${cfg.source})`,
    seen: cidr === undefined ? `podCIDRs ${showCidrs(podCIDRs(n))}` : `podCIDR ${cidr}${length !== mask ? ` (/${length})` : ''}${inside ? '' : ' outside the cluster CIDR'}`,
  });
}

// ---------------------------------------------------------------- pods

export function podIPs(p: V1Pod): string[] {
  const listed = (p.status?.podIPs ?? []).map((x) => x.ip).filter((ip): ip is string => typeof ip === 'string');
  return listed.length ? listed : p.status?.podIP ? [p.status.podIP] : [];
}

export function hostIPs(p: V1Pod): string[] {
  return (p.status?.hostIPs ?? []).map((x) => x.ip).filter((ip): ip is string => typeof ip === 'string');
}

/** status.podIPs: one per family in cluster order, and status.podIP == podIPs[0]. */
export function checkPodIPs(p: V1Pod, families: readonly IPFamily[]): Verdict {
  const object = podRef(p);
  const ips = (p.status?.podIPs ?? []).map((x) => x.ip);
  const seen = `podIPs ${showIps(ips)}, podIP ${p.status?.podIP ?? '(unset)'}`;
  const subs = orderedFamilies(object, 'podIPs', ips, families, famOf, seen);
  subs.push(
    verdict(sameIp(p.status?.podIP, ips[0]), { object, family: families[0] ?? 'none', expected: 'podIP == podIPs[0]', seen }),
  );
  return all(subs, object, familyTag(families));
}

/** The pod has exactly one podIP of `family`, inside `node`'s podCIDR of that family. */
export function checkPodIPInNodeCIDR(p: V1Pod, n: V1Node, family: IPFamily): Verdict {
  const ips = podIPs(p);
  const mine = ips.filter((ip) => famOf(ip) === family);
  const cidrs = podCIDRs(n).filter((c) => famOfCidr(c) === family);
  const nodeName = n.metadata?.name ?? '?';
  const expected = `one ${family} podIP inside Node ${nodeName}'s ${family} podCIDR ${cidrs.length ? cidrs.join(', ') : '(none)'}`;
  const ok = mine.length === 1 && cidrs.length > 0 && cidrs.some((c) => isInCidr(mine[0]!, c));
  return verdict(ok, { object: podRef(p), family, expected, seen: `podIPs ${showIps(ips)}` });
}

/**
 * status.hostIPs: one per cluster family in cluster order, each the node's host IP of
 * that family (nodeHostIPs), and status.hostIP == hostIPs[0]. API servers before 1.29
 * have only status.hostIP: it stands for the list, so the primary family is still judged.
 */
export function checkPodHostIPs(p: V1Pod, n: V1Node, families: readonly IPFamily[]): Verdict {
  const object = podRef(p);
  const listed = (p.status?.hostIPs ?? []).map((x) => x.ip);
  const ips = listed.length > 0 ? listed : p.status?.hostIP ? [p.status.hostIP] : [];
  const nodeIps = nodeHostIPs(n);
  const seen = `hostIPs ${showIps(ips)}, hostIP ${p.status?.hostIP ?? '(unset)'}; Node ${n.metadata?.name ?? '?'} InternalIPs ${showIps(internalIPs(n))}`;
  const subs = orderedFamilies(object, 'hostIPs', ips, families, famOf, seen);
  families.forEach((f, i) => {
    const want = nodeIps.find((ip) => famOf(ip) === f);
    subs.push(
      verdict(sameIp(ips[i], want), {
        object,
        family: f,
        expected: `hostIPs[${i}] == the node's ${f} host IP ${want ?? '(none)'}`,
        seen,
      }),
    );
  });
  subs.push(verdict(sameIp(p.status?.hostIP, ips[0]), { object, family: families[0] ?? 'none', expected: 'hostIP == hostIPs[0]', seen }));
  return all(subs, object, familyTag(families));
}

/**
 * A hostNetwork pod's podIPs are its node's host IPs (nodeHostIPs), in that order, one
 * per cluster family with the primary first (k/k#120720: a node listing its secondary
 * family first gives its hostNetwork pods the wrong primary), and podIP == podIPs[0].
 */
export function checkHostNetworkPodIPs(p: V1Pod, n: V1Node, families: readonly IPFamily[]): Verdict {
  const object = podRef(p);
  const want = nodeHostIPs(n);
  const ips = (p.status?.podIPs ?? []).map((x) => x.ip);
  const fams = want.map((ip) => famOf(ip)!);
  const seen = `podIPs ${showIps(ips)}, podIP ${p.status?.podIP ?? '(unset)'}`;
  const subs: Verdict[] = orderedFamilies(object, 'podIPs', ips, families, famOf, seen);
  want.forEach((ip, i) => {
    subs.push(
      verdict(sameIp(ips[i], ip), {
        object,
        family: fams[i]!,
        expected: `podIPs[${i}] == Node ${n.metadata?.name ?? '?'}'s ${fams[i]} host IP ${ip} (host IPs ${showIps(want)})`,
        seen,
      }),
    );
  });
  if (ips.length !== want.length) {
    subs.push(verdict(false, { object, family: familyTag(fams), expected: `${want.length} podIPs (the node's host IPs ${showIps(want)})`, seen }));
  }
  subs.push(verdict(sameIp(p.status?.podIP, ips[0]), { object, family: fams[0] ?? 'none', expected: 'podIP == podIPs[0]', seen }));
  if (p.spec?.hostNetwork !== true) {
    subs.push(verdict(false, { object, family: familyTag(fams), expected: 'spec.hostNetwork true', seen: `spec.hostNetwork ${String(p.spec?.hostNetwork ?? false)}` }));
  }
  return all(subs, object, familyTag(fams));
}

// ---------------------------------------------------------------- services

export type IPFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

/** What a Service asks for on creation (unset fields are left for the API server to default). */
export interface ServiceRequest {
  policy?: IPFamilyPolicy;
  families?: IPFamily[];
  /** clusterIP: None */
  headless?: boolean;
  /** Default true. Headless selector-less Services have their own defaulting. */
  selector?: boolean;
}

export interface ServiceFamilies {
  policy: IPFamilyPolicy;
  /** spec.ipFamilies, in order. */
  families: IPFamily[];
  headless?: boolean;
}

export type ServiceExpectation =
  | ({ accepted: true } & ServiceFamilies)
  | { accepted: false; /** Words the API server's reason must contain. */ mentions: string[]; why: string };

export function describeRequest(r: ServiceRequest): string {
  const parts = [
    `ipFamilyPolicy ${r.policy ?? '(unset)'}`,
    `ipFamilies ${r.families ? list(r.families) : '(unset)'}`,
  ];
  if (r.headless) parts.push(r.selector === false ? 'headless, no selector' : 'headless');
  return parts.join(', ');
}

/**
 * What the API server does with a new Service, as documented (concepts/services-networking/
 * dual-stack) and implemented in pkg/registry/core/service/storage/alloc.go initIPFamilyFields:
 * - policy unset → SingleStack; except headless without selector → RequireDualStack;
 * - SingleStack with two families → rejected;
 * - headless without selector: families default to [primary], and any policy other than
 *   SingleStack gets the other family appended, even on a single-stack cluster (no IPs are
 *   allocated, so nothing is "not configured");
 * - RequireDualStack on a single-stack cluster → rejected ("not configured for dual-stack");
 * - a requested family the cluster lacks → rejected ("not configured on this cluster");
 * - families unset → [primary]; PreferDualStack/RequireDualStack with one family on a dual-stack
 *   cluster get the other family appended (so the requested family stays first).
 */
export function expectedServiceFamilies(r: ServiceRequest, cluster: readonly IPFamily[]): ServiceExpectation {
  const primary = cluster[0];
  if (!primary) throw new Error('expectedServiceFamilies: cluster has no families');
  const selectorless = r.headless === true && r.selector === false;
  const policy: IPFamilyPolicy = r.policy ?? (selectorless ? 'RequireDualStack' : 'SingleStack');
  const asked = r.families ?? [];
  if (new Set(asked).size !== asked.length || asked.length > 2) {
    return { accepted: false, mentions: ['ipFamilies'], why: `ipFamilies ${list(asked)} repeat a family` };
  }
  if (policy === 'SingleStack' && asked.length === 2) {
    return { accepted: false, mentions: ['SingleStack'], why: 'SingleStack with two ipFamilies' };
  }
  if (selectorless) {
    const families = asked.length ? [...asked] : [primary];
    if (families.length < 2 && policy !== 'SingleStack') families.push(otherFamily(families[0]!));
    return { accepted: true, policy, families, headless: true };
  }
  const missing = asked.filter((f) => !cluster.includes(f));
  if (policy === 'RequireDualStack' && cluster.length < 2) {
    return {
      accepted: false,
      mentions: ['RequireDualStack', ...missing],
      why: `RequireDualStack on a single-stack ${primary} cluster`,
    };
  }
  if (missing.length > 0) {
    return { accepted: false, mentions: missing, why: `${missing.join(', ')} not configured on this ${primary}-only cluster` };
  }
  const families = asked.length ? [...asked] : [primary];
  if (policy !== 'SingleStack' && families.length === 1 && cluster.length === 2) families.push(otherFamily(families[0]!));
  return { accepted: true, policy, families, headless: r.headless === true };
}

/**
 * The Service's family fields match `want`: spec.ipFamilyPolicy, spec.ipFamilies in order,
 * len(clusterIPs) == len(ipFamilies), clusterIPs[i] of family ipFamilies[i], clusterIP ==
 * clusterIPs[0]. Headless Services have clusterIPs [None] and clusterIP None instead.
 */
export function checkServiceFamilies(s: V1Service, want: ServiceFamilies): Verdict {
  const object = serviceRef(s);
  const tag = familyTag(want.families);
  const spec = s.spec ?? {};
  const fams = spec.ipFamilies ?? [];
  const ips = spec.clusterIPs ?? [];
  const seenFams = `ipFamilyPolicy ${spec.ipFamilyPolicy ?? '(unset)'}, ipFamilies ${list(fams)}`;
  const seenIps = `clusterIPs ${want.headless ? list(ips) : showIps(ips)}, clusterIP ${spec.clusterIP ?? '(unset)'}`;
  const subs: Verdict[] = [];

  subs.push(verdict(spec.ipFamilyPolicy === want.policy, { object, family: tag, expected: `ipFamilyPolicy ${want.policy}`, seen: seenFams }));
  want.families.forEach((f, i) => {
    subs.push(verdict(fams[i] === f, { object, family: f, expected: `ipFamilies[${i}] = ${f} (ipFamilies ${list(want.families)})`, seen: seenFams }));
  });
  if (fams.length > want.families.length) {
    subs.push(verdict(false, { object, family: tag, expected: `ipFamilies ${list(want.families)}`, seen: seenFams }));
  }

  if (want.headless) {
    const ok = ips.length === 1 && ips[0] === 'None' && spec.clusterIP === 'None';
    subs.push(verdict(ok, { object, family: tag, expected: 'headless: clusterIPs [None], clusterIP None', seen: seenIps }));
    return all(subs, object, tag);
  }

  subs.push(
    verdict(ips.length === fams.length, { object, family: tag, expected: `len(clusterIPs) == len(ipFamilies) (${fams.length})`, seen: `${seenIps}; ${seenFams}` }),
  );
  // clusterIPs[i] of the expected family i, and consistent with what spec.ipFamilies says.
  want.families.forEach((f, i) => {
    subs.push(verdict(ips[i] !== undefined && famOf(ips[i]!) === f, { object, family: f, expected: `clusterIPs[${i}] of ${f}`, seen: seenIps }));
  });
  fams.forEach((f, i) => {
    if (i < want.families.length && want.families[i] === f) return; // already covered above
    const ip = ips[i];
    subs.push(
      verdict(ip !== undefined && famOf(ip) === f, { object, family: f === 'IPv4' || f === 'IPv6' ? f : tag, expected: `clusterIPs[${i}] of ipFamilies[${i}] ${f}`, seen: seenIps }),
    );
  });
  subs.push(verdict(ips.length > 0 && sameIp(spec.clusterIP, ips[0]), { object, family: want.families[0] ?? tag, expected: 'clusterIP == clusterIPs[0]', seen: seenIps }));
  return all(subs, object, tag);
}

/**
 * What happened when a Service was created: the stored object, or the API's refusal
 * (`status` from apiStatus(), `message` from describeApiError(): "HTTP 422: …").
 */
export type CreateOutcome = { service: V1Service } | { error: { status: number | undefined; message: string } };

/**
 * Judges a creation against `expectedServiceFamilies`: an accepted request must yield the
 * expected family fields; a refused one must be refused with HTTP 422 (Invalid) and a
 * reason naming the policy/family at fault.
 */
export function checkServiceCreation(name: string, r: ServiceRequest, outcome: CreateOutcome, cluster: readonly IPFamily[]): Verdict {
  const want = expectedServiceFamilies(r, cluster);
  const object = `Service ${name} (${describeRequest(r)})`;
  if (want.accepted) {
    if ('error' in outcome) {
      return verdict(false, {
        object,
        family: familyTag(want.families),
        expected: `created with ipFamilyPolicy ${want.policy}, ipFamilies ${list(want.families)}`,
        seen: `rejected: ${outcome.error.message}`,
      });
    }
    return checkServiceFamilies(outcome.service, want);
  }
  const family: CheckFamily = r.families ? familyTag(r.families) : r.policy === 'RequireDualStack' ? 'dual' : (cluster[0] ?? 'none');
  const expected = `rejected with HTTP 422 naming ${want.mentions.join(' and ')} (${want.why})`;
  if ('service' in outcome) {
    const s = outcome.service.spec;
    return verdict(false, {
      object,
      family,
      expected,
      seen: `created: ipFamilyPolicy ${s?.ipFamilyPolicy ?? '(unset)'}, ipFamilies ${list(s?.ipFamilies ?? [])}, clusterIPs ${showIps(s?.clusterIPs ?? [])}`,
    });
  }
  const text = outcome.error.message;
  const ok = outcome.error.status === 422 && want.mentions.every((m) => text.includes(m));
  return verdict(ok, { object, family, expected, seen: `rejected: ${text}` });
}

// ---------------------------------------------------------------- endpoint slices

function sliceRef(s: V1EndpointSlice): string {
  return `${s.metadata?.name ?? '?'} (${s.addressType}: ${s.endpoints.flatMap((e) => e.addresses).join(', ') || 'no addresses'})`;
}

function sliceAddresses(slices: readonly V1EndpointSlice[]): string[] {
  return slices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses));
}

function normSet(ips: readonly string[]): { set: Set<string>; invalid: string[] } {
  const set = new Set<string>();
  const invalid: string[] = [];
  for (const ip of ips) {
    const n = norm(ip);
    if (n === undefined) invalid.push(ip);
    else set.add(n);
  }
  return { set, invalid };
}

function sorted(set: Iterable<string>): string[] {
  return [...set].sort();
}

/**
 * For one of the Service's families: at least one EndpointSlice of that addressType exists,
 * and its addresses (all slices of the family together) equal the backends' IPs of that
 * family, as sets of normalised addresses.
 */
export function checkEndpointSliceFamily(svc: V1Service, slices: readonly V1EndpointSlice[], backendIps: readonly string[], family: IPFamily): Verdict {
  const object = `${serviceRef(svc)} EndpointSlices`;
  const mine = slices.filter((s) => s.addressType === family);
  const want = normSet(backendIps.filter((ip) => famOf(ip) === family)).set;
  const have = normSet(sliceAddresses(mine));
  const expected = `an EndpointSlice of addressType ${family} listing ${list(sorted(want))}`;
  const sliceList = `slices: ${slices.length ? slices.map(sliceRef).join('; ') : 'none'}`;
  if (mine.length === 0) return verdict(false, { object, family, expected, seen: `no ${family} EndpointSlice (${sliceList})` });
  const missing = sorted(want).filter((ip) => !have.set.has(ip));
  const extra = sorted(have.set).filter((ip) => !want.has(ip));
  const wrongFamily = sliceAddresses(mine).filter((ip) => famOf(ip) !== family);
  const ok = missing.length === 0 && extra.length === 0 && have.invalid.length === 0 && wrongFamily.length === 0;
  const problems = [
    missing.length ? `missing ${list(missing)}` : '',
    extra.length ? `unexpected ${list(extra)}` : '',
    wrongFamily.length ? `not ${family}: ${showIps(wrongFamily)}` : '',
  ].filter(Boolean);
  return verdict(ok, { object, family, expected, seen: `${family} addresses ${list(sorted(have.set))}${problems.length ? ` (${problems.join('; ')})` : ''}; ${sliceList}` });
}

/** No EndpointSlice of an addressType outside the Service's spec.ipFamilies. */
export function checkNoForeignEndpointSlices(svc: V1Service, slices: readonly V1EndpointSlice[]): Verdict {
  const object = `${serviceRef(svc)} EndpointSlices`;
  const fams = (svc.spec?.ipFamilies ?? []) as string[];
  const foreign = slices.filter((s) => !fams.includes(s.addressType));
  const family: CheckFamily =
    foreign.length > 0 && (foreign[0]!.addressType === 'IPv4' || foreign[0]!.addressType === 'IPv6') ? (foreign[0]!.addressType as IPFamily) : familyTag(fams as IPFamily[]);
  return verdict(foreign.length === 0, {
    object,
    family,
    expected: `only EndpointSlices of addressType ${list(fams)} (the Service's ipFamilies)`,
    seen: foreign.length ? `unexpected ${foreign.map(sliceRef).join('; ')}` : `addressTypes ${list([...new Set(slices.map((s) => s.addressType))])}`,
  });
}

/**
 * Address types only (for Services whose backends we cannot know, e.g. default/kubernetes):
 * at least one EndpointSlice per Service family, and none of another addressType.
 */
export function checkEndpointSliceAddressTypes(svc: V1Service, slices: readonly V1EndpointSlice[]): Verdict {
  const object = `${serviceRef(svc)} EndpointSlices`;
  const fams = (svc.spec?.ipFamilies ?? []) as IPFamily[];
  const seen = `slices: ${slices.length ? slices.map(sliceRef).join('; ') : 'none'}`;
  const subs = fams.map((f) =>
    verdict(slices.some((s) => s.addressType === f), { object, family: f, expected: `an EndpointSlice of addressType ${f}`, seen }),
  );
  subs.push(checkNoForeignEndpointSlices(svc, slices));
  return all(subs, object, familyTag(fams));
}

/**
 * One EndpointSlice family per Service family with the backends' IPs of that family, and no
 * slice of any other addressType (upstream validateEndpointSlices, plus address equality).
 */
export function checkEndpointSlices(svc: V1Service, slices: readonly V1EndpointSlice[], backendIps: readonly string[]): Verdict {
  const fams = (svc.spec?.ipFamilies ?? []) as IPFamily[];
  const subs = fams.map((f) => checkEndpointSliceFamily(svc, slices, backendIps, f));
  subs.push(checkNoForeignEndpointSlices(svc, slices));
  return all(subs, `${serviceRef(svc)} EndpointSlices`, familyTag(fams));
}

