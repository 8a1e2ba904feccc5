import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  buildSummary,
  checkId,
  containerErrorToCheck,
  dedupeIds,
  familyFromNames,
  suiteFromFile,
  toCheckResult,
  type ExtractedCase,
} from './reporter.ts';
import { readSummaryJson } from './summary.ts';

function kase(over: Partial<ExtractedCase> = {}): ExtractedCase {
  return {
    file: 'suites/connectivity/pod-to-pod.test.ts',
    describePath: ['pod to pod'],
    name: '[IPv6] reaches every node',
    state: 'passed',
    mode: 'run',
    errors: [],
    durationMs: 1234.6,
    retryCount: 0,
    flaky: false,
    ...over,
  };
}

describe('family tag convention', () => {
  test.for([
    [[], '[IPv6] pod ips', 'IPv6'],
    [[], '[IPv4] pod ips', 'IPv4'],
    [[], '[dual] pod has both', 'dual'],
    [[], '[ipv6] lower case works too', 'IPv6'],
    [['[dual] services'], 'clusterIP reachable', 'dual'],
    [['[dual] services'], '[IPv6] clusterIP reachable', 'IPv6'],
    [['[IPv4] outer', 'inner'], 'x', 'IPv4'],
    [[], 'guestbook works', 'none'],
    [[], 'IPv6 without brackets is not a tag', 'none'],
    [[], '[IPv4] then [IPv6]: the last tag in a name wins', 'IPv6'],
  ] as const)('%j %j → %s', ([path, name, fam]) => {
    expect(familyFromNames(path, name)).toBe(fam);
  });
});

test('suite is the folder under suites/', () => {
  expect(suiteFromFile('suites/connectivity/pod-to-pod.test.ts')).toBe('connectivity');
  expect(suiteFromFile('suites/nat64/deep/x.test.ts')).toBe('nat64');
  expect(suiteFromFile('/abs/repo/suites/dns64/a.test.ts')).toBe('dns64');
  expect(suiteFromFile('suites\\nodeport\\a.test.ts')).toBe('nodeport');
  expect(suiteFromFile('lib/net/family.test.ts')).toBe('net');
});

test('ids are stable slugs of suite/describe path/name', () => {
  expect(checkId('connectivity', ['pod to pod'], '[IPv6] reaches every node')).toBe('connectivity/pod-to-pod/ipv6-reaches-every-node');
  expect(checkId('dns64', [], 'AAAA for ipv4only.arpa → 64:ff9b::c000:aa')).toBe('dns64/aaaa-for-ipv4only-arpa-64-ff9b-c000-aa');
  expect(checkId('x', ['Ünïcödé'], '!!!')).toBe('x/unicode/_');
});

describe('toCheckResult', () => {
  test('passed', () => {
    expect(toCheckResult(kase())).toEqual({
      id: 'connectivity/pod-to-pod/ipv6-reaches-every-node',
      suite: 'connectivity',
      family: 'IPv6',
      status: 'passed',
      durationMs: 1235,
      retries: 0,
      name: 'pod to pod › [IPv6] reaches every node',
    });
  });
  test('failed keeps every distinct error', () => {
    const r = toCheckResult(kase({ state: 'failed', errors: ['AssertionError: expected 1 to be 2', 'AssertionError: expected 1 to be 2', 'timeout'], retryCount: 2 }));
    expect(r).toMatchObject({ status: 'failed', retries: 2, message: 'AssertionError: expected 1 to be 2\n---\ntimeout' });
  });
  test('failed without errors still says something', () => {
    expect(toCheckResult(kase({ state: 'failed' })).message).toMatch(/without an error message/);
  });
  test('passed after retries is flaky, with the error it recovered from', () => {
    const r = toCheckResult(kase({ retryCount: 1, flaky: true, errors: ['ECONNREFUSED'] }));
    expect(r).toMatchObject({ status: 'flaky', retries: 1, message: 'passed after 1 retries; earlier failure: ECONNREFUSED' });
  });
  test('ctx.skip(reason) → skipped with the reason', () => {
    expect(toCheckResult(kase({ state: 'skipped', note: 'cluster has no IPv4' }))).toMatchObject({ status: 'skipped', message: 'cluster has no IPv4' });
  });
  test('static skip, todo, hook failure, unfinished', () => {
    expect(toCheckResult(kase({ state: 'skipped', mode: 'skip' })).message).toBe('skipped');
    expect(toCheckResult(kase({ state: 'skipped', mode: 'todo' })).message).toBe('todo');
    expect(toCheckResult(kase({ state: 'skipped', setupFailed: true })).message).toMatch(/hook of its suite failed/);
    expect(toCheckResult(kase({ state: 'pending' }))).toMatchObject({ status: 'skipped', message: expect.stringMatching(/ended before/) });
  });
});

test('container errors become failed checks', () => {
  expect(containerErrorToCheck({ file: 'suites/nat64/a.test.ts', describePath: [], errors: ['import broke'] })).toMatchObject({
    id: 'nat64/a/(module)',
    status: 'failed',
    message: 'import broke',
  });
  expect(containerErrorToCheck({ file: 'suites/nat64/a.test.ts', describePath: ['[IPv6] via tayga'], errors: ['beforeAll: no tayga'] })).toMatchObject({
    id: 'nat64/ipv6-via-tayga/(setup)',
    family: 'IPv6',
    status: 'failed',
  });
});

test('duplicate ids get a counter', () => {
  const a = toCheckResult(kase());
  expect(dedupeIds([a, a, a]).map((c) => c.id)).toEqual([a.id, `${a.id}-2`, `${a.id}-3`]);
});

test('buildSummary puts it together', () => {
  const s = buildSummary({
    profile: 'dual-v6',
    kubernetesVersion: 'v1.34.4',
    startedAt: new Date('2026-11-22T10:00:00Z'),
    endedAt: new Date('2026-11-22T10:01:00Z'),
    cases: [kase(), kase({ name: '[IPv4] reaches every node', state: 'failed', errors: ['boom'] })],
    containerErrors: [],
    unhandledErrors: ['Error: socket hang up'],
    reason: 'failed',
  });
  expect(s).toMatchObject({ profile: 'dual-v6', startedAt: '2026-11-22T10:00:00.000Z', durationMs: 60_000, reason: 'failed' });
  expect(s.totals).toEqual({ passed: 1, failed: 2, skipped: 0, flaky: 0 });
  expect(s.checks.map((c) => c.id)).toContain('(run)/unhandled-error-1');
});

// One real vitest run through the reporter, to pin the TestCase API this relies on.
test('against a real vitest run', { timeout: 60_000 }, async () => {
  const { startVitest } = await import('vitest/node');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-reporter-'));
  const reportDir = path.join(root, 'report');
  try {
    fs.mkdirSync(path.join(root, 'suites', 'demo'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'suites', 'demo', 'a.test.ts'),
      `import { describe, test, beforeAll, expect } from 'vitest';
let n = 0;
describe('demo', () => {
  test('[IPv6] flaky', { retry: 2 }, () => { n++; if (n < 2) throw new Error('first attempt fails'); });
  test('[IPv4] skipped', (ctx) => { ctx.skip('cluster has no IPv4'); });
  test('[dual] fails', () => { expect(1).toBe(2); });
  test('passes', () => {});
  describe('[IPv6] broken setup', () => {
    beforeAll(() => { throw new Error('setup broke'); });
    test('inner', () => {});
  });
});
`,
    );
    const { SummaryReporter } = await import('./reporter.ts');
    const saved = process.exitCode;
    const v = await startVitest(
      'test',
      [],
      { root, run: true, watch: false, config: false, include: ['suites/**/*.test.ts'], reporters: [new SummaryReporter({ projects: [''], reportDir })] },
    );
    await v.close();
    process.exitCode = saved; // startVitest sets 1 on failures; that is expected here, not ours
    const s = readSummaryJson(reportDir);
    const byId = Object.fromEntries(s.checks.map((c) => [c.id, c]));
    expect(byId['demo/demo/ipv6-flaky']).toMatchObject({ status: 'flaky', family: 'IPv6', retries: 1 });
    expect(byId['demo/demo/ipv4-skipped']).toMatchObject({ status: 'skipped', family: 'IPv4', message: 'cluster has no IPv4' });
    expect(byId['demo/demo/dual-fails']).toMatchObject({ status: 'failed', family: 'dual', message: expect.stringContaining('expected 1 to be 2') });
    expect(byId['demo/demo/passes']).toMatchObject({ status: 'passed', family: 'none' });
    expect(byId['demo/demo/ipv6-broken-setup/(setup)']).toMatchObject({ status: 'failed', message: expect.stringContaining('setup broke') });
    expect(byId['demo/demo/ipv6-broken-setup/inner']).toMatchObject({ status: 'skipped', family: 'IPv6' });
    expect(fs.readFileSync(path.join(reportDir, 'summary.md'), 'utf8')).toMatch(/^## ❌ v6e2e: checks failed/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
