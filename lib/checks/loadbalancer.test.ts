import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import type { HttpResult } from '../probes/http.ts';
import {
  checkIngressFamilies,
  checkIngressReachable,
  describeTimeline,
  dualFrontSupport,
  expectedFamilies,
  ingressPoints,
  lbCaseSkipReason,
  lbMatrix,
  poolHint,
  poolInfo,
  sourcePreservedVerdict,
  sourceRangeVerdict,
  type IngressTimeline,
} from './loadbalancer.ts';

const svc = (families: string[], ingress: { ip?: string; ipMode?: string; hostname?: string }[], policy = 'RequireDualStack'): V1Service => ({
  metadata: { namespace: 'ns', name: 'lb' },
  spec: { type: 'LoadBalancer', ipFamilyPolicy: policy, ipFamilies: families },
  status: { loadBalancer: { ingress } },
});

const timeline = (s: V1Service, firstSeenMs: IngressTimeline['firstSeenMs'], waitedMs = 1500): IngressTimeline => ({ service: s, firstSeenMs, waitedMs, intervalMs: 200 });

const http = (over: Partial<HttpResult>): HttpResult => ({ ok: false, from: 'x', target: 'u', command: [], exitCode: 0, stdout: '', stderr: '', body: '', ...over });
const ok200 = (body: string) => http({ ok: true, status: 200, body });
const timeout = http({ exitCode: 28, stderr: 'curl: (28) Connection timed out' });

describe('matrix', () => {
  test('policy × family order: six cases, tags and requests', () => {
    const m = lbMatrix();
    expect(m.map((c) => [c.label, c.tag, c.request.join(',')])).toEqual([
      ['SingleStack IPv4', 'IPv4', 'IPv4'],
      ['SingleStack IPv6', 'IPv6', 'IPv6'],
      ['PreferDualStack IPv4-first', 'dual', 'IPv4'],
      ['PreferDualStack IPv6-first', 'dual', 'IPv6'],
      ['RequireDualStack IPv4,IPv6', 'dual', 'IPv4,IPv6'],
      ['RequireDualStack IPv6,IPv4', 'dual', 'IPv6,IPv4'],
    ]);
    // The key is the label as an id segment: gate files name checks by it.
    expect(m.map((c) => c.key)).toEqual(m.map((c) => c.label.toLowerCase().replace(/[^a-z0-9]+/g, '-')));
  });

  test('skip reasons and expected families per cluster', () => {
    const [s4, s6, p4, p6, r46] = lbMatrix();
    expect(lbCaseSkipReason(s4!, ['IPv6'], 'ipv6')).toMatch(/cluster is ipv6: no IPv4/);
    expect(lbCaseSkipReason(s6!, ['IPv6'], 'ipv6')).toBeUndefined();
    expect(lbCaseSkipReason(r46!, ['IPv6'], 'ipv6')).toMatch(/no IPv4/);
    expect(expectedFamilies(p6!, ['IPv6'])).toEqual(['IPv6']);
    expect(expectedFamilies(p6!, ['IPv4', 'IPv6'])).toEqual(['IPv6', 'IPv4']);
    expect(expectedFamilies(p4!, ['IPv4', 'IPv6'])).toEqual(['IPv4', 'IPv6']);
    expect(expectedFamilies(r46!, ['IPv4', 'IPv6'])).toEqual(['IPv4', 'IPv6']);
  });
});

describe('ingress families', () => {
  test('one IP per family passes; timeline reported', () => {
    const s = svc(['IPv6', 'IPv4'], [{ ip: '172.18.255.208', ipMode: 'VIP' }, { ip: 'fc00:f853:ccd:e793:ffff:ffff:ffff:ffd0', ipMode: 'VIP' }]);
    const t = timeline(s, { IPv4: 800, IPv6: 1040 });
    const v = checkIngressFamilies(t);
    expect(v.ok).toBe(true);
    expect(describeTimeline(t)).toBe('IPv6 fc00:f853:ccd:e793:ffff:ffff:ffff:ffd0 after 1.0 s, IPv4 172.18.255.208 after 0.8 s');
    expect(ingressPoints(s).map((p) => p.family)).toEqual(['IPv4', 'IPv6']);
  });

  test('a pending family is named with the wait', () => {
    const s = svc(['IPv4', 'IPv6'], [{ ip: '172.18.255.208' }]);
    const v = checkIngressFamilies(timeline(s, { IPv4: 500 }, 45_000));
    expect(v.ok).toBe(false);
    expect(v.message).toContain('Service ns/lb type LoadBalancer (ipFamilyPolicy RequireDualStack, ipFamilies [IPv4, IPv6]) [dual]');
    expect(v.message).toContain('IPv6 pending after 45.0 s (no ingress IP of that family)');
  });

  test("a controller's refusal that ended the watch is quoted after the pending family", () => {
    const t = { ...timeline(svc(['IPv6'], [], 'SingleStack'), {}, 4_100), refused: 'MetalLB AllocationFailed: Failed to allocate IP for "ns/lb": no available IPs' };
    expect(checkIngressFamilies(t).message).toContain('IPv6 pending after 4.1 s (no ingress IP of that family); MetalLB AllocationFailed: Failed to allocate IP for "ns/lb": no available IPs');
  });

  test('foreign family, duplicates and a bad ipMode fail', () => {
    expect(checkIngressFamilies(timeline(svc(['IPv6'], [{ ip: '172.18.255.208' }], 'SingleStack'), {})).ok).toBe(false);
    expect(checkIngressFamilies(timeline(svc(['IPv6'], [{ ip: 'fd00::1' }, { ip: 'fd00::2' }], 'SingleStack'), {})).ok).toBe(false);
    expect(checkIngressFamilies(timeline(svc(['IPv6'], [{ ip: 'fd00::1', ipMode: 'Magic' }], 'SingleStack'), {})).ok).toBe(false);
    expect(checkIngressFamilies(timeline(svc(['IPv6'], [{ hostname: 'lb.example' }], 'SingleStack'), {})).ok).toBe(false);
    expect(checkIngressFamilies(timeline(svc(['IPv6'], [{ ip: 'fd00::1', ipMode: 'Proxy' }], 'SingleStack'), {})).ok).toBe(true);
  });
});

describe('reachability and source ranges', () => {
  const ing = { ip: 'fd00::ffd0', family: 'IPv6' as const, ipMode: 'VIP' };

  test('ingress reachable from a backend', () => {
    const probe = { ingress: ing, client: 'outside container c', url: 'http://[fd00::ffd0]:8080/hostname', expectBody: ['s0'] };
    expect(checkIngressReachable('Service ns/lb', 'IPv6', [{ ...probe, result: ok200('s0') }]).ok).toBe(true);
    const v = checkIngressReachable('Service ns/lb', 'IPv6', [{ ...probe, result: timeout }]);
    expect(v.message).toContain('Service ns/lb ingress fd00::ffd0 (ipMode VIP) from outside container c (http://[fd00::ffd0]:8080/hostname) [IPv6]: expected HTTP 2xx from a backend (s0), saw timeout');
    expect(checkIngressReachable('s', 'IPv6', []).ok).toBe(false);
  });

  test('externalTrafficPolicy Local: /clientip must be the client itself', () => {
    const base = { service: 'Service ns/lbl', ingress: ing, client: 'outside container c', clientIp: 'fc00:f853:ccd:e793:0::c', url: 'http://[fd00::ffd0]:8080/clientip' };
    expect(sourcePreservedVerdict({ ...base, result: ok200('[fc00:f853:ccd:e793::c]:5555') }).ok).toBe(true);
    const v = sourcePreservedVerdict({ ...base, result: ok200('[fd00:10:244:1::1]:5555') });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('[IPv6]: expected HTTP 2xx with /clientip = the client\'s own IPv6 address fc00:f853:ccd:e793::c (source preserved), saw HTTP 200 /clientip fd00:10:244:1::1');
    expect(sourcePreservedVerdict({ ...base, result: timeout }).seen).toMatch(/^timeout \(curl exit 28/);
  });

  test('admit inside the range, deny outside', () => {
    const base = { service: 'Service ns/lb', ingress: ing, client: 'outside container c', clientIp: 'fc00:f853:ccd:e793::c' };
    expect(sourceRangeVerdict({ ...base, ranges: ['fc00:f853:ccd:e793::c/128'], result: ok200('s0') }).ok).toBe(true);
    const admitFail = sourceRangeVerdict({ ...base, ranges: ['fc00:f853:ccd:e793::c/128'], result: timeout });
    expect(admitFail.ok).toBe(false);
    expect(admitFail.message).toContain('[IPv6]: expected admitted (HTTP 2xx): fc00:f853:ccd:e793::c is inside the ranges, saw timeout');
    expect(sourceRangeVerdict({ ...base, ranges: ['2001:db8::/64'], result: timeout }).ok).toBe(true);
    const denyFail = sourceRangeVerdict({ ...base, ranges: ['2001:db8::/64'], result: ok200('s0') });
    expect(denyFail.ok).toBe(false);
    expect(denyFail.message).toContain('expected denied (no answer): fc00:f853:ccd:e793::c is outside every range, saw HTTP 200');
  });
});

describe('dual-stack front on IPv6-only backends', () => {
  test('plain reasons per profile', () => {
    expect(dualFrontSupport(['IPv4', 'IPv6'], 'dual').supported).toBe(true);
    const v6 = dualFrontSupport(['IPv6'], 'ipv6');
    expect(v6.supported).toBe(false);
    expect(v6.reason).toMatch(/cluster is ipv6: the profile cannot serve IPv4 clients from IPv6-only backends/);
    expect(dualFrontSupport(['IPv4'], 'ipv4').reason).toMatch(/no IPv6 backends/);
  });
});

describe('MetalLB pool hints', () => {
  const v4 = poolInfo({ metadata: { name: 'v6e2e-ipv4' }, spec: { addresses: ['172.18.255.208-172.18.255.239'] } });
  const v6 = poolInfo({ metadata: { name: 'v6e2e-ipv6' }, spec: { addresses: ['fc00:f853:ccd:e793:ffff:ffff:ffff:ffd0-fc00:f853:ccd:e793:ffff:ffff:ffff:ffef'] } });
  const both = poolInfo({ metadata: { name: 'dual' }, spec: { addresses: ['10.0.0.0/28', 'fd00::/124'] } });

  test('families of pools', () => {
    expect(v4.families).toEqual(['IPv4']);
    expect(v6.families).toEqual(['IPv6']);
    expect(both.families).toEqual(['IPv4', 'IPv6']);
  });

  test('single-family pools cannot serve a dual-stack Service; a missing family is named', () => {
    expect(poolHint([v4, v6], ['IPv4', 'IPv6'])).toMatch(/one IPAddressPool, and no pool holds both IPv4 and IPv6 \(pools: v6e2e-ipv4 \(IPv4\), v6e2e-ipv6 \(IPv6\)\)/);
    expect(poolHint([v4, v6, both], ['IPv4', 'IPv6'])).toBeUndefined();
    expect(poolHint([v4], ['IPv6'])).toMatch(/no IPAddressPool with IPv6 addresses/);
    expect(poolHint([v4, v6], ['IPv6'])).toBeUndefined();
  });

  test('the hint is appended to a failing ingress verdict only', () => {
    const pending = checkIngressFamilies(timeline(svc(['IPv4', 'IPv6'], []), {}, 30_000), 'HINT');
    expect(pending.seen).toContain('IPv4, IPv6 pending after 30.0 s');
    expect(pending.seen).toContain('; HINT');
    expect(checkIngressFamilies(timeline(svc(['IPv6'], [{ ip: 'fd00::1' }], 'SingleStack'), { IPv6: 100 }), 'HINT').seen).not.toContain('HINT');
  });
});
