import { describe, expect, test } from 'vitest';
import type { PathResult } from '../probes/http-path.ts';
import type { UdpResult } from '../probes/udp.ts';
import { clientHost, egressSeenAs, MIN_BULK_BYTES, nat64BulkVerdict, nat64HttpVerdict, nat64ReachVerdict, nat64UdpVerdict, nativeIPv4Verdict, nativeIPv6UdpVerdict, nativeIPv6Verdict } from './nat64.ts';

const OBJ = 'pod ns/client-0 on kind-worker → http://[64:ff9b::6440:a0a]:80/clientip';
const SYNTH = '64:ff9b::6440:a0a';

function path(p: Partial<PathResult>): PathResult {
  return {
    ok: true,
    from: 'ns/client-0',
    target: `http://[${SYNTH}]:80/clientip`,
    family: 'IPv6',
    command: ['sh'],
    exitCode: 0,
    stdout: '',
    stderr: '',
    status: 200,
    body: '100.64.10.2:40000',
    bytes: 17,
    localIp: 'fd00:10:244:1::5',
    remoteIp: SYNTH,
    ...p,
  };
}

const timeout = path({ ok: false, exitCode: 28, status: undefined, body: '', bytes: 0, localIp: undefined, remoteIp: undefined, stderr: 'curl: (28) Failed to connect to 64:ff9b::6440:a0a port 80 after 2001 ms: Timeout was reached' });

describe('nat64HttpVerdict', () => {
  const c = { object: OBJ, pref64: '64:ff9b::/96', translatorV4: '100.64.10.2' };
  test('through the prefix, origin sees the translator', () => {
    const v = nat64HttpVerdict({ ...c, result: path({}) });
    expect(v.ok).toBe(true);
    expect(v.message).toContain(`via ${SYNTH} from fd00:10:244:1::5`);
  });
  test('translator down: names pod, node, target and family', () => {
    const v = nat64HttpVerdict({ ...c, result: timeout });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('pod ns/client-0 on kind-worker → http://[64:ff9b::6440:a0a]:80/clientip [IPv6]');
    expect(v.message).toContain('saw timeout (curl exit 28');
  });
  test('another client address, or a path outside the prefix, fails', () => {
    expect(nat64HttpVerdict({ ...c, result: path({ body: '100.64.10.3:40000' }) }).ok).toBe(false);
    const v = nat64HttpVerdict({ ...c, result: path({ remoteIp: '2001:db8::1' }) });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('NAT64 not used');
  });
  test('no route: curl exit 7 with "No route to host"', () => {
    const v = nat64HttpVerdict({ ...c, result: path({ ok: false, exitCode: 7, status: undefined, stderr: 'curl: (7) Failed to connect to 64:ff9b::6440:a0a port 80: No route to host' }) });
    expect(v.message).toContain('saw no route to host (curl exit 7');
  });
});

describe('nat64UdpVerdict', () => {
  const udp = (reply: string, exitCode = 0): UdpResult => ({ ok: exitCode === 0 && !!reply, from: 'ns/c', target: `udp://[${SYNTH}]:8081`, family: 'IPv6', command: [], exitCode, stdout: reply, stderr: '', reply });
  test('clientip reply is the translator', () => {
    expect(nat64UdpVerdict({ object: OBJ, result: udp('100.64.10.2:5555'), translatorV4: '100.64.10.2' }).ok).toBe(true);
    expect(nat64UdpVerdict({ object: OBJ, result: udp('100.64.10.9:5555'), translatorV4: '100.64.10.2' }).ok).toBe(false);
    const v = nat64UdpVerdict({ object: OBJ, result: udp('', 1), translatorV4: '100.64.10.2' });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('saw no reply within the timeout (nc exit 1)');
  });
});

describe('nat64BulkVerdict', () => {
  const served = { bytes: 2 * 1024 * 1024, sha256: 'f'.repeat(64) };
  const c = { object: OBJ, pref64: '64:ff9b::/96', served };
  test('whole body through the prefix', () => {
    expect(nat64BulkVerdict({ ...c, result: path({ bytes: served.bytes, sha256: served.sha256 }) }).ok).toBe(true);
  });
  test('short body, other content or a small file fail', () => {
    const short = nat64BulkVerdict({ ...c, result: path({ bytes: 65536, sha256: 'a'.repeat(64) }) });
    expect(short.ok).toBe(false);
    expect(short.message).toContain('saw 65536 bytes');
    expect(nat64BulkVerdict({ ...c, result: path({ bytes: served.bytes, sha256: 'a'.repeat(64) }) }).message).toContain('content differs');
    const small = nat64BulkVerdict({ ...c, served: { bytes: MIN_BULK_BYTES - 1 }, result: path({ bytes: MIN_BULK_BYTES - 1 }) });
    expect(small.ok).toBe(false);
    expect(small.message).toContain('not a large transfer');
  });
  test('a timeout mid-transfer says how much arrived', () => {
    const v = nat64BulkVerdict({ ...c, result: path({ ok: false, exitCode: 28, bytes: 1000, stderr: 'curl: (28) Operation timed out' }) });
    expect(v.message).toContain('saw 1000 bytes');
    expect(v.message).toContain('timeout');
  });
});

describe('nativeIPv4Verdict', () => {
  const c = { object: 'pod ns/c on w → http://100.64.10.10:80/clientip', originV4: '100.64.10.10', podV4: '10.244.1.5' };
  const native = path({ target: 'http://100.64.10.10:80/clientip', family: 'IPv4', localIp: '10.244.1.5', remoteIp: '100.64.10.10' });
  test('IPv4 literal, IPv4 both ends', () => {
    expect(nativeIPv4Verdict({ ...c, result: native }).ok).toBe(true);
  });
  test('a probe that dialled a name or IPv6 fails', () => {
    const v = nativeIPv4Verdict({ ...c, result: { ...native, family: 'IPv6' } });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('not the IPv4 literal');
    expect(nativeIPv4Verdict({ ...c, result: { ...native, localIp: '10.244.9.9' } }).ok).toBe(false);
  });
});

describe('nat64ReachVerdict and clientHost', () => {
  test('any HTTP status through the prefix counts; a failure does not', () => {
    expect(nat64ReachVerdict({ object: OBJ, pref64: '64:ff9b::/96', result: path({ status: 404, ok: false }) }).ok).toBe(true);
    expect(nat64ReachVerdict({ object: OBJ, pref64: '64:ff9b::/96', result: timeout }).ok).toBe(false);
  });
  test('clientHost parses ip:port forms', () => {
    expect(clientHost('100.64.10.2:40000')).toBe('100.64.10.2');
    expect(clientHost('[64:ff9b::1]:80')).toBe('64:ff9b::1');
    expect(clientHost('garbage')).toBeUndefined();
  });
});

describe('native IPv6 egress', () => {
  const origin6 = '2001:db8:1:5::10';
  const source = { podIPv6: 'fd00:10:244:1::5', node: 'kind-worker', nodeIPv6: ['fc00:f853:ccd:e793::3'] };
  const ok = path({ target: `http://[${origin6}]:80/clientip`, remoteIp: origin6, body: '[fd00:10:244:1::5]:41000' });
  const c = { object: `pod ns/client-0 on kind-worker → http://[${origin6}]:80/clientip`, origin6, source };

  test('the pod itself or its node, said which', () => {
    expect(egressSeenAs('fd00:10:244:1::5', source)).toMatch(/pod's own address fd00:10:244:1::5 \(not masqueraded/);
    expect(egressSeenAs('fc00:f853:ccd:e793:0::3', source)).toMatch(/node kind-worker's address fc00:f853:ccd:e793::3 \(masqueraded/);
    expect(egressSeenAs('fc00:f853:ccd:e793::2', source)).toBeUndefined();
  });
  test('pod source, direct to the origin: passes and records the pod', () => {
    const v = nativeIPv6Verdict({ ...c, result: ok });
    expect(v.ok).toBe(true);
    expect(v.seen).toContain("the origin saw the pod's own address fd00:10:244:1::5");
  });
  test('masqueraded to the node: passes and says so', () => {
    const v = nativeIPv6Verdict({ ...c, result: { ...ok, body: '[fc00:f853:ccd:e793::3]:41000' } });
    expect(v.ok).toBe(true);
    expect(v.seen).toContain('masqueraded by the CNI');
  });
  test('another node as source fails naming expected and seen', () => {
    const v = nativeIPv6Verdict({ ...c, result: { ...ok, body: '[fc00:f853:ccd:e793::2]:41000' } });
    expect(v.ok).toBe(false);
    expect(v.failures[0]).toMatchObject({ family: 'IPv6', object: c.object });
    expect(v.expected).toContain("its node kind-worker's [fc00:f853:ccd:e793::3]");
    expect(v.seen).toContain('"[fc00:f853:ccd:e793::2]:41000"');
  });
  test('a synthesized address is not native', () => {
    const v = nativeIPv6Verdict({ ...c, result: { ...ok, remoteIp: SYNTH } });
    expect(v.ok).toBe(false);
    expect(v.seen).toContain(`connected to ${SYNTH}, not the origin`);
  });
  test('timeout names the failure', () => {
    const v = nativeIPv6Verdict({ ...c, result: timeout });
    expect(v.ok).toBe(false);
    expect(v.seen).toMatch(/^timeout \(curl exit 28/);
  });
  test('UDP: reply judged like HTTP, silence named', () => {
    const u = (reply: string, exitCode = 0): UdpResult => ({ ok: !!reply, from: 'ns/client-0', target: `[${origin6}]:8081`, family: 'IPv6', command: ['sh'], exitCode, stdout: reply, stderr: '', reply });
    expect(nativeIPv6UdpVerdict({ object: 'o', source, result: u('[fd00:10:244:1::5]:5000') }).ok).toBe(true);
    const silent = nativeIPv6UdpVerdict({ object: 'o', source, result: u('', 1) });
    expect(silent.ok).toBe(false);
    expect(silent.seen).toMatch(/^no reply within the timeout/);
  });
});
