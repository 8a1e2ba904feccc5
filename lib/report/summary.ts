/**
 * The run summary: one JSON file per run (summary.json) that CI and `v6e2e report`
 * read back, and a markdown rendering for a GitHub Actions job summary.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../util/errors.ts';

export type CheckFamily = 'IPv4' | 'IPv6' | 'dual' | 'none';
export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'flaky';

export interface CheckResult {
  /** Stable slug of `suite/<describe path>/<test name>`; same test, same id across runs. */
  id: string;
  /** Folder under suites/ (`connectivity`), or `(run)` for errors outside any test. */
  suite: string;
  family: CheckFamily;
  status: CheckStatus;
  durationMs: number;
  /** Failure message, skip reason, or the error a flaky check recovered from. */
  message?: string;
  /** Retries used (0 when it passed or failed at the first attempt). */
  retries: number;
}

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  flaky: number;
}

export interface RunSummary {
  /** Cluster profile (`ipv6`, `dual`, …) or `unknown` when not told. */
  profile: string;
  /** `v1.34.4`, or `unknown`. */
  kubernetesVersion: string;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  totals: Totals;
  checks: CheckResult[];
  /** Why vitest ended the run; `interrupted` means the numbers are partial. */
  reason?: 'passed' | 'failed' | 'interrupted';
}

export const SUMMARY_JSON = 'summary.json';
export const SUMMARY_MD = 'summary.md';

export function tally(checks: readonly CheckResult[]): Totals {
  const t: Totals = { passed: 0, failed: 0, skipped: 0, flaky: 0 };
  for (const c of checks) t[c.status]++;
  return t;
}

export function writeSummaryJson(dir: string, summary: RunSummary): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, SUMMARY_JSON);
  fs.writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

export function writeSummaryMd(dir: string, summaries: RunSummary | readonly RunSummary[]): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, SUMMARY_MD);
  fs.writeFileSync(file, renderSummaryMd(summaries));
  return file;
}

const STATUSES: readonly CheckStatus[] = ['passed', 'failed', 'skipped', 'flaky'];
const FAMILIES: readonly CheckFamily[] = ['IPv4', 'IPv6', 'dual', 'none'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates an untrusted parsed summary.json (written by another version, or hand-edited). */
export function parseSummary(data: unknown, source: string): RunSummary {
  const bad = (what: string) => new UsageError(`${source} is not a v6e2e summary (${what}); pass a report directory written by \`v6e2e run\``);
  if (!isRecord(data)) throw bad('not a JSON object');
  const { profile, kubernetesVersion, startedAt, durationMs, checks, reason } = data;
  if (typeof profile !== 'string') throw bad('no profile');
  if (typeof startedAt !== 'string') throw bad('no startedAt');
  if (!Array.isArray(checks)) throw bad('no checks array');
  const parsed: CheckResult[] = checks.map((c, i) => {
    if (!isRecord(c)) throw bad(`checks[${i}] is not an object`);
    const { id, suite, family, status, message, retries } = c;
    if (typeof id !== 'string' || typeof suite !== 'string') throw bad(`checks[${i}] has no id/suite`);
    if (!STATUSES.includes(status as CheckStatus)) throw bad(`checks[${i}].status ${JSON.stringify(status)}`);
    if (!FAMILIES.includes(family as CheckFamily)) throw bad(`checks[${i}].family ${JSON.stringify(family)}`);
    return {
      id,
      suite,
      family: family as CheckFamily,
      status: status as CheckStatus,
      durationMs: typeof c.durationMs === 'number' ? c.durationMs : 0,
      retries: typeof retries === 'number' ? retries : 0,
      ...(typeof message === 'string' ? { message } : {}),
    };
  });
  return {
    profile,
    kubernetesVersion: typeof kubernetesVersion === 'string' ? kubernetesVersion : 'unknown',
    startedAt,
    durationMs: typeof durationMs === 'number' ? durationMs : 0,
    // Recomputed rather than trusted: the table must agree with the rows.
    totals: tally(parsed),
    checks: parsed,
    ...(reason === 'passed' || reason === 'failed' || reason === 'interrupted' ? { reason } : {}),
  };
}

/** Reads `<dir>/summary.json` (or a summary.json path directly). */
export function readSummaryJson(dirOrFile: string): RunSummary {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, SUMMARY_JSON);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read ${file} (${code}); pass a report directory written by \`v6e2e run\``);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not valid JSON; pass a report directory written by \`v6e2e run\``);
  }
  return parseSummary(data, file);
}

// ---------------------------------------------------------------- markdown

export type Verdict = 'passed' | 'failed' | 'empty' | 'interrupted';

export function verdictOf(summaries: readonly RunSummary[]): Verdict {
  const t = sumTotals(summaries);
  if (t.failed > 0) return 'failed';
  if (summaries.some((s) => s.reason === 'interrupted')) return 'interrupted';
  if (t.passed + t.flaky === 0) return 'empty';
  return 'passed';
}

function sumTotals(summaries: readonly RunSummary[]): Totals {
  return tally(summaries.flatMap((s) => s.checks));
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** A table cell: no pipes, no newlines (they would end the row). */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A fence longer than any backtick run in the text, so the message cannot close it. */
function fenced(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text}\n${fence}`;
}

const MAX_MESSAGE_LINES = 30;
const MAX_MESSAGE_CHARS = 3000;

function clip(message: string): string {
  let lines = message.split(/\r?\n/);
  let clipped = false;
  if (lines.length > MAX_MESSAGE_LINES) {
    lines = lines.slice(0, MAX_MESSAGE_LINES);
    clipped = true;
  }
  let text = lines.join('\n');
  if (text.length > MAX_MESSAGE_CHARS) {
    text = text.slice(0, MAX_MESSAGE_CHARS);
    clipped = true;
  }
  return clipped ? `${text}\n… (truncated; see junit.xml / the Allure report)` : text;
}

const HEADLINE: Record<Verdict, string> = {
  passed: '✅ v6e2e: all checks passed',
  failed: '❌ v6e2e: checks failed',
  empty: '⚠️ v6e2e: no checks ran',
  interrupted: '⚠️ v6e2e: run interrupted, results are partial',
};

/**
 * Markdown for `$GITHUB_STEP_SUMMARY`: verdict, totals, a profile × suite × family
 * count table, then every failing check with its message. Accepts several runs
 * (one per profile) so `v6e2e report a/ b/` renders a matrix.
 */
export function renderSummaryMd(input: RunSummary | readonly RunSummary[]): string {
  const summaries: readonly RunSummary[] = Array.isArray(input) ? input : [input as RunSummary];
  const totals = sumTotals(summaries);
  const verdict = verdictOf(summaries);
  const out: string[] = [];

  const failedCount = totals.failed;
  const all = totals.passed + totals.failed + totals.skipped + totals.flaky;
  out.push(`## ${HEADLINE[verdict]}${verdict === 'failed' ? ` (${failedCount} of ${all})` : ''}`, '');

  for (const s of summaries) {
    out.push(
      `- **${cell(s.profile)}** · Kubernetes ${cell(s.kubernetesVersion)} · started ${cell(s.startedAt)} · ${formatDuration(s.durationMs)}` +
        (s.reason === 'interrupted' ? ' · **interrupted**' : ''),
    );
  }
  out.push('');

  out.push('| passed | failed | skipped | flaky |', '|---:|---:|---:|---:|');
  out.push(`| ${totals.passed} | ${totals.failed} | ${totals.skipped} | ${totals.flaky} |`, '');

  // profile × suite × family
  const rows = new Map<string, { profile: string; suite: string; family: CheckFamily; t: Totals }>();
  for (const s of summaries) {
    for (const c of s.checks) {
      const key = JSON.stringify([s.profile, c.suite, c.family]);
      let row = rows.get(key);
      if (!row) {
        row = { profile: s.profile, suite: c.suite, family: c.family, t: { passed: 0, failed: 0, skipped: 0, flaky: 0 } };
        rows.set(key, row);
      }
      row.t[c.status]++;
    }
  }
  if (rows.size > 0) {
    const famOrder = (f: CheckFamily) => FAMILIES.indexOf(f);
    const sorted = [...rows.values()].sort(
      (a, b) =>
        summaries.findIndex((s) => s.profile === a.profile) - summaries.findIndex((s) => s.profile === b.profile) ||
        a.suite.localeCompare(b.suite) ||
        famOrder(a.family) - famOrder(b.family),
    );
    out.push('### By profile, suite and family', '');
    out.push('| profile | suite | family | passed | failed | skipped | flaky |', '|---|---|---|---:|---:|---:|---:|');
    for (const r of sorted) {
      const failed = r.t.failed > 0 ? `**${r.t.failed}**` : '0';
      out.push(`| ${cell(r.profile)} | ${cell(r.suite)} | ${r.family} | ${r.t.passed} | ${failed} | ${r.t.skipped} | ${r.t.flaky} |`);
    }
    out.push('');
  }

  const failing = summaries.flatMap((s) => s.checks.filter((c) => c.status === 'failed').map((c) => ({ s, c })));
  if (failing.length > 0) {
    out.push('### Failing checks', '');
    for (const { s, c } of failing) {
      out.push(`- **${cell(c.id)}** · ${cell(s.profile)} · ${c.family}${c.retries > 0 ? ` · ${c.retries} retries` : ''}`, '');
      out.push(fenced(clip(c.message ?? '(no message)')), '');
    }
  }

  const flaky = summaries.flatMap((s) => s.checks.filter((c) => c.status === 'flaky').map((c) => ({ s, c })));
  if (flaky.length > 0) {
    out.push('### Flaky checks (passed after retries)', '');
    for (const { s, c } of flaky) {
      out.push(`- ${cell(c.id)} · ${cell(s.profile)} · ${c.retries} retries${c.message ? ` · ${cell(firstLine(c.message))}` : ''}`);
    }
    out.push('');
  }

  // Skips grouped by reason: "dns64: no DNS64 resolver configured" once, not per test.
  const skipped = new Map<string, number>();
  for (const s of summaries) {
    for (const c of s.checks.filter((x) => x.status === 'skipped')) {
      const key = `${s.profile} · ${c.suite}: ${firstLine(c.message ?? 'skipped')}`;
      skipped.set(key, (skipped.get(key) ?? 0) + 1);
    }
  }
  if (skipped.size > 0) {
    out.push('<details><summary>Skipped checks</summary>', '');
    for (const [reason, n] of skipped) out.push(`- ${cell(reason)} (${n})`);
    out.push('', '</details>', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}
