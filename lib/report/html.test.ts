import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findHistory, generateHtml, normalizeResults, stripAnalytics, writeEnvironment } from './html.ts';
import { parseProperties } from './environment.ts';

// Made when the tests start, not when vitest only collects them (`vitest list` ran no afterAll).
let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-html-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function result(uuid: string, name: string, status: string, labels: [string, string][]): string {
  return JSON.stringify({
    uuid,
    historyId: `h-${name}`,
    testCaseId: `t-${name}`,
    fullName: `suites/x.test.ts#${name}`,
    name,
    status,
    stage: 'finished',
    start: 1_700_000_000_000,
    stop: 1_700_000_000_500,
    labels: labels.map(([n, v]) => ({ name: n, value: v })),
    steps: [],
    attachments: [],
    parameters: [],
    links: [],
  });
}

function resultsDir(name: string): string {
  const d = path.join(root, name, 'allure-results');
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(
    path.join(d, '11111111-1111-1111-1111-111111111111-result.json'),
    result('11111111-1111-1111-1111-111111111111', '[IPv6] a', 'passed', [
      ['parentSuite', 'services'],
      ['suite', 'nested describe'],
      ['framework', 'vitest'],
      ['parentSuite', 'dual'],
      ['suite', 'address-families'],
      ['subSuite', 'IPv6'],
    ]),
  );
  fs.writeFileSync(
    path.join(d, '22222222-2222-2222-2222-222222222222-result.json'),
    result('22222222-2222-2222-2222-222222222222', '[IPv4] b', 'failed', [
      ['parentSuite', 'dual'],
      ['suite', 'connectivity'],
      ['subSuite', 'IPv4'],
    ]),
  );
  return path.dirname(d);
}

describe('preparing allure-results', () => {
  test('suite labels: the last of each wins (ours over the describe path); idempotent', () => {
    const dir = resultsDir('norm');
    const res = path.join(dir, 'allure-results');
    expect(normalizeResults(res)).toBe(2);
    const labels = (JSON.parse(fs.readFileSync(path.join(res, '11111111-1111-1111-1111-111111111111-result.json'), 'utf8')) as { labels: { name: string; value: string }[] }).labels;
    expect(labels).toEqual([
      { name: 'framework', value: 'vitest' },
      { name: 'parentSuite', value: 'dual' },
      { name: 'suite', value: 'address-families' },
      { name: 'subSuite', value: 'IPv6' },
    ]);
    const before = fs.readFileSync(path.join(res, '11111111-1111-1111-1111-111111111111-result.json'), 'utf8');
    normalizeResults(res);
    expect(fs.readFileSync(path.join(res, '11111111-1111-1111-1111-111111111111-result.json'), 'utf8')).toBe(before);
  });
  test('environment.properties is merged, given values win', () => {
    const res = path.join(resultsDir('env'), 'allure-results');
    fs.writeFileSync(path.join(res, 'environment.properties'), 'profile=unknown\ncni=kindnet\n');
    writeEnvironment(res, { profile: 'dual', 'kubernetes.version': 'v1.34.4', 'nat64.prefix': '64:ff9b::/96' });
    expect(parseProperties(fs.readFileSync(path.join(res, 'environment.properties'), 'utf8'))).toEqual({
      profile: 'dual',
      cni: 'kindnet',
      'kubernetes.version': 'v1.34.4',
      'nat64.prefix': '64:ff9b::/96',
    });
  });
  test('findHistory: the dir, its html/, or the file itself', () => {
    const d = path.join(root, 'hist');
    fs.mkdirSync(path.join(d, 'html'), { recursive: true });
    expect(findHistory(d)).toBeUndefined();
    fs.writeFileSync(path.join(d, 'html', 'history.jsonl'), '{}\n');
    expect(findHistory(d)).toBe(path.join(d, 'html', 'history.jsonl'));
    fs.writeFileSync(path.join(d, 'history.jsonl'), '{}\n');
    expect(findHistory(d)).toBe(path.join(d, 'history.jsonl'));
    expect(findHistory(path.join(d, 'html', 'history.jsonl'))).toBe(path.join(d, 'html', 'history.jsonl'));
  });
  test("stripAnalytics removes Allure's gtag loader and config script, nothing else", () => {
    const html = `<body><div id="app"></div><script>window.allure = {};</script>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
    </script>
    <script>window.reportData = 1;</script></body>`;
    const out = stripAnalytics(html);
    expect(out).not.toMatch(/googletagmanager|gtag/);
    expect(out).toContain('<script>window.allure = {};</script>');
    expect(out).toContain('<script>window.reportData = 1;</script>');
  });
});

describe('generateHtml (allure 3, offline)', () => {
  test('overview index.html + one-file Allure report, no analytics, history carried forward with --history', async () => {
    const first = resultsDir('gen1');
    const r1 = await generateHtml({ reportDir: first, environment: { profile: 'dual' } });
    expect(r1).toMatchObject({ ok: true, results: 2 });
    const index = path.join(first, 'html', 'index.html');
    const allure = path.join(first, 'html', 'allure', 'index.html');
    expect(r1).toMatchObject({ index, allureIndex: allure });
    expect(fs.readFileSync(allure, 'utf8')).not.toMatch(/googletagmanager/);
    // no summary.json here: the overview still links to the Allure report
    expect(fs.readFileSync(index, 'utf8')).toContain('href="allure/index.html"');
    const h1 = fs.readFileSync(path.join(first, 'history.jsonl'), 'utf8').trim().split('\n');
    expect(h1).toHaveLength(1);

    const second = resultsDir('gen2');
    const r2 = await generateHtml({ reportDir: second, historyFrom: first });
    expect(r2.ok).toBe(true);
    expect(fs.readFileSync(path.join(second, 'history.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  }, 120_000);
  test('no results → a reason, not an exception', async () => {
    const d = path.join(root, 'none');
    fs.mkdirSync(path.join(d, 'allure-results'), { recursive: true });
    expect(await generateHtml({ reportDir: d })).toEqual({ ok: false, reason: `no test results in ${path.join(d, 'allure-results')}` });
    expect((await generateHtml({ reportDir: path.join(root, 'missing') })).ok).toBe(false);
  });
});
