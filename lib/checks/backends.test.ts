import { describe, expect, test } from 'vitest';
import type { HttpResult } from '../probes/curl.ts';
import type { UdpResult } from '../probes/udp.ts';
import { everyBackendVerdict, httpSample, localOnlyVerdict, sampleUntil, udpSample, type BackendSample } from './backends.ts';

const object = 'pod ns/client on w1 → Service ns/echo ClusterIP (http://10.96.0.10:8080/hostname)';
const ans = (name: string): BackendSample => ({ answered: name });
const timeout: BackendSample = { failed: 'timeout' };

function http(over: Partial<HttpResult>): HttpResult {
  return { ok: true, from: 'ns/client', target: 'u', command: [], exitCode: 0, stdout: '', stderr: '', status: 200, body: 'a', ...over };
}

describe('samples', () => {
  test('an HTTP answer is the body; a failure is its kind, without curl detail', () => {
    expect(httpSample(http({ body: 'server-0\n' }))).toEqual({ answered: 'server-0' });
    expect(httpSample(http({ ok: false, exitCode: 28, status: undefined, body: '', stderr: 'curl: (28) Connection timed out after 2001 ms' }))).toEqual({ failed: 'timeout' });
  });
  test('a UDP reply is the pod name; none is "no reply"', () => {
    const u = (over: Partial<UdpResult>): UdpResult => ({ ok: true, from: 'x', target: 'u', command: [], exitCode: 0, stdout: '', stderr: '', reply: 'b', ...over });
    expect(udpSample(u({}))).toEqual({ answered: 'b' });
    expect(udpSample(u({ ok: false, reply: '', exitCode: 1 }))).toEqual({ failed: 'no reply' });
  });
});

describe('everyBackendVerdict', () => {
  test('passes when each backend answered at least once', () => {
    const v = everyBackendVerdict({ object, family: 'IPv6', backends: ['a', 'b'], samples: [ans('a'), ans('b'), ans('a'), timeout] });
    expect(v.ok).toBe(true);
    expect(v.seen).toBe('4 requests: a ×2, b ×1; 1 failed (timeout ×1)');
  });
  test('names a backend that never answered, with the family and the tally', () => {
    const v = everyBackendVerdict({ object, family: 'IPv4', backends: ['a', 'b'], samples: [ans('a'), timeout, ans('a')] });
    expect(v.ok).toBe(false);
    expect(v.failures[0]).toMatchObject({ object, family: 'IPv4', expected: 'every backend answers: [a, b] (each request a new connection)' });
    expect(v.seen).toBe('never answered: b; 3 requests: a ×2, b ×0; 1 failed (timeout ×1)');
  });
  test('an answer from a non-backend fails', () => {
    const v = everyBackendVerdict({ object, family: 'IPv6', backends: ['a'], samples: [ans('a'), ans('stranger')] });
    expect(v.ok).toBe(false);
    expect(v.seen).toContain('not a backend: stranger');
  });
  test('no backend of the family is a failure, not a vacuous pass', () => {
    expect(everyBackendVerdict({ object, family: 'IPv6', backends: [], samples: [] }).ok).toBe(false);
  });
});

describe('localOnlyVerdict (internalTrafficPolicy Local)', () => {
  const base = { object, family: 'IPv6' as const, node: 'w1', backends: ['near', 'far'] };
  test('every request answered by the local endpoint passes', () => {
    expect(localOnlyVerdict({ ...base, local: ['near'], samples: [ans('near'), ans('near')] }).ok).toBe(true);
  });
  test('a remote backend answering fails and is named', () => {
    const v = localOnlyVerdict({ ...base, local: ['near'], samples: [ans('near'), ans('far')] });
    expect(v.ok).toBe(false);
    expect(v.expected).toContain('by an endpoint on w1 only ([near]; not [far]');
    expect(v.seen).toContain('answered from elsewhere: far');
  });
  test('an unanswered request on a node with an endpoint fails', () => {
    expect(localOnlyVerdict({ ...base, local: ['near'], samples: [ans('near'), timeout] }).ok).toBe(false);
  });
  test('on a node without an endpoint: no answer passes, any answer fails', () => {
    expect(localOnlyVerdict({ ...base, local: [], samples: [timeout, timeout] }).ok).toBe(true);
    const v = localOnlyVerdict({ ...base, local: [], samples: [timeout, ans('far')] });
    expect(v.ok).toBe(false);
    expect(v.expected).toBe('no answer (internalTrafficPolicy Local, no endpoint on w1; endpoints elsewhere: near, far)');
    expect(v.seen).toBe('2 requests: far ×1; 1 failed (timeout ×1)');
  });
});

describe('sampleUntil', () => {
  test('stops once the judgement passes on the samples so far, counting rounds', async () => {
    const rounds = [[ans('a')], [ans('b')], [ans('a')]];
    let i = 0;
    const v = await sampleUntil(async () => rounds[i++]!, (s) => everyBackendVerdict({ object, family: 'IPv6', backends: ['a', 'b'], samples: s }), 3);
    expect(v.ok).toBe(true);
    expect(v.attempts).toBe(2);
  });
  test('gives up after the bound with the last judgement', async () => {
    const v = await sampleUntil(async () => [ans('a')], (s) => everyBackendVerdict({ object, family: 'IPv6', backends: ['a', 'b'], samples: s }), 3);
    expect(v.ok).toBe(false);
    expect(v.attempts).toBe(3);
    expect(v.seen).toContain('3 requests: a ×3, b ×0');
  });
  test('pauses only after a round that no backend answered (a Service not yet in the rules)', async () => {
    const judge = (s: readonly BackendSample[]) => everyBackendVerdict({ object, family: 'IPv6', backends: ['a', 'b'], samples: s });
    const t0 = Date.now();
    await sampleUntil(async () => [ans('a')], judge, 3, 60_000);
    expect(Date.now() - t0).toBeLessThan(5_000);
    const rounds: BackendSample[][] = [[{ failed: 'HTTP 404' }], [ans('a'), ans('b')]];
    let i = 0;
    const t1 = Date.now();
    const v = await sampleUntil(async () => rounds[i++]!, judge, 3, 50);
    expect(v.ok).toBe(true);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(45);
  });
});
