import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHECK_ID_LABEL, resultForCheck, readAllureResults } from './allure-results.ts';
import { buildOverview, MAX_ATTACHMENT_CHARS, readHistory, renderOverview, type HistoryRun, type Overview } from './overview.ts';
import type { CheckResult, RunSummary } from './summary.ts';

// Made when the tests start, not when vitest only collects them (`vitest list` ran no afterAll).
let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-overview-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const check = (id: string, suite: string, family: CheckResult['family'], status: CheckResult['status'], name: string, extra: Partial<CheckResult> = {}): CheckResult => ({
  id,
  suite,
  family,
  status,
  durationMs: 10,
  retries: 0,
  name,
  ...extra,
});

const summary = (profile: string, checks: CheckResult[]): RunSummary => ({
  profile,
  kubernetesVersion: 'v1.34.4',
  startedAt: '2026-11-22T08:00:00.000Z',
  durationMs: 200_000,
  totals: { passed: 0, failed: 0, skipped: 0, flaky: 0 },
  checks,
});

const FAILING_NAME = 'translator › [IPv6] a pod reaches the IPv4-only origin through NAT64';
const FULL = 'v6e2e:suites/nat64/egress.test.ts#translator [IPv6] a pod reaches the IPv4-only origin through NAT64';

/** allure-results/ with the failing check on ipv6 (and the same check, passing, on dual) plus evidence. */
function results(): string {
  const dir = path.join(root, 'allure-results');
  fs.mkdirSync(dir, { recursive: true });
  const write = (uuid: string, profile: string, status: string, attachments: { name: string; source: string; type: string }[], stop: number) =>
    fs.writeFileSync(
      path.join(dir, `${uuid}-result.json`),
      JSON.stringify({
        uuid,
        name: '[IPv6] a pod reaches the IPv4-only origin through NAT64',
        fullName: FULL,
        status,
        stop,
        labels: [
          { name: 'parentSuite', value: profile },
          { name: 'suite', value: 'nat64' },
          { name: 'subSuite', value: 'IPv6' },
        ],
        attachments,
        steps: [{ name: 'evidence', attachments: [{ name: 'CoreDNS Corefile', source: 'c-attachment.txt', type: 'text/plain' }], steps: [] }],
      }),
    );
  write('a-first-try', 'ipv6', 'failed', [], 1);
  write('a-last-try', 'ipv6', 'failed', [
    { name: 'failure.txt', source: 'f-attachment.txt', type: 'text/plain' },
    { name: 'nat64-x: objects.yaml', source: 'o-attachment.yaml', type: 'application/yaml' },
    { name: 'screen', source: 'p-attachment.png', type: 'image/png' },
  ], 2);
  write('b', 'dual', 'passed', [], 3);
  fs.writeFileSync(path.join(dir, 'f-attachment.txt'), 'nat64 [IPv6] pod x on worker2: GET http://[64:ff9b::6440:1]:8000/ expected 200, saw timeout');
  fs.writeFileSync(path.join(dir, 'o-attachment.yaml'), `kind: Pod\nmetadata:\n  name: x\n${'#'.repeat(MAX_ATTACHMENT_CHARS)}`);
  fs.writeFileSync(path.join(dir, 'c-attachment.txt'), '.:53 {\n  dns64 64:ff9b::/96\n}');
  fs.writeFileSync(path.join(dir, 'p-attachment.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  return dir;
}

const historyRun = (name: string, status: string, id = 'old'): HistoryRun => ({
  name,
  timestamp: 1_795_000_000_000,
  testResults: {
    k: { id, fullName: FULL, status, labels: [{ name: 'parentSuite', value: 'ipv6' }] },
    other: { id: 'o', fullName: 'v6e2e:suites/x.test.ts#x', status: 'passed', labels: [{ name: 'parentSuite', value: 'ipv6' }] },
  },
});

describe('resultForCheck finds the Allure result of a summary check', () => {
  test('by profile, suite and describe path; the last retry wins', () => {
    const all = readAllureResults(results());
    expect(resultForCheck(all, 'ipv6', { suite: 'nat64', name: FAILING_NAME })?.uuid).toBe('a-last-try');
    expect(resultForCheck(all, 'dual', { suite: 'nat64', name: FAILING_NAME })?.uuid).toBe('b');
    expect(resultForCheck(all, 'ipv6', { suite: 'dns64', name: FAILING_NAME })).toBeUndefined();
    expect(resultForCheck(all, 'ipv4', { suite: 'nat64', name: FAILING_NAME })).toBeUndefined();
  });
  test('by the declared id (checkId label) when results carry it, whatever the title', () => {
    const labelled = (uuid: string, profile: string, id: string, stop: number) => ({
      uuid,
      name: 'a title that was renamed',
      fullName: 'v6e2e:suites/nat64/x.test.ts#renamed',
      stop,
      labels: [
        { name: 'parentSuite', value: profile },
        { name: CHECK_ID_LABEL, value: id },
      ],
    });
    const all = [labelled('old', 'ipv6', 'nat64/http/ipv6', 1), labelled('new', 'ipv6', 'nat64/http/ipv6', 2), labelled('other', 'ipv6', 'nat64/udp/ipv6', 3), labelled('dual', 'dual', 'nat64/http/ipv6', 4)];
    expect(resultForCheck(all, 'ipv6', { id: 'nat64/http/ipv6', suite: 'nat64', name: 'the old title' })?.uuid).toBe('new');
    expect(resultForCheck(all, 'dual', { id: 'nat64/http/ipv6', suite: 'nat64' })?.uuid).toBe('dual');
    expect(resultForCheck(all, 'ipv4', { id: 'nat64/http/ipv6', suite: 'nat64' })).toBeUndefined();
  });
});

describe('the overview page', () => {
  let resultsDir: string;
  const summaries = [
    summary('ipv6', [
      check('nat64/translator/egress', 'nat64', 'IPv6', 'failed', FAILING_NAME, { message: 'expected 200 from [64:ff9b::6440:1]:8000, saw timeout' }),
      check('nat64/translator/v4', 'nat64', 'IPv4', 'skipped', 'translator › [IPv4] x', { message: 'cluster is ipv6: no IPv4' }),
      check('af/pods', 'address-families', 'IPv6', 'flaky', 'pods › [IPv6] y', { retries: 1, timing: 'waits for EndpointSlices' }),
    ]),
    summary('dual', [
      check('nat64/translator/egress', 'nat64', 'IPv6', 'passed', FAILING_NAME),
      check('lb/x', 'loadbalancer', 'dual', 'failed', 'lb › [dual] z', { gating: false, message: 'pending for IPv6' }),
    ]),
  ];
  const history = [historyRun('v6e2e 1', 'passed'), historyRun('v6e2e 2', 'failed'), historyRun('v6e2e 3', 'failed'), historyRun('v6e2e 4', 'failed', 'now-id')];
  let o: Overview;
  beforeAll(() => {
    resultsDir = results();
    o = buildOverview({ summaries, resultsDir, history, environment: { 'nat64.prefix': '64:ff9b::/96' }, title: 'v6e2e ipv6, dual', allureHref: (id) => `allure/index.html#${id}` });
  });

  test('matrix: a cell per profile × suite × family that has checks, coloured by its worst result', () => {
    const state = (p: string, s: string, f: string) => o.cells.find((c) => c.profile === p && c.suite === s && c.family === f);
    expect(state('ipv6', 'nat64', 'IPv6')?.totals).toEqual({ passed: 0, failed: 1, skipped: 0, flaky: 0 });
    expect(state('dual', 'nat64', 'IPv6')?.totals.passed).toBe(1);
    expect(o.families).toEqual(['IPv4', 'IPv6', 'dual']);
    expect(o.suites).toEqual(['address-families', 'loadbalancer', 'nat64']);
    expect(o.verdict).toBe('failed');
  });

  test('runs of different profiles are not compared: no differences section', () => {
    expect(o.differences).toEqual([]);
    expect(renderOverview(o)).not.toContain('id="differences"');
  });

  test('a patched tree and its base: the checks whose outcome differs get their own section', () => {
    const base = { ...summary('dual-srcaaaaaa', [check('np/v6', 'nodeport', 'IPv6', 'passed', 'np › [IPv6] x')]), baseProfile: 'dual' };
    const patched = { ...summary('dual-srcbbbbbb', [check('np/v6', 'nodeport', 'IPv6', 'failed', 'np › [IPv6] x', { message: 'w1 [IPv6] refused' })]), baseProfile: 'dual' };
    const x = buildOverview({ summaries: [base, patched], resultsDir, history: [], environment: {}, title: 't', allureHref: (id) => id });
    expect(x.differences.map((d) => d.outcomes.map((r) => `${r.profile}:${r.status}`))).toEqual([['dual-srcaaaaaa:passed', 'dual-srcbbbbbb:failed']]);
    expect(renderOverview(x)).toMatch(/<section id="differences"><h2>Differences between runs \(1\)<\/h2>[\s\S]*<code>np\/v6<\/code>[\s\S]*dual-srcbbbbbb: failed/);
  });

  test('failed checks: gating first, with since-when from the history and a link into the Allure report', () => {
    expect(o.failures.map((f) => [f.profile, f.check.id, f.gating])).toEqual([
      ['ipv6', 'nat64/translator/egress', true],
      ['dual', 'lb/x', false],
    ]);
    const f = o.failures[0];
    // runs 2 and 3 failed, run 1 passed; run 4 is this one
    expect(f).toMatchObject({ failedBefore: 2, knownRuns: 3, allureHref: 'allure/index.html#now-id' });
  });

  test("a failed check's evidence is inline: text clipped, binary named only", () => {
    const att = o.failures[0]?.attachments ?? [];
    expect(att.map((a) => a.name)).toEqual(['failure.txt', 'nat64-x: objects.yaml', 'screen', 'CoreDNS Corefile']);
    expect(att[0]?.text).toContain('expected 200, saw timeout');
    expect(att[1]).toMatchObject({ clipped: true });
    expect(att[1]?.text).toHaveLength(MAX_ATTACHMENT_CHARS);
    expect(att[2]).toMatchObject({ type: 'image/png', bytes: 4 });
    expect(att[2]?.text).toBeUndefined();
  });

  test('rendered: self-contained, no script, escaped, every part present', () => {
    const html = renderOverview(o, { allure: 'allure/index.html' });
    expect(html).not.toMatch(/<script|<link|(src|href)="https?:/);
    expect(html).toContain('id="matrix-table"');
    expect(html).toContain('data-cell="ipv6/nat64/IPv6"');
    expect(html).toMatch(/class="cell failed"[^>]*><a href="#fail-1">1 ✗<\/a>/);
    expect(html).toContain('class="cell warning"'); // the non-gating failure
    expect(html).toContain('class="cell flaky"');
    expect(html).toContain('failing for 3 runs in a row');
    expect(html).toContain('[64:ff9b::6440:1]:8000');
    expect(html).toContain('kind: Pod');
    expect(html).toContain('timing-dependent: waits for EndpointSlices');
    expect(html).toContain('<th>nat64.prefix</th><td>64:ff9b::/96</td>');
    expect(html).toContain('v6e2e 4 (this run)');
  });

  test('a check name with markup is escaped', () => {
    const x = buildOverview({
      summaries: [summary('ipv6', [check('x', 'dns64', 'IPv6', 'failed', '<img src=x onerror=alert(1)>', { message: '</pre><b>' })])],
      resultsDir,
      history: [],
      environment: {},
      title: 'v6e2e',
    });
    const html = renderOverview(x);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;/pre&gt;&lt;b&gt;');
    expect(html).toContain('--history &lt;previous report dir&gt;');
  });

  test('history: torn lines are skipped, a missing file is an empty history', () => {
    const f = path.join(root, 'history.jsonl');
    fs.writeFileSync(f, `${JSON.stringify(historyRun('a', 'passed'))}\n{"torn":\n${JSON.stringify(historyRun('b', 'failed'))}\n`);
    expect(readHistory(f).map((r) => r.name)).toEqual(['a', 'b']);
    expect(readHistory(path.join(root, 'none.jsonl'))).toEqual([]);
  });
});
