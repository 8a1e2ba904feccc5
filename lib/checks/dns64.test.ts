import { describe, expect, test } from 'vitest';
import type { DnsAnswer, DnsResult } from '../probes/dns.ts';
import {
  clusterNameVerdict,
  cnameSynthesisVerdict,
  discoverPref64,
  expectSynthesisOver,
  pref64AgreementVerdict,
  pref64DiscoveryVerdict,
  realAaaaVerdict,
  synthesisVerdict,
  transportVerdict,
} from './dns64.ts';

const OBJ = 'resolver kube-dns ClusterIP fd00:10:96::a from pod ns/client on w1: AAAA origin.lab.test';

/** `rcode` null: dig got no reply at all. */
function dns(answers: [name: string, type: string, data: string][], rcodeOrNone: string | null = 'NOERROR'): DnsResult {
  const rcode = rcodeOrNone ?? undefined;
  const list: DnsAnswer[] = answers.map(([name, type, data]) => ({ name, type, data }));
  return { ok: rcode === 'NOERROR', from: 'ns/client', target: 'x', command: ['dig'], exitCode: rcode ? 0 : 9, stdout: '', stderr: rcode ? '' : ';; connection timed out; no servers could be reached', rcode, answers: list };
}

const aaaa = (name: string, ...ips: string[]) => dns(ips.map((ip) => [`${name}.`, 'AAAA', ip]));
const a = (name: string, ...ips: string[]) => dns(ips.map((ip) => [`${name}.`, 'A', ip]));

describe('discoverPref64 (RFC 7050 §3)', () => {
  test('well-known /96 from the two synthesized answers', () => {
    expect(discoverPref64(['64:ff9b::c000:aa', '64:ff9b::c000:ab'])).toEqual([{ cidr: '64:ff9b::/96', extracted: ['192.0.0.170', '192.0.0.171'] }]);
  });

  test.each([
    ['2001:db8::/32', ['2001:db8:c000:aa::', '2001:db8:c000:ab::']],
    ['2001:db8:100::/40', ['2001:db8:1c0:0:aa::', '2001:db8:1c0:0:ab::']],
    ['2001:db8:122::/48', ['2001:db8:122:c000:0:aa00::', '2001:db8:122:c000:0:ab00::']],
    ['2001:db8:122:300::/56', ['2001:db8:122:3c0:0:aa:0:0', '2001:db8:122:3c0:0:ab:0:0']],
    ['2001:db8:122:344::/64', ['2001:db8:122:344:c0:0:aa00:0', '2001:db8:122:344:c0:0:ab00:0']],
    ['fd00:64:ff9b::/96', ['fd00:64:ff9b::c000:aa', 'fd00:64:ff9b::c000:ab']],
  ])('every RFC 6052 length: %s', (cidr, answers) => {
    expect(discoverPref64(answers).map((c) => c.cidr)).toEqual([cidr]);
  });

  test('one of the two, unrelated and real AAAAs reveal nothing', () => {
    expect(discoverPref64(['64:ff9b::c000:aa'])).toEqual([]);
    expect(discoverPref64(['2001:db8:64::10', 'fd00:10:96::1'])).toEqual([]);
    expect(discoverPref64(['not-an-address'])).toEqual([]);
  });

  test('two prefixes, each with both addresses, are both reported', () => {
    const got = discoverPref64(['64:ff9b::c000:aa', '64:ff9b::c000:ab', 'fd00:64::c000:aa', 'fd00:64::c000:ab']).map((c) => c.cidr);
    expect(got.sort()).toEqual(['64:ff9b::/96', 'fd00:64::/96']);
  });
});

describe('pref64 verdicts', () => {
  test('discovery passes with one prefix and says which', () => {
    const { verdict, prefixes } = pref64DiscoveryVerdict({ object: OBJ, result: aaaa('ipv4only.arpa', '64:ff9b::c000:aa', '64:ff9b::c000:ab') });
    expect(verdict.ok).toBe(true);
    expect(prefixes).toEqual(['64:ff9b::/96']);
    expect(verdict.message).toContain('→ Pref64 64:ff9b::/96');
  });

  test('discovery fails without synthesis, naming the resolver', () => {
    const { verdict } = pref64DiscoveryVerdict({ object: OBJ, result: dns([]) });
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toContain('resolver kube-dns ClusterIP fd00:10:96::a');
    expect(verdict.message).toContain('[IPv6]');
    expect(verdict.message).toContain('saw NOERROR, no AAAA answers: no synthesis');
  });

  test('agreement names both prefixes when they differ', () => {
    const v = pref64AgreementVerdict({ object: OBJ, discovered: ['2001:db8:64ff::/96'], configured: '64:ff9b::/96', configuredFrom: 'EdgeInfo.pref64' });
    expect(v.ok).toBe(false);
    expect(v.message).toContain("expected DNS64 prefix = the translator's 64:ff9b::/96 (EdgeInfo.pref64)");
    expect(v.message).toContain('saw DNS64 synthesizes with 2001:db8:64ff::/96');
  });

  test('agreement normalizes the prefixes before comparing', () => {
    expect(pref64AgreementVerdict({ object: OBJ, discovered: ['64:ff9b:0::/96'], configured: '0064:ff9b::/96', configuredFrom: 'x' }).ok).toBe(true);
    expect(pref64AgreementVerdict({ object: OBJ, discovered: [], configured: '64:ff9b::/96', configuredFrom: 'x' }).ok).toBe(false);
  });
});

describe('synthesisVerdict', () => {
  const A = a('origin.lab.test', '100.64.10.10');
  test('AAAA = the A record embedded in the prefix', () => {
    const v = synthesisVerdict({ object: OBJ, name: 'origin.lab.test', pref64: '64:ff9b::/96', a: A, aaaa: aaaa('origin.lab.test', '64:ff9b::6440:a0a') });
    expect(v.ok).toBe(true);
    expect(v.message).toContain('embedded IPv4 {100.64.10.10}');
  });

  test('missing AAAA (dns64 removed) names the resolver and the missing AAAA', () => {
    const v = synthesisVerdict({ object: OBJ, name: 'origin.lab.test', pref64: '64:ff9b::/96', a: A, aaaa: dns([]) });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('resolver kube-dns ClusterIP fd00:10:96::a');
    expect(v.message).toContain('expected AAAA origin.lab.test synthesized in 64:ff9b::/96 = {64:ff9b::6440:a0a}');
    expect(v.message).toContain('saw NOERROR, no AAAA answers: the synthesized AAAA is missing');
  });

  test('AAAA in another prefix, or embedding another IPv4, fails', () => {
    const other = synthesisVerdict({ object: OBJ, name: 'origin.lab.test', pref64: '64:ff9b::/96', a: A, aaaa: aaaa('origin.lab.test', '2001:db8:64ff::6440:a0a') });
    expect(other.ok).toBe(false);
    expect(other.message).toContain('outside 64:ff9b::/96');
    const wrong = synthesisVerdict({ object: OBJ, name: 'origin.lab.test', pref64: '64:ff9b::/96', a: A, aaaa: aaaa('origin.lab.test', '64:ff9b::6440:a0b') });
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toContain('embedded IPv4 {100.64.10.11}');
  });

  test('no A record, or no reply, is not a pass', () => {
    expect(synthesisVerdict({ object: OBJ, name: 'x', pref64: '64:ff9b::/96', a: dns([], 'NXDOMAIN'), aaaa: dns([], 'NXDOMAIN') }).message).toContain('nothing to synthesize from');
    const v = synthesisVerdict({ object: OBJ, name: 'x', pref64: '64:ff9b::/96', a: A, aaaa: dns([], null) });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('no DNS reply (;; connection timed out');
  });

  test('non-/96 prefixes go through RFC 6052 extraction', () => {
    const v = synthesisVerdict({ object: OBJ, name: 'n', pref64: '2001:db8:122::/48', a: a('n', '192.0.2.33'), aaaa: aaaa('n', '2001:db8:122:c000:2:2100::') });
    expect(v.ok).toBe(true);
  });
});

describe('real AAAA, CNAME and cluster names', () => {
  test('a real AAAA is kept and nothing is synthesized', () => {
    expect(realAaaaVerdict({ object: OBJ, name: 'dual.lab.test', pref64: '64:ff9b::/96', expected: ['2001:db8:64::10'], aaaa: aaaa('dual.lab.test', '2001:db8:64::10') }).ok).toBe(true);
    const v = realAaaaVerdict({ object: OBJ, name: 'dual.lab.test', pref64: '64:ff9b::/96', expected: ['2001:db8:64::10'], aaaa: aaaa('dual.lab.test', '2001:db8:64::10', '64:ff9b::6440:a0a') });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('{64:ff9b::6440:a0a} synthesized although a real AAAA exists');
  });

  test('CNAME chain plus synthesized AAAA', () => {
    const chain = dns([
      ['alias.lab.test.', 'CNAME', 'origin.lab.test.'],
      ['origin.lab.test.', 'AAAA', '64:ff9b::6440:a0a'],
    ]);
    const c = { object: OBJ, alias: 'alias.lab.test', target: 'origin.lab.test', pref64: '64:ff9b::/96', a: a('origin.lab.test', '100.64.10.10') };
    expect(cnameSynthesisVerdict({ ...c, aaaa: chain }).ok).toBe(true);
    const noChain = cnameSynthesisVerdict({ ...c, aaaa: aaaa('alias.lab.test', '64:ff9b::6440:a0a') });
    expect(noChain.ok).toBe(false);
    expect(noChain.message).toContain('saw no CNAME');
    const noAaaa = cnameSynthesisVerdict({ ...c, aaaa: dns([['alias.lab.test.', 'CNAME', 'origin.lab.test.']]) });
    expect(noAaaa.ok).toBe(false);
    expect(noAaaa.message).toContain('the synthesized AAAA is missing');
  });

  test('cluster names: real ClusterIP only, never a synthesized one', () => {
    expect(clusterNameVerdict({ object: OBJ, name: 'kubernetes.default.svc.cluster.local', pref64: '64:ff9b::/96', clusterIPs: ['fd00:10:96::1'], aaaa: aaaa('k', 'fd00:10:96::1') }).ok).toBe(true);
    expect(clusterNameVerdict({ object: OBJ, name: 'v4.ns.svc.cluster.local', pref64: '64:ff9b::/96', clusterIPs: [], aaaa: dns([]) }).ok).toBe(true);
    const v = clusterNameVerdict({ object: OBJ, name: 'v4.ns.svc.cluster.local', pref64: '64:ff9b::/96', clusterIPs: [], aaaa: aaaa('v4', '64:ff9b::a60:a45') });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('synthesized for a cluster name');
  });
});

describe('query transport', () => {
  test('which transports get synthesis', () => {
    expect(expectSynthesisOver('IPv6', 'coredns')).toBe(true);
    expect(expectSynthesisOver('IPv4', 'coredns')).toBe(false);
    expect(expectSynthesisOver('IPv4', 'coredns', true)).toBe(true);
    expect(expectSynthesisOver('IPv4', 'upstream')).toBe(true);
  });

  const base = { object: OBJ, name: 'origin.lab.test', pref64: '64:ff9b::/96', a: a('origin.lab.test', '100.64.10.10') };
  test('coredns over IPv4: an empty answer passes, a synthesized one fails', () => {
    expect(transportVerdict({ ...base, transport: 'IPv4', mode: 'coredns', aaaa: dns([]) }).ok).toBe(true);
    const v = transportVerdict({ ...base, transport: 'IPv4', mode: 'coredns', aaaa: aaaa('origin.lab.test', '64:ff9b::6440:a0a') });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('[IPv4]: expected no AAAA for origin.lab.test (NOERROR, empty: CoreDNS dns64 without allow_ipv4');
  });

  test('upstream over IPv4: synthesis required', () => {
    expect(transportVerdict({ ...base, transport: 'IPv4', mode: 'upstream', aaaa: aaaa('origin.lab.test', '64:ff9b::6440:a0a') }).ok).toBe(true);
    const v = transportVerdict({ ...base, transport: 'IPv4', mode: 'upstream', aaaa: dns([]) });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('unbound');
  });
});
