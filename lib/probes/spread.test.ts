import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { burstCommand, EXIT_MARK, httpBurst, httpRepeated, repeatCommand, splitRepeats, udpRepeated, type ProbeRunner } from './spread.ts';
import { STATUS_MARK } from './curl.ts';

const runner = (stdout: string, exitCode = 0): ProbeRunner => ({
  label: 'pod ns/c',
  run: async (target, command) => ({ ok: exitCode === 0, from: 'ns/c', target, command, exitCode, stdout, stderr: exitCode ? 'exec failed' : '' }),
});

describe('repeated probes', () => {
  test('the command repeats the argv count times, passed as arguments', () => {
    const cmd = repeatCommand(3, ['curl', '-g', 'http://[fd00::1]:80/'], true);
    expect(cmd.slice(0, 2)).toEqual(['sh', '-c']);
    expect(cmd.slice(3)).toEqual(['sh', '3', '0', 'curl', '-g', 'http://[fd00::1]:80/']);
    expect(repeatCommand(2, ['curl'], true, 2.5).slice(3, 6)).toEqual(['sh', '2', '2.5']);
  });
  test('splits runs by their exit mark', () => {
    expect(splitRepeats(`a\n${EXIT_MARK}0\n\n${EXIT_MARK}1\n`)).toEqual([
      { out: 'a', exitCode: 0 },
      { out: '', exitCode: 1 },
    ]);
  });
  test('HTTP: each run becomes an HttpResult; a failed one carries curl\'s message', async () => {
    const out = `server-0${STATUS_MARK}200\n${EXIT_MARK}0\ncurl: (28) Connection timed out${STATUS_MARK}000\n${EXIT_MARK}28\n`;
    const [a, b] = await httpRepeated(runner(out), 'http://[fd00::1]:8080/hostname', 2);
    expect(a).toMatchObject({ ok: true, status: 200, body: 'server-0' });
    expect(b).toMatchObject({ ok: false, exitCode: 28, body: '', stderr: 'curl: (28) Connection timed out' });
  });
  test('UDP: replies per run; an exec that could not run is one failed result', async () => {
    const r = await udpRepeated(runner(`server-1\n${EXIT_MARK}0\n\n${EXIT_MARK}1\n`), 'fd00::1', 8081, 'hostname', 2);
    expect(r.map((x) => [x.ok, x.reply])).toEqual([[true, 'server-1'], [false, '']]);
    const [failed] = await udpRepeated(runner('', -1), 'fd00::1', 8081, 'hostname', 2);
    expect(failed).toMatchObject({ ok: false, exitCode: -1, stderr: 'exec failed' });
  });
  test('burst: every run starts at once; outputs come back in start order, each with its exit code', () => {
    // Each run sleeps 0.4 s: one after another that is 2 s, at once well under 1 s.
    const cmd = burstCommand(5, ['sh', '-c', 'sleep 0.4; echo "run $1"; exit $1', 'sh', '3'], true);
    const t0 = Date.now();
    const out = execFileSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(splitRepeats(out)).toEqual(Array.from({ length: 5 }, () => ({ out: 'run 3', exitCode: 3 })));
  });
  test('burst HTTP results parse as repeated ones do', async () => {
    const out = `server-0${STATUS_MARK}200\n${EXIT_MARK}0\n`;
    const seen: string[][] = [];
    const r = await httpBurst({ ...runner(out), run: async (target, command, ms) => (seen.push(command), runner(out).run(target, command, ms)) }, 'http://[fd00::1]:8080/hostname', 1, 1);
    expect(r[0]).toMatchObject({ ok: true, status: 200, body: 'server-0' });
    expect(seen[0]!.slice(3, 5)).toEqual(['sh', '1']);
  });
});
