import { expect, test } from 'vitest';
import { sweepLateCreates } from './kind.ts';

const timing = { quietMs: 60, maxMs: 1_000, pollMs: 10 };

test('a late node is removed as it shows, and the quiet wait starts again after it', async () => {
  // Nodes show at the 3rd and 8th looks (an engine finishing creates its killed clients asked for).
  let looks = 0;
  let removed = 0;
  const showsAt = new Set([3, 8]);
  // A quiet window far longer than the 5 looks between the two nodes, however loaded the machine.
  await sweepLateCreates(async () => showsAt.has(++looks), async () => void removed++, { ...timing, quietMs: 1_000, maxMs: 10_000 });
  expect(removed).toBe(2);
  // The last node was at look 8; the sweep then waited a quiet window of more looks.
  expect(looks).toBeGreaterThanOrEqual(12);
});

test('nothing showing: one quiet window; an engine that keeps answering "exists" is bounded', async () => {
  let removed = 0;
  const started = Date.now();
  await sweepLateCreates(async () => false, async () => void removed++, timing);
  expect(removed).toBe(0);
  expect(Date.now() - started).toBeLessThan(500);
  const bounded = Date.now();
  await sweepLateCreates(async () => true, async () => Promise.reject(new Error('delete failed')), { ...timing, maxMs: 200 });
  expect(Date.now() - bounded).toBeLessThan(800);
});
