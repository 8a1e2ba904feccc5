/**
 * The run summary: one JSON file per run (summary.json) that CI and `v6e2e report`
 * read back, and a markdown rendering for a GitHub Actions job summary.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../util/errors.ts';
import { firstLine } from '../checks/text.ts';
import { compareRuns, renderDifferencesMd } from './compare.ts';
import { matrixCells } from './matrix.ts';

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
  /** Human title: describe path and test name joined by ` › ` (JUnit testcase name). */
  name?: string;
  /** False when a gate file was given and does not list this check: its failure only warns. Absent: gating. */
  gating?: boolean;
  /** Why the check may be retried (`timingDependent(reason)`); absent for ordinary checks. */
  timing?: string;
}

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  flaky: number;
}

/** The Kubernetes a run's cluster was built from (`--kubernetes-src`), so runs of two trees can be told apart. */
export interface KubernetesBuild {
  /** The tree's path on the machine that ran. */
  src: string;
  commit: string;
  treeState: 'clean' | 'dirty';
  /** The stamped version (`v1.34.4-1+0123456789abcd-dirty`). */
  version: string;
}

export interface RunSummary {
  /** The report row: the variant label (`dual`, `dual-nft`, `dual-src3fa91c`), or `unknown` when not told. */
  profile: string;
  /** The cluster profile under the label (`dual`); runs sharing it are compared check by check. */
  baseProfile?: string;
  /** Set when Kubernetes was built from a source tree. */
  build?: KubernetesBuild;
  /** `v1.34.4`, or `unknown`. */
  kubernetesVersion: string;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  totals: Totals;
  checks: CheckResult[];
  /** Why vitest ended the run; `interrupted` means the numbers are partial. */
  reason?: 'passed' | 'failed' | 'interrupted';
  /** The gate file the `gating` flags came from; absent: every check gates. */
  gate?: string;
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
/** Families in the order reports list them. */
export const FAMILIES: readonly CheckFamily[] = ['IPv4', 'IPv6', 'dual', 'none'];

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
    const { id, suite, family, status, message, retries, name, gating, timing } = c;
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
      ...(typeof name === 'string' ? { name } : {}),
      ...(gating === false ? { gating: false } : {}),
      ...(typeof timing === 'string' ? { timing } : {}),
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
    ...(typeof data.gate === 'string' ? { gate: data.gate } : {}),
    ...(typeof data.baseProfile === 'string' ? { baseProfile: data.baseProfile } : {}),
    ...optional('build', parseBuild(data.build)),
  };
}

/** `{ key: value }`, or nothing when the value is absent (exactOptionalPropertyTypes-friendly spreading). */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function parseBuild(b: unknown): KubernetesBuild | undefined {
  if (!isRecord(b)) return undefined;
  const { src, commit, treeState, version } = b;
  if (typeof src !== 'string' || typeof commit !== 'string' || typeof version !== 'string') return undefined;
  return { src, commit, version, treeState: treeState === 'dirty' ? 'dirty' : 'clean' };
}

/**
 * Reads every run in `<dir>/summary.json` (or a summary.json path): one run's
 * summary, or the `{ runs: [...] }` that `v6e2e report --out` and
 * `run --profile all` write for several profiles.
 */
export function readSummaries(dirOrFile: string): RunSummary[] {
  const { file, data } = readJson(dirOrFile);
  if (isRecord(data) && Array.isArray(data.runs) && !('checks' in data)) {
    if (data.runs.length === 0) throw new UsageError(`${file} lists no runs; pass a report directory written by \`v6e2e run\``);
    return data.runs.map((r, i) => parseSummary(r, `${file} (runs[${i}])`));
  }
  return [parseSummary(data, file)];
}

/** Writes one run as a plain summary, several as `{ runs: [...] }`. */
export function writeSummariesJson(dir: string, summaries: readonly RunSummary[]): string {
  if (summaries.length === 1) return writeSummaryJson(dir, summaries[0] as RunSummary);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, SUMMARY_JSON);
  fs.writeFileSync(file, `${JSON.stringify({ runs: summaries, totals: tally(summaries.flatMap((s) => s.checks)) }, null, 2)}\n`);
  return file;
}

function readJson(dirOrFile: string): { file: string; data: unknown } {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, SUMMARY_JSON);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read ${file} (${code}); pass a report directory written by \`v6e2e run\``);
  }
  try {
    return { file, data: JSON.parse(text) };
  } catch {
    throw new UsageError(`${file} is not valid JSON; pass a report directory written by \`v6e2e run\``);
  }
}

/** Reads `<dir>/summary.json` (or a summary.json path directly). */
export function readSummaryJson(dirOrFile: string): RunSummary {
  const { file, data } = readJson(dirOrFile);
  return parseSummary(data, file);
}

// ---------------------------------------------------------------- gating and merging

/** A failed check that gates (no gate file, or listed in it). */
export function isGatingFailure(c: CheckResult): boolean {
  return c.status === 'failed' && c.gating !== false;
}

export function gatingFailures(summaries: readonly RunSummary[]): CheckResult[] {
  return summaries.flatMap((s) => s.checks.filter(isGatingFailure));
}

/** Failed checks a gate file leaves out: reported as warnings, never fail the run. */
export function nonGatingFailures(summaries: readonly RunSummary[]): CheckResult[] {
  return summaries.flatMap((s) => s.checks.filter((c) => c.status === 'failed' && c.gating === false));
}

/**
 * Marks every check gating or not. `isGating` undefined: every check gates
 * (and earlier flags are cleared).
 */
export function applyGate(summary: RunSummary, gate: { source: string; isGating: (id: string) => boolean } | undefined): RunSummary {
  const checks = summary.checks.map((c) => {
    const { gating: _drop, ...rest } = c;
    // Errors outside any test (`(run)/…`) cannot be attributed to a listed check: they always gate.
    return gate && c.suite !== '(run)' && !gate.isGating(c.id) ? { ...rest, gating: false } : rest;
  });
  const { gate: _old, ...rest } = summary;
  return { ...rest, checks, ...(gate ? { gate: gate.source } : {}) };
}

const STATUS_RANK: Record<CheckStatus, number> = { failed: 3, flaky: 2, passed: 1, skipped: 0 };

/**
 * Several runs/shards into one summary per profile, in order of first appearance.
 * Shards split files, so ids normally do not repeat; when a check appears twice
 * for one profile (a re-run), the worse outcome wins (failed > flaky > passed > skipped)
 * and the message says it was seen more than once.
 */
export function mergeSummaries(summaries: readonly RunSummary[]): RunSummary[] {
  const groups = new Map<string, RunSummary[]>();
  for (const s of summaries) {
    const g = groups.get(s.profile);
    if (g) g.push(s);
    else groups.set(s.profile, [s]);
  }
  return [...groups.values()].map((group) => {
    if (group.length === 1) return group[0] as RunSummary;
    const byId = new Map<string, CheckResult>();
    const seen = new Map<string, number>();
    for (const s of group) {
      for (const c of s.checks) {
        seen.set(c.id, (seen.get(c.id) ?? 0) + 1);
        const prev = byId.get(c.id);
        if (!prev) {
          byId.set(c.id, c);
          continue;
        }
        const worse = STATUS_RANK[c.status] > STATUS_RANK[prev.status] ? c : prev;
        byId.set(c.id, {
          ...worse,
          retries: Math.max(prev.retries, c.retries),
          // gating if any input said so
          ...(prev.gating === false && c.gating === false ? { gating: false } : { gating: undefined }),
        });
      }
    }
    const checks = [...byId.values()].map((c) => {
      const { gating, ...rest } = c;
      const n = seen.get(c.id) ?? 1;
      const out: CheckResult = gating === false ? { ...rest, gating } : rest;
      if (n > 1 && c.status !== 'passed' && c.status !== 'skipped') {
        out.message = `${c.message ?? c.status} (seen in ${n} of the merged runs; the worst outcome is kept)`;
      }
      return out;
    });
    const starts = group.map((s) => Date.parse(s.startedAt)).filter(Number.isFinite);
    const ends = group.map((s) => Date.parse(s.startedAt) + s.durationMs).filter(Number.isFinite);
    const start = starts.length > 0 ? Math.min(...starts) : Date.now();
    const versions = [...new Set(group.map((s) => s.kubernetesVersion).filter((v) => v !== 'unknown'))];
    const gates = [...new Set(group.map((s) => s.gate).filter((g): g is string => g !== undefined))];
    const reason = group.some((s) => s.reason === 'interrupted')
      ? 'interrupted'
      : group.some((s) => s.reason === 'failed')
        ? 'failed'
        : group.every((s) => s.reason === 'passed')
          ? 'passed'
          : undefined;
    const merged: RunSummary = {
      profile: group[0]?.profile ?? 'unknown',
      kubernetesVersion: versions.length > 0 ? versions.join(', ') : 'unknown',
      startedAt: new Date(start).toISOString(),
      durationMs: ends.length > 0 ? Math.max(0, Math.max(...ends) - start) : 0,
      totals: tally(checks),
      checks,
      ...(reason ? { reason } : {}),
      ...(gates.length > 0 ? { gate: gates.join(', ') } : {}),
      // One label is one variant: its runs share the base profile and the tree state.
      ...(group[0]?.baseProfile !== undefined ? { baseProfile: group[0].baseProfile } : {}),
      ...(group[0]?.build !== undefined ? { build: group[0].build } : {}),
    };
    return merged;
  });
}

// ---------------------------------------------------------------- markdown

export type Verdict = 'passed' | 'warnings' | 'failed' | 'empty' | 'interrupted';

export function verdictOf(summaries: readonly RunSummary[]): Verdict {
  const t = sumTotals(summaries);
  if (gatingFailures(summaries).length > 0) return 'failed';
  if (summaries.some((s) => s.reason === 'interrupted')) return 'interrupted';
  if (t.passed + t.flaky + t.failed === 0) return 'empty';
  if (t.failed > 0) return 'warnings';
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
/**
 * GitHub Actions refuses a job summary over 1 MiB (per step). Messages stop
 * being quoted once the detail sections reach this many characters; the rest
 * are listed by id only.
 */
export const DETAIL_BUDGET_CHARS = 400_000;

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

export const HEADLINE: Readonly<Record<Verdict, string>> = {
  passed: '✅ v6e2e: all checks passed',
  warnings: '✅ v6e2e: all gating checks passed',
  failed: '❌ v6e2e: checks failed',
  empty: '⚠️ v6e2e: no checks ran',
  interrupted: '⚠️ v6e2e: run interrupted, results are partial',
};

/**
 * Markdown for `$GITHUB_STEP_SUMMARY`: verdict, totals, a profile × suite × family
 * count table, then every failing gating check with its message, the non-gating
 * failures under "Warnings", flaky and skipped checks. Accepts several runs (one
 * per profile) so `v6e2e report a/ b/` renders a matrix. Stays well under
 * GitHub's 1 MiB job-summary limit.
 */
export function renderSummaryMd(input: RunSummary | readonly RunSummary[]): string {
  const summaries: readonly RunSummary[] = Array.isArray(input) ? input : [input as RunSummary];
  const totals = sumTotals(summaries);
  const verdict = verdictOf(summaries);
  const gating = summaries.flatMap((s) => s.checks.filter(isGatingFailure).map((c) => ({ s, c })));
  const warnings = summaries.flatMap((s) => s.checks.filter((c) => c.status === 'failed' && c.gating === false).map((c) => ({ s, c })));
  const out: string[] = [];

  const all = totals.passed + totals.failed + totals.skipped + totals.flaky;
  const suffix =
    verdict === 'failed' ? ` (${gating.length} of ${all})` : verdict === 'warnings' ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : '';
  out.push(`## ${HEADLINE[verdict]}${suffix}`, '');

  for (const s of summaries) {
    out.push(
      `- **${cell(s.profile)}** · Kubernetes ${cell(s.kubernetesVersion)}${s.build ? ` ${describeBuild(s.build)}` : ''} · started ${cell(s.startedAt)} · ${formatDuration(s.durationMs)}` +
        (s.reason === 'interrupted' ? ' · **interrupted**' : ''),
    );
  }
  const gates = [...new Set(summaries.map((s) => s.gate).filter((g): g is string => g !== undefined))];
  if (gates.length > 0) out.push(`- gate: ${gates.map((g) => `\`${cell(path.basename(g))}\``).join(', ')} (checks it does not list only warn)`);
  out.push('');

  out.push('| passed | failed | skipped | flaky |', '|---:|---:|---:|---:|');
  out.push(`| ${totals.passed} | ${totals.failed} | ${totals.skipped} | ${totals.flaky} |`, '');
  if (warnings.length > 0) out.push(`${warnings.length} of the failed checks do not gate (see Warnings).`, '');

  // profile × suite × family
  const cells = matrixCells(summaries);
  if (cells.length > 0) {
    out.push('### By profile, suite and family', '');
    out.push('| profile | suite | family | passed | failed | skipped | flaky |', '|---|---|---|---:|---:|---:|---:|');
    for (const r of cells) {
      // bold: gating failures; plain: failures that only warn
      const failed = r.gatingFailed > 0 ? `**${r.totals.failed}**` : String(r.totals.failed);
      out.push(`| ${cell(r.profile)} | ${cell(r.suite)} | ${r.family} | ${r.totals.passed} | ${failed} | ${r.totals.skipped} | ${r.totals.flaky} |`);
    }
    out.push('');
  }

  out.push(...renderDifferencesMd(compareRuns(summaries), cell));

  let budget = DETAIL_BUDGET_CHARS;
  const details = (title: string, list: { s: RunSummary; c: CheckResult }[]) => {
    if (list.length === 0) return;
    out.push(title, '');
    const idOnly: string[] = [];
    for (const { s, c } of list) {
      const head = `- **${cell(c.id)}** · ${cell(s.profile)} · ${c.family}${c.retries > 0 ? ` · ${c.retries} retries` : ''}`;
      const body = fenced(clip(c.message ?? '(no message)'));
      if (budget - head.length - body.length < 0) {
        idOnly.push(`- ${cell(c.id)} · ${cell(s.profile)} · ${c.family}`);
        continue;
      }
      budget -= head.length + body.length;
      out.push(head, '', body, '');
    }
    if (idOnly.length > 0) {
      out.push(`<details><summary>${idOnly.length} more (messages in junit.xml / the Allure report)</summary>`, '', ...idOnly, '', '</details>', '');
    }
  };
  details('### Failing checks', gating);
  details('### Warnings', warnings);

  const flaky = summaries.flatMap((s) => s.checks.filter((c) => c.status === 'flaky').map((c) => ({ s, c })));
  if (flaky.length > 0) {
    out.push('### Flaky checks (passed after retries)', '');
    for (const { s, c } of flaky) {
      out.push(
        `- ${cell(c.id)} · ${cell(s.profile)} · ${c.retries} retries${c.timing ? ` · timing-dependent: ${cell(c.timing)}` : ''}${c.message ? ` · ${cell(firstLine(c.message)).slice(0, 500)}` : ''}`,
      );
    }
    out.push('');
  }

  // Skips grouped by reason: "dns64: no DNS64 resolver configured" once, not per test.
  const skipped = new Map<string, number>();
  for (const s of summaries) {
    for (const c of s.checks.filter((x) => x.status === 'skipped')) {
      const key = `${s.profile} · ${c.suite}: ${firstLine(c.message ?? 'skipped').slice(0, 300)}`;
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

/** `built from /src/kubernetes (commit 0123456789ab, dirty)`. */
export function describeBuild(b: KubernetesBuild): string {
  return `built from ${b.src} (commit ${b.commit.slice(0, 12)}, ${b.treeState})`;
}

