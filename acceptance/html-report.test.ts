/**
 * Acceptance of the HTML report (vitest project `report`): generates it from a
 * real run's report dir, opens it in Debian's headless Chromium, screenshots the
 * overview (profile › suite › family tree, environment) and a failing check's
 * view, and checks that view lists the check's evidence attachments.
 *
 *   apt-get install -y chromium          # once; playwright-core drives it, downloads nothing
 *   V6E2E_HTML_FIXTURE=<report dir with at least one failed check> npx vitest run --project report
 *
 * The report dir comes from a real run (`v6e2e run`, or `vitest run --project e2e`
 * with V6E2E_REPORT_DIR; several merged with `v6e2e report a b --out d`). The input
 * is copied, never changed. Screenshots: reports/screenshots/html-overview.png and
 * html-failed-check.png. Without V6E2E_HTML_FIXTURE the tests are skipped, saying why.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateHtml, HTML_DIR } from '../lib/report/html.ts';
import { readSummaries, type CheckResult, type RunSummary } from '../lib/report/summary.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const FIXTURE = process.env.V6E2E_HTML_FIXTURE;
const CHROMIUM = process.env.V6E2E_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(REPO_ROOT, 'reports', 'screenshots');
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

interface AllureResult {
  name: string;
  status: string;
  labels: { name: string; value: string }[];
  attachments?: { name: string }[];
  steps?: AllureStep[];
}
interface AllureStep {
  name: string;
  attachments?: { name: string }[];
  steps?: AllureStep[];
}

function attachmentNames(r: AllureResult): string[] {
  const out = (r.attachments ?? []).map((a) => a.name);
  const walk = (steps: AllureStep[] | undefined) => {
    for (const s of steps ?? []) {
      out.push(...(s.attachments ?? []).map((a) => a.name));
      walk(s.steps);
    }
  };
  walk(r.steps);
  return out;
}

const skipReason = !FIXTURE
  ? 'set V6E2E_HTML_FIXTURE to a report dir of a real run with a failed check'
  : !fs.existsSync(CHROMIUM)
    ? `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set V6E2E_CHROMIUM)`
    : undefined;

describe.skipIf(skipReason !== undefined)(`HTML report of a real run${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let work: string;
  let index: string;
  let summaries: RunSummary[];
  let failed: CheckResult;
  let failedResult: AllureResult;
  let ctx: BrowserContext;
  let page: Page;
  const external: string[] = [];

  beforeAll(async () => {
    const src = path.resolve(FIXTURE as string);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-html-acceptance-'));
    for (const f of ['summary.json', 'allure-results']) fs.cpSync(path.join(src, f), path.join(work, f), { recursive: true });
    summaries = readSummaries(work);
    const f = summaries.flatMap((s) => s.checks).find((c) => c.status === 'failed');
    if (!f) throw new Error(`${src} has no failed check; the failing check's view cannot be tested`);
    failed = f;

    const html = await generateHtml({ reportDir: work, environment: { profile: summaries.map((s) => s.profile).join(', ') } });
    if (!html.ok) throw new Error(`HTML generation failed: ${html.reason}`);
    index = html.index;

    const results = fs
      .readdirSync(path.join(work, 'allure-results'))
      .filter((n) => n.endsWith('-result.json'))
      .map((n) => JSON.parse(fs.readFileSync(path.join(work, 'allure-results', n), 'utf8')) as AllureResult);
    const title = failed.name?.split(' › ').at(-1) ?? '';
    const r = results.find((x) => x.status === 'failed' && x.name === title);
    if (!r) throw new Error(`no failed Allure result named "${title}"`);
    failedResult = r;

    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-chromium-'));
    ctx = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1400, height: 1000 },
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('request', (req) => {
      const u = req.url();
      if (!u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('blob:')) external.push(u);
    });
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await ctx?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('one self-contained index.html', () => {
    expect(path.basename(path.dirname(index))).toBe(HTML_DIR);
    expect(fs.readdirSync(path.dirname(index))).toContain('index.html');
    const html = fs.readFileSync(index, 'utf8');
    expect(html).not.toMatch(/googletagmanager|gtag\(/);
    expect(html.length).toBeGreaterThan(100_000); // data and app inlined
  });

  test('overview: environment and the profile › suite › family tree', async () => {
    await page.goto(`file://${index}`);
    const profile = summaries[0]?.profile as string;
    await page.getByText(profile, { exact: true }).first().waitFor({ timeout: 30_000 });
    const env = fs.readFileSync(path.join(work, 'allure-results', 'environment.properties'), 'utf8');
    const text = await page.evaluate(() => document.body.innerText);
    for (const key of ['kubernetes.version', 'cni', 'kube-proxy.mode', 'nat64.prefix', 'dns64.mode']) {
      if (env.includes(`${key}=`)) expect(text, `environment shows ${key}`).toContain(key);
    }
    // Every (profile, suite) of the run is a group of the tree; the failing check's family under its suite.
    for (const s of summaries) {
      expect(text).toContain(s.profile);
      for (const suite of new Set(s.checks.map((c) => c.suite))) expect(text).toContain(suite);
    }
    await page.screenshot({ path: path.join(SHOTS, 'html-overview.png') });
  });

  test("a failing check's view shows its evidence attachments", async () => {
    const title = failedResult.name;
    const item = page.getByText(title, { exact: true }).first();
    if (!(await item.isVisible())) {
      // expand profile › suite › family
      for (const g of [summaries[0]?.profile, failed.suite, failed.family]) await page.getByText(g as string, { exact: true }).first().click();
    }
    await item.click();
    await page.getByText('Test body').first().waitFor({ timeout: 30_000 });
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain(title);
    expect(text).toContain('Failed');
    const names = attachmentNames(failedResult);
    expect(names, 'the failed check has evidence attachments in allure-results').toEqual(
      expect.arrayContaining(['failure.txt', 'CoreDNS Corefile', expect.stringMatching(/: objects\.yaml$/), expect.stringMatching(/: events\.txt$/)]),
    );
    for (const n of names) expect(text, `attachment "${n}" listed`).toContain(n);
    // open the objects and check real YAML is there
    await page.getByText(names.find((n) => n.endsWith('objects.yaml')) as string).first().click();
    await page.getByText('kind: Pod').first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(SHOTS, 'html-failed-check.png'), fullPage: true });
  });

  test('the report made no request off the machine', () => {
    expect(external).toEqual([]);
  });
});
