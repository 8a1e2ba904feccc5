import { describe, expect, test } from 'vitest';
import type { HttpResult } from '../probes/http.ts';
import type { UdpResult } from '../probes/udp.ts';
import { answerOf, backendsOf, churnVerdict, describeAnswers, expiryVerdict, pinnedVerdict, replacedVerdict, spreadVerdict, udpAnswerOf, type Answer, type Sample } from './services.ts';

const b = (backend: string): Answer => ({ backend });
const e = (error: string): Answer => ({ error });
const obj = 'pod ns/client on w0 → Service ns/aff ClusterIP';

describe('answers', () => {
  test('an answered GET is its body; a failed one says why', () => {
    const base = { from: 'ns/c', target: 'http://x/', command: [], stderr: '' };
    expect(answerOf({ ...base, ok: true, exitCode: 0, stdout: '', status: 200, body: 'server-0\n' } as HttpResult)).toEqual(b('server-0'));
    const failed = answerOf({ ...base, ok: false, exitCode: 28, stdout: '', status: undefined, body: '', stderr: 'curl: (28) Connection timed out' } as HttpResult);
    expect(failed).toMatchObject({ error: expect.stringMatching(/^timeout/) });
  });

  test('a UDP reply is the backend, silence is "no reply"', () => {
    const base = { from: 'ns/c', target: 'udp://x', command: [], stderr: '', stdout: '' };
    expect(udpAnswerOf({ ...base, ok: true, exitCode: 0, reply: 'udp-1' } as UdpResult)).toEqual(b('udp-1'));
    expect(udpAnswerOf({ ...base, ok: false, exitCode: 0, reply: '' } as UdpResult)).toEqual(e('no reply'));
  });

  test('tally in order of first answer', () => {
    const a = [b('s1'), b('s0'), b('s1'), e('timeout')];
    expect(backendsOf(a)).toEqual(['s1', 's0']);
    expect(describeAnswers(a)).toBe('s1 ×2, s0 ×1; 1 failed (timeout ×1)');
    expect(describeAnswers([])).toBe('no requests');
  });
});

describe('session affinity', () => {
  test('pinned: every request to one backend', () => {
    expect(pinnedVerdict({ object: obj, family: 'IPv6', answers: [b('s0'), b('s0'), b('s0')] })).toMatchObject({ ok: true, seen: 'all 3 requests answered by s0' });
    const spread = pinnedVerdict({ object: obj, family: 'IPv6', answers: [b('s0'), b('s1'), b('s0')] });
    expect(spread.ok).toBe(false);
    expect(spread.failures[0]).toEqual({ object: obj, family: 'IPv6', expected: 'every request (3) to one backend (sessionAffinity ClientIP)', seen: 'answers from 2 backends: s0 ×2, s1 ×1' });
    expect(pinnedVerdict({ object: obj, family: 'IPv4', answers: [b('s0'), e('timeout')] }).ok).toBe(false);
    expect(pinnedVerdict({ object: obj, family: 'IPv4', answers: [] }).ok).toBe(false);
  });

  test('spread: at least two backends, none failing', () => {
    expect(spreadVerdict({ object: obj, family: 'IPv4', answers: [b('s0'), b('s1')] }).ok).toBe(true);
    expect(spreadVerdict({ object: obj, family: 'IPv4', answers: [b('s0'), b('s0')] })).toMatchObject({ ok: false, seen: 'answers from 1 backend: s0 ×2' });
    expect(spreadVerdict({ object: obj, family: 'IPv4', answers: [b('s0'), b('s1'), e('timeout')] }).ok).toBe(false);
  });

  test('expiry: another backend after some idle window', () => {
    const base = { object: obj, family: 'IPv6' as const, timeoutSeconds: 5, pinned: 's0', idleSeconds: 7 };
    expect(expiryVerdict({ ...base, windows: [b('s0'), b('s2')] }).ok).toBe(true);
    const stuck = expiryVerdict({ ...base, windows: [b('s0'), b('s0'), b('s0')] });
    expect(stuck.ok).toBe(false);
    expect(stuck.seen).toBe('still pinned after 3 idle windows of 7 s: s0 ×3');
    expect(stuck.expected).toContain('timeoutSeconds 5');
    expect(expiryVerdict({ ...base, windows: [e('timeout'), b('s1')] }).ok).toBe(false);
  });
});

describe('endpoint churn', () => {
  const s = (atMs: number, a: Answer): Sample => ({ atMs, answer: a });
  const base = { object: obj, family: 'IPv4' as const, deleted: 'victim', remaining: ['s1'], boundMs: 10_000, minAfter: 2 };

  test('moved within the bound: ok, and says when', () => {
    const v = churnVerdict({ ...base, samples: [s(100, b('victim')), s(1200, e('timeout')), s(2500, b('s1')), s(11_000, b('s1')), s(12_000, b('s1'))] });
    expect(v.ok).toBe(true);
    expect(v.seen).toMatch(/^traffic off victim 2\.5 s after the deletion \(last stray request at 1\.2 s\); 2 requests after 10\.0 s/);
  });

  test('a request after the bound reaching the deleted pod or failing fails', () => {
    const v = churnVerdict({ ...base, samples: [s(11_000, b('s1')), s(12_000, b('victim')), s(13_000, e('timeout'))] });
    expect(v.ok).toBe(false);
    expect(v.seen).toBe('2 of 3 requests after 10.0 s reached the deleted pod (or no backend) or failed: victim ×1; 1 failed (timeout ×1) (first at 12.0 s, last at 13.0 s)');
    expect(v.expected).toBe('every request started later than 10.0 s after deleting victim answered by a remaining backend (s1)');
  });

  test('an answer from a pod that is no backend (the dead IP reused) is not a pass', () => {
    expect(churnVerdict({ ...base, samples: [s(11_000, b('s1')), s(12_000, b('someone-else'))] }).ok).toBe(false);
  });

  test('too few requests after the bound is not a pass', () => {
    expect(churnVerdict({ ...base, samples: [s(500, b('s1')), s(10_500, b('s1'))] })).toMatchObject({ ok: false, seen: 'only 1 request after 10.0 s (need 2)' });
  });

  test('UDP replacement: the new pod answers within the bound', () => {
    const r = { object: obj, family: 'IPv6' as const, sourcePort: 40001, replacement: 'udp-2', boundMs: 15_000 };
    expect(replacedVerdict({ ...r, samples: [s(-3000, e('no reply')), s(1500, b('udp-2'))] })).toMatchObject({ ok: true, seen: 'udp-2 answered 1.5 s after Ready' });
    const stale = replacedVerdict({ ...r, samples: [s(-1000, b('udp-1')), s(1000, e('no reply')), s(16_000, b('udp-2'))] });
    expect(stale.ok).toBe(false);
    expect(stale.seen).toBe('no answer from udp-2 in 1 datagrams within 15.0 s of Ready: 1 failed (no reply ×1)');
  });
});
