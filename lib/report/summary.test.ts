import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { UsageError } from '../util/errors.ts';
import {
  applyGate,
  gatingFailures,
  mergeSummaries,
  nonGatingFailures,
  parseSummary,
  readSummaries,
  readSummaryJson,
  renderSummaryMd,
  tally,
  verdictOf,
  writeSummariesJson,
  writeSummaryJson,
  writeSummaryMd,
  type CheckResult,
  type RunSummary,
} from './summary.ts';

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
  test('a run of a source tree keeps its build and base profile through summary.json, and summary.md names the tree', () => {
    const build = { src: '/src/kubernetes', commit: '0afee76f2463dc31498c29a3c1fd28a312688f7c', treeState: 'dirty' as const, version: 'v1.34.4-dirty' };
    const run = { ...ipv6Run, profile: 'ipv6-src948023', baseProfile: 'ipv6', build };
    const back = parseSummary(JSON.parse(JSON.stringify(run)), 'x');
    expect(back).toMatchObject({ baseProfile: 'ipv6', build });
    expect(parseSummary({ ...run, build: { src: 1 } }, 'x').build).toBeUndefined();
    expect(renderSummaryMd(back)).toContain('built from /src/kubernetes (commit 0afee76f2463, dirty)');
  });

  test('file timings survive the round trip; malformed rows are dropped', () => {
    const files = [
      { file: 'suites/nat64/nat64.test.ts', suite: 'nat64', durationMs: 21000, bodyMs: 9000, startMs: 6100, endMs: 27100 },
      { file: 'suites/dns/records.test.ts', suite: 'dns', durationMs: 12000, bodyMs: 4000 },
      { file: 'suites/dns64/disruptive.test.ts', suite: 'dns64', durationMs: 30000, bodyMs: 20000, startMs: 100000, endMs: 130000, turnMs: 104000 },
    ];
    expect(parseSummary(JSON.parse(JSON.stringify({ ...ipv6Run, files })), 'x').files).toEqual(files);
    expect(parseSummary({ ...ipv6Run, files: [...files, { file: 'x' }] }, 'x').files).toEqual(files);
    expect(parseSummary(ipv6Run, 'x').files).toBeUndefined();
  });

  test('parseSummary recomputes totals and rejects unknown statuses', () => {
    const lying = { ...ipv6Run, totals: { passed: 99, failed: 0, skipped: 0, flaky: 0 } };
    expect(parseSummary(lying, 'x').totals).toEqual(ipv6Run.totals);
    expect(() => parseSummary({ ...ipv6Run, checks: [{ ...ipv6Run.checks[0], status: 'meh' }] }, 'x')).toThrow(/status "meh"/);
  });
});

describe('gating in the summary', () => {
  const gatedRun = run('ipv6', [
    check({ id: 'af/a', status: 'passed' }),
    check({ id: 'af/b', status: 'failed', message: 'gating broke' }),
    check({ id: 'cn/x', status: 'failed', message: 'non-gating broke', gating: false }),
  ]);
  test('verdict: only gating failures fail; non-gating ones are warnings', () => {
    expect(verdictOf([gatedRun])).toBe('failed');
    const onlyWarnings = run('ipv6', [check({ id: 'af/a', status: 'passed' }), check({ id: 'cn/x', status: 'failed', gating: false })]);
    expect(verdictOf([onlyWarnings])).toBe('warnings');
    expect(renderSummaryMd(onlyWarnings).split('\n')[0]).toBe('## ✅ v6e2e: all gating checks passed (1 warning)');
  });
  test('failing gating checks and Warnings are separate sections; the matrix bolds only gating failures', () => {
    const md = renderSummaryMd({ ...gatedRun, gate: '/ci/release-gate.txt' });
    expect(md.split('\n')[0]).toBe('## ❌ v6e2e: checks failed (1 of 3)');
    expect(md).toContain('- gate: `release-gate.txt` (checks it does not list only warn)');
    expect(md).toContain('1 of the failed checks do not gate (see Warnings).');
    const failing = md.indexOf('### Failing checks');
    const warnings = md.indexOf('### Warnings');
    expect(failing).toBeGreaterThan(0);
    expect(warnings).toBeGreaterThan(failing);
    expect(md.slice(failing, warnings)).toContain('gating broke');
    expect(md.slice(failing, warnings)).not.toContain('non-gating broke');
    expect(md.slice(warnings)).toContain('- **cn/x** · ipv6 · IPv6\n\n```\nnon-gating broke\n```');
    expect(md).toContain('| ipv6 | af | IPv6 | 1 | **1** | 0 | 0 |');
    expect(md).toContain('| ipv6 | cn | IPv6 | 0 | 1 | 0 | 0 |');
  });
  test('applyGate marks unlisted checks, keeps (run) errors gating, and can be undone', () => {
    const withRunError = { ...gatedRun, checks: [...gatedRun.checks, check({ id: '(run)/unhandled-error-1', suite: '(run)', status: 'failed' })] };
    const g = applyGate(withRunError, { source: 'g.txt', isGating: (id) => id.startsWith('af/') });
    expect(g.gate).toBe('g.txt');
    expect(g.checks.map((c) => c.gating)).toEqual([undefined, undefined, false, undefined]);
    expect(gatingFailures([g]).map((c) => c.id)).toEqual(['af/b', '(run)/unhandled-error-1']);
    expect(nonGatingFailures([g]).map((c) => c.id)).toEqual(['cn/x']);
    const ungated = applyGate(g, undefined);
    expect(ungated.gate).toBeUndefined();
    expect(ungated.checks.every((c) => c.gating === undefined)).toBe(true);
  });
  test('flaky checks name their timing reason', () => {
    const md = renderSummaryMd(run('ipv6', [check({ id: 'np/x', status: 'flaky', retries: 1, timing: 'kube-proxy sync', message: 'passed after 1 retries' })]));
    expect(md).toContain('- np/x · ipv6 · 1 retries · timing-dependent: kube-proxy sync · passed after 1 retries');
    expect(md.split('\n')[0]).toBe('## ✅ v6e2e: all checks passed');
  });
  test('the job summary stays far below GitHub’s 1 MiB even with thousands of long failures', () => {
    const many = run(
      'ipv6',
      Array.from({ length: 3000 }, (_, i) => check({ id: `cn/check-${i}`, status: 'failed', message: 'x'.repeat(2900) })),
    );
    const md = renderSummaryMd(many);
    expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024);
    expect(md).toMatch(/<details><summary>\d+ more \(messages in junit\.xml \/ the Allure report\)<\/summary>/);
    expect(md).toContain('- cn/check-2999 · ipv6 · IPv6');
  });
});

describe('merging runs and shards', () => {
  const shard1 = run('dual', [check({ id: 'af/a', status: 'passed' }), check({ id: 'af/b', status: 'failed', message: 'b broke' })], {
    startedAt: '2026-11-22T10:00:00.000Z',
    durationMs: 60_000,
    reason: 'failed',
  });
  const shard2 = run('dual', [check({ id: 'cn/x', status: 'passed' })], { startedAt: '2026-11-22T10:00:30.000Z', durationMs: 60_000, reason: 'passed' });
  const other = run('ipv6', [check({ id: 'af/a', status: 'passed' })]);
  test('one summary per profile, in order of first appearance; wall time spans the shards', () => {
    const merged = mergeSummaries([shard1, other, shard2]);
    expect(merged.map((s) => s.profile)).toEqual(['dual', 'ipv6']);
    const [dual] = merged;
    expect(dual?.checks.map((c) => c.id)).toEqual(['af/a', 'af/b', 'cn/x']);
    expect(dual?.totals).toEqual({ passed: 2, failed: 1, skipped: 0, flaky: 0 });
    expect(dual?.startedAt).toBe('2026-11-22T10:00:00.000Z');
    expect(dual?.durationMs).toBe(90_000);
    expect(dual?.reason).toBe('failed');
  });
  test('a check seen twice for one profile keeps the worse outcome and says so', () => {
    const rerun = run('dual', [check({ id: 'af/b', status: 'passed' }), check({ id: 'af/a', status: 'flaky', retries: 1, message: 'slow' })]);
    const [dual] = mergeSummaries([shard1, rerun]);
    expect(dual?.checks.find((c) => c.id === 'af/b')).toMatchObject({ status: 'failed', message: 'b broke (seen in 2 of the merged runs; the worst outcome is kept)' });
    expect(dual?.checks.find((c) => c.id === 'af/a')).toMatchObject({ status: 'flaky', retries: 1 });
  });
  test('a duplicate gates when any input gated it', () => {
    const a = run('dual', [check({ id: 'af/b', status: 'failed', gating: false })]);
    const b = run('dual', [check({ id: 'af/b', status: 'failed' })]);
    expect(mergeSummaries([a, b])[0]?.checks[0]?.gating).toBeUndefined();
    expect(mergeSummaries([a, a])[0]?.checks[0]?.gating).toBe(false);
  });
  test('summary.json of several runs round-trips through readSummaries; a single run stays a plain summary', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-summaries-'));
    try {
      writeSummariesJson(dir, [shard1, other]);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'))).toHaveProperty('runs');
      expect(readSummaries(dir)).toEqual([shard1, other]);
      writeSummariesJson(dir, [other]);
      expect(readSummaryJson(dir)).toEqual(other);
      expect(readSummaries(dir)).toEqual([other]);
      fs.writeFileSync(path.join(dir, 'summary.json'), '{"runs": []}');
      expect(() => readSummaries(dir)).toThrow(/lists no runs/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  test('name, gating and timing survive parseSummary', () => {
    const r = run('ipv6', [check({ id: 'a/b', status: 'failed', name: 'b › [IPv6] x', gating: false, timing: 'why' })]);
    expect(parseSummary(JSON.parse(JSON.stringify(r)), 'x').checks[0]).toMatchObject({ name: 'b › [IPv6] x', gating: false, timing: 'why' });
  });
});

describe('harness self-test line (kind fault, apart from the checks)', () => {
  const fault = (id: string, status: CheckResult['status']) => check({ id, status, kind: 'fault' });
  test('faults the checks caught, of those that ran', () => {
    const md = renderSummaryMd(run('ipv6', [check({ id: 'a/x', status: 'passed' }), fault('a/f1', 'passed'), fault('a/f2', 'failed'), fault('a/f3', 'skipped')]));
    expect(md).toContain('Harness self-test: ❌ 1 of 2 seeded faults detected (1 skipped).');
  });
  test('not run without --self-test; none declared in old summaries', () => {
    expect(renderSummaryMd(run('ipv6', [fault('a/f1', 'skipped'), fault('a/f2', 'skipped')]))).toContain('Harness self-test: not run (2 declared;');
    expect(renderSummaryMd(ipv6Run)).toContain('Harness self-test: none declared.');
  });
});
