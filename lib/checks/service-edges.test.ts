import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import type { ConnectResult } from '../probes/connect.ts';
import type { HttpResult } from '../probes/http.ts';
import { hairpinSourceVerdict, nodeTargets, tcpRejectedVerdict, udpRejectedVerdict } from './service-edges.ts';
import { httpFailureKind } from './text.ts';

const obj = 'pod ns/hairpin on w1 → its own Service ns/hairpin ClusterIP';

function http(over: Partial<HttpResult>): HttpResult {
  return { ok: true, from: 'ns/hairpin', target: 'u', command: [], exitCode: 0, stdout: '', stderr: '', status: 200, body: '', ...over };
}

const refused = http({ ok: false, exitCode: 7, status: undefined, stderr: "curl: (7) Failed to connect to 10.96.0.9 port 8080 after 0 ms: Couldn't connect to server" });
const timedOut = http({ ok: false, exitCode: 28, status: undefined, stderr: 'curl: (28) Failed to connect to fd00:10:96::9 port 8080 after 2001 ms: Timeout was reached' });
const noRoute = http({ ok: false, exitCode: 7, status: undefined, stderr: 'curl: (7) Failed to connect to 10.96.0.9 port 8080: No route to host' });

describe('hairpinSourceVerdict', () => {
  test('a masqueraded source of the family passes', () => {
    const v = hairpinSourceVerdict({ object: obj, family: 'IPv6', ownIp: 'fd00:10:244:1::4', result: http({ body: '[fd00:10:244:1::1]:28525' }) });
    expect(v.ok).toBe(true);
    expect(v.seen).toBe('source [fd00:10:244:1::1]:28525');
  });

  test('its own IP (any spelling) fails: not masqueraded', () => {
    const v = hairpinSourceVerdict({ object: obj, family: 'IPv6', ownIp: 'fd00:10:244:1::4', result: http({ body: '[fd00:10:244:1:0:0:0:4]:1234' }) });
    expect(v.ok).toBe(false);
    expect(v.failures[0]).toMatchObject({ object: obj, family: 'IPv6', expected: 'an IPv6 source other than its own fd00:10:244:1::4 (hairpin traffic is masqueraded)' });
    expect(v.seen).toContain('its own IP (not masqueraded)');
  });

  test('a source of the other family fails', () => {
    const v = hairpinSourceVerdict({ object: obj, family: 'IPv6', ownIp: 'fd00:10:244:1::4', result: http({ body: '10.244.1.1:80' }) });
    expect(v.ok).toBe(false);
    expect(v.seen).toBe('source 10.244.1.1, an IPv4 address');
  });

  test('no answer and a garbled body fail with what was seen', () => {
    expect(hairpinSourceVerdict({ object: obj, family: 'IPv4', ownIp: '10.244.1.4', result: timedOut }).seen).toMatch(/^timeout \(curl exit 28/);
    expect(hairpinSourceVerdict({ object: obj, family: 'IPv4', ownIp: '10.244.1.4', result: http({ body: 'hello' }) }).seen).toContain('not ip:port');
  });
});

describe('tcpRejectedVerdict', () => {
  const c = { object: 'pod ns/c on w1 → Service ns/none ClusterIP', family: 'IPv4' as const, boundS: 2 };

  test('connection refused passes', () => {
    const v = tcpRejectedVerdict({ ...c, result: refused });
    expect(v.ok).toBe(true);
    expect(v.expected).toBe('connection refused within 2 s (TCP rejected, not black-holed)');
  });

  test('a timeout is a black hole, named with the bound', () => {
    const v = tcpRejectedVerdict({ ...c, result: timedOut });
    expect(v.ok).toBe(false);
    expect(v.failures[0]!.seen).toMatch(/^timeout after 2 s: black-holed \(curl exit 28: curl: \(28\) .*after 2001 ms/);
  });

  test('an answer or another error fails', () => {
    expect(tcpRejectedVerdict({ ...c, result: http({ body: 'x' }) })).toMatchObject({ ok: false, seen: 'HTTP 200 body "x"' });
    expect(tcpRejectedVerdict({ ...c, result: noRoute }).seen).toMatch(/^no route to host/);
  });
});

function connect(over: Partial<ConnectResult>): ConnectResult {
  return { ok: false, from: 'ns/c', target: 'udp://10.96.0.9:8081', command: [], exitCode: 1, stdout: '', stderr: '', protocol: 'udp', timeoutS: 2, outcome: 'refused', detail: '', ...over };
}

describe('udpRejectedVerdict', () => {
  const c = { object: 'pod ns/c on w1 → Service ns/none ClusterIP 10.96.0.9 udp port 8081', family: 'IPv4' as const };

  test('REFUSED (port unreachable) passes', () => {
    expect(udpRejectedVerdict({ ...c, result: connect({ detail: 'REFUSED: read udp …: connection refused' }) }).ok).toBe(true);
  });

  test('TIMEOUT is a black hole', () => {
    const v = udpRejectedVerdict({ ...c, result: connect({ outcome: 'timeout', detail: 'TIMEOUT: i/o timeout' }) });
    expect(v.ok).toBe(false);
    expect(v.failures[0]).toMatchObject({ expected: 'connection refused within 2 s (UDP rejected, not black-holed)' });
    expect(v.seen).toMatch(/^timeout after 2 s: no reply and no ICMP error, black-holed/);
  });

  test('a reply, or a probe that did not run, fails', () => {
    expect(udpRejectedVerdict({ ...c, result: connect({ outcome: 'connected', exitCode: 0 }) }).seen).toContain('something answers');
    expect(udpRejectedVerdict({ ...c, result: connect({ outcome: 'probe-failed', exitCode: -1, detail: 'exec failed' }) }).seen).toBe('probe could not run (exec failed)');
  });
});

function node(name: string, addresses: [string, string][], cp = false): V1Node {
  return {
    metadata: { name, labels: cp ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
    status: { addresses: addresses.map(([type, address]) => ({ type, address })) },
  };
}

describe('nodeTargets', () => {
  const nodes = [
    node('cp', [['InternalIP', 'fc00::4'], ['InternalIP', '172.18.0.4']], true),
    node('w1', [['InternalIP', 'fc00::3'], ['InternalIP', '172.18.0.3'], ['Hostname', 'w1']]),
    node('w2', [['InternalIP', 'fc00::2'], ['InternalIP', '172.18.0.2']]),
  ];

  test("the client's node first, then another worker (not the control plane)", () => {
    expect(nodeTargets(nodes, 'w1', 'IPv4')).toEqual([
      { node: 'w1', address: '172.18.0.3', own: true },
      { node: 'w2', address: '172.18.0.2', own: false },
    ]);
  });

  test('the control plane when it is the only other node; nothing of a family no node has', () => {
    expect(nodeTargets(nodes.slice(0, 2), 'w1', 'IPv6')).toEqual([
      { node: 'w1', address: 'fc00::3', own: true },
      { node: 'cp', address: 'fc00::4', own: false },
    ]);
    expect(nodeTargets([node('w1', [['InternalIP', '172.18.0.3']])], 'w1', 'IPv6')).toEqual([]);
  });
});

describe('httpFailureKind', () => {
  test('classifies as describeHttpOutcome words it', () => {
    expect(httpFailureKind(refused)).toBe('connection refused');
    expect(httpFailureKind(timedOut)).toBe('timeout');
    expect(httpFailureKind(noRoute)).toBe('no route to host');
    expect(httpFailureKind(http({}))).toBeUndefined();
    expect(httpFailureKind(http({ exitCode: -1 }))).toBeUndefined();
  });
});
