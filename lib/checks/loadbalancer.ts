/**
 * LoadBalancer judgement: ingress families against the Service's ipFamilies (with the
 * time each family's first ingress address took), reachability of each ingress
 * address, source preservation, loadBalancerSourceRanges, and whether the profile
 * can put a dual-stack front on IPv6-only backends.
 *
 * The lab's LoadBalancer is MetalLB in L2 mode with one IPAddressPool per family
 * (lib/edge/metallb.ts); kube-proxy programs the ingress IPs (ipMode VIP), so pods
 * reach them without leaving the node and loadBalancerSourceRanges is enforced by
 * kube-proxy's firewall chain, not by MetalLB.
 */
import { CoreV1Api, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { familyOf, familyOfAny, isInCidr, isIp, normalizeIp, type IPFamily } from '../net/family.ts';
import type { HttpResult } from '../probes/http.ts';
import { answeredByBackend, clientIpOf, noAnswer } from './nodeport.ts';
import { describeHttpOutcome } from './text.ts';
import { all, verdict, type CheckFamily, type Verdict } from './verdict.ts';

export type { FamilyPolicy } from '../k8s/services.ts';
import type { FamilyPolicy } from '../k8s/services.ts';

export function serviceRef(s: V1Service): string {
  return `Service ${s.metadata?.namespace ?? '?'}/${s.metadata?.name ?? '?'}`;
}

export interface IngressPoint {
  /** Normalized IP, or the raw string when the entry is not an IP (hostname-only ingress). */
  ip: string;
  family?: IPFamily;
  ipMode?: string;
  hostname?: string;
}

export function ingressPoints(s: V1Service): IngressPoint[] {
  return (s.status?.loadBalancer?.ingress ?? []).map((i) => {
    const ip = i.ip && isIp(i.ip) ? normalizeIp(i.ip) : (i.ip ?? '');
    return { ip, family: ip && isIp(ip) ? familyOf(ip) : undefined, ipMode: i.ipMode, hostname: i.hostname };
  });
}

export function ingressOf(s: V1Service, family: IPFamily): IngressPoint[] {
  return ingressPoints(s).filter((p) => p.family === family);
}

// ---------------------------------------------------------------- matrix

export interface LbCase {
  policy: FamilyPolicy;
  /** What the Service asks for: `[first]` for Single/Prefer (the API adds the second family for Prefer on dual clusters), both for Require. */
  request: IPFamily[];
  /** Family tag for the test name. */
  tag: CheckFamily;
  label: string;
  /** The label in id form (`requiredualstack-ipv4-ipv6`): check ids and Service names. */
  key: string;
}

/**
 * Every ipFamilyPolicy × family order. PreferDualStack asks only for its first family:
 * listing a family the cluster lacks is invalid, so `[IPv6]` + PreferDualStack is how an
 * IPv6-first preference stays valid on an IPv6-only cluster (and becomes [IPv6, IPv4] on a dual one).
 */
export function lbMatrix(): LbCase[] {
  const orders: [IPFamily, IPFamily][] = [
    ['IPv4', 'IPv6'],
    ['IPv6', 'IPv4'],
  ];
  const out: LbCase[] = [];
  for (const policy of ['SingleStack', 'PreferDualStack', 'RequireDualStack'] as const) {
    for (const [first, second] of orders) {
      const request = policy === 'RequireDualStack' ? [first, second] : [first];
      const which = policy === 'RequireDualStack' ? [first, second] : policy === 'PreferDualStack' ? [first, 'first'] : [first];
      out.push({
        policy,
        request,
        tag: policy === 'SingleStack' ? first : 'dual',
        label: `${policy} ${policy === 'RequireDualStack' ? `${first},${second}` : `${first}${policy === 'PreferDualStack' ? '-first' : ''}`}`,
        key: [policy, ...which].join('-').toLowerCase(),
      });
    }
  }
  return out;
}

/** Why a case cannot run on a cluster with these families, or undefined when it can. */
export function lbCaseSkipReason(c: LbCase, cluster: readonly IPFamily[], stack: string): string | undefined {
  const missing = c.request.filter((f) => !cluster.includes(f));
  if (missing.length) return `cluster is ${stack}: no ${missing.join('/')} (the API rejects ipFamilies it does not serve)`;
  return undefined;
}

/** The families the API is expected to give the Service. */
export function expectedFamilies(c: LbCase, cluster: readonly IPFamily[]): IPFamily[] {
  if (c.policy === 'SingleStack') return [c.request[0]!];
  if (c.policy === 'RequireDualStack') return [...c.request];
  const first = c.request[0]!;
  return cluster.length > 1 ? [first, ...cluster.filter((f) => f !== first)] : [first];
}

// ---------------------------------------------------------------- time to first ingress

export interface IngressTimeline {
  service: V1Service;
  /** ms since the create call started until each family's first ingress IP was seen. */
  firstSeenMs: Partial<Record<IPFamily, number>>;
  /** How long the observation ran. */
  waitedMs: number;
  /** Poll period (the resolution of firstSeenMs). */
  intervalMs: number;
  /** Why the watch ended before its deadline with families pending: the controller's refusal (watchIngress `refusal`). */
  refused?: string;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `IPv4 172.18.255.208 after 0.8 s, IPv6 fc00::ffd0 after 1.0 s` (pending families named). */
export function describeTimeline(t: IngressTimeline, families: readonly IPFamily[] = t.service.spec?.ipFamilies as IPFamily[] ?? []): string {
  const parts = families.map((f) => {
    const ips = ingressOf(t.service, f).map((p) => p.ip);
    const at = t.firstSeenMs[f];
    return ips.length && at !== undefined ? `${f} ${ips.join(' ')} after ${seconds(at)}` : `${f} pending after ${seconds(t.waitedMs)}`;
  });
  return parts.join(', ') || 'no families';
}

/** A refusal must hold this long with families still pending before the watch ends early (a pool reload may answer it). */
export const REFUSAL_GRACE_MS = 3_000;
/** How often the watch asks `refusal` (it reads events; the Service itself is polled faster). */
const REFUSAL_POLL_MS = 1_000;

/**
 * Polls the Service until it has an ingress IP of every wanted family (or the deadline),
 * recording when each family's first address appeared. `startedAt` is the client clock
 * just before the Service was created. With `refusal` (e.g. metallbRefusal), the watch
 * also ends once the controller has said it will not allocate and REFUSAL_GRACE_MS more
 * went by without the pending families: waiting out the deadline would only repeat it.
 */
export async function watchIngress(
  kc: KubeConfig,
  ns: string,
  name: string,
  opts: { startedAt: number; families: readonly IPFamily[]; timeoutMs?: number; intervalMs?: number; refusal?: (svc: V1Service) => Promise<string | undefined> },
): Promise<IngressTimeline> {
  const core = kc.makeApiClient(CoreV1Api);
  const intervalMs = opts.intervalMs ?? 200;
  const deadline = opts.startedAt + (opts.timeoutMs ?? 60_000);
  const firstSeenMs: Partial<Record<IPFamily, number>> = {};
  let svc: V1Service | undefined;
  let refused: { reason: string; atMs: number } | undefined;
  let askedAt = 0;
  for (;;) {
    try {
      svc = await core.readNamespacedService({ name, namespace: ns });
    } catch {
      // transient API error: try again until the deadline
    }
    const now = Date.now();
    if (svc) for (const p of ingressPoints(svc)) if (p.family && firstSeenMs[p.family] === undefined) firstSeenMs[p.family] = now - opts.startedAt;
    if (opts.families.every((f) => firstSeenMs[f] !== undefined) || now >= deadline) break;
    if (opts.refusal && svc && !refused && now - askedAt >= REFUSAL_POLL_MS) {
      askedAt = now;
      const reason = await opts.refusal(svc).catch(() => undefined);
      if (reason) refused = { reason, atMs: now };
    }
    if (refused && now - refused.atMs >= REFUSAL_GRACE_MS) {
      return { service: svc!, firstSeenMs, waitedMs: Date.now() - opts.startedAt, intervalMs, refused: refused.reason };
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  if (!svc) throw new Error(`Service ${ns}/${name} could not be read`);
  return { service: svc, firstSeenMs, waitedMs: Date.now() - opts.startedAt, intervalMs };
}

/**
 * MetalLB's controller refusing this Service an address: its newest `AllocationFailed`
 * event's message (it retries only when a pool or another Service changes), else undefined.
 */
export async function metallbRefusal(kc: KubeConfig, svc: V1Service): Promise<string | undefined> {
  const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({
    namespace: svc.metadata!.namespace!,
    fieldSelector: `involvedObject.uid=${svc.metadata!.uid!},reason=AllocationFailed`,
  });
  const last = events.items.at(-1);
  return last ? `MetalLB AllocationFailed: ${last.message ?? ''}`.trim() : undefined;
}

const IP_MODES = ['VIP', 'Proxy'];

/**
 * `status.loadBalancer.ingress` holds exactly one IP per family of `spec.ipFamilies`
 * (as a set: one each, no foreign family) and `ipMode`, when set, is VIP or Proxy.
 * A family without an address is named as pending with how long it was waited for.
 */
export function checkIngressFamilies(t: IngressTimeline, hint?: string): Verdict {
  const s = t.service;
  const families = (s.spec?.ipFamilies ?? []) as IPFamily[];
  const points = ingressPoints(s);
  const perFamily = families.map((f) => points.filter((p) => p.family === f).length);
  const foreign = points.filter((p) => !p.family || !families.includes(p.family));
  const badMode = points.filter((p) => p.ipMode !== undefined && !IP_MODES.includes(p.ipMode));
  const pending = families.filter((_, i) => perFamily[i] === 0);
  const ok = families.length > 0 && perFamily.every((n) => n === 1) && foreign.length === 0 && badMode.length === 0;
  const show = points.length
    ? points.map((p) => `${p.ip || p.hostname || '?'} (${p.family ?? 'not an IP'}${p.ipMode ? `, ipMode ${p.ipMode}` : ''})`).join(', ')
    : 'none';
  return verdict(ok, {
    object: `${serviceRef(s)} type LoadBalancer (ipFamilyPolicy ${s.spec?.ipFamilyPolicy ?? 'unset'}, ipFamilies [${families.join(', ')}])`,
    family: families.length > 1 ? 'dual' : (families[0] ?? 'none'),
    expected: `status.loadBalancer.ingress with one IP of each of [${families.join(', ')}] and no other${badMode.length ? '; ipMode VIP or Proxy' : ''}`,
    seen: [
      `ingress [${show}]`,
      ...(families.length > pending.length ? [`first ingress: ${describeTimeline(t, families.filter((f) => !pending.includes(f)))}`] : []),
      ...(pending.length ? [`${pending.join(', ')} pending after ${seconds(t.waitedMs)} (no ingress IP of that family)`] : []),
      ...(pending.length && t.refused ? [t.refused] : []),
      ...(!ok && hint ? [hint] : []),
    ].join('; '),
  });
}

// ---------------------------------------------------------------- MetalLB pools

export interface PoolInfo {
  name: string;
  families: IPFamily[];
  addresses: string[];
}

/** Families of a MetalLB IPAddressPool's `spec.addresses` (CIDRs or `a-b` ranges). */
export function poolInfo(pool: { metadata?: { name?: string }; spec?: { addresses?: string[] } }): PoolInfo {
  const addresses = pool.spec?.addresses ?? [];
  const families = new Set<IPFamily>();
  for (const a of addresses) {
    try {
      families.add(familyOfAny(a.split('-')[0]!.trim()));
    } catch {
      // not an address: ignored
    }
  }
  return { name: pool.metadata?.name ?? '?', families: (['IPv4', 'IPv6'] as const).filter((f) => families.has(f)), addresses };
}

export function showPools(pools: readonly PoolInfo[]): string {
  return pools.length ? pools.map((p) => `${p.name} (${p.families.join('+') || 'no addresses'})`).join(', ') : 'none';
}

/**
 * Why MetalLB may leave a family pending, read from its pools: it allocates every
 * address of a Service from ONE pool (internal/allocator findBestPoolForService), so a
 * RequireDualStack Service needs a pool holding both families, and PreferDualStack falls
 * back to one family when no pool does. Undefined when nothing in the pools explains it.
 */
export function poolHint(pools: readonly PoolInfo[], families: readonly IPFamily[]): string | undefined {
  const missing = families.filter((f) => !pools.some((p) => p.families.includes(f)));
  if (missing.length) return `MetalLB has no IPAddressPool with ${missing.join('/')} addresses (pools: ${showPools(pools)})`;
  if (families.length > 1 && !pools.some((p) => families.every((f) => p.families.includes(f)))) {
    return `MetalLB allocates all of a Service's addresses from one IPAddressPool, and no pool holds both ${families.join(' and ')} (pools: ${showPools(pools)})`;
  }
  return undefined;
}

// ---------------------------------------------------------------- reachability

export interface IngressProbe {
  ingress: IngressPoint;
  client: string;
  url: string;
  result: HttpResult;
  expectBody?: readonly string[];
}

export function ingressProbeVerdict(service: string, p: IngressProbe): Verdict {
  return verdict(answeredByBackend(p.result, p.expectBody), {
    object: `${service} ingress ${p.ingress.ip}${p.ingress.ipMode ? ` (ipMode ${p.ingress.ipMode})` : ''} from ${p.client} (${p.url})`,
    family: p.ingress.family ?? 'none',
    expected: `HTTP 2xx${p.expectBody?.length ? ` from a backend (${p.expectBody.join('|')})` : ''}`,
    seen: describeHttpOutcome(p.result),
  });
}

export function checkIngressReachable(service: string, family: IPFamily, probes: readonly IngressProbe[]): Verdict {
  if (probes.length === 0) return verdict(false, { object: service, family, expected: `a ${family} ingress IP to probe`, seen: 'none' });
  return all(probes.map((p) => ingressProbeVerdict(service, p)), `${service} ${family} ingress`, family);
}

/**
 * externalTrafficPolicy Local: the backend behind an ingress IP sees the client's own
 * address (netexec /clientip), not a node's (SNAT).
 */
export function sourcePreservedVerdict(c: { service: string; ingress: IngressPoint; client: string; clientIp: string; url: string; result: HttpResult }): Verdict {
  const want = normalizeIp(c.clientIp);
  const got = c.result.ok ? clientIpOf(c.result.body) : undefined;
  return verdict(got === want, {
    object: `${c.service} (externalTrafficPolicy Local) ingress ${c.ingress.ip} from ${c.client} (${c.url})`,
    family: familyOf(want),
    expected: `HTTP 2xx with /clientip = the client's own ${familyOf(want)} address ${want} (source preserved)`,
    seen: c.result.ok ? `HTTP ${c.result.status} /clientip ${got ?? JSON.stringify(c.result.body.trim())}` : describeHttpOutcome(c.result),
  });
}

// ---------------------------------------------------------------- loadBalancerSourceRanges

/**
 * loadBalancerSourceRanges as configured: a client inside a listed range of its family
 * is admitted (HTTP 2xx), one outside every range gets no answer.
 */
export function sourceRangeVerdict(c: { service: string; ingress: IngressPoint; ranges: readonly string[]; client: string; clientIp: string; result: HttpResult }): Verdict {
  const family = familyOf(c.clientIp);
  const inside = c.ranges.some((r) => {
    try {
      return isInCidr(c.clientIp, r);
    } catch {
      return false;
    }
  });
  const object = `${c.service} ingress ${c.ingress.ip} with loadBalancerSourceRanges [${c.ranges.join(', ')}] from ${c.client} (source ${c.clientIp})`;
  const seen = describeHttpOutcome(c.result);
  return inside
    ? verdict(c.result.ok, { object, family, expected: `admitted (HTTP 2xx): ${c.clientIp} is inside the ranges`, seen })
    : verdict(noAnswer(c.result), { object, family, expected: `denied (no answer): ${c.clientIp} is outside every range`, seen });
}

// ---------------------------------------------------------------- dual-stack front, IPv6-only backends

export interface Support {
  supported: boolean;
  reason: string;
}

/**
 * Can a dual-stack LoadBalancer in front of IPv6-only backends serve IPv4 clients here?
 * Only where the cluster is dual-stack: the Service can then be RequireDualStack and
 * kube-proxy sends IPv4 ingress traffic to the backends' IPv4 addresses. On an IPv6-only
 * cluster (pods there have only IPv6) the Service cannot get an IPv4 address at all and
 * nothing in the data path translates IPv4 to IPv6.
 */
export function dualFrontSupport(families: readonly IPFamily[], stack: string): Support {
  if (!families.includes('IPv6')) return { supported: false, reason: `cluster is ${stack}: no IPv6 backends to put a dual-stack front on` };
  if (!families.includes('IPv4')) {
    return {
      supported: false,
      reason:
        `cluster is ${stack}: the profile cannot serve IPv4 clients from IPv6-only backends — the Service CIDRs are IPv6 only, ` +
        'so a LoadBalancer cannot be dual-stack (the API rejects IPv4 in ipFamilies), and neither kube-proxy nor MetalLB L2 translates IPv4 to IPv6 ' +
        '(that needs an LB that proxies, ipMode Proxy, or NAT46 in front of the cluster)',
    };
  }
  return { supported: true, reason: `cluster is ${stack}: RequireDualStack LoadBalancer, IPv4 ingress forwarded by kube-proxy to the backends' IPv4 addresses` };
}
