import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  buildSummary,
  containerErrorToCheck,
  dedupeIds,
  suiteFromFile,
  toCheckResult,
  type ExtractedCase,
} from './reporter.ts';
import { settings } from '../harness/settings.ts';
import { isGating, parseGate } from './gate.ts';
import { testcaseName } from './junit.ts';
import { readSummaryJson, type RunSummary } from './summary.ts';
import { TIMING_TAG } from './timing.ts';

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
    declared: { id: 'connectivity/pod-to-pod/ipv6-reaches-every-node', family: 'IPv6', kind: 'check', disruptive: false, title: '[IPv6] reaches every node' },
    ...over,
  };
}

test('suite is the folder under suites/', () => {
  expect(suiteFromFile('suites/connectivity/pod-to-pod.test.ts')).toBe('connectivity');
  expect(suiteFromFile('suites/nat64/deep/x.test.ts')).toBe('nat64');
  expect(suiteFromFile('/abs/repo/suites/dns64/a.test.ts')).toBe('dns64');
  expect(suiteFromFile('suites\\nodeport\\a.test.ts')).toBe('nodeport');
  expect(suiteFromFile('lib/net/family.test.ts')).toBe('net');
});

test('id, family and kind come from the declaration, never from the title', () => {
  const r = toCheckResult(kase({ name: '[IPv4] a title that says another family', declared: { id: 'nodeport/x', family: 'dual', kind: 'fault', disruptive: true, title: 'renamed' } }));
  expect(r).toMatchObject({ id: 'nodeport/x', family: 'dual', kind: 'fault', disruptive: true, name: 'renamed' });
});

test('a test not declared with check() is a failed check that says so', () => {
  const r = toCheckResult(kase({ declared: undefined, name: 'bare test' }));
  expect(r).toMatchObject({ id: 'connectivity/(undeclared)/bare-test', status: 'failed', message: expect.stringContaining('not declared with check()') });
});

describe('toCheckResult', () => {
  test('passed', () => {
    expect(toCheckResult(kase())).toEqual({
      id: 'connectivity/pod-to-pod/ipv6-reaches-every-node',
      suite: 'connectivity',
      family: 'IPv6',
      kind: 'check',
      status: 'passed',
      durationMs: 1235,
      retries: 0,
      name: '[IPv6] reaches every node',
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
    family: 'none',
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
    cases: [kase(), kase({ declared: { id: 'connectivity/pod-to-pod/ipv4-reaches-every-node', family: 'IPv4', kind: 'check', disruptive: false, title: 'x' }, state: 'failed', errors: ['boom'] })],
    containerErrors: [],
    unhandledErrors: ['Error: socket hang up'],
    reason: 'failed',
  });
  expect(s).toMatchObject({ profile: 'dual-v6', startedAt: '2026-11-22T10:00:00.000Z', durationMs: 60_000, reason: 'failed' });
  expect(s.totals).toEqual({ passed: 1, failed: 2, skipped: 0, flaky: 0 });
  expect(s.checks.map((c) => c.id)).toContain('(run)/unhandled-error-1');
});

/** Runs one demo suite file through the reporter in a real vitest; returns its summary. */
async function runDemo(root: string, source: string): Promise<RunSummary> {
  const { startVitest } = await import('vitest/node');
  const reportDir = path.join(root, 'report');
  fs.mkdirSync(path.join(root, 'suites', 'demo'), { recursive: true });
  fs.writeFileSync(path.join(root, 'suites', 'demo', 'a.test.ts'), source);
  const { SummaryReporter } = await import('./reporter.ts');
  const saved = process.exitCode;
  const v = await startVitest('test', [], {
    root,
    run: true,
    watch: false,
    config: false,
    include: ['suites/**/*.test.ts'],
    tags: [{ name: TIMING_TAG, retry: { count: 2 } }],
    reporters: [new SummaryReporter({ projects: [''], settings: settings({ runId: 'demo', reportDir }) })],
  });
  await v.close();
  process.exitCode = saved; // startVitest sets 1 on failures; that is expected here, not ours
  return readSummaryJson(reportDir);
}

const CHECK_TS = JSON.stringify(path.resolve(import.meta.dirname, '..', 'harness', 'check.ts'));

// One real vitest run through the reporter, to pin the TestCase API this relies on.
test('against a real vitest run', { timeout: 60_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-reporter-'));
  try {
    const s = await runDemo(
      root,
      `import { describe, test, beforeAll, expect } from 'vitest';
import { check } from ${CHECK_TS};
let n = 0;
describe('demo', () => {
  check({ id: 'demo/flaky', family: 'IPv6', title: 'flaky', timing: 'first attempt fails' }, () => { n++; if (n < 2) throw new Error('first attempt fails'); });
  check({ id: 'demo/skipped', family: 'IPv4', title: 'skipped' }, (ctx) => { ctx.skip('cluster has no IPv4'); });
  check({ id: 'demo/fails', family: 'dual', kind: 'fault', title: 'fails' }, () => { expect(1).toBe(2); });
  check({ id: 'demo/passes', family: 'none', title: 'passes' }, () => {});
  test('undeclared', () => {});
  describe('broken setup', () => {
    beforeAll(() => { throw new Error('setup broke'); });
    check({ id: 'demo/inner', family: 'IPv6', title: 'inner' }, () => {});
  });
});
`,
    );
    const byId = Object.fromEntries(s.checks.map((c) => [c.id, c]));
    expect(byId['demo/flaky']).toMatchObject({ status: 'flaky', family: 'IPv6', retries: 1, timing: 'first attempt fails' });
    expect(byId['demo/skipped']).toMatchObject({ status: 'skipped', family: 'IPv4', message: 'cluster has no IPv4' });
    expect(byId['demo/fails']).toMatchObject({ status: 'failed', family: 'dual', kind: 'fault', message: expect.stringContaining('expected 1 to be 2') });
    expect(byId['demo/passes']).toMatchObject({ status: 'passed', family: 'none', kind: 'check' });
    expect(byId['demo/(undeclared)/undeclared']).toMatchObject({ status: 'failed', message: expect.stringContaining('check()') });
    expect(byId['demo/demo/broken-setup/(setup)']).toMatchObject({ status: 'failed', message: expect.stringContaining('setup broke') });
    expect(byId['demo/inner']).toMatchObject({ status: 'skipped', family: 'IPv6' });
    expect(fs.readFileSync(path.join(root, 'report', 'summary.md'), 'utf8')).toMatch(/^## ❌ v6e2e: checks failed/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('renaming a check title keeps its id, its gate matching and its JUnit name', { timeout: 60_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-rename-'));
  const suite = (title: string) => `import { check } from ${CHECK_TS};
check({ id: 'demo/pod-to-pod/ipv6', family: 'IPv6', title: ${JSON.stringify(title)} }, () => {});
`;
  try {
    const before = (await runDemo(root, suite('[IPv6] pod reaches every pod'))).checks[0]!;
    const after = (await runDemo(root, suite('every pod answers every other pod over IPv6'))).checks[0]!;
    expect(after.name).not.toBe(before.name);
    expect(after.id).toBe(before.id);
    expect(after.family).toBe('IPv6');
    expect(testcaseName('ipv6', after)).toBe(testcaseName('ipv6', before));
    const gate = parseGate('demo/pod-to-pod/*\n', 'gate.txt');
    expect(isGating(gate, after.id)).toBe(true);
    expect(isGating(gate, after.id)).toBe(isGating(gate, before.id));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
