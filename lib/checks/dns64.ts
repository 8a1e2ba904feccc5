/**
 * DNS64 judgements: Pref64::/n discovery through ipv4only.arpa (RFC 7050), its
 * agreement with the prefix the translator uses, AAAA synthesis per RFC 6052 (and
 * RFC 6147's "no synthesis where a real AAAA exists"), CNAME chains, cluster names,
 * and which query transport gets synthesized answers.
 *
 * Each `…Verdict` is pure (dig results in, Verdict out) and unit-tested; the probes
 * that feed them (dig from a pod against a named resolver, with the checks' retry
 * policy) are the scenarios in suites/dns64/scenarios.ts, which the suite and its fault
 * tests share. Objects name the resolver (`resolver <ip> (…) from pod ns/name on
 * node`) and the name queried.
 */
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { Address6 } from 'ip-address';
import { IPV4ONLY_ARPA_A } from '../edge/dns.ts';
import { normalizeIp, type IPFamily } from '../net/family.ts';
import { embedIPv4, extractIPv4, isInPref64, parsePref64, PREF64_LENGTHS, type Pref64 } from '../net/rfc6052.ts';
import { answersOf, type DnsResult, type RecordType } from '../probes/dns.ts';
import { verdict, type Verdict } from './verdict.ts';
import { lastLine } from './text.ts';

export const IPV4ONLY_ARPA = 'ipv4only.arpa';

// ------------------------------------------------------------------ helpers

function canon(ip: string): string {
  try {
    return normalizeIp(ip);
  } catch {
    return ip.trim();
  }
}

function showSet(values: readonly string[]): string {
  return `{${[...new Set(values.map(canon))].sort().join(', ')}}`;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const A = new Set(a.map(canon));
  const B = new Set(b.map(canon));
  return A.size === B.size && [...A].every((x) => B.has(x));
}

/** `NOERROR, AAAA {…}` / `NOERROR, no AAAA answers` / `no DNS reply (…)`. */
export function describeAnswers(r: DnsResult, type: RecordType): string {
  if (!r.rcode) return `no DNS reply (${lastLine(r.stderr || r.stdout) || `dig exit ${r.exitCode}`})`;
  const got = answersOf(r, type);
  return `${r.rcode}${got.length ? `, ${type} ${showSet(got)}` : `, no ${type} answers`}`;
}

function nameOf(pref64: Pref64 | string): string {
  return typeof pref64 === 'string' ? pref64 : pref64.cidr;
}

function embedded(pref64: Pref64 | string, ipv6: string): string | undefined {
  try {
    return extractIPv4(pref64, ipv6);
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ RFC 7050 discovery

export interface Pref64Candidate {
  /** `Pref64::/n` in RFC 5952 form. */
  cidr: string;
  /** The IPv4 addresses extracted from the answers under this prefix. */
  extracted: string[];
}

/**
 * RFC 7050 §3: the AAAA answers for ipv4only.arpa are 192.0.0.170 and 192.0.0.171
 * embedded in Pref64::/n. For every answer and every RFC 6052 length, the leading bits
 * are taken as the prefix and the IPv4 part extracted; a prefix is discovered when the
 * answers under it extract to exactly those two addresses. Several prefixes can come
 * back (a DNS64 with more than one Pref64); none means the answers are not synthesized.
 */
export function discoverPref64(aaaa: readonly string[]): Pref64Candidate[] {
  const wka = new Set(IPV4ONLY_ARPA_A);
  const byPrefix = new Map<string, Set<string>>();
  for (const addr of aaaa) {
    if (!Address6.isValid(addr) || new Address6(addr).parsedSubnet !== '') continue;
    for (const length of PREF64_LENGTHS) {
      let p: Pref64;
      try {
        p = parsePref64(`${new Address6(`${addr}/${length}`).startAddress().correctForm()}/${length}`);
      } catch {
        continue; // e.g. a non-zero u octet at this length
      }
      const v4 = embedded(p, addr);
      if (!v4 || !wka.has(v4)) continue;
      const set = byPrefix.get(p.cidr) ?? new Set<string>();
      set.add(v4);
      byPrefix.set(p.cidr, set);
    }
  }
  return [...byPrefix]
    .filter(([, s]) => s.size === wka.size)
    .map(([cidr, s]) => ({ cidr, extracted: [...s].sort() }));
}

/** The resolver answers ipv4only.arpa AAAA with synthesized addresses that reveal one Pref64::/n. */
export function pref64DiscoveryVerdict(c: { object: string; result: DnsResult }): { verdict: Verdict; prefixes: string[] } {
  const aaaa = answersOf(c.result, 'AAAA');
  const found = discoverPref64(aaaa);
  const prefixes = found.map((f) => f.cidr);
  const expected = `AAAA ${IPV4ONLY_ARPA} = ${IPV4ONLY_ARPA_A.join(' and ')} embedded in one Pref64::/n (RFC 7050 §3)`;
  const base = describeAnswers(c.result, 'AAAA');
  let seen: string;
  let ok = false;
  if (c.result.rcode !== 'NOERROR' || aaaa.length === 0) {
    seen = `${base}: no synthesis, no Pref64 to discover`;
  } else if (prefixes.length === 0) {
    seen = `${base}: no prefix length in /${PREF64_LENGTHS.join(', /')} extracts exactly ${IPV4ONLY_ARPA_A.join(' and ')}`;
  } else if (prefixes.length > 1) {
    seen = `${base}: several prefixes ${prefixes.join(', ')}`;
  } else {
    ok = true;
    seen = `${base} → Pref64 ${prefixes[0]}`;
  }
  return { verdict: verdict(ok, { object: c.object, family: 'IPv6', expected, seen }), prefixes };
}

/**
 * The prefix DNS64 synthesizes with is the one the translator translates: otherwise
 * clients dial addresses no NAT64 routes. Names both prefixes either way.
 */
export function pref64AgreementVerdict(c: { object: string; discovered: readonly string[]; configured: string; configuredFrom: string }): Verdict {
  let configured: string;
  try {
    configured = parsePref64(c.configured).cidr;
  } catch (err) {
    return verdict(false, { object: c.object, family: 'IPv6', expected: `a valid Pref64::/n from ${c.configuredFrom}`, seen: `${c.configured} (${(err as Error).message})` });
  }
  const discovered = c.discovered.map((p) => parsePref64(p).cidr);
  const ok = discovered.length === 1 && discovered[0] === configured;
  const seen = discovered.length === 0 ? 'DNS64 reveals no Pref64 (ipv4only.arpa not synthesized)' : `DNS64 synthesizes with ${discovered.join(', ')} (via ${IPV4ONLY_ARPA})`;
  return verdict(ok, { object: c.object, family: 'IPv6', expected: `DNS64 prefix = the translator's ${configured} (${c.configuredFrom})`, seen });
}

// ------------------------------------------------------------------ synthesis

/**
 * The IPv4-only name's AAAA answers are its A records embedded in Pref64::/n: every
 * AAAA lies inside the prefix and the extracted IPv4 set equals the A set (RFC 6052 §2.3,
 * RFC 6147 §5.1.7).
 */
export function synthesisVerdict(c: { object: string; name: string; pref64: Pref64 | string; a: DnsResult; aaaa: DnsResult }): Verdict {
  const prefix = nameOf(c.pref64);
  const aRecords = answersOf(c.a, 'A');
  const aaaa = answersOf(c.aaaa, 'AAAA');
  const want = aRecords.length ? aRecords.map((a) => embeddedOrSelf(c.pref64, a)) : [];
  const expected = aRecords.length
    ? `AAAA ${c.name} synthesized in ${prefix} = ${showSet(want)} (A ${showSet(aRecords)} embedded per RFC 6052)`
    : `AAAA ${c.name} synthesized in ${prefix} from its A records`;
  if (c.a.rcode !== 'NOERROR' || aRecords.length === 0) {
    return verdict(false, { object: c.object, family: 'IPv6', expected, seen: `A lookup: ${describeAnswers(c.a, 'A')} (nothing to synthesize from)` });
  }
  const seenAaaa = describeAnswers(c.aaaa, 'AAAA');
  if (c.aaaa.rcode !== 'NOERROR' || aaaa.length === 0) {
    return verdict(false, { object: c.object, family: 'IPv6', expected, seen: `${seenAaaa}: the synthesized AAAA is missing` });
  }
  const outside = aaaa.filter((x) => !isInPref64(c.pref64, x));
  if (outside.length) {
    return verdict(false, { object: c.object, family: 'IPv6', expected, seen: `${seenAaaa}: ${showSet(outside)} outside ${prefix}` });
  }
  const extracted = aaaa.map((x) => embedded(c.pref64, x) ?? `invalid(${x})`);
  const ok = sameSet(extracted, aRecords);
  return verdict(ok, { object: c.object, family: 'IPv6', expected, seen: `${seenAaaa} → embedded IPv4 ${showSet(extracted)}` });
}

function embeddedOrSelf(pref64: Pref64 | string, v4: string): string {
  try {
    return embedIPv4(pref64, v4);
  } catch {
    return v4; // not an IPv4 address: shown as is, the comparison fails on it
  }
}

/**
 * A name with a real AAAA keeps exactly it: DNS64 synthesizes only when there is no
 * AAAA (RFC 6147 §5.1.1).
 */
export function realAaaaVerdict(c: { object: string; name: string; pref64: Pref64 | string; expected: readonly string[]; aaaa: DnsResult }): Verdict {
  const aaaa = answersOf(c.aaaa, 'AAAA');
  const synthesized = aaaa.filter((x) => isInPref64(c.pref64, x));
  const expected = `AAAA ${c.name} = ${showSet(c.expected)} only (real AAAA, no synthesis in ${nameOf(c.pref64)})`;
  const seen = `${describeAnswers(c.aaaa, 'AAAA')}${synthesized.length ? `: ${showSet(synthesized)} synthesized although a real AAAA exists` : ''}`;
  return verdict(c.aaaa.rcode === 'NOERROR' && synthesized.length === 0 && sameSet(aaaa, c.expected), { object: c.object, family: 'IPv6', expected, seen });
}

/**
 * An alias of an IPv4-only name: the answer carries the CNAME and the AAAA synthesized
 * for its target (RFC 6147 §5.1.3), equal to the target's A records embedded.
 */
export function cnameSynthesisVerdict(c: { object: string; alias: string; target: string; pref64: Pref64 | string; a: DnsResult; aaaa: DnsResult }): Verdict {
  const norm = (n: string) => n.trim().toLowerCase().replace(/\.$/, '');
  const cnames = c.aaaa.answers.filter((x) => x.type === 'CNAME');
  const hasChain = cnames.some((x) => norm(x.name) === norm(c.alias) && norm(x.data) === norm(c.target));
  const inner = synthesisVerdict({ object: c.object, name: c.alias, pref64: c.pref64, a: c.a, aaaa: c.aaaa });
  const expected = `CNAME ${c.alias} → ${c.target} plus ${inner.expected.replace(/^AAAA \S+/, `AAAA ${c.target}`)}`;
  const chain = cnames.length ? `CNAME ${cnames.map((x) => `${norm(x.name)} → ${norm(x.data)}`).join(', ')}` : 'no CNAME';
  return verdict(hasChain && inner.ok, { object: c.object, family: 'IPv6', expected, seen: `${chain}; ${inner.seen}` });
}

/**
 * Cluster names are answered by the kubernetes plugin and never synthesized: the AAAA
 * answers are exactly the Service's IPv6 ClusterIPs (none for an IPv4-only Service),
 * and none lies inside Pref64::/n.
 */
export function clusterNameVerdict(c: { object: string; name: string; pref64: Pref64 | string; clusterIPs: readonly string[]; aaaa: DnsResult }): Verdict {
  const aaaa = answersOf(c.aaaa, 'AAAA');
  const synthesized = aaaa.filter((x) => isInPref64(c.pref64, x));
  const expected = c.clusterIPs.length
    ? `AAAA ${c.name} = its ClusterIP ${showSet(c.clusterIPs)}, nothing in ${nameOf(c.pref64)}`
    : `no AAAA for ${c.name} (IPv4-only Service; NOERROR, empty), nothing synthesized in ${nameOf(c.pref64)}`;
  const seen = `${describeAnswers(c.aaaa, 'AAAA')}${synthesized.length ? `: ${showSet(synthesized)} synthesized for a cluster name` : ''}`;
  return verdict(c.aaaa.rcode === 'NOERROR' && synthesized.length === 0 && sameSet(aaaa, c.clusterIPs), { object: c.object, family: 'IPv6', expected, seen });
}

// ------------------------------------------------------------------ query transport

export type Dns64Mode = 'coredns' | 'upstream';

/**
 * Whether a query arriving over `transport` gets synthesized AAAAs. CoreDNS's dns64
 * plugin synthesizes only for queries that reach it over IPv6 unless `allow_ipv4` is
 * set (its README: "allow_ipv4 — allow translating queries if they come in over IPv4,
 * default is IPv6 only translation"); unbound's dns64 module synthesizes whatever the
 * transport (lab-facts), and CoreDNS forwards its AAAA answers untouched.
 */
export function expectSynthesisOver(transport: IPFamily, mode: Dns64Mode, allowIPv4 = false): boolean {
  return transport === 'IPv6' || mode === 'upstream' || allowIPv4;
}

export function transportReason(transport: IPFamily, mode: Dns64Mode, allowIPv4 = false): string {
  if (mode === 'upstream') return 'DNS64 in the upstream resolver (unbound) synthesizes for queries over either family';
  if (transport === 'IPv6') return 'CoreDNS dns64 synthesizes for queries arriving over IPv6';
  return allowIPv4 ? 'CoreDNS dns64 with allow_ipv4 synthesizes for queries over IPv4 too' : 'CoreDNS dns64 without allow_ipv4 leaves queries over IPv4 unsynthesized';
}

/**
 * A query for the IPv4-only name sent to the resolver over `transport`: synthesized
 * (see `synthesisVerdict`) or, where the mode says not, NOERROR with no AAAA at all.
 */
export function transportVerdict(c: {
  object: string;
  transport: IPFamily;
  name: string;
  pref64: Pref64 | string;
  mode: Dns64Mode;
  allowIPv4?: boolean;
  a: DnsResult;
  aaaa: DnsResult;
}): Verdict {
  const why = transportReason(c.transport, c.mode, c.allowIPv4);
  if (expectSynthesisOver(c.transport, c.mode, c.allowIPv4)) {
    const v = synthesisVerdict({ object: c.object, name: c.name, pref64: c.pref64, a: c.a, aaaa: c.aaaa });
    return verdict(v.ok, { object: c.object, family: c.transport, expected: `${v.expected} (${why})`, seen: v.seen });
  }
  const aaaa = answersOf(c.aaaa, 'AAAA');
  return verdict(c.aaaa.rcode === 'NOERROR' && aaaa.length === 0, {
    object: c.object,
    family: c.transport,
    expected: `no AAAA for ${c.name} (NOERROR, empty: ${why})`,
    seen: describeAnswers(c.aaaa, 'AAAA'),
  });
}

// ------------------------------------------------------------------ who is asked

/** A pod to query from and the resolver to ask (`dig @server`). */
export interface Resolver {
  kc: KubeConfig;
  client: V1Pod;
  /** The resolver's address. */
  server: string;
  /** How messages name it, e.g. `kube-dns ClusterIP fd00:10:96::a`. */
  label: string;
}

export function resolverObject(r: Resolver, what: string): string {
  const pod = r.client;
  return `resolver ${r.label} from pod ${pod.metadata?.namespace ?? '?'}/${pod.metadata?.name ?? '?'}${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ''}: ${what}`;
}
