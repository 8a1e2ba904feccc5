import { describe, expect, test } from 'vitest';
import { guardCleanup, INTERRUPTED_EXIT_CODE } from './cleanup.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('guardCleanup', () => {
  test('runs the cleanup once however often it is asked', async () => {
    let n = 0;
    const g = guardCleanup(async () => void n++, { signals: [], exit: () => undefined, log: () => undefined });
    await Promise.all([g.run(), g.run()]);
    await g.run();
    expect(n).toBe(1);
    g.dispose();
  });

  test('a signal runs the cleanup, then exits 130', async () => {
    const gate = deferred();
    const exits: number[] = [];
    const lines: string[] = [];
    let cleaned = false;
    const g = guardCleanup(
      async () => {
        await gate.promise;
        cleaned = true;
      },
      { signals: [], exit: (c) => void exits.push(c), log: (l) => void lines.push(l) },
    );
    g.onSignal('SIGINT');
    await new Promise((r) => setTimeout(r, 10));
    expect(exits).toEqual([]); // still cleaning up
    gate.resolve();
    await g.run();
    await new Promise((r) => setTimeout(r, 0));
    expect(cleaned).toBe(true);
    expect(exits).toEqual([INTERRUPTED_EXIT_CODE]);
    expect(lines[0]).toMatch(/SIGINT: cleaning up/);
    g.dispose();
  });

  test('a second signal exits at once and says what was left', () => {
    const exits: number[] = [];
    const lines: string[] = [];
    const g = guardCleanup(() => new Promise<void>(() => undefined), {
      signals: [],
      exit: (c) => void exits.push(c),
      log: (l) => void lines.push(l),
      abandoned: () => 'cluster v6e2e-ipv6 was not deleted: v6e2e down --name v6e2e-ipv6',
    });
    g.onSignal('SIGTERM');
    g.onSignal('SIGTERM');
    expect(exits).toEqual([130]);
    expect(lines[1]).toBe('v6e2e: SIGTERM again: stopping without finishing cleanup; cluster v6e2e-ipv6 was not deleted: v6e2e down --name v6e2e-ipv6');
    g.dispose();
  });

  test('a failing cleanup is reported and still exits 130', async () => {
    const exits: number[] = [];
    const lines: string[] = [];
    const g = guardCleanup(() => Promise.reject(new Error('kind delete failed')), { signals: [], exit: (c) => void exits.push(c), log: (l) => void lines.push(l) });
    g.onSignal('SIGINT');
    await new Promise((r) => setTimeout(r, 10));
    expect(lines).toContain('v6e2e: cleanup failed: kind delete failed');
    expect(exits).toEqual([130]);
    g.dispose();
  });

  test('installs and removes real signal handlers', () => {
    const before = process.listenerCount('SIGUSR2');
    const g = guardCleanup(async () => undefined, { signals: ['SIGUSR2'], exit: () => undefined, log: () => undefined });
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    g.dispose();
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });
});

describe('guardCleanup: several guards in one process', () => {
  test('the last cleanup to end exits: an outer guard done first waits for an inner one', async () => {
    const inner = deferred();
    const exits: string[] = [];
    const outer = guardCleanup(async () => undefined, { signals: [], exit: () => void exits.push('outer'), log: () => undefined });
    const pool = guardCleanup(() => inner.promise, { signals: [], exit: () => void exits.push('inner'), log: () => undefined });
    outer.onSignal('SIGINT');
    pool.onSignal('SIGINT');
    await new Promise((r) => setTimeout(r, 10));
    expect(exits).toEqual([]); // the outer cleanup is done, the inner one still runs
    inner.resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(exits).toEqual(['inner']);
    outer.dispose();
    pool.dispose();
  });
});
