import { beforeEach, describe, expect, test } from 'vitest';
import type { ProbeResult } from './exec.ts';
import { JOURNAL_SIZE, journalMark, OUTPUT_CHARS, probesSince, recordProbe, renderProbes, resetJournal, shellLine, withProbeScope } from './journal.ts';

const probe = (target: string, over: Partial<ProbeResult> = {}): ProbeResult => ({
  ok: false,
  from: 'v6e2e-nodeport-ab12/client',
  target,
  family: 'IPv6',
  command: ['curl', '-sS', '-m', '3', '-w', '%{http_code} %{remote_ip}', target],
  exitCode: 28,
  stdout: '',
  stderr: 'curl: (28) Connection timed out after 3001 milliseconds',
  ...over,
});

describe('probe journal', () => {
  beforeEach(() => resetJournal());

  test("a check's probes are those since the mark taken when the previous check ended", () => {
    recordProbe(probe('http://[fc00::2]:30080/'), 10);
    const mark = journalMark();
    recordProbe(probe('http://[fc00::3]:30080/'), 3001);
    recordProbe(probe('http://[fc00::4]:30080/', { ok: true, exitCode: 0, stdout: '200 fc00::4', stderr: '' }), 12);
    expect(probesSince(mark).map((p) => p.target)).toEqual(['http://[fc00::3]:30080/', 'http://[fc00::4]:30080/']);
    expect(probesSince(journalMark())).toEqual([]);
  });

  test('checks running at once each get their own probes: a probe carries the scope it ran in', async () => {
    const mark = journalMark();
    const tick = () => new Promise((r) => setTimeout(r, 1));
    await Promise.all([
      withProbeScope('a', async () => {
        await tick();
        recordProbe(probe('a1'), 1);
        await tick();
        recordProbe(probe('a2'), 1);
      }),
      withProbeScope('b', async () => {
        recordProbe(probe('b1'), 1);
        await tick();
        recordProbe(probe('b2'), 1);
      }),
    ]);
    recordProbe(probe('hook'), 1);
    expect(probesSince(mark, 'a').map((p) => p.target)).toEqual(['a1', 'a2']);
    expect(probesSince(mark, 'b').map((p) => p.target)).toEqual(['b1', 'b2']);
    expect(probesSince(mark)).toHaveLength(5);
  });

  test('the ring buffer keeps the newest probes, and marks still count right', () => {
    const mark = journalMark();
    for (let i = 0; i < JOURNAL_SIZE + 5; i++) recordProbe(probe(`t${i}`), 1);
    const since = probesSince(mark);
    expect(since).toHaveLength(JOURNAL_SIZE);
    expect(since.at(-1)?.target).toBe(`t${JOURNAL_SIZE + 4}`);
  });

  test('probes.txt shows who probed what over which family, the exact command, exit code and output', () => {
    recordProbe(probe('http://[fc00::3]:30080/', { stdout: 'x'.repeat(OUTPUT_CHARS + 10) }), 3001.4);
    const text = renderProbes(probesSince(0));
    expect(text).toContain('v6e2e-nodeport-ab12/client → http://[fc00::3]:30080/ [IPv6]: exit 28 after 3001 ms');
    expect(text).toContain("$ curl -sS -m 3 -w '%{http_code} %{remote_ip}' http://[fc00::3]:30080/");
    expect(text).toContain('--- stderr\ncurl: (28) Connection timed out');
    expect(text).toContain('… (10 more characters)');
    expect(renderProbes([])).toBe('(no probe ran during this check)\n');
  });

  test('shell quoting', () => {
    expect(shellLine(['dig', '@fd00::10', 'AAAA', 'origin.lab.test'])).toBe('dig @fd00::10 AAAA origin.lab.test');
    expect(shellLine(['sh', '-c', "echo 'hi' && true"])).toBe(`sh -c 'echo '\\''hi'\\'' && true'`);
    // curl's -w with a newline stays on one line, as bash reads it back
    expect(shellLine(['curl', '-w', "\n@@s=%{http_code}\t'x'\\", 'u'])).toBe(`curl -w $'\\n@@s=%{http_code}\\t\\'x\\'\\\\' u`);
  });
});
