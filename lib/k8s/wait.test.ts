import { describe, expect, test } from 'vitest';
import { waitFor, WaitTimeoutError } from './wait.ts';

describe('waitFor', () => {
  test('returns the first good value', async () => {
    let n = 0;
    const v = await waitFor('counter reaches 3', () => ++n, { until: (x) => x >= 3, intervalMs: 1, timeoutMs: 1000 });
    expect(v).toBe(3);
  });

  test('default predicate is truthiness; thrown errors count as not yet', async () => {
    let n = 0;
    const v = await waitFor(
      'api back',
      async () => {
        n++;
        if (n < 3) throw new Error('ECONNREFUSED');
        return 'ok';
      },
      { intervalMs: 1, timeoutMs: 1000 },
    );
    expect(v).toBe('ok');
  });

  test('timeout names what was awaited and the last value', async () => {
    const err = await waitFor('pod web-0 Ready', () => ({ phase: 'Pending' }), {
      until: (p) => p.phase === 'Running',
      intervalMs: 10,
      timeoutMs: 100,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    const e = err as WaitTimeoutError;
    expect(e.message).toMatch(/^waiting for "pod web-0 Ready" timed out after 0\.1s \(\d+ attempts\); last value: \{ phase: 'Pending' \}$/);
    expect(e.lastValue).toEqual({ phase: 'Pending' });
    expect(e.attempts).toBeGreaterThan(1);
  });

  test('custom describe and the last error are in the message', async () => {
    let n = 0;
    const err = await waitFor(
      'endpoints',
      () => {
        if (++n % 2 === 0) throw new Error('HTTP 503: apiserver restarting\nmore');
        return 1;
      },
      { until: () => false, describe: (v) => `${v} endpoint(s)`, intervalMs: 5, timeoutMs: 60 },
    ).catch((e: unknown) => e);
    if (!(err instanceof WaitTimeoutError)) throw new Error('expected WaitTimeoutError');
    expect(err.message).toMatch(/last value: 1 endpoint\(s\)/);
    if (err.lastError) expect(err.message).toMatch(/last error: Error: HTTP 503: apiserver restarting$/);
  });

  test('never a value: says so, with the error', async () => {
    const err = await waitFor('x', () => Promise.reject(new Error('nope')), { intervalMs: 5, timeoutMs: 30 }).catch((e: unknown) => e as Error);
    expect(err.message).toMatch(/no value was returned; last error: Error: nope$/);
  });

  test('a hanging attempt is cut off at the deadline', async () => {
    const start = Date.now();
    const err = await waitFor('hang', () => new Promise<never>(() => undefined), { timeoutMs: 50, intervalMs: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  test('abort signal stops waiting', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('cancelled')), 20);
    await expect(waitFor('x', () => false, { timeoutMs: 5000, intervalMs: 5, signal: ac.signal })).rejects.toThrow('cancelled');
  });
});
