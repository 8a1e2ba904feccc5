import { describe, expect, test } from 'vitest';
import type { DownloadResult } from '../probes/http.ts';
import { parseTooBig } from '../probes/ping.ts';
import type { UdpResult } from '../probes/udp.ts';
import { blackHoleHint, largeHttpVerdict, largeUdpVerdict, pathMtuVerdict, payloadOf, searchPathMtu, stalledAfterConnect, type PmtuProbe } from './mtu.ts';

const obj = 'pod ns/client on w1 → Service ns/big ClusterIP';

function download(over: Partial<DownloadResult['result']>, bytes: number, sha256?: string, status?: number): DownloadResult {
  return { result: { ok: true, from: 'ns/client', target: 'http://[fd00::1]:8080/echo', family: 'IPv6', command: [], exitCode: 0, stdout: '', stderr: '', ...over }, bytes, sha256, status };
}

function udp(reply: string, exitCode = 0): UdpResult {
  return { ok: reply.length > 0, from: 'ns/client', target: 'udp://[fd00::1]:8081', family: 'IPv6', command: [], exitCode, stdout: reply, stderr: '', reply };
}

/** A path that passes up to `mtu` and, above it, answers as `above` says. */
function path(mtu: number, above: (size: number) => PmtuProbe['tooBig'] = () => undefined, local = 1500) {
  const seen: number[] = [];
  const probe = async (size: number): Promise<PmtuProbe> => {
    seen.push(size);
    if (size > local) return { size, passed: false, tooBig: { mtu: local, local: true } };
    return size <= mtu ? { size, passed: true } : { size, passed: false, tooBig: above(size) };
  };
  return { probe, seen };
}

describe('large payloads', () => {
  const sent = payloadOf('a'.repeat(8192));

  test('payloadOf counts bytes and hashes them', () => {
    expect(payloadOf('abc')).toEqual({ bytes: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' });
  });

  test('an HTTP body echoed whole passes', () => {
    expect(largeHttpVerdict({ object: obj, family: 'IPv6', sent, download: download({}, sent.bytes, sent.sha256, 200) }).ok).toBe(true);
  });

  test('a transfer that stalls after connecting is called a black hole, in the family vocabulary', () => {
    const d = download({ ok: false, exitCode: 28, stderr: 'curl: (28) Operation timed out after 10002 milliseconds with 0 bytes received' }, 0);
    expect(stalledAfterConnect(d)).toBe(true);
    const v = largeHttpVerdict({ object: obj, family: 'IPv6', sent, download: d });
    expect(v.ok).toBe(false);
    expect(v.expected).toContain('8192 bytes, sha256 ');
    expect(v.seen).toContain('stalled after connecting, consistent with a path-MTU black hole (ICMPv6 Packet Too Big filtered?)');
    expect(blackHoleHint('IPv4')).toContain('ICMP Fragmentation Needed');
  });

  test('a connect timeout is not a stall', () => {
    const d = download({ ok: false, exitCode: 28, stderr: 'curl: (28) Connection timed out after 5001 milliseconds' }, 0);
    const v = largeHttpVerdict({ object: obj, family: 'IPv6', sent, download: d });
    expect(v.ok).toBe(false);
    expect(v.seen).not.toContain('black hole');
  });

  test('a short or altered HTTP body fails', () => {
    const other = payloadOf('b'.repeat(8192));
    const v = largeHttpVerdict({ object: obj, family: 'IPv6', sent, download: download({}, other.bytes, other.sha256, 200) });
    expect(v.ok).toBe(false);
    expect(v.seen).toContain('content differs');
  });

  test('UDP: the whole datagram echoed passes; none or a truncated one fails', () => {
    const token = 'x'.repeat(1995);
    const want = payloadOf(token);
    expect(largeUdpVerdict({ object: obj, family: 'IPv6', result: udp(token), sent: want, datagramBytes: 2000 }).ok).toBe(true);
    const none = largeUdpVerdict({ object: obj, family: 'IPv6', result: udp(''), sent: want, datagramBytes: 2000 });
    expect(none.ok).toBe(false);
    expect(none.expected).toBe(`the 2000-byte datagram echoed whole (1995 bytes, sha256 ${want.sha256.slice(0, 12)}…)`);
    expect(none.seen).toBe('no reply (nc exit 0)');
    const cut = largeUdpVerdict({ object: obj, family: 'IPv6', result: udp(token.slice(0, 1000)), sent: want, datagramBytes: 2000 });
    expect(cut.ok).toBe(false);
    expect(cut.seen).toContain('reply of 1000 bytes');
  });
});

describe('path MTU search', () => {
  test('finds the largest passing size, narrowing on a local too-big error', async () => {
    const p = path(1500);
    const s = await searchPathMtu(1200, 9000, p.probe);
    expect(s.largest).toBe(1500);
    expect(s.probes.length).toBeLessThanOrEqual(15);
  });

  test('finds a lower MTU behind a silent drop, and behind a router that says so', async () => {
    expect((await searchPathMtu(1200, 9000, path(1299).probe)).largest).toBe(1299);
    const told = await searchPathMtu(1200, 9000, path(1400, () => ({ mtu: 1400, local: false })).probe);
    expect(told.largest).toBe(1400);
  });

  test('stops at once when even the floor fails', async () => {
    const s = await searchPathMtu(1200, 9000, path(1000).probe);
    expect(s.largest).toBeUndefined();
    expect(s.probes).toHaveLength(1);
  });
});

describe('pathMtuVerdict', () => {
  const object = 'pod ns/client on w1 → pod ns/server on w2 (ping -M do fd00::2)';

  test('passes when the path MTU is the interface MTU, and says what it found', async () => {
    const search = await searchPathMtu(1200, 9000, path(1500).probe);
    const v = pathMtuVerdict({ object, family: 'IPv6', interfaceMtu: 1500, search });
    expect(v.ok).toBe(true);
    expect(v.expected).toBe('path MTU = the pod interface MTU 1500 (≥ 1280, the IPv6 minimum)');
    expect(v.seen).toMatch(/^path MTU 1500 \(largest ICMPv6 echo passing with fragmentation forbidden; \d+ probes\)$/);
  });

  test('a silent loss below the interface MTU is reported as a black hole', async () => {
    const search = await searchPathMtu(1200, 9000, path(1299).probe);
    const v = pathMtuVerdict({ object, family: 'IPv6', interfaceMtu: 1500, search });
    expect(v.ok).toBe(false);
    expect(v.seen).toContain('path MTU 1299 ');
    expect(v.seen).toContain('consistent with a path-MTU black hole (ICMPv6 Packet Too Big filtered?)');
  });

  test('a router reporting a smaller MTU is named, not called a black hole', async () => {
    const search = await searchPathMtu(1200, 9000, path(1400, () => ({ mtu: 1400, local: false })).probe);
    const v = pathMtuVerdict({ object, family: 'IPv4', interfaceMtu: 1500, search });
    expect(v.ok).toBe(false);
    expect(v.seen).toContain('ICMP too-big error reported mtu 1400');
    expect(v.seen).not.toContain('black hole');
  });

  test('IPv6 below 1280 fails even when it matches the interface', async () => {
    const search = await searchPathMtu(1000, 9000, path(1250, undefined, 1250).probe);
    expect(pathMtuVerdict({ object, family: 'IPv6', interfaceMtu: 1250, search }).ok).toBe(false);
    expect(pathMtuVerdict({ object, family: 'IPv4', interfaceMtu: 1250, search }).ok).toBe(true);
  });

  test('an unreadable interface MTU or a dead path fails', async () => {
    const search = await searchPathMtu(1200, 9000, path(1000).probe);
    expect(pathMtuVerdict({ object, family: 'IPv6', interfaceMtu: undefined, search }).seen).toContain('could not read');
    expect(pathMtuVerdict({ object, family: 'IPv6', interfaceMtu: 1500, search }).seen).toContain('not even a 1200-byte ICMPv6 echo passed');
  });
});

describe('parseTooBig', () => {
  test('local and remote too-big errors of both ping families', () => {
    expect(parseTooBig('ping: local error: message too long, mtu: 1500')).toEqual({ mtu: 1500, local: true });
    expect(parseTooBig('local error: message too long, mtu=1500')).toEqual({ mtu: 1500, local: true });
    expect(parseTooBig('From 10.0.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)')).toEqual({ mtu: 1400, local: false });
    expect(parseTooBig('From fd00::1 icmp_seq=1 Packet too big: mtu=1400')).toEqual({ mtu: 1400, local: false });
    expect(parseTooBig('1 packets transmitted, 0 received')).toBeUndefined();
  });
});
