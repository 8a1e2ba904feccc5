import { describe, expect, test } from 'vitest';
import type { UdpResult } from '../probes/udp.ts';
import { checkUdpAnswers, udpAnswerVerdict, type UdpAddressProbe } from './udp-service.ts';

const udp = (over: Partial<UdpResult>): UdpResult => ({ ok: true, from: 'x', target: 'udp://[fc00::3]:31000', command: [], exitCode: 0, stdout: '', stderr: '', reply: 'server-0', ...over });
const probe = (result: UdpResult, reachable: boolean | undefined = true): UdpAddressProbe => ({
  object: 'Service ns/np-udp NodePort 31000/udp on node w1 InternalIP fc00::3',
  family: 'IPv6',
  expect: { reachable, why: 'nodePortAddresses unset' },
  result,
  backends: ['server-0', 'server-1'],
});

describe('udpAnswerVerdict', () => {
  test("a backend's name passes", () => {
    expect(udpAnswerVerdict(probe(udp({}))).ok).toBe(true);
  });
  test('no reply fails with the expected backends and the nc outcome', () => {
    const v = udpAnswerVerdict(probe(udp({ ok: false, reply: '', exitCode: 1 })));
    expect(v.ok).toBe(false);
    expect(v.expected).toBe('UDP reply one of [server-0, server-1] (nodePortAddresses unset)');
    expect(v.seen).toBe('no reply (timeout or ICMP unreachable; nc exit 1)');
  });
  test('a reply from someone else fails and says so', () => {
    const v = udpAnswerVerdict(probe(udp({ reply: 'intruder' })));
    expect(v.ok).toBe(false);
    expect(v.seen).toBe('reply "intruder" (not a backend)');
  });
  test('an address expected silent must stay silent; unjudged ones pass', () => {
    expect(udpAnswerVerdict(probe(udp({}), false)).ok).toBe(false);
    expect(udpAnswerVerdict(probe(udp({ ok: false, reply: '' }), false)).ok).toBe(true);
    expect(udpAnswerVerdict({ ...probe(udp({ ok: false, reply: '' })), expect: { reachable: undefined, why: 'not judged' } }).ok).toBe(true);
  });
  test('nothing to probe is a failure', () => {
    expect(checkUdpAnswers('Service ns/np-udp', 'IPv6', []).ok).toBe(false);
  });
});
