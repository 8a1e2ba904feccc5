/**
 * NodePort judgement: node address preference, kube-proxy's nodePortAddresses, and
 * what a probe of one node address is expected to show.
 *
 * Address preference (k/k#95239, `GetNodeHostIPs`): a node's primary IP is its first
 * InternalIP (first ExternalIP when it has none); its secondary IP is the first address
 * of the other family in the same InternalIP-then-ExternalIP order. kubelet reports
 * these two as every pod's `status.hostIPs` and as a hostNetwork pod's `podIPs`, and
 * `status.hostIP` is the first. So the order of `status.addresses` decides which family
 * a pod that calls "its node" (downward API `status.hostIP`) uses: the failure the kOps
 * IPv6 talk describes is an IPv6 cluster whose nodes list an IPv4 InternalIP first, so
 * pods dial a NodePort on an IPv4 address kube-proxy does not serve (k/k#120720).
 *
 * Expected NodePort reachability per node address follows kube-proxy's
 * `nodePortAddresses` (KubeProxyConfiguration; flag `--nodeport-addresses`):
 *   - unset or empty (iptables/ipvs default): NodePorts are accepted on every local
 *     address of the node, so every InternalIP/ExternalIP of a Service family, ranked
 *     first or not, is expected to answer;
 *   - unset in nftables mode: kube-proxy defaults to `primary`;
 *   - `primary`: only the node's host IPs (the primary IP, and the secondary IP of the
 *     other family), so a second InternalIP of a family, or an ExternalIP behind an
 *     InternalIP of the same family, is expected NOT to answer;
 *   - CIDRs: per family, only addresses inside that family's CIDRs; when the list has no
 *     CIDR of a family, kube-proxy accepts on all addresses of that family (it logs a
 *     warning about exactly this);
 *   - unknown (no readable kube-system/kube-proxy ConfigMap): host IPs are expected to
 *     answer (every setting but an excluding CIDR list serves them); other addresses are
 *     recorded, not judged.
 */
import type { V1Node } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { familyOf, familyOfAny, isInCidr, isIp, normalizeIp, parseHostPort, type IPFamily } from '../net/family.ts';
import type { HttpResult } from '../probes/http.ts';
import { nodeHostIPs } from './address-families.ts';

// The host-IP rule lives with the other node-address judgements; NodePort ranks by it.
export { nodeHostIPs };
import { describeHttpOutcome } from './text.ts';
import { all, verdict, type CheckFamily, type Verdict } from './verdict.ts';

// ---------------------------------------------------------------- node addresses

export interface RankedAddress {
  node: string;
  /** RFC 5952 / dotted-quad form. */
  address: string;
  /** `LocalAddress`: configured on the node but not listed in `status.addresses` (never a host IP). */
  type: 'InternalIP' | 'ExternalIP' | 'LocalAddress';
  family: IPFamily;
  /** Index in `status.addresses` (0 = listed first, whatever the type); -1 for a LocalAddress. */
  rank: number;
  /** Index among the node's addresses of the same type and family. */
  familyRank: number;
  /** One of the node's host IPs (primary, or secondary of the other family). */
  hostIP: boolean;
  /** The node's primary IP (hostIPs[0]). */
  primary: boolean;
}

function nodeName(n: V1Node): string {
  return n.metadata?.name ?? '(unnamed node)';
}

/** `status.addresses` as `InternalIP fc00::2, Hostname n1`. */
export function showAddresses(n: V1Node): string {
  const list = n.status?.addresses ?? [];
  return list.length ? list.map((a) => `${a.type} ${a.address}`).join(', ') : 'none';
}

function ipsOfType(n: V1Node, type: string): string[] {
  return (n.status?.addresses ?? []).filter((a) => a.type === type && isIp(a.address)).map((a) => normalizeIp(a.address));
}

/** InternalIPs and ExternalIPs of a node with their ranks, in `status.addresses` order. */
export function rankedAddresses(n: V1Node): RankedAddress[] {
  const host = nodeHostIPs(n);
  const counters = new Map<string, number>();
  const out: RankedAddress[] = [];
  (n.status?.addresses ?? []).forEach((a, rank) => {
    if ((a.type !== 'InternalIP' && a.type !== 'ExternalIP') || !isIp(a.address)) return;
    const address = normalizeIp(a.address);
    const family = familyOf(address);
    const key = `${a.type}/${family}`;
    const familyRank = counters.get(key) ?? 0;
    counters.set(key, familyRank + 1);
    out.push({ node: nodeName(n), address, type: a.type, family, rank, familyRank, hostIP: host.includes(address), primary: host[0] === address });
  });
  return out;
}

/** Addresses a node has beyond `status.addresses` (e.g. a second interface), as probe targets. */
export function localAddresses(n: V1Node, addresses: readonly string[]): RankedAddress[] {
  const listed = new Set((n.status?.addresses ?? []).filter((a) => isIp(a.address)).map((a) => normalizeIp(a.address)));
  const counters = new Map<IPFamily, number>();
  return addresses
    .filter((a) => isIp(a) && !listed.has(normalizeIp(a)))
    .map((raw) => {
      const address = normalizeIp(raw);
      const family = familyOf(address);
      const familyRank = counters.get(family) ?? 0;
      counters.set(family, familyRank + 1);
      return { node: nodeName(n), address, type: 'LocalAddress' as const, family, rank: -1, familyRank, hostIP: false, primary: false };
    });
}

/** `InternalIP fc00::2 (addresses[0], IPv6 InternalIP #0, primary)`; `LocalAddress fd00:a17::3 (not in status.addresses, not a host IP)` */
export function describeRank(a: RankedAddress): string {
  if (a.type === 'LocalAddress') return `LocalAddress ${a.address} (on the node, not in status.addresses, not a host IP)`;
  const role = a.primary ? 'primary' : a.hostIP ? `secondary host IP` : 'not a host IP';
  return `${a.type} ${a.address} (addresses[${a.rank}], ${a.family} ${a.type} #${a.familyRank}, ${role})`;
}

/** The node's first InternalIP has the cluster's primary family (the primary node IP is of that family). */
export function checkNodeAddressPreference(n: V1Node, primary: IPFamily): Verdict {
  const first = ipsOfType(n, 'InternalIP')[0];
  return verdict(first !== undefined && familyOf(first) === primary, {
    object: `Node ${nodeName(n)}`,
    family: primary,
    expected: `first InternalIP of the cluster's primary family ${primary} (it becomes the node's primary IP, status.hostIP of its pods and the NodePort address pods dial)`,
    seen: first ? `first InternalIP ${first} (${familyOf(first)}); status.addresses [${showAddresses(n)}]` : `no InternalIP; status.addresses [${showAddresses(n)}]`,
  });
}

// ---------------------------------------------------------------- kube-proxy

export interface KubeProxyNodePorts {
  /** True when read from the ConfigMap. */
  known: boolean;
  /** As configured; null when unset. */
  nodePortAddresses: string[] | null;
  /** `iptables`, `ipvs`, `nftables`; '' = the platform default (iptables on Linux). */
  mode: string;
  /** Where it was read (for messages). */
  source: string;
}

export const KUBE_PROXY_SOURCE = 'ConfigMap kube-system/kube-proxy config.conf';

/** Reads nodePortAddresses and mode from a KubeProxyConfiguration (kubeadm's config.conf). */
export function parseKubeProxyConfig(text: string | undefined, source = KUBE_PROXY_SOURCE): KubeProxyNodePorts {
  if (!text) return { known: false, nodePortAddresses: null, mode: '', source: `${source} not found` };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return { known: false, nodePortAddresses: null, mode: '', source: `${source} unparsable (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
  const obj = (typeof doc === 'object' && doc !== null ? doc : {}) as { nodePortAddresses?: unknown; mode?: unknown };
  const raw = obj.nodePortAddresses;
  const list = Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : null;
  return { known: true, nodePortAddresses: list, mode: typeof obj.mode === 'string' ? obj.mode : '', source };
}

/** `nodePortAddresses unset (iptables)` / `nodePortAddresses [primary]` — for messages. */
export function describeKubeProxy(c: KubeProxyNodePorts): string {
  if (!c.known) return `nodePortAddresses unknown (${c.source})`;
  const mode = c.mode || 'iptables (default)';
  return c.nodePortAddresses && c.nodePortAddresses.length ? `nodePortAddresses [${c.nodePortAddresses.join(', ')}], mode ${mode}` : `nodePortAddresses unset, mode ${mode}`;
}

export interface Expectation {
  /** undefined: recorded, not judged. */
  reachable: boolean | undefined;
  why: string;
}

/** Expected NodePort reachability of one node address (see the module comment for the rules). */
export function expectedNodePortReachability(cfg: KubeProxyNodePorts, a: RankedAddress): Expectation {
  if (!cfg.known) {
    return a.hostIP
      ? { reachable: true, why: `${a.address} is a host IP of ${a.node}; ${describeKubeProxy(cfg)}, every setting but an excluding CIDR list serves host IPs` }
      : { reachable: undefined, why: `${describeKubeProxy(cfg)}: a non-host address is not judged` };
  }
  let effective = cfg.nodePortAddresses && cfg.nodePortAddresses.length ? cfg.nodePortAddresses : null;
  let defaulted = '';
  if (!effective && cfg.mode === 'nftables') {
    effective = ['primary'];
    defaulted = ' (nftables default)';
  }
  if (!effective) return { reachable: true, why: `${describeKubeProxy(cfg)}: kube-proxy accepts NodePorts on all local addresses` };
  if (effective.includes('primary')) {
    return a.hostIP
      ? { reachable: true, why: `nodePortAddresses primary${defaulted}: ${a.address} is a host IP of ${a.node}` }
      : { reachable: false, why: `nodePortAddresses primary${defaulted}: ${a.address} is not a host IP of ${a.node} (host IPs are the first ${a.type === 'InternalIP' ? 'InternalIP' : 'address'} of each family)` };
  }
  const cidrs = effective.filter((c) => {
    try {
      return familyOfAny(c) === a.family;
    } catch {
      return false;
    }
  });
  if (cidrs.length === 0) {
    return { reachable: true, why: `nodePortAddresses [${effective.join(', ')}] has no ${a.family} CIDR: kube-proxy accepts ${a.family} NodePorts on all local addresses` };
  }
  const inside = cidrs.find((c) => {
    try {
      return isInCidr(a.address, c);
    } catch {
      return false;
    }
  });
  return inside
    ? { reachable: true, why: `nodePortAddresses: ${a.address} is inside ${inside}` }
    : { reachable: false, why: `nodePortAddresses: ${a.address} is outside [${cidrs.join(', ')}]` };
}

// ---------------------------------------------------------------- probe outcomes


/** True when the probe got no HTTP answer at all (what a filtered or unserved port looks like). */
export function noAnswer(r: HttpResult): boolean {
  return !r.status;
}

export interface AddressProbe {
  target: RankedAddress;
  /** Who dialled: `outside container …` or `pod ns/name on node`. */
  client: string;
  url: string;
  expect: Expectation;
  result: HttpResult;
  /** Bodies that prove the answer came from our backends (netexec /hostname = pod name). */
  expectBody?: readonly string[];
}

export function answeredByBackend(r: HttpResult, bodies: readonly string[] | undefined): boolean {
  return r.ok && (!bodies || bodies.length === 0 || bodies.includes(r.body.trim()));
}

/**
 * One node address: answers when expected (from one of our backends), stays silent when
 * kube-proxy is expected not to serve it; unjudged addresses always pass.
 */
export function addressProbeVerdict(service: string, p: AddressProbe): Verdict {
  const backend = p.expectBody?.length ? ` from a backend (${p.expectBody.join('|')})` : '';
  const object = `${service} on node ${p.target.node} ${describeRank(p.target)} from ${p.client} (${p.url})`;
  const seen = describeHttpOutcome(p.result);
  if (p.expect.reachable === undefined) return verdict(true, { object, family: p.target.family, expected: `anything (${p.expect.why})`, seen });
  if (p.expect.reachable) {
    return verdict(answeredByBackend(p.result, p.expectBody), { object, family: p.target.family, expected: `HTTP 2xx${backend} (${p.expect.why})`, seen });
  }
  return verdict(noAnswer(p.result), { object, family: p.target.family, expected: `no answer (${p.expect.why})`, seen });
}

/** Every probed node address behaves as expected; the message names each failing node, address and family. */
export function checkAddressProbes(service: string, family: CheckFamily, probes: readonly AddressProbe[]): Verdict {
  if (probes.length === 0) {
    return verdict(false, { object: service, family, expected: `at least one node address of ${family} to probe`, seen: 'no node address of that family' });
  }
  return all(probes.map((p) => addressProbeVerdict(service, p)), `${service} (${probes.length} node addresses)`, family);
}

/** What the report attachment records per probe. */
export function probeRecord(p: AddressProbe): Record<string, unknown> {
  return {
    node: p.target.node,
    address: p.target.address,
    type: p.target.type,
    family: p.target.family,
    rank: p.target.rank,
    familyRank: p.target.familyRank,
    hostIP: p.target.hostIP,
    primary: p.target.primary,
    client: p.client,
    url: p.url,
    expected: p.expect.reachable === undefined ? 'not judged' : p.expect.reachable ? 'reachable' : 'unreachable',
    why: p.expect.why,
    seen: describeHttpOutcome(p.result),
    ok: addressProbeVerdict('', p).ok,
  };
}

// ---------------------------------------------------------------- externalTrafficPolicy: Local

/** The client address netexec's /clientip reports (`[fc00::c]:4321` → `fc00::c`), or undefined. */
export function clientIpOf(body: string): string | undefined {
  const text = body.trim();
  try {
    return parseHostPort(text).host;
  } catch {
    return isIp(text) ? normalizeIp(text) : undefined;
  }
}

export interface LocalPolicyProbe {
  target: RankedAddress;
  client: string;
  /** The client's own address of the target's family, as the backend should see it. */
  clientIp: string;
  url: string;
  /** Does the node run a ready endpoint of the Service? */
  hasLocalEndpoint: boolean;
  result: HttpResult;
}

/**
 * externalTrafficPolicy Local: a node with a local endpoint answers and the backend
 * sees the client's own address (no SNAT); a node without one does not answer.
 */
export function localPolicyVerdict(service: string, p: LocalPolicyProbe): Verdict {
  const object = `${service} (externalTrafficPolicy Local) on node ${p.target.node} ${describeRank(p.target)} from ${p.client} (${p.url})`;
  const family = p.target.family;
  if (!p.hasLocalEndpoint) {
    return verdict(noAnswer(p.result), {
      object,
      family,
      expected: 'no answer (no local endpoint on this node)',
      seen: describeHttpOutcome(p.result),
    });
  }
  const want = normalizeIp(p.clientIp);
  const got = p.result.ok ? clientIpOf(p.result.body) : undefined;
  return verdict(got === want, {
    object,
    family,
    expected: `HTTP 2xx with /clientip = the client's own ${family} address ${want} (source preserved)`,
    seen: p.result.ok ? `HTTP ${p.result.status} /clientip ${got ?? JSON.stringify(p.result.body.trim())}` : describeHttpOutcome(p.result),
  });
}

export function checkLocalPolicy(service: string, family: IPFamily, probes: readonly LocalPolicyProbe[]): Verdict {
  if (!probes.some((p) => p.hasLocalEndpoint)) {
    return verdict(false, { object: service, family, expected: 'a node with a local endpoint among the probed nodes', seen: 'none' });
  }
  return all(probes.map((p) => localPolicyVerdict(service, p)), `${service} externalTrafficPolicy Local (${probes.length} node addresses)`, family);
}

// ---------------------------------------------------------------- downward API status.hostIP

export const HOST_IP_MARK = '@@v6e2e-hostip=';

/**
 * Shell for a pod: read $HOST_IP (downward API status.hostIP), print it, and GET
 * http://<it>:<nodePort>/hostname, bracketing an IPv6 literal as a careful client would.
 * `$0` is the port. Output: the mark line, then curl's body and status mark.
 */
export function hostIpNodePortScript(timeoutS = 5): string {
  return [
    `echo "${HOST_IP_MARK}$HOST_IP"`,
    'case "$HOST_IP" in *:*) h="[$HOST_IP]" ;; *) h="$HOST_IP" ;; esac',
    `exec curl -sS -g --connect-timeout ${timeoutS} --max-time ${timeoutS * 2} -w '\\n@@v6e2e-status=%{http_code}' "http://$h:$0/hostname"`,
  ].join('\n');
}

/** Splits the script's output into the HOST_IP it read and the rest (curl's). */
export function splitHostIpOutput(stdout: string): { hostIp?: string; rest: string } {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => l.startsWith(HOST_IP_MARK));
  if (i < 0) return { rest: stdout };
  const hostIp = lines[i]!.slice(HOST_IP_MARK.length).trim() || undefined;
  return { hostIp, rest: [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n') };
}

/**
 * A pod that dials a NodePort on its own `status.hostIP` (downward API) succeeds: the
 * address is of the primary family and kube-proxy serves the NodePort on it.
 */
export function downwardHostIpVerdict(c: { pod: string; service: string; nodePort: number; primary: IPFamily; hostIp?: string; result: HttpResult; expectBody?: readonly string[] }): Verdict {
  const fam = c.hostIp && isIp(c.hostIp) ? familyOf(c.hostIp) : undefined;
  const ok = fam === c.primary && answeredByBackend(c.result, c.expectBody);
  return verdict(ok, {
    object: `${c.pod} → ${c.service} NodePort ${c.nodePort} on its $HOST_IP (downward API status.hostIP)`,
    family: c.primary,
    expected: `$HOST_IP of the primary family ${c.primary} and HTTP 2xx${c.expectBody?.length ? ` from a backend (${c.expectBody.join('|')})` : ''}`,
    seen: `$HOST_IP ${c.hostIp ?? 'empty'}${fam ? ` (${fam})` : ''}, ${describeHttpOutcome(c.result)}`,
  });
}
