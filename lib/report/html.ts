/**
 * The offline HTML report: Allure 3 (`allure` npm package, pure Node, no Java,
 * no network) run over a report directory's allure-results/, into
 * `<report-dir>/html/index.html` — a single self-contained file (Awesome UI,
 * `singleFile`), grouped profile › suite › family (the `parentSuite`, `suite`
 * and `subSuite` labels suites/setup/labels.ts sets).
 *
 * History (trend charts, "new failed", flaky markers across runs) lives in
 * `<report-dir>/history.jsonl`; `--history <previous report dir>` copies the
 * previous one in first, so each report carries the history forward.
 *
 * The report makes no network request: Allure's built-in analytics snippet
 * is removed (stripAnalytics). Allure runs in a child process (its CLI calls process.exit on errors) with a
 * time limit. Never throws for a broken generation: returns why instead, so the
 * caller decides (a run's verdict must not depend on rendering).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProperties, renderProperties, type EnvironmentInfo } from './environment.ts';
import { buildOverview, readHistory, renderOverview } from './overview.ts';
import { readSummaries, SUMMARY_JSON, type RunSummary } from './summary.ts';
import { UsageError } from '../util/errors.ts';

export const HTML_DIR = 'html';
/** The full Allure report, under html/; html/index.html is the overview (lib/report/overview.ts). */
export const ALLURE_HTML_DIR = 'allure';
export const ALLURE_RESULTS = 'allure-results';
export const HISTORY_FILE = 'history.jsonl';
export const ENVIRONMENT_FILE = 'environment.properties';

/** Labels Allure groups the tree by: profile › suite › family. */
export const GROUP_BY = ['parentSuite', 'suite', 'subSuite'] as const;

export interface HtmlOptions {
  /** The report dir: reads `<dir>/allure-results`, writes `<dir>/html/` and `<dir>/history.jsonl`. */
  reportDir: string;
  /** Previous report dir (or its history.jsonl) whose history to continue. */
  historyFrom?: string;
  /** Report title. Default: "v6e2e <profiles>". */
  name?: string;
  /** Merged into allure-results/environment.properties before generation. */
  environment?: EnvironmentInfo;
  /** Default 300 s. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export type HtmlResult =
  | {
      ok: true;
      /** html/index.html: the overview (matrix, failed checks with evidence, trend, environment). */
      index: string;
      /** html/allure/index.html: the full Allure report. */
      allureIndex: string;
      results: number;
    }
  | { ok: false; reason: string };

/** Link from the overview to a check in the Allure report (Awesome routes test results by id in the hash). */
export function allureCheckHref(id: string): string {
  return `${ALLURE_HTML_DIR}/index.html#${encodeURIComponent(id)}`;
}

function allureCli(): string {
  const entry = fileURLToPath(import.meta.resolve('allure'));
  return path.join(path.dirname(entry), '..', 'cli.js');
}

/** Finds the history file of a previous report: `<dir>/history.jsonl`, `<dir>/html/history.jsonl`, or the file itself. */
export function findHistory(from: string): string | undefined {
  const candidates = from.endsWith('.jsonl') ? [from] : [path.join(from, HISTORY_FILE), path.join(from, HTML_DIR, HISTORY_FILE)];
  return candidates.find((f) => {
    try {
      return fs.statSync(f).isFile();
    } catch {
      return false; // not this candidate; with none found there is no history to extend (optional)
    }
  });
}

const SUITE_LABELS = new Set<string>(GROUP_BY);

/**
 * allure-vitest labels every result with suite labels from its describe path;
 * labels.ts adds ours afterwards. Keep the last of each suite label, so the
 * tree is profile › suite › family, not the describe path. Returns how many
 * result files there are. Idempotent.
 */
export function normalizeResults(resultsDir: string): number {
  let results = 0;
  for (const f of fs.readdirSync(resultsDir)) {
    if (!f.endsWith('-result.json')) continue;
    results++;
    const file = path.join(resultsDir, f);
    let data: { labels?: { name: string; value: string }[] };
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof data;
    } catch {
      continue; // Allure skips what it cannot read too
    }
    const labels = data.labels ?? [];
    const lastIndex = new Map<string, number>();
    labels.forEach((l, i) => {
      if (SUITE_LABELS.has(l.name)) lastIndex.set(l.name, i);
    });
    const kept = labels.filter((l, i) => !SUITE_LABELS.has(l.name) || lastIndex.get(l.name) === i);
    if (kept.length !== labels.length) {
      data.labels = kept;
      fs.writeFileSync(file, JSON.stringify(data));
    }
  }
  return results;
}

/** `<resultsDir>/environment.properties`, or nothing when there is none yet. */
export function readEnvironment(resultsDir: string): EnvironmentInfo {
  const file = path.join(resultsDir, ENVIRONMENT_FILE);
  try {
    return parseProperties(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    throw new UsageError(`cannot read ${file} (${code ?? String(err)}); make it readable or delete it`);
  }
}

/** Merges `info` into `<resultsDir>/environment.properties` (given values win). */
export function writeEnvironment(resultsDir: string, info: EnvironmentInfo): void {
  const file = path.join(resultsDir, ENVIRONMENT_FILE);
  const merged = readEnvironment(resultsDir);
  for (const [k, v] of Object.entries(info)) if (v !== '') merged[k] = v;
  fs.writeFileSync(file, renderProperties(merged));
}

/** Environment facts a summary knows (profile, Kubernetes version) — one run's or several runs'. */
export function environmentFromSummaries(summaries: readonly RunSummary[]): EnvironmentInfo {
  const uniq = (xs: string[]) => [...new Set(xs.filter((x) => x && x !== 'unknown'))].join(', ');
  const out: EnvironmentInfo = {};
  const profiles = uniq(summaries.map((s) => s.profile));
  const versions = uniq(summaries.map((s) => s.kubernetesVersion));
  if (profiles) out.profile = profiles;
  if (versions) out['kubernetes.version'] = versions;
  return out;
}

function run(cmd: string, args: string[], opts: { cwd: string; timeoutMs: number }): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-8_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}\n${err.message}`, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/**
 * Allure 3.18's Awesome template always embeds Google Analytics (gtag.js from
 * googletagmanager.com, `analyticsEnable: true` hard-coded). An offline report
 * must not phone home, so the loader and its inline config script are removed.
 */
export function stripAnalytics(html: string): string {
  return html
    .replace(/<script\b[^>]*\bsrc="https:\/\/www\.googletagmanager\.com\/[^"]*"[^>]*>\s*<\/script>\s*/g, '')
    .replace(/<script>(?:(?!<\/script>)[\s\S])*?\bgtag\((?:(?!<\/script>)[\s\S])*?<\/script>\s*/g, '');
}

/**
 * html/index.html from summary.json, allure-results/ and the history (which
 * Allure has just extended with this run). Without a summary (a bare
 * allure-results dir) the overview only points at the Allure report.
 */
function writeOverview(reportDir: string, index: string, title: string): void {
  // No summary.json (a bare allure-results dir): the overview only points at Allure. One that is
  // there but unreadable is an error, not an empty overview.
  const summaries: RunSummary[] = fs.existsSync(path.join(reportDir, SUMMARY_JSON)) ? readSummaries(reportDir) : [];
  const resultsDir = path.join(reportDir, ALLURE_RESULTS);
  const overview = buildOverview({
    summaries,
    resultsDir,
    history: readHistory(path.join(reportDir, HISTORY_FILE)),
    environment: readEnvironment(resultsDir),
    title,
    allureHref: allureCheckHref,
  });
  fs.writeFileSync(index, renderOverview(overview, { allure: `${ALLURE_HTML_DIR}/index.html` }));
}

export async function generateHtml(opts: HtmlOptions): Promise<HtmlResult> {
  const reportDir = path.resolve(opts.reportDir);
  const resultsDir = path.join(reportDir, ALLURE_RESULTS);
  const outDir = path.join(reportDir, HTML_DIR);
  const historyPath = path.join(reportDir, HISTORY_FILE);
  let results: number;
  try {
    if (!fs.statSync(resultsDir).isDirectory()) return { ok: false, reason: `${resultsDir} is not a directory` };
    results = normalizeResults(resultsDir);
    if (opts.environment && Object.keys(opts.environment).length > 0) writeEnvironment(resultsDir, opts.environment);
  } catch (err) {
    return { ok: false, reason: `cannot read ${resultsDir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  if (results === 0) return { ok: false, reason: `no test results in ${resultsDir}` };

  if (opts.historyFrom !== undefined) {
    const prev = findHistory(path.resolve(opts.historyFrom));
    if (!prev) {
      opts.log?.(`v6e2e: no ${HISTORY_FILE} in ${opts.historyFrom}; the HTML report starts a new history`);
    } else if (path.resolve(prev) !== historyPath) {
      fs.copyFileSync(prev, historyPath);
    }
  }

  const config = {
    name: opts.name ?? 'v6e2e',
    output: path.join(outDir, ALLURE_HTML_DIR),
    historyPath,
    plugins: {
      awesome: {
        options: {
          singleFile: true,
          reportName: opts.name ?? 'v6e2e',
          groupBy: [...GROUP_BY],
          reportLanguage: 'en',
          theme: 'light',
        },
      },
    },
  };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-allure-'));
  try {
    const configFile = path.join(tmp, 'allurerc.json');
    fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
    fs.rmSync(outDir, { recursive: true, force: true });
    const allureDir = path.join(outDir, ALLURE_HTML_DIR);
    const r = await run(process.execPath, [allureCli(), 'generate', resultsDir, '--config', configFile, '--output', allureDir], {
      cwd: tmp,
      timeoutMs: opts.timeoutMs ?? 300_000,
    });
    const allureIndex = path.join(allureDir, 'index.html');
    if (r.timedOut) return { ok: false, reason: `allure generate timed out after ${Math.round((opts.timeoutMs ?? 300_000) / 1000)}s` };
    if (r.code !== 0 || !fs.existsSync(allureIndex)) {
      const tail = r.output.trim().split('\n').slice(-3).join(' / ');
      return { ok: false, reason: `allure generate exited ${r.code ?? 'abnormally'}${tail ? `: ${tail}` : ''}` };
    }
    fs.writeFileSync(allureIndex, stripAnalytics(fs.readFileSync(allureIndex, 'utf8')));
    const index = path.join(outDir, 'index.html');
    try {
      writeOverview(reportDir, index, opts.name ?? 'v6e2e');
    } catch (err) {
      // An unreadable summary or environment file: no overview, said like the other reasons the report is missing.
      if (err instanceof UsageError) return { ok: false, reason: err.message };
      throw err;
    }
    return { ok: true, index, allureIndex, results };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
