import { describe, expect, test } from 'vitest';
import type { V1Service } from '@kubernetes/client-node';
import type { DnsResult } from '../probes/dns.ts';
import type { DownloadResult, HttpResult } from '../probes/http.ts';
import type { UdpResult } from '../probes/udp.ts';
import { describeHttpOutcome } from './text.ts';
import { parsePingCounts, type PingResult } from '../probes/ping.ts';
import {
  clientIpVerdict,
  pingVerdict,
  downloadVerdict,
  headlessDnsVerdict,
  httpVerdict,
  ptrVerdict,
  serviceDnsVerdict,
  serviceIPsOf,
  udpVerdict,
} from './connectivity.ts';

const V6_URL = 'http://[fd00:10:244:2::7]:8080/hostname';
const obj = 'pod ns/echo-0 on w1 → pod ns/echo-1 on w2';

function http(over: Partial<HttpResult>): HttpResult {
  return { ok: true, from: 'ns/echo-0', target: V6_URL, family: 'IPv6', command: [], exitCode: 0, stdout: '', stderr: '', status: 200, body: '', ...over };
}

function dns(rcode: string | undefined, answers: [string, string][]): DnsResult {
  return {
    ok: rcode === 'NOERROR',
    from: 'ns/client',
    target: 'q',
    command: [],
    exitCode: rcode ? 0 : 9,
    stdout: '',
    stderr: rcode ? '' : ';; connection timed out; no servers could be reached',
    rcode,
    answers: answers.map(([type, data]) => ({ name: 'x.', type, data })),
  };
}

const dualSvc: V1Service = {
  metadata: { namespace: 'ns', name: 'echo' },
  spec: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'], clusterIP: '10.96.3.4', clusterIPs: ['10.96.3.4', 'fd00:10:96::3:4'] },
};
const downgraded: V1Service = {
  metadata: { namespace: 'ns', name: 'echo' },
  spec: { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], clusterIP: '10.96.3.4', clusterIPs: ['10.96.3.4'] },
};
const FQDN = 'echo.ns.svc.cluster.local';

describe('describeHttpOutcome', () => {
  test('names refusals, timeouts and resets with curl’s own words', () => {
    const refused = http({ ok: false, exitCode: 7, status: undefined, stderr: "curl: (7) Failed to connect to fd00:10:244:2::7 port 8080 after 0 ms: Couldn't connect to server\n" });
    expect(describeHttpOutcome(refused)).toMatch(/^connection refused \(curl exit 7: curl: \(7\) Failed to connect to fd00:10:244:2::7 port 8080/);
    expect(describeHttpOutcome(http({ ok: false, exitCode: 28, stderr: 'curl: (28) Connection timed out after 3001 milliseconds' }))).toMatch(/^timeout/);
    expect(describeHttpOutcome(http({ ok: false, exitCode: 7, stderr: 'curl: (7) Failed to connect to x port 80: No route to host' }))).toMatch(/^no route to host/);
    expect(describeHttpOutcome(http({ ok: false, exitCode: 56, stderr: 'curl: (56) Recv failure: Connection reset by peer' }))).toMatch(/^connection reset/);
    expect(describeHttpOutcome(http({ status: 503, body: 'nope' }))).toBe('HTTP 503 body "nope"');
  });
});

describe('httpVerdict', () => {
  test('passes on 200 with the expected hostname', () => {
    const v = httpVerdict({ object: obj, family: 'IPv6', result: http({ body: 'echo-1' }), expectBody: ['echo-1'] });
    expect(v.ok).toBe(true);
  });
  test('failure names peers, family, expectation and what happened', () => {
    const v = httpVerdict({
      object: obj,
      family: 'IPv6',
      result: http({ ok: false, exitCode: 7, status: undefined, stderr: "curl: (7) Failed to connect to fd00:10:244:2::7 port 8080 after 1 ms: Couldn't connect to server" }),
      expectBody: ['echo-1'],
    });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('pod ns/echo-0 on w1 → pod ns/echo-1 on w2 [IPv6]');
    expect(v.message).toContain('expected HTTP 2xx with body "echo-1"');
    expect(v.message).toContain('saw connection refused');
  });
  test('a wrong backend is a failure', () => {
    expect(httpVerdict({ object: obj, family: 'IPv6', result: http({ body: 'someone-else' }), expectBody: ['echo-1'] }).seen).toBe('HTTP 200 body "someone-else"');
  });
  test('an IPv4 target in an IPv6 check is a harness bug, not a pass', () => {
    const v = httpVerdict({ object: obj, family: 'IPv6', result: http({ family: 'IPv4', body: 'echo-1' }), expectBody: ['echo-1'] });
    expect(v.ok).toBe(false);
    expect(v.seen).toContain('IPv4');
  });
});

describe('clientIpVerdict', () => {
  test('compares the source address as addresses, not strings', () => {
    const ok = clientIpVerdict({ object: obj, family: 'IPv6', result: http({ body: '[fd00:10:244:1:0::5]:43210' }), expectedIp: 'fd00:10:244:1::5' });
    expect(ok.ok).toBe(true);
    const nat = clientIpVerdict({ object: obj, family: 'IPv4', result: http({ target: 'http://10.244.2.7:8080/clientip', family: 'IPv4', body: '172.18.0.3:5000' }), expectedIp: '10.244.1.5' });
    expect(nat.ok).toBe(false);
    expect(nat.message).toContain('expected source address 10.244.1.5');
    expect(nat.message).toContain('saw source 172.18.0.3:5000');
  });
});

describe('udpVerdict', () => {
  const udp = (reply: string, exitCode = 0): UdpResult => ({ ok: !!reply, from: 'ns/a', target: 'udp://[fd00::7]:8081', family: 'IPv6', command: [], exitCode, stdout: reply, stderr: '', reply });
  test('echo must come back verbatim', () => {
    expect(udpVerdict({ object: obj, family: 'IPv6', result: udp('tok'), expectReply: 'tok' }).ok).toBe(true);
    const v = udpVerdict({ object: obj, family: 'IPv6', result: udp('', 1), expectReply: 'tok' });
    expect(v.ok).toBe(false);
    expect(v.seen).toMatch(/^no reply \(timeout or ICMP unreachable/);
  });
});

describe('downloadVerdict', () => {
  const served = { bytes: 131072, sha256: 'a'.repeat(64) };
  const dl = (bytes: number, sha256: string | undefined, ok = true, exitCode = 0): DownloadResult => ({
    result: { ok, from: 'ns/a', target: V6_URL, family: 'IPv6', command: [], exitCode, stdout: '', stderr: ok ? '' : 'curl: (28) Operation timed out after 20000 milliseconds with 65160 bytes received' },
    status: ok ? 200 : undefined,
    bytes,
    sha256,
  });
  test('all bytes, same content', () => {
    expect(downloadVerdict({ object: obj, family: 'IPv6', download: dl(131072, 'a'.repeat(64)), served }).ok).toBe(true);
  });
  test('a stalled transfer reports how far it got', () => {
    const v = downloadVerdict({ object: obj, family: 'IPv6', download: dl(65160, 'b'.repeat(64), false, 28), served });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('expected 131072 bytes');
    expect(v.message).toContain('saw 65160 bytes');
    expect(v.message).toContain('timeout');
  });
  test('same size, different content', () => {
    expect(downloadVerdict({ object: obj, family: 'IPv6', download: dl(131072, 'c'.repeat(64)), served }).seen).toContain('content differs');
  });
});

describe('serviceDnsVerdict', () => {
  test('AAAA equals the IPv6 ClusterIP (compared as addresses)', () => {
    const v = serviceDnsVerdict({ service: dualSvc, fqdn: FQDN, family: 'IPv6', intended: ['IPv4', 'IPv6'], result: dns('NOERROR', [['AAAA', 'fd00:10:96:0::3:4']]) });
    expect(v.ok).toBe(true);
  });
  test('an extra or missing address fails', () => {
    const v = serviceDnsVerdict({ service: dualSvc, fqdn: FQDN, family: 'IPv4', intended: ['IPv4', 'IPv6'], result: dns('NOERROR', [['A', '10.96.3.4'], ['A', '10.96.9.9']]) });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('expected A echo.ns.svc.cluster.local = {10.96.3.4}');
  });
  test('a Service that lost its IPv6 ClusterIP fails the AAAA check even though DNS matches it', () => {
    const v = serviceDnsVerdict({ service: downgraded, fqdn: FQDN, family: 'IPv6', intended: ['IPv4', 'IPv6'], result: dns('NOERROR', []) });
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^Service ns\/echo AAAA echo\.ns\.svc\.cluster\.local \[IPv6\]: expected AAAA answers = the Service's IPv6 ClusterIP/);
    expect(v.message).toContain('ipFamilyPolicy SingleStack');
    expect(v.message).toContain('no AAAA answers');
  });
  test('an IPv4-only Service must have no AAAA at all', () => {
    const ok = serviceDnsVerdict({ service: downgraded, fqdn: FQDN, family: 'IPv6', intended: ['IPv4'], result: dns('NOERROR', []) });
    expect(ok.ok).toBe(true);
    const bad = serviceDnsVerdict({ service: downgraded, fqdn: FQDN, family: 'IPv6', intended: ['IPv4'], result: dns('NOERROR', [['AAAA', 'fd00::1']]) });
    expect(bad.ok).toBe(false);
    expect(bad.expected).toBe(`no AAAA answers for ${FQDN} (NOERROR, empty)`);
    const nx = serviceDnsVerdict({ service: downgraded, fqdn: FQDN, family: 'IPv6', intended: ['IPv4'], result: dns('NXDOMAIN', []) });
    expect(nx.ok).toBe(false);
  });
  test('a cached answer shows its remaining TTL', () => {
    const r = dns('NOERROR', [['AAAA', 'fd00:10:96::3:4']]);
    r.answers[0]!.ttl = 27;
    const v = serviceDnsVerdict({ service: downgraded, fqdn: FQDN, family: 'IPv6', intended: ['IPv4', 'IPv6'], result: r });
    expect(v.seen).toContain('DNS: NOERROR, AAAA {fd00:10:96::3:4} (TTL 27s)');
  });
  test('no reply at all says so', () => {
    const v = serviceDnsVerdict({ service: dualSvc, fqdn: FQDN, family: 'IPv6', intended: ['IPv6'], result: dns(undefined, []) });
    expect(v.seen).toMatch(/^no DNS reply \(;; connection timed out/);
  });
  test('serviceIPsOf filters by family and skips None', () => {
    expect(serviceIPsOf(dualSvc, 'IPv6')).toEqual(['fd00:10:96::3:4']);
    expect(serviceIPsOf({ spec: { clusterIP: 'None', clusterIPs: ['None'] } }, 'IPv4')).toEqual([]);
  });
});

describe('headlessDnsVerdict', () => {
  const svc: V1Service = { metadata: { namespace: 'ns', name: 'echo-headless' }, spec: { clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4', 'IPv6'] } };
  const pods = [
    { pod: 'ns/s-0', ips: ['10.244.1.5', 'fd00:10:244:1::5'] },
    { pod: 'ns/s-1', ips: ['10.244.2.6', 'fd00:10:244:2::6'] },
  ];
  test('records equal the pod IPs of that family', () => {
    const r = dns('NOERROR', [['AAAA', 'fd00:10:244:2::6'], ['AAAA', 'fd00:10:244:1::5']]);
    expect(headlessDnsVerdict({ service: svc, fqdn: 'echo-headless.ns.svc.cluster.local', family: 'IPv6', intended: ['IPv4', 'IPv6'], pods, result: r }).ok).toBe(true);
  });
  test('a missing pod fails, naming the pods', () => {
    const r = dns('NOERROR', [['A', '10.244.1.5']]);
    const v = headlessDnsVerdict({ service: svc, fqdn: 'echo-headless.ns.svc.cluster.local', family: 'IPv4', intended: ['IPv4', 'IPv6'], pods, result: r });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('pods ns/s-0, ns/s-1');
    expect(v.message).toContain('{10.244.1.5, 10.244.2.6}');
  });
});

describe('ptrVerdict', () => {
  test('PTR of the ClusterIP is the Service FQDN', () => {
    expect(ptrVerdict({ service: dualSvc, ip: 'fd00:10:96::3:4', fqdn: FQDN, result: dns('NOERROR', [['PTR', `${FQDN}.`]]) }).ok).toBe(true);
    const v = ptrVerdict({ service: dualSvc, ip: 'fd00:10:96::3:4', fqdn: FQDN, result: dns('NXDOMAIN', []) });
    expect(v.ok).toBe(false);
    expect(v.message).toBe(`Service ns/echo PTR fd00:10:96::3:4 [IPv6]: expected PTR ${FQDN}., saw NXDOMAIN, no PTR answers`);
  });
});

describe('pingVerdict', () => {
  const ping = (over: Partial<PingResult>): PingResult => ({ ok: true, from: 'ns/c', target: 'fd00::5', family: 'IPv6', command: [], exitCode: 0, stdout: '', stderr: '', sent: 3, received: 3, ...over });
  const c = { object: 'pod ns/c on w1 → pod ns/s on w2 (ping fd00::5)', family: 'IPv6' as const };
  test('every request answered passes', () => {
    expect(pingVerdict({ ...c, result: ping({}) })).toMatchObject({ ok: true, seen: '3 of 3 ICMPv6 echo replies' });
  });
  test('lost replies fail naming the pair, the family and the count', () => {
    const v = pingVerdict({ ...c, result: ping({ ok: false, exitCode: 1, received: 0 }) });
    expect(v.failures).toEqual([{ object: c.object, family: 'IPv6', expected: 'ICMPv6 echo replies to every request', seen: '0 of 3 ICMPv6 echo replies' }]);
  });
  test('a ping that did not run says so; a probe of the other family is refused', () => {
    expect(pingVerdict({ ...c, result: ping({ ok: false, exitCode: 2, sent: 0, received: 0, stderr: 'ping: socket: Operation not permitted' }) }).seen).toBe('ping did not run (exit 2: ping: socket: Operation not permitted)');
    expect(pingVerdict({ ...c, result: ping({ family: 'IPv4' }) }).seen).toBe('the probe dialled IPv4');
  });
  test('counts from iputils output', () => {
    expect(parsePingCounts('3 packets transmitted, 2 received, 33.3333% packet loss, time 402ms')).toEqual({ sent: 3, received: 2 });
    expect(parsePingCounts('')).toEqual({ sent: 0, received: 0 });
  });
});
