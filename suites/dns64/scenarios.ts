/**
 * The dns64 scenarios: dig from a pod against a named resolver, judged by the pure
 * verdicts of lib/checks/dns64.ts, retried with the check's own policy. The checks
 * (dns64.test.ts) and the fault tests (disruptive.test.ts, nat64's translator fault) call
 * these same functions, so a fault test proves the check's own path catches its fault.
 */
import {
  clusterNameVerdict,
  cnameSynthesisVerdict,
  IPV4ONLY_ARPA,
  pref64AgreementVerdict,
  pref64DiscoveryVerdict,
  realAaaaVerdict,
  resolverObject,
  synthesisVerdict,
  transportVerdict,
  type Dns64Mode,
  type Resolver,
} from '../../lib/checks/dns64.ts';
import { retryVerdict, type Verdict } from '../../lib/checks/verdict.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import type { Pref64 } from '../../lib/net/rfc6052.ts';
import { dig, type DnsResult, type RecordType } from '../../lib/probes/dns.ts';
import type { PrefixSource } from './common.ts';


function digFrom(r: Resolver, name: string, type: RecordType): Promise<DnsResult> {
  return dig(r.kc, r.client.metadata!.namespace!, r.client.metadata!.name!, name, type, { server: r.server });
}

/** What the agreement check names: the resolver and the comparison. */
export function pref64AgreementObject(r: Resolver): string {
  return resolverObject(r, `Pref64 via ${IPV4ONLY_ARPA} vs the NAT64 translator`);
}

async function discoverOnce(r: Resolver): Promise<{ verdict: Verdict; prefixes: string[] }> {
  return pref64DiscoveryVerdict({ object: resolverObject(r, `AAAA ${IPV4ONLY_ARPA}`), result: await digFrom(r, IPV4ONLY_ARPA, 'AAAA') });
}

/** RFC 7050 discovery through the resolver; also what set-up uses to find the prefix when none is configured. */
export async function pref64Discovery(r: Resolver): Promise<{ verdict: Verdict; prefixes: string[] }> {
  let prefixes: string[] = [];
  const verdict = await retryVerdict(async () => {
    const out = await discoverOnce(r);
    prefixes = out.prefixes;
    return out.verdict;
  }, { attempts: 3 });
  return { verdict, prefixes };
}

/** The prefix DNS64 reveals equals the translator's. */
export function pref64Agreement(r: Resolver, translator: PrefixSource): Promise<Verdict> {
  return retryVerdict(async () => {
    const { prefixes } = await discoverOnce(r);
    return pref64AgreementVerdict({ object: pref64AgreementObject(r), discovered: prefixes, configured: translator.cidr, configuredFrom: translator.from });
  }, { attempts: 3 });
}

/** The IPv4-only name's AAAA is its A records embedded in the prefix. */
export function synthesis(r: Resolver, name: string, pref64: Pref64 | string): Promise<Verdict> {
  return retryVerdict(async () => {
    const [a, aaaa] = [await digFrom(r, name, 'A'), await digFrom(r, name, 'AAAA')];
    return synthesisVerdict({ object: resolverObject(r, `AAAA ${name}`), name, pref64, a, aaaa });
  }, { attempts: 3 });
}

export function realAaaa(r: Resolver, name: string, expected: readonly string[], pref64: Pref64 | string): Promise<Verdict> {
  return retryVerdict(async () => realAaaaVerdict({ object: resolverObject(r, `AAAA ${name}`), name, pref64, expected, aaaa: await digFrom(r, name, 'AAAA') }), { attempts: 3 });
}

export function cnameSynthesis(r: Resolver, alias: string, target: string, pref64: Pref64 | string): Promise<Verdict> {
  return retryVerdict(async () => {
    const [a, aaaa] = [await digFrom(r, target, 'A'), await digFrom(r, alias, 'AAAA')];
    return cnameSynthesisVerdict({ object: resolverObject(r, `AAAA ${alias}`), alias, target, pref64, a, aaaa });
  }, { attempts: 3 });
}

/** Five tries, a second apart: CoreDNS may be slow to answer under load (a new Service's NXDOMAIN is cached: ask late, dns64.test.ts). */
export function clusterName(r: Resolver, name: string, clusterIPs: readonly string[], pref64: Pref64 | string): Promise<Verdict> {
  return retryVerdict(async () => clusterNameVerdict({ object: resolverObject(r, `AAAA ${name}`), name, pref64, clusterIPs, aaaa: await digFrom(r, name, 'AAAA') }), { attempts: 5 });
}

export function queryTransport(r: Resolver, c: { transport: IPFamily; name: string; pref64: Pref64 | string; mode: Dns64Mode; allowIPv4?: boolean }): Promise<Verdict> {
  return retryVerdict(async () => {
    const [a, aaaa] = [await digFrom(r, c.name, 'A'), await digFrom(r, c.name, 'AAAA')];
    return transportVerdict({ object: resolverObject(r, `AAAA ${c.name} over ${c.transport}`), ...c, a, aaaa });
  }, { attempts: 3 });
}
