/**
 * The nat64 scenarios: the same probe from every client pod (one per worker), each
 * judged by the pure verdicts of lib/checks/nat64.ts with the check's own retries, and
 * judged together. The checks (nat64.test.ts) and the fault tests (disruptive.test.ts) call
 * these same functions, so a fault test proves the check's own path catches its fault.
 */
import {
  clientObject,
  nat64BulkVerdict,
  nat64HttpVerdict,
  nat64ReachVerdict,
  nat64UdpVerdict,
  nativeIPv4Verdict,
  nativeIPv6UdpVerdict,
  nativeIPv6Verdict,
  udpTarget,
  type BulkExpectation,
  type Client,
  type EgressSource,
} from '../../lib/checks/nat64.ts';
import { all, retryVerdict, type CheckFamily, type Verdict } from '../../lib/checks/verdict.ts';
import { familyOf, isIp } from '../../lib/net/family.ts';
import type { Pref64 } from '../../lib/net/rfc6052.ts';
import { httpGetPath } from '../../lib/probes/http-path.ts';
import { udpExchange } from '../../lib/probes/udp.ts';

/** The fleet's verdict, plus each pod's: reports show every pod, fault tests tell the broken node from the rest. */
export interface FleetVerdict extends Verdict {
  perPod: Verdict[];
}

async function fromEveryPod(clients: readonly Client[], what: string, family: CheckFamily, probe: (c: Client) => Promise<Verdict>): Promise<FleetVerdict> {
  const perPod = await Promise.all(clients.map(probe));
  const v = all(perPod, `${what} from ${clients.length} pods (one per worker)`, family);
  return { ...v, attempts: Math.max(1, ...perPod.map((p) => p.attempts ?? 1)), perPod };
}

function at(c: Client): [string, string] {
  return [c.pod.metadata!.namespace!, c.pod.metadata!.name!];
}

/** HTTP GET /clientip over IPv6 (a name resolved to IPv6 only, or a literal): through the prefix, the origin sees the translator. */
export function nat64Http(clients: readonly Client[], url: string, e: { pref64: Pref64 | string; translatorV4: string }): Promise<FleetVerdict> {
  return fromEveryPod(clients, `HTTP ${url}`, 'IPv6', (c) =>
    retryVerdict(async () => nat64HttpVerdict({ object: clientObject(c, url), result: await httpGetPath(c.kc, ...at(c), url, { ipFamily: 'IPv6', timeoutS: 3 }), ...e }), { attempts: 2 }),
  );
}

/** netexec's UDP clientip through the translator. */
export function nat64Udp(clients: readonly Client[], ip: string, port: number, e: { translatorV4: string }): Promise<FleetVerdict> {
  return fromEveryPod(clients, `UDP [${ip}]:${port}`, 'IPv6', (c) =>
    retryVerdict(async () => nat64UdpVerdict({ object: clientObject(c, udpTarget(ip, port)), result: await udpExchange(c.kc, ...at(c), ip, port, 'clientip', 2), ...e }), { attempts: 3 }),
  );
}

/** The origin's bulk file through the translator, whole. */
export function nat64Bulk(clients: readonly Client[], url: string, e: { pref64: Pref64 | string; served: BulkExpectation }): Promise<FleetVerdict> {
  return fromEveryPod(clients, `HTTP ${url}`, 'IPv6', (c) =>
    retryVerdict(async () => nat64BulkVerdict({ object: clientObject(c, url), result: await httpGetPath(c.kc, ...at(c), url, { ipFamily: 'IPv6', timeoutS: 3, maxTimeS: 30 }), ...e }), { attempts: 2 }),
  );
}

/** A dual-stack pod dials the origin's IPv4 literal from its own IPv4: native, no translator. */
export function nativeIPv4(clients: readonly Client[], url: string, originV4: string): Promise<FleetVerdict> {
  return fromEveryPod(clients, `HTTP ${url}`, 'IPv4', (c) => {
    const podV4 = (c.pod.status?.podIPs ?? []).map((p) => p.ip).find((ip): ip is string => !!ip && isIp(ip) && familyOf(ip) === 'IPv4');
    return retryVerdict(async () => nativeIPv4Verdict({ object: clientObject(c, url), result: await httpGetPath(c.kc, ...at(c), url, { timeoutS: 3 }), originV4, podV4 }), { attempts: 2 });
  });
}

/** Per client pod (by name): the sources its native IPv6 egress may show (itself or its node). */
export type EgressSources = ReadonlyMap<string, EgressSource>;

function sourceOf(c: Client, sources: EgressSources): EgressSource {
  return sources.get(c.pod.metadata!.name!) ?? { node: c.pod.spec?.nodeName ?? '?', nodeIPv6: [] };
}

/** HTTP /clientip over IPv6 to the IPv6 world's origin (literal, or a name with a real AAAA): no translator on the path. */
export function nativeIPv6Http(clients: readonly Client[], url: string, origin6: string, sources: EgressSources): Promise<FleetVerdict> {
  return fromEveryPod(clients, `HTTP ${url}`, 'IPv6', (c) =>
    retryVerdict(async () => nativeIPv6Verdict({ object: clientObject(c, url), result: await httpGetPath(c.kc, ...at(c), url, { ipFamily: 'IPv6', timeoutS: 3 }), origin6, source: sourceOf(c, sources) }), { attempts: 2 }),
  );
}

/** netexec's UDP clientip on the IPv6 world's origin. */
export function nativeIPv6Udp(clients: readonly Client[], ip: string, port: number, sources: EgressSources): Promise<FleetVerdict> {
  return fromEveryPod(clients, `UDP [${ip}]:${port}`, 'IPv6', (c) =>
    retryVerdict(async () => nativeIPv6UdpVerdict({ object: clientObject(c, udpTarget(ip, port)), result: await udpExchange(c.kc, ...at(c), ip, port, 'clientip', 2), source: sourceOf(c, sources) }), { attempts: 3 }),
  );
}

/** An existing cluster's --nat64-target answers through the prefix. */
export function nat64Reach(clients: readonly Client[], url: string, pref64: Pref64 | string): Promise<FleetVerdict> {
  return fromEveryPod(clients, `HTTP ${url}`, 'IPv6', (c) =>
    retryVerdict(async () => nat64ReachVerdict({ object: clientObject(c, url), result: await httpGetPath(c.kc, ...at(c), url, { ipFamily: 'IPv6', timeoutS: 5 }), pref64 }), { attempts: 2 }),
  );
}
