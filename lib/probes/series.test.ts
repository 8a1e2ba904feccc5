import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { STATUS_MARK } from './curl.ts';
import type { ProbeResult } from './exec.ts';
import { parseSeries, parseUdpSeries, SERIES_END, seriesCommand, wholeSeries, type SeriesPlan } from './series.ts';
import type { ProbeRunner } from './spread.ts';

const base = { ok: true, from: 'ns/c', target: 'http://x/', command: [], exitCode: 0, stdout: '', stderr: '' };
let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

/** Runs the loop for real in the host's sh (GNU date, as in the agnhost image), the request a printf. */
function runLoop(plan: Omit<SeriesPlan, 'markFile'>, mark: (file: string) => void, request: string[] = ['printf', `backend-a${STATUS_MARK}200`], withStderr = true): string {
  dir = mkdtempSync(path.join(os.tmpdir(), 'v6e2e-series-'));
  const markFile = path.join(dir, 'mark');
  mark(markFile);
  const [cmd, ...args] = seriesCommand({ ...plan, markFile }, request, withStderr);
  return execFileSync(cmd!, args, { encoding: 'utf8', timeout: 20_000 });
}

describe('timed series', () => {
  test('runs until past `untilMs` after the mark with `minAfter` requests after the bound, stamping each', () => {
    const t0 = Date.now();
    const out = runLoop({ boundMs: 100, untilMs: 300, minAfter: 5, maxMs: 10_000, gapS: 0.02, timeoutS: 1 }, (f) => writeFileSync(f, String(t0)));
    const rs = parseSeries(out, base);
    expect(rs.length).toBeGreaterThan(5);
    expect(rs.every((r) => r.result.ok && r.result.body === 'backend-a')).toBe(true);
    expect(rs.filter((r) => r.atEpochMs > t0 + 100).length).toBeGreaterThanOrEqual(5);
    expect(rs.at(-1)!.atEpochMs).toBeLessThan(Date.now());
    expect(rs.map((r) => r.atEpochMs)).toEqual([...rs.map((r) => r.atEpochMs)].sort());
  });
  test('keeps a log in the client equal to its output, both ending with the end mark', () => {
    const t0 = Date.now();
    const out = runLoop({ boundMs: 0, untilMs: 100, minAfter: 2, maxMs: 5_000, gapS: 0.02, timeoutS: 1 }, (f) => writeFileSync(f, String(t0)));
    expect(out.trimEnd().endsWith(SERIES_END)).toBe(true);
    expect(readFileSync(path.join(dir!, 'mark.log'), 'utf8')).toBe(out);
  });
  test('an output that lost its tail is replaced by the log, read again; a complete one is kept', async () => {
    const plan: SeriesPlan = { markFile: '/tmp/m', boundMs: 0, untilMs: 0, minAfter: 1, maxMs: 1, gapS: 0, timeoutS: 1 };
    const whole = `@@v6e2e-at=1\nb${STATUS_MARK}200\n@@v6e2e-exit=0\n@@v6e2e-at=2\nb${STATUS_MARK}200\n@@v6e2e-exit=0\n${SERIES_END}\n`;
    const asked: string[][] = [];
    const runner: ProbeRunner = { label: 'c', run: async (_t, command) => (asked.push(command), { ...base, command, stdout: whole }) };
    const cut: ProbeResult = { ...base, stdout: whole.slice(0, 40) };
    expect((await wholeSeries(runner, plan, cut)).stdout).toBe(whole);
    expect(asked).toEqual([['cat', '/tmp/m.log']]);
    const kept: ProbeResult = { ...base, stdout: whole };
    expect(await wholeSeries(runner, plan, kept)).toBe(kept);
    expect(asked).toHaveLength(1);
  });
  test('without a mark it stops at maxMs', () => {
    const start = Date.now();
    const out = runLoop({ boundMs: 0, untilMs: 0, minAfter: 1, maxMs: 400, gapS: 0.05, timeoutS: 1 }, () => undefined);
    expect(parseSeries(out, base).length).toBeGreaterThan(1);
    expect(Date.now() - start).toBeLessThan(5_000);
  });
  test('a failed request carries its message as stderr; a cut-short one is missing', () => {
    const out = `@@v6e2e-at=1000\ncurl: (28) timed out${STATUS_MARK}000\n@@v6e2e-exit=28\n@@v6e2e-at=1300\nbackend-b${STATUS_MARK}200\n@@v6e2e-exit=0\n@@v6e2e-at=1600\npart`;
    const rs = parseSeries(out, base);
    expect(rs.map((r) => r.atEpochMs)).toEqual([1000, 1300]);
    expect(rs[0]!.result).toMatchObject({ ok: false, exitCode: 28, stderr: 'curl: (28) timed out' });
    expect(rs[1]!.result).toMatchObject({ ok: true, status: 200, body: 'backend-b' });
  });
  test('stopOn: the loop ends at the first request from the mark on that got the awaited answer', () => {
    const t0 = Date.now();
    // Answers "old" until a counter file reaches 3, then "new": the replacement taking over.
    const script = 'f=$0; n=$(cat "$f" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$f"; [ "$n" -ge 3 ] && echo new || echo old; echo noise >&2';
    const counter = path.join(os.tmpdir(), `v6e2e-series-counter-${process.pid}`);
    try {
      const out = runLoop({ boundMs: 0, untilMs: 10_000, minAfter: 100, maxMs: 10_000, gapS: 0.02, timeoutS: 1, stopOn: 'new' }, (f) => writeFileSync(f, String(t0)), ['sh', '-c', script, counter], false);
      const rs = parseUdpSeries(out, { ...base, target: 'udp://x' });
      expect(rs.map((r) => r.result.reply)).toEqual(['old', 'old', 'new']);
      expect(rs.every((r) => r.result.ok && !r.result.stdout.includes('noise'))).toBe(true);
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      rmSync(counter, { force: true });
    }
  });
  test('a UDP series whose exec ran nothing is one failed result carrying the exec error', () => {
    const rs = parseUdpSeries('', { ...base, ok: false, exitCode: -1, stderr: 'exec timed out' });
    expect(rs).toHaveLength(1);
    expect(rs[0]!.result).toMatchObject({ ok: false, exitCode: -1, stderr: 'exec timed out', reply: '' });
  });
});
