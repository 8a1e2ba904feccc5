import { describe, expect, test } from 'vitest';
import { runPool, type Job } from './parallel.ts';

/** A real child: a Node one-liner. */
function node(label: string, script: string): Job {
  return { label, command: process.execPath, args: ['-e', script] };
}

describe('runPool runs jobs as child processes, at most N at a time', () => {
  test('every line is prefixed with its job, exit codes come back in job order', async () => {
    const lines: string[] = [];
    const pool = runPool([node('ipv6', 'console.log("a"); console.error("b"); process.exit(1)'), node('dual', 'process.stdout.write("no newline")')], {
      parallel: 2,
      line: (l) => lines.push(l),
    });
    const results = await pool.done;
    expect(results.map((r) => [r.label, r.exitCode])).toEqual([
      ['ipv6', 1],
      ['dual', 0],
    ]);
    expect(lines).toEqual(expect.arrayContaining(['[ipv6] a', '[ipv6] b', '[dual] no newline']));
  });

  test('never more than `parallel` jobs run at once', async () => {
    let now = 0;
    let peak = 0;
    const jobs = ['a', 'b', 'c', 'd'].map((l) => node(l, 'setTimeout(() => {}, 150)'));
    const pool = runPool(jobs, {
      parallel: 2,
      line: () => undefined,
      onStart: () => {
        now++;
        peak = Math.max(peak, now);
      },
      onEnd: () => {
        now--;
      },
    });
    const results = await pool.done;
    expect(peak).toBe(2);
    expect(results.every((r) => r.exitCode === 0)).toBe(true);
  });

  test('stop() passes the signal to running jobs once, waits for their cleanup, and starts no more', async () => {
    const lines: string[] = [];
    // The child counts the signals it gets and "cleans up" before exiting 130.
    // 'ready' only once the handler is in place, or the signal could beat it.
    const script = `let n = 0;
      process.on('SIGINT', () => { n++; setTimeout(() => { console.log('cleaned up after ' + n + ' signal(s)'); process.exit(130); }, 100); });
      console.log('ready');
      setInterval(() => {}, 1000);`;
    const pool = runPool([node('one', script), node('two', script)], { parallel: 1, line: (l) => lines.push(l) });
    while (!lines.includes('[one] ready')) await new Promise((r) => setTimeout(r, 20));
    await pool.stop('SIGINT');
    const results = await pool.done;
    expect(lines).toContain('[one] cleaned up after 1 signal(s)');
    expect(results[0]).toMatchObject({ label: 'one', exitCode: 130 });
    expect(results[1]).toMatchObject({ label: 'two', notStarted: true });
    expect(lines.some((l) => l.startsWith('[two]'))).toBe(false);
  });

  test('a command that cannot start is a result with its error, not a crash', async () => {
    const results = await runPool([{ label: 'x', command: '/nonexistent/v6e2e', args: [] }], { parallel: 1, line: () => undefined }).done;
    expect(results[0]?.exitCode).not.toBe(0);
    expect(results[0]?.error).toMatch(/ENOENT/);
  });

  test('parallel must be a positive integer', () => {
    expect(() => runPool([], { parallel: 0, line: () => undefined })).toThrow(/positive integer/);
  });

  test('no jobs: done at once', async () => {
    expect(await runPool([], { parallel: 2, line: () => undefined }).done).toEqual([]);
  });
});
