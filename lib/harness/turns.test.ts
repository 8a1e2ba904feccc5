import { describe, expect, test } from 'vitest';
import { turns, turnsBy } from './turns.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('turns: faults on a shared object one at a time', () => {
  test('bodies never overlap and run in the order they asked; a failure does not stop the next', async () => {
    const turn = turns();
    const log: string[] = [];
    const body = (name: string, fail = false) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([turn(body('a')), turn(body('b', true)), turn(body('c'))]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  test('turnsBy: one key waits for itself, other keys run at once', async () => {
    const turn = turnsBy<string>();
    const log: string[] = [];
    const body = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
    };
    await Promise.all([turn('IPv4')(body('v4 a')), turn('IPv6')(body('v6 a')), turn('IPv4')(body('v4 b'))]);
    expect(log.slice(0, 2)).toEqual(['start v4 a', 'start v6 a']);
    expect(log.indexOf('start v4 b')).toBeGreaterThan(log.indexOf('end v4 a'));
  });
});
