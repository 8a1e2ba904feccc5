import { describe, expect, it } from 'vitest';
import { allSettledOrThrow } from './settle.ts';

describe('allSettledOrThrow', () => {
  it('waits for the slow job before throwing the fast failure', async () => {
    let slowDone = false;
    const slow = new Promise<void>((r) => setTimeout(() => { slowDone = true; r(); }, 30));
    await expect(allSettledOrThrow([Promise.reject(new Error('first')), slow])).rejects.toThrow('first');
    expect(slowDone).toBe(true);
  });

  it('resolves when every job does', async () => {
    await expect(allSettledOrThrow([Promise.resolve(1), Promise.resolve('x')])).resolves.toBeUndefined();
  });
});
