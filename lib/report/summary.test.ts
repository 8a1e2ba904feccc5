import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { UsageError } from '../util/errors.ts';
import { parseSummary, readSummaryJson, renderSummaryMd, tally, verdictOf, writeSummaryJson, writeSummaryMd, type CheckResult, type RunSummary } from './summary.ts';

function check(over: Partial<CheckResult> & Pick<CheckResult, 'id' | 'status'>): CheckResult {
  return { suite: over.id.split('/')[0] ?? 'x', family: 'IPv6', durationMs: 10, retries: 0, ...over };
}

function run(profile: string, checks: CheckResult[], extra: Partial<RunSummary> = {}): RunSummary {
  return { profile, kubernetesVersion: 'v1.34.4', startedAt: '2026-11-22T10:00:00.000Z', durationMs: 125_000, totals: tally(checks), checks, ...extra };
}

const ipv6Run = run('ipv6', [
  check({ id: 'connectivity/pod-to-pod/ipv6-reaches-every-node', status: 'passed' }),
  check({ id: 'connectivity/pod-to-pod/ipv4-reaches-every-node', family: 'IPv4', status: 'skipped', message: 'cluster has no IPv4' }),
  check({ id: 'connectivity/pod-to-service/ipv6', status: 'failed', message: 'curl [fd00:10:96::5]:80 timed out | after 10s\nsecond line' }),
  check({ id: 'dns64/synthesizes-aaaa', suite: 'dns64', status: 'flaky', retries: 1, message: 'passed after 1 retries; earlier failure: SERVFAIL' }),
  check({ id: 'guestbook/works', suite: 'guestbook', family: 'none', status: 'passed' }),
]);

describe('tally / verdict', () => {
  test('counts every status', () => {
    expect(ipv6Run.totals).toEqual({ passed: 2, failed: 1, skipped: 1, flaky: 1 });
  });
  test('verdicts', () => {
    expect(verdictOf([ipv6Run])).toBe('failed');
    expect(verdictOf([run('ipv4', [check({ id: 'a/b', status: 'flaky', retries: 2 })])])).toBe('passed');
    expect(verdictOf([run('ipv4', [check({ id: 'a/b', status: 'skipped' })])])).toBe('empty');
    expect(verdictOf([run('ipv4', [check({ id: 'a/b', status: 'passed' })], { reason: 'interrupted' })])).toBe('interrupted');
  });
});

describe('renderSummaryMd', () => {
  const md = renderSummaryMd(ipv6Run);

  test('headline verdict with failing count first', () => {
    expect(md.split('\n')[0]).toBe('## ❌ v6e2e: checks failed (1 of 5)');
  });
  test('run line and totals table', () => {
    expect(md).toContain('- **ipv6** · Kubernetes v1.34.4 · started 2026-11-22T10:00:00.000Z · 2m 5s');
    expect(md).toContain('| passed | failed | skipped | flaky |\n|---:|---:|---:|---:|\n| 2 | 1 | 1 | 1 |');
  });
  test('profile × suite × family rows, families in a fixed order', () => {
    expect(md).toContain('| ipv6 | connectivity | IPv4 | 0 | 0 | 1 | 0 |\n| ipv6 | connectivity | IPv6 | 1 | **1** | 0 | 0 |');
    expect(md).toContain('| ipv6 | dns64 | IPv6 | 0 | 0 | 0 | 1 |');
    expect(md).toContain('| ipv6 | guestbook | none | 1 | 0 | 0 | 0 |');
  });
  test('failing checks carry their full message in a code block', () => {
    expect(md).toContain('### Failing checks');
    expect(md).toContain('- **connectivity/pod-to-service/ipv6** · ipv6 · IPv6\n\n```\ncurl [fd00:10:96::5]:80 timed out | after 10s\nsecond line\n```');
  });
  test('flaky and skipped sections', () => {
    expect(md).toContain('- dns64/synthesizes-aaaa · ipv6 · 1 retries · passed after 1 retries; earlier failure: SERVFAIL');
    expect(md).toContain('- ipv6 · connectivity: cluster has no IPv4 (1)');
  });
  test('a message with backticks cannot break out of its fence', () => {
    const out = renderSummaryMd(run('ipv6', [check({ id: 'a/b', status: 'failed', message: 'got ```evil``` here' })]));
    expect(out).toContain('````\ngot ```evil``` here\n````');
  });
  test('pipes and newlines in table cells are escaped', () => {
    const out = renderSummaryMd(run('ip|v6', [check({ id: 'a/b', suite: 'we|ird', status: 'passed' })]));
    expect(out).toContain('| ip\\|v6 | we\\|ird | IPv6 | 1 |');
  });
  test('long messages are clipped', () => {
    const long = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const out = renderSummaryMd(run('ipv6', [check({ id: 'a/b', status: 'failed', message: long })]));
    expect(out).toContain('line 29\n… (truncated');
    expect(out).not.toContain('line 30\n');
  });
  test('several runs make a matrix, in the order given', () => {
    const dual = run('dual', [check({ id: 'connectivity/x', status: 'passed', family: 'dual' })]);
    const out = renderSummaryMd([ipv6Run, dual]);
    expect(out.indexOf('| ipv6 | connectivity |')).toBeLessThan(out.indexOf('| dual | connectivity | dual |'));
    expect(out).toContain('- **dual** · Kubernetes');
    expect(out.split('\n')[0]).toBe('## ❌ v6e2e: checks failed (1 of 6)');
  });
  test('all green', () => {
    const out = renderSummaryMd(run('ipv6', [check({ id: 'a/b', status: 'passed' })]));
    expect(out.split('\n')[0]).toBe('## ✅ v6e2e: all checks passed');
    expect(out).not.toContain('Failing checks');
  });
  test('empty run', () => {
    expect(renderSummaryMd(run('ipv6', [])).split('\n')[0]).toBe('## ⚠️ v6e2e: no checks ran');
  });
});

describe('summary.json round trip', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-summary-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  test('write then read gives the same summary', () => {
    const dir = path.join(tmp(), 'nested', 'report');
    const file = writeSummaryJson(dir, ipv6Run);
    expect(file).toBe(path.join(dir, 'summary.json'));
    expect(readSummaryJson(dir)).toEqual(ipv6Run);
    expect(readSummaryJson(file)).toEqual(ipv6Run);
    const md = writeSummaryMd(dir, ipv6Run);
    expect(fs.readFileSync(md, 'utf8')).toBe(renderSummaryMd(ipv6Run));
  });
  test('missing, non-JSON and wrong-shape files are usage errors', () => {
    const dir = tmp();
    expect(() => readSummaryJson(dir)).toThrow(UsageError);
    expect(() => readSummaryJson(dir)).toThrow(/ENOENT/);
    fs.writeFileSync(path.join(dir, 'summary.json'), '{nope');
    expect(() => readSummaryJson(dir)).toThrow(/not valid JSON/);
    fs.writeFileSync(path.join(dir, 'summary.json'), '[]');
    expect(() => readSummaryJson(dir)).toThrow(/not a v6e2e summary/);
  });
  test('parseSummary recomputes totals and rejects unknown statuses', () => {
    const lying = { ...ipv6Run, totals: { passed: 99, failed: 0, skipped: 0, flaky: 0 } };
    expect(parseSummary(lying, 'x').totals).toEqual(ipv6Run.totals);
    expect(() => parseSummary({ ...ipv6Run, checks: [{ ...ipv6Run.checks[0], status: 'meh' }] }, 'x')).toThrow(/status "meh"/);
  });
});
