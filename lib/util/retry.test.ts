import { expect, test } from 'vitest';
import { retry, retryLast } from './retry.ts';

test('stops at the first ok result and says how many attempts it took', async () => {
  let n = 0;
  const r = await retry(async () => ({ ok: ++n >= 2, n }), { attempts: 5, delayMs: 1 });
  expect(r).toMatchObject({ attempts: 2, last: { ok: true, n: 2 }, first: { ok: false, n: 1 } });
});

test('returns the last result when every attempt fails; at least one attempt', async () => {
  expect((await retry(async () => ({ ok: false }), { attempts: 3, delayMs: 1 })).attempts).toBe(3);
  expect((await retry(async () => ({ ok: false }), { attempts: 0, delayMs: 1 })).attempts).toBe(1);
});

test('a custom stop condition and a time budget', async () => {
  let n = 0;
  expect(await retryLast(async () => ++n, { until: (x) => x === 3, withinMs: 5_000, delayMs: 1 })).toBe(3);
  const r = await retry(async () => ({ ok: false }), { withinMs: 30, delayMs: 10 });
  expect(r.attempts).toBeGreaterThan(1);
  expect(r.attempts).toBeLessThan(10);
});
