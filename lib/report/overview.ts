/**
 * The first page of the HTML report (`html/index.html`): what a developer
 * reading a failure at 9 a.m. needs in one glance, in one self-contained file
 * with no script and no request off the machine:
 *
 *   - the verdict and the profile × suite × family matrix (a cell's colour is
 *     the worst thing in it; failed cells link to their checks),
 *   - every failed check: message, gating or warning, since when it fails
 *     (from the history), its evidence attachments inline, and a link to the
 *     check in the full Allure report (`html/allure/index.html`),
 *   - flaky checks with their timing reason, the trend of the last runs, the
 *     environment.
 *
 * buildOverview() is pure data (unit-tested); renderOverview() is the markup.
 */
import fs from 'node:fs';
import path from 'node:path';
import { attachmentsOf, isFailedStatus, label, readAllureResults, resultForCheck, type AllureResult } from './allure-results.ts';
import { compareRuns, type CheckDifference } from './compare.ts';
import type { EnvironmentInfo } from './environment.ts';
import { cellState, matrixCells, type CellState, type MatrixCell } from './matrix.ts';
import { describeBuild, FAMILIES, HEADLINE, isGatingFailure, tally, verdictOf, type CheckFamily, type CheckResult, type RunSummary, type Totals, type Verdict } from './summary.ts';

/** Attachment text shown inline at most; the Allure report has the whole file. */
export const MAX_ATTACHMENT_CHARS = 64_000;
/** Runs the trend shows. */
export const TREND_RUNS = 10;

export interface OverviewAttachment {
  name: string;
  type: string;
  /** Inline text (clipped), or undefined for binary attachments. */
  text?: string;
  bytes: number;
  clipped: boolean;
}

export interface OverviewFailure {
  /** Anchor id in the page: `fail-<n>`. */
  anchor: string;
  profile: string;
  check: CheckResult;
  gating: boolean;
  /** Earlier runs in the history this check failed in a row, right before this one (0: a new failure). */
  failedBefore: number;
  /** Runs of the history that know this check (besides this one). */
  knownRuns: number;
  attachments: OverviewAttachment[];
  /** Route of the check in the Allure report, when the history names its id. */
  allureHref?: string;
}

export interface TrendPoint {
  name: string;
  timestamp: number;
  totals: { passed: number; failed: number; skipped: number };
  current: boolean;
}

export interface Overview {
  title: string;
  verdict: Verdict;
  headline: string;
  profiles: { profile: string; kubernetesVersion: string; startedAt: string; durationMs: number; reason?: string }[];
  totals: Totals;
  /** Columns: profile × family; rows: suites. */
  families: CheckFamily[];
  suites: string[];
  cells: MatrixCell[];
  failures: OverviewFailure[];
  flaky: { profile: string; check: CheckResult }[];
  trend: TrendPoint[];
  environment: EnvironmentInfo;
  /** Checks whose outcome differs between runs of one base profile (a patched tree and its base). */
  differences: CheckDifference[];
}

/** One line of Allure 3's history.jsonl, as far as the overview reads it. */
export interface HistoryRun {
  name?: string;
  timestamp?: number;
  testResults?: Record<string, { id?: string; fullName?: string; status?: string; labels?: { name: string; value: string }[] }>;
}

export function readHistory(file: string): HistoryRun[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // Optional: without a history (a first run) the overview shows this run only.
    return [];
  }
  const out: HistoryRun[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const run = JSON.parse(line) as unknown;
      if (run !== null && typeof run === 'object') out.push(run as HistoryRun);
    } catch {
      // a torn line must not take the report down
    }
  }
  return out;
}

function historyStatus(run: HistoryRun, profile: string, fullName: string): { status: string; id?: string } | undefined {
  for (const r of Object.values(run.testResults ?? {})) {
    if (r.fullName !== fullName) continue;
    const p = label(r, 'parentSuite');
    if (p !== undefined && p !== profile) continue;
    return { status: r.status ?? 'unknown', ...(r.id !== undefined ? { id: r.id } : {}) };
  }
  return undefined;
}

function isTextual(type: string): boolean {
  return type.startsWith('text/') || /json|yaml|xml/.test(type);
}

function readAttachment(resultsDir: string, name: string, source: string, type: string | undefined): OverviewAttachment {
  const file = path.join(resultsDir, source);
  const t = type ?? 'application/octet-stream';
  let bytes = 0;
  try {
    bytes = fs.statSync(file).size;
  } catch {
    // Shown, not hidden: the overview says the attachment is missing.
    return { name, type: t, bytes: 0, clipped: false, text: '(attachment file missing)' };
  }
  if (!isTextual(t)) return { name, type: t, bytes, clipped: false };
  const text = fs.readFileSync(file, 'utf8');
  const clipped = text.length > MAX_ATTACHMENT_CHARS;
  return { name, type: t, bytes, clipped, text: clipped ? text.slice(0, MAX_ATTACHMENT_CHARS) : text };
}

export interface OverviewInput {
  summaries: readonly RunSummary[];
  resultsDir: string;
  /** Oldest first; the last run is this one when the Allure report was generated before. */
  history: readonly HistoryRun[];
  environment: EnvironmentInfo;
  title: string;
  /** Builds the link to a check in the Allure report from its Allure id. */
  allureHref?: (id: string) => string;
}

export function buildOverview(input: OverviewInput): Overview {
  const { summaries } = input;
  const results: AllureResult[] = readAllureResults(input.resultsDir);
  const cells = matrixCells(summaries);
  const verdict = verdictOf(summaries);
  const history = input.history;
  const current = history.at(-1);
  const earlier = history.slice(0, -1);

  const failures: OverviewFailure[] = [];
  const failedChecks = summaries.flatMap((s) => s.checks.filter((c) => c.status === 'failed').map((c) => ({ s, c })));
  // gating failures first: they decide the verdict
  failedChecks.sort((a, b) => Number(isGatingFailure(b.c)) - Number(isGatingFailure(a.c)));
  for (const { s, c } of failedChecks) {
    const result = resultForCheck(results, s.profile, c);
    const fullName = result?.fullName;
    let failedBefore = 0;
    let knownRuns = 0;
    let allureId: string | undefined;
    if (fullName !== undefined) {
      allureId = current ? historyStatus(current, s.profile, fullName)?.id : undefined;
      let streak = true;
      for (const run of [...earlier].reverse()) {
        const h = historyStatus(run, s.profile, fullName);
        if (!h) continue;
        knownRuns++;
        if (streak && isFailedStatus(h.status)) failedBefore++;
        else streak = false;
      }
    }
    failures.push({
      anchor: `fail-${failures.length + 1}`,
      profile: s.profile,
      check: c,
      gating: isGatingFailure(c),
      failedBefore,
      knownRuns,
      attachments: result ? attachmentsOf(result).map((a) => readAttachment(input.resultsDir, a.name, a.source, a.type)) : [],
      ...(allureId !== undefined && input.allureHref ? { allureHref: input.allureHref(allureId) } : {}),
    });
  }

  const trend: TrendPoint[] = history.slice(-TREND_RUNS).map((run, i, shown) => {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    for (const r of Object.values(run.testResults ?? {})) {
      if (r.status === 'passed') totals.passed++;
      else if (isFailedStatus(r.status)) totals.failed++;
      else totals.skipped++;
    }
    return { name: run.name ?? '', timestamp: run.timestamp ?? 0, totals, current: i === shown.length - 1 };
  });

  return {
    title: input.title,
    verdict,
    headline: HEADLINE[verdict],
    profiles: summaries.map((s) => ({
      profile: s.profile,
      kubernetesVersion: s.build ? `${s.kubernetesVersion} ${describeBuild(s.build)}` : s.kubernetesVersion,
      startedAt: s.startedAt,
      durationMs: s.durationMs,
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
    })),
    totals: tally(summaries.flatMap((s) => s.checks)),
    families: FAMILIES.filter((f) => cells.some((c) => c.family === f)),
    suites: [...new Set(cells.map((c) => c.suite))].sort(),
    cells,
    failures,
    flaky: summaries.flatMap((s) => s.checks.filter((c) => c.status === 'flaky').map((c) => ({ profile: s.profile, check: c }))),
    trend,
    environment: input.environment,
    differences: compareRuns(summaries),
  };
}


// ---------------------------------------------------------------- markup

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STATE_TEXT: Record<CellState, string> = {
  failed: 'failed',
  warning: 'failed (does not gate)',
  flaky: 'flaky',
  passed: 'passed',
  skipped: 'skipped',
};

function cellText(c: MatrixCell): string {
  const t = c.totals;
  const parts: string[] = [];
  if (t.failed) parts.push(`${t.failed} ✗`);
  if (t.flaky) parts.push(`${t.flaky} ~`);
  if (t.passed) parts.push(`${t.passed} ✓`);
  if (t.skipped) parts.push(`${t.skipped} ⊘`);
  return parts.join(' ');
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

function since(f: OverviewFailure): string {
  if (f.knownRuns === 0) return 'no earlier run in the history';
  if (f.failedBefore === 0) return `new: passed in the previous run (${f.knownRuns} earlier run${f.knownRuns === 1 ? '' : 's'} known)`;
  if (f.failedBefore === f.knownRuns) return `failing in every run of the history (${f.failedBefore + 1} runs)`;
  return `failing for ${f.failedBefore + 1} runs in a row`;
}

function renderMatrix(o: Overview): string {
  const byKey = new Map(o.cells.map((c) => [JSON.stringify([c.profile, c.suite, c.family]), c]));
  const firstFailure = new Map<string, string>();
  for (const f of o.failures) {
    const key = JSON.stringify([f.profile, f.check.suite, f.check.family]);
    if (!firstFailure.has(key)) firstFailure.set(key, f.anchor);
  }
  const profiles = o.profiles.map((p) => p.profile);
  const head1 = profiles.map((p) => `<th colspan="${o.families.length}" class="profile">${esc(p)}</th>`).join('');
  const head2 = profiles.map(() => o.families.map((f) => `<th class="family">${esc(f)}</th>`).join('')).join('');
  const rows = o.suites.map((suite) => {
    const tds = profiles.flatMap((p) =>
      o.families.map((f) => {
        const key = JSON.stringify([p, suite, f]);
        const c = byKey.get(key);
        if (!c) return '<td class="cell none">—</td>';
        const state = cellState(c);
        const label = `${p} · ${suite} · ${f}: ${STATE_TEXT[state]} (${c.totals.passed} passed, ${c.totals.failed} failed, ${c.totals.flaky} flaky, ${c.totals.skipped} skipped)`;
        const text = esc(cellText(c));
        const anchor = firstFailure.get(key);
        return `<td class="cell ${state}" title="${esc(label)}" data-cell="${esc(`${p}/${suite}/${f}`)}">${anchor ? `<a href="#${anchor}">${text}</a>` : text}</td>`;
      }),
    );
    return `<tr><th class="suite">${esc(suite)}</th>${tds.join('')}</tr>`;
  });
  return `<table class="matrix" id="matrix-table"><thead><tr><th rowspan="2">suite</th>${head1}</tr><tr>${head2}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderFailure(f: OverviewFailure): string {
  const c = f.check;
  const att = f.attachments
    .map((a) => {
      const size = a.bytes >= 1024 ? `${(a.bytes / 1024).toFixed(1)} KiB` : `${a.bytes} B`;
      const body = a.text !== undefined ? `<pre>${esc(a.text)}${a.clipped ? '\n… (clipped; the Allure report has all of it)' : ''}</pre>` : '<p>(binary; open it in the Allure report)</p>';
      return `<details class="attachment"><summary>${esc(a.name)} <span class="muted">${esc(a.type)}, ${size}</span></summary>${body}</details>`;
    })
    .join('');
  return `<article class="failure ${f.gating ? 'gating' : 'warning'}" id="${f.anchor}">
<h3><span class="badge">${f.gating ? 'gating' : 'warning'}</span> ${esc(f.profile)} · ${esc(c.suite)} · ${esc(c.family)} — ${esc(c.name ?? c.id)}</h3>
<p class="meta">id <code>${esc(c.id)}</code> · ${esc(since(f))}${f.allureHref ? ` · <a href="${esc(f.allureHref)}">open in the Allure report</a>` : ''}</p>
<pre class="message">${esc(c.message ?? '(no message)')}</pre>
${f.attachments.length > 0 ? `<div class="attachments"><h4>Evidence (${f.attachments.length})</h4>${att}</div>` : '<p class="muted">No evidence attachments.</p>'}
</article>`;
}

function renderTrend(o: Overview): string {
  if (o.trend.length <= 1) return '<p class="muted">No earlier runs: pass <code>--history &lt;previous report dir&gt;</code> to see the trend.</p>';
  const max = Math.max(...o.trend.map((p) => p.totals.passed + p.totals.failed + p.totals.skipped), 1);
  const rows = o.trend.map((p) => {
    const w = (n: number) => `${((n / max) * 100).toFixed(1)}%`;
    const date = p.timestamp ? new Date(p.timestamp).toISOString().replace('T', ' ').slice(0, 16) : '';
    return `<tr${p.current ? ' class="current"' : ''}><td>${esc(p.name)}${p.current ? ' (this run)' : ''}</td><td>${date}</td><td class="num">${p.totals.passed}</td><td class="num">${p.totals.failed}</td><td class="num">${p.totals.skipped}</td><td class="bar"><span class="b passed" style="width:${w(p.totals.passed)}"></span><span class="b failed" style="width:${w(p.totals.failed)}"></span><span class="b skipped" style="width:${w(p.totals.skipped)}"></span></td></tr>`;
  });
  return `<table class="trend"><thead><tr><th>run</th><th>when (UTC)</th><th>passed</th><th>failed</th><th>skipped</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d232a;max-width:1500px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde2e8;padding-bottom:4px}
h3{font-size:14px;margin:0 0 4px}h4{font-size:13px;margin:10px 0 4px}
.verdict{font-size:18px;font-weight:600;padding:10px 14px;border-radius:6px;margin:10px 0}
.verdict.failed{background:#fde8e8;color:#9b1c1c}.verdict.passed,.verdict.warnings{background:#e6f6ec;color:#14532d}.verdict.empty,.verdict.interrupted{background:#fff4d6;color:#7a4b00}
.muted{color:#6b7580}code{background:#f1f3f5;padding:0 3px;border-radius:3px}
table{border-collapse:collapse}th,td{border:1px solid #dde2e8;padding:4px 8px;text-align:left}
.matrix td.cell{text-align:center;white-space:nowrap;min-width:44px;padding:4px 5px;font-size:13px}.matrix th.profile{text-align:center;background:#f5f7f9}.matrix th.family{font-weight:500;background:#fafbfc;text-align:center}
.cell.passed{background:#d9f2e1}.cell.failed{background:#f8c9c9;font-weight:600}.cell.warning{background:#fde3c4}.cell.flaky{background:#fff1b8}.cell.skipped{background:#eef0f2;color:#6b7580}.cell.none{color:#c0c6cc}
.cell a{color:inherit}
.totals span{margin-right:14px}
.failure{border:1px solid #e5b4b4;border-left:5px solid #c81e1e;border-radius:4px;padding:10px 12px;margin:12px 0}
.failure.warning{border-color:#f0cf9c;border-left-color:#d97706}
.badge{font-size:11px;text-transform:uppercase;background:#c81e1e;color:#fff;border-radius:3px;padding:1px 5px;vertical-align:1px}
.failure.warning .badge{background:#d97706}
pre{background:#f6f8fa;border:1px solid #e3e7eb;border-radius:4px;padding:8px;overflow:auto;max-height:420px;white-space:pre-wrap;word-break:break-word;font-size:12px}
.attachment summary{cursor:pointer;padding:2px 0}
.trend td.bar{width:320px}.b{display:inline-block;height:10px}.b.passed{background:#3aa564}.b.failed{background:#d64545}.b.skipped{background:#c3c9cf}
.trend tr.current td{font-weight:600}td.num{text-align:right}
`;

function renderDifferences(diffs: readonly CheckDifference[]): string {
  if (diffs.length === 0) return '';
  const rows = diffs.map(
    (d) =>
      `<tr><td><code>${esc(d.id)}</code></td><td>${esc(d.family)}</td>${d.outcomes
        .map((o) => `<td class="cell ${o.status === 'absent' ? 'none' : o.status}" title="${esc(o.message ?? '')}">${esc(o.profile)}: ${esc(o.status)}</td>`)
        .join('')}</tr>`,
  );
  return `<section id="differences"><h2>Differences between runs (${diffs.length})</h2>
<p class="muted">Checks whose outcome differs between runs of one profile (e.g. a patched Kubernetes tree and its base).</p>
<table><thead><tr><th>check</th><th>family</th><th colspan="${Math.max(...diffs.map((d) => d.outcomes.length))}">runs</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

export function renderOverview(o: Overview, links: { allure?: string } = {}): string {
  const t = o.totals;
  const profiles = o.profiles
    .map((p) => `<li><b>${esc(p.profile)}</b> · Kubernetes ${esc(p.kubernetesVersion)} · started ${esc(p.startedAt)} · ${formatDuration(p.durationMs)}${p.reason ? ` · <b>${esc(p.reason)}</b>` : ''}</li>`)
    .join('');
  const env = Object.keys(o.environment)
    .sort()
    .map((k) => `<tr><th>${esc(k)}</th><td>${esc(o.environment[k] ?? '')}</td></tr>`)
    .join('');
  const flaky = o.flaky
    .map(({ profile, check: c }) => `<li>${esc(profile)} · ${esc(c.family)} · <code>${esc(c.id)}</code> · ${c.retries} retr${c.retries === 1 ? 'y' : 'ies'}${c.timing ? ` · timing-dependent: ${esc(c.timing)}` : ''}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(o.title)}</title><style>${CSS}</style></head>
<body>
<header><h1>${esc(o.title)}</h1>
<div class="verdict ${o.verdict}" id="verdict">${esc(o.headline)}</div>
<p class="totals"><span><b>${t.passed}</b> passed</span><span><b>${t.failed}</b> failed</span><span><b>${t.flaky}</b> flaky</span><span><b>${t.skipped}</b> skipped</span>${links.allure ? `<a href="${esc(links.allure)}">Full report (Allure): every check, steps and attachments</a>` : ''}</p>
<ul>${profiles}</ul></header>
<section id="matrix"><h2>Profile × suite × family</h2>
<p class="muted">Each cell counts the checks of one suite on one profile for one address family (✗ failed, ~ flaky, ✓ passed, ⊘ skipped; hover for details); its colour is the worst result in it. A failed cell links to its first failing check.</p>
${renderMatrix(o)}</section>
<section id="failures"><h2>Failed checks (${o.failures.length})</h2>
${o.failures.length > 0 ? o.failures.map(renderFailure).join('\n') : '<p>None.</p>'}</section>
${o.flaky.length > 0 ? `<section id="flaky"><h2>Flaky checks (${o.flaky.length}): passed only after a retry</h2><ul>${flaky}</ul></section>` : ''}
${renderDifferences(o.differences)}
<section id="trend"><h2>Trend</h2>${renderTrend(o)}</section>
<section id="environment"><h2>Environment</h2><table>${env}</table></section>
</body></html>
`;
}
