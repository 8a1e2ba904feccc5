import { describe, expect, test } from 'vitest';
import { all, assertOk, CheckFailure, retryVerdict, verdict } from './verdict.ts';

describe('verdict', () => {
  test('message names object, family, expected and seen', () => {
    const v = verdict(false, { object: 'Service ns/web', family: 'IPv6', expected: 'clusterIPs [IPv6, IPv4]', seen: 'clusterIPs [IPv4]' });
    expect(v.message).toBe('Service ns/web [IPv6]: expected clusterIPs [IPv6, IPv4], saw clusterIPs [IPv4]');
    expect(() => assertOk(v)).toThrow(CheckFailure);
  });
  test('all() passes only when every part passes and lists each failure', () => {
    const ok = verdict(true, { object: 'a', family: 'IPv4', expected: 'x', seen: 'x' });
    const bad = verdict(false, { object: 'b', family: 'IPv6', expected: 'y', seen: 'z' });
    expect(all([ok, ok], 'set', 'dual').ok).toBe(true);
    const v = all([ok, bad], 'set', 'dual');
    expect(v.ok).toBe(false);
    expect(v.message).toContain('b [IPv6]: expected y, saw z');
  });
});

describe('retryVerdict (the one retry helper, lib/util/retry.ts, for verdicts)', () => {
  const v = (ok: boolean, seen: string) => verdict(ok, { object: 'o', family: 'IPv6', expected: 'x', seen });
  test('a pass on a later attempt carries what the first attempt saw, and the attempts', async () => {
    let i = 0;
    const r = await retryVerdict(async () => v(++i > 1, i > 1 ? 'ok' : 'timeout'), { attempts: 3, delayMs: 1 });
    expect(r).toMatchObject({ ok: true, attempts: 2, seen: 'ok (on attempt 2; attempt 1 saw timeout)' });
  });
  test('a failure after every attempt is the last verdict, failures kept as data', async () => {
    const r = await retryVerdict(async () => v(false, 'timeout'), { attempts: 3, delayMs: 1 });
    expect(r).toMatchObject({ ok: false, attempts: 3, failures: [{ object: 'o', family: 'IPv6', expected: 'x', seen: 'timeout' }] });
  });
  test('a time budget instead of a count', async () => {
    let n = 0;
    const r = await retryVerdict(async () => v(++n >= 3, String(n)), { withinMs: 5_000, delayMs: 1 });
    expect(r).toMatchObject({ ok: true, attempts: 3 });
    const never = await retryVerdict(async () => v(false, 'b'), { withinMs: 20, delayMs: 5 });
    expect(never.ok).toBe(false);
    expect(never.attempts).toBeGreaterThan(1);
  });
});
