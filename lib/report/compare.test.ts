import { describe, expect, test } from 'vitest';
import { compareRuns, renderDifferencesMd } from './compare.ts';
import type { CheckResult, RunSummary } from './summary.ts';

const check = (id: string, status: CheckResult['status'], message?: string): CheckResult => ({
  id, suite: 'nodeport', family: 'IPv6', status, durationMs: 1, retries: 0, ...(message ? { message } : {}),
});
const run = (profile: string, baseProfile: string | undefined, checks: CheckResult[]): RunSummary => ({
  profile, ...(baseProfile ? { baseProfile } : {}), kubernetesVersion: 'v1.34.4', startedAt: '2026-01-01T00:00:00Z', durationMs: 1,
  totals: { passed: 0, failed: 0, skipped: 0, flaky: 0 }, checks,
});

describe('compareRuns', () => {
  test('a check that passed on the base tree and failed on the patched one is listed with both outcomes', () => {
    const diffs = compareRuns([
      run('dual-srcaaaaaa', 'dual', [check('np/ipv6', 'passed'), check('np/ipv4', 'passed')]),
      run('dual-srcbbbbbb', 'dual', [check('np/ipv6', 'failed', 'node w2 [IPv6] refused'), check('np/ipv4', 'flaky')]),
    ]);
    expect(diffs).toEqual([
      { id: 'np/ipv6', family: 'IPv6', baseProfile: 'dual', outcomes: [{ profile: 'dual-srcaaaaaa', status: 'passed' }, { profile: 'dual-srcbbbbbb', status: 'failed', message: 'node w2 [IPv6] refused' }] },
    ]);
    const md = renderDifferencesMd(diffs, (s) => s).join('\n');
    expect(md).toContain('| np/ipv6 | IPv6 | passed | **failed**: node w2 [IPv6] refused |');
  });

  test('runs of different base profiles never compare (ipv4 skipping IPv6 checks is not a difference)', () => {
    expect(compareRuns([run('ipv6', 'ipv6', [check('a', 'passed')]), run('ipv4', 'ipv4', [check('a', 'skipped')])])).toEqual([]);
  });

  test('a check one run lacks is a difference', () => {
    const diffs = compareRuns([run('dual', 'dual', [check('a', 'passed')]), run('dual-nft', 'dual', [])]);
    expect(diffs[0]?.outcomes.map((o) => o.status)).toEqual(['passed', 'absent']);
  });
});
