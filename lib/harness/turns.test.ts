import { describe, expect, test } from 'vitest';
import { sharedFault, turns, turnsBy, type WithFault } from './turns.ts';

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

describe('sharedFault', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  function recorder() {
    const log: string[] = [];
    const withFault: WithFault = async (body) => {
      log.push('seed');
      try {
        return await body();
      } finally {
        log.push('remove');
      }
    };
    return { log, withFault };
  }

  test('checks at once share one seeding; every after-probe waits until it is removed', async () => {
    const { log, withFault } = recorder();
    const f = sharedFault(withFault);
    const check = async (name: string, ms: number) => {
      await f.during(async () => {
        log.push(`${name} under`);
        await sleep(ms);
      });
      await f.after(async () => log.push(`${name} after`));
    };
    await Promise.all([check('a', 10), check('b', 60)]);
    expect(log).toEqual(['seed', 'a under', 'b under', 'remove', 'a after', 'b after']);
  });

  test('one after another: each seeds its own', async () => {
    const { log, withFault } = recorder();
    const f = sharedFault(withFault);
    await f.during(async () => log.push('a'));
    await f.during(async () => log.push('b'));
    await f.after(async () => log.push('after'));
    expect(log).toEqual(['seed', 'a', 'remove', 'seed', 'b', 'remove', 'after']);
  });

  test('a failed seeding fails the check that asked; a failed removal fails the after-probe', async () => {
    const failSeed = sharedFault(() => Promise.reject(new Error('seed failed')));
    await expect(failSeed.during(async () => 'never')).rejects.toThrow('seed failed');
    const failRemove = sharedFault(async (body) => {
      await body();
      throw new Error('removal failed');
    });
    await expect(failRemove.during(async () => 'under')).resolves.toBe('under');
    await expect(failRemove.after(async () => 'after')).rejects.toThrow('removal failed');
  });

  test('a probe that throws still lets the fault go', async () => {
    const { log, withFault } = recorder();
    const f = sharedFault(withFault);
    await expect(f.during(() => Promise.reject(new Error('probe broke')))).rejects.toThrow('probe broke');
    await f.after(async () => undefined);
    expect(log).toEqual(['seed', 'remove']);
  });
});
