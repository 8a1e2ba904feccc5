import { describe, expect, test } from 'vitest';
import { parseGate } from './gate.ts';
import { decideRunExit, type ProfileOutcome } from './outcome.ts';
import { applyGate, tally, type CheckResult, type RunSummary } from './summary.ts';

const c = (id: string, status: CheckResult['status'], over: Partial<CheckResult> = {}): CheckResult => ({
  id,
  suite: id.split('/')[0] ?? 'x',
  family: 'IPv6',
  status,
  durationMs: 1,
  retries: 0,
  ...(status === 'failed' ? { message: `${id} broke` } : {}),
  ...over,
});
const summary = (profile: string, checks: CheckResult[]): RunSummary => ({
  profile,
  kubernetesVersion: 'v1.34.4',
  startedAt: '2026-11-22T10:00:00.000Z',
  durationMs: 1,
  totals: tally(checks),
  checks,
});
const outcome = (s: RunSummary | undefined, vitestFailed = false): ProfileOutcome => ({
  profile: s?.profile ?? 'ipv6',
  reportDir: '/r',
  vitestFailed,
  ...(s ? { summary: s } : {}),
});
const gated = (s: RunSummary, text: string) => {
  const gate = parseGate(text, 'gate.txt');
  return { gate, summary: applyGate(s, { source: gate.source, isGating: (id) => gate.rules.some((r) => r.re.test(id)) }) };
};

const green = summary('ipv6', [c('af/a', 'passed'), c('af/b', 'flaky', { retries: 1 }), c('cn/x', 'skipped')]);
const red = summary('ipv6', [c('af/a', 'passed'), c('cn/x', 'failed')]);

describe('run exit codes', () => {
  test('0: every check passed (flaky and skipped do not fail)', () => {
    expect(decideRunExit([outcome(green)])).toEqual({ code: 0, lines: [] });
  });
  test('1: no gate file, a failed check gates', () => {
    const v = decideRunExit([outcome(red, true)]);
    expect(v.code).toBe(1);
    expect(v.lines).toEqual(['v6e2e: 1 gating check failed: cn/x']);
  });
  test('0 with a warning: the gate does not list the failed check', () => {
    const { gate, summary: s } = gated(red, 'af/**\n');
    const v = decideRunExit([outcome(s, true)], { gate });
    expect(v.code).toBe(0);
    expect(v.lines).toEqual(['v6e2e: warning: 1 non-gating check failed (listed under Warnings in summary.md): cn/x']);
  });
  test('1: the gate lists the failed check; warnings still printed', () => {
    const s0 = summary('ipv6', [c('af/a', 'failed'), c('cn/x', 'failed')]);
    const { gate, summary: s } = gated(s0, 'af/*\n');
    const v = decideRunExit([outcome(s, true)], { gate });
    expect(v.code).toBe(1);
    expect(v.lines).toEqual([
      'v6e2e: warning: 1 non-gating check failed (listed under Warnings in summary.md): cn/x',
      'v6e2e: 1 gating check failed: af/a',
    ]);
  });
  test('2: a gate pattern matches no check of the run (nor of the collected list)', () => {
    const { gate, summary: s } = gated(green, 'af/**\nconnectivity/typo\n');
    const v = decideRunExit([outcome(s)], { gate });
    expect(v.code).toBe(2);
    expect(v.lines).toEqual([
      'v6e2e: gate file gate.txt:2: "connectivity/typo" matches no check id of this run (3 known); fix the gate file (v6e2e list-checks prints every id)',
    ]);
    // the pattern names a check the collection knew (e.g. a suite not selected this time)
    expect(decideRunExit([outcome(s)], { gate, collectedIds: ['connectivity/typo'] }).code).toBe(0);
  });
  test('unmatched patterns only warn when the run selected suites and the full list is unknown', () => {
    const { gate, summary: s } = gated(green, 'af/**\nconnectivity/**\n');
    const v = decideRunExit([outcome(s)], { gate, unmatchedIsWarning: true });
    expect(v.code).toBe(0);
    expect(v.lines).toEqual([
      'v6e2e: warning: gate file gate.txt:2: "connectivity/**" matches no check id of this run (3 known); a typo, or checks of suites this run did not select',
    ]);
  });
  test('2 wins over 1: a gate with a typo cannot vouch for the verdict', () => {
    const { gate, summary: s } = gated(red, 'cn/x\nnope\n');
    expect(decideRunExit([outcome(s, true)], { gate }).code).toBe(2);
  });
  test('3: a profile wrote no summary.json', () => {
    const v = decideRunExit([outcome(green), outcome(undefined, true)]);
    expect(v.code).toBe(3);
    expect(v.lines[0]).toMatch(/^v6e2e: the run itself broke: ipv6: no summary\.json in \/r/);
  });
  test('3: vitest failed but no check did (an error outside any test)', () => {
    expect(decideRunExit([outcome(green, true)]).code).toBe(3);
  });
  test('3 wins over 2 and 1', () => {
    const { gate, summary: s } = gated(red, 'nope\n');
    expect(decideRunExit([outcome(s, true), outcome(undefined)], { gate }).code).toBe(3);
  });
  test('3: a profile that broke (e.g. its process exited 3) even though it wrote a summary with failures', () => {
    const v = decideRunExit([outcome(green), { ...outcome(red, true), profile: 'dual', broken: 'its run exited 3' }]);
    expect(v).toEqual({ code: 3, lines: ['v6e2e: the run itself broke: dual: its run exited 3'] });
  });
  test('3: nothing ran at all', () => {
    expect(decideRunExit([]).code).toBe(3);
  });
  test('several profiles: ids are prefixed with the profile', () => {
    const v = decideRunExit([outcome(red, true), outcome(summary('dual', [c('cn/x', 'failed')]), true)]);
    expect(v).toEqual({ code: 1, lines: ['v6e2e: 2 gating checks failed: ipv6:cn/x, dual:cn/x'] });
  });
  test('(run) errors always gate, whatever the gate lists', () => {
    const s0 = summary('ipv6', [c('af/a', 'passed'), { ...c('(run)/unhandled-error-1', 'failed'), suite: '(run)' }]);
    const { gate, summary: s } = gated(s0, 'af/*\n');
    expect(decideRunExit([outcome(s, true)], { gate }).code).toBe(1);
  });
  test('long lists are cut', () => {
    const many = summary('ipv6', Array.from({ length: 14 }, (_, i) => c(`cn/x${i}`, 'failed')));
    expect(decideRunExit([outcome(many, true)]).lines[0]).toMatch(/cn\/x9, … \(4 more\)$/);
  });
});
