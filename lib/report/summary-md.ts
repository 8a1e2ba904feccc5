/**
 * summary.md: the run summary as markdown for a GitHub Actions job summary
 * (`$GITHUB_STEP_SUMMARY`), one run or several side by side.
 */
import fs from 'node:fs';
import path from 'node:path';
import { firstLine } from '../checks/text.ts';
import { compareRuns, renderDifferencesMd } from './compare.ts';
import { matrixCells } from './matrix.ts';
import { isGatingFailure, verdictOf, type Verdict } from './summary-gating.ts';
import { SUMMARY_MD, tally, type CheckResult, type KubernetesBuild, type RunSummary, type Totals } from './summary-schema.ts';

export function writeSummaryMd(dir: string, summaries: RunSummary | readonly RunSummary[]): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, SUMMARY_MD);
  fs.writeFileSync(file, renderSummaryMd(summaries));
  return file;
}

/** A check with the run it belongs to. */
interface RunCheck {
  s: RunSummary;
  c: CheckResult;
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
  const gating = summaries.flatMap((s) => s.checks.filter(isGatingFailure).map((c) => ({ s, c })));
  const warnings = summaries.flatMap((s) => s.checks.filter((c) => c.status === 'failed' && c.gating === false).map((c) => ({ s, c })));
  const out = [
    ...headerMd(summaries, gating.length, warnings.length),
    ...matrixMd(summaries),
    ...renderDifferencesMd(compareRuns(summaries), cell),
    ...detailsMd([
      ['### Failing checks', gating],
      ['### Warnings', warnings],
    ]),
    ...flakyMd(summaries),
    ...skippedMd(summaries),
  ];
  return `${out.join('\n').trimEnd()}\n`;
}

/** The verdict headline, one line per run, the gate, and the totals table. */
function headerMd(summaries: readonly RunSummary[], gatingCount: number, warningCount: number): string[] {
  const out: string[] = [];
  const totals = sumTotals(summaries);
  const verdict = verdictOf(summaries);
  const all = totals.passed + totals.failed + totals.skipped + totals.flaky;
  const suffix =
    verdict === 'failed' ? ` (${gatingCount} of ${all})` : verdict === 'warnings' ? ` (${warningCount} warning${warningCount === 1 ? '' : 's'})` : '';
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
  if (warningCount > 0) out.push(`${warningCount} of the failed checks do not gate (see Warnings).`, '');
  out.push(selfTestLine(summaries), '');
  return out;
}

/**
 * The harness self-test apart from the checks: how many seeded faults the checks caught
 * (a fault test passes when its check failed as it should), or that none ran.
 */
export function selfTestLine(summaries: readonly RunSummary[]): string {
  const faults = summaries.flatMap((s) => s.checks.filter((c) => c.kind === 'fault'));
  const ran = faults.filter((c) => c.status !== 'skipped');
  if (faults.length === 0) return 'Harness self-test: none declared.';
  if (ran.length === 0) return `Harness self-test: not run (${faults.length} declared; \`v6e2e run --self-test\` seeds each fault and expects its check to catch it).`;
  const detected = ran.filter((c) => c.status === 'passed' || c.status === 'flaky').length;
  const mark = detected === ran.length ? '✅' : '❌';
  return `Harness self-test: ${mark} ${detected} of ${ran.length} seeded faults detected${ran.length < faults.length ? ` (${faults.length - ran.length} skipped)` : ''}.`;
}

/** The profile × suite × family count table. */
function matrixMd(summaries: readonly RunSummary[]): string[] {
  const cells = matrixCells(summaries);
  if (cells.length === 0) return [];
  const out = ['### By profile, suite and family', ''];
  out.push('| profile | suite | family | passed | failed | skipped | flaky |', '|---|---|---|---:|---:|---:|---:|');
  for (const r of cells) {
    // bold: gating failures; plain: failures that only warn
    const failed = r.gatingFailed > 0 ? `**${r.totals.failed}**` : String(r.totals.failed);
    out.push(`| ${cell(r.profile)} | ${cell(r.suite)} | ${r.family} | ${r.totals.passed} | ${failed} | ${r.totals.skipped} | ${r.totals.flaky} |`);
  }
  out.push('');
  return out;
}

/**
 * Each section's checks with their messages, while the shared budget
 * (DETAIL_BUDGET_CHARS) lasts; past it, ids only under a fold.
 */
function detailsMd(sections: readonly (readonly [title: string, list: readonly RunCheck[]])[]): string[] {
  const out: string[] = [];
  let budget = DETAIL_BUDGET_CHARS;
  for (const [title, list] of sections) {
    if (list.length === 0) continue;
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
  }
  return out;
}

/** Checks that passed after retries, one line each. */
function flakyMd(summaries: readonly RunSummary[]): string[] {
  const flaky = summaries.flatMap((s) => s.checks.filter((c) => c.status === 'flaky').map((c) => ({ s, c })));
  if (flaky.length === 0) return [];
  const out = ['### Flaky checks (passed after retries)', ''];
  for (const { s, c } of flaky) {
    out.push(
      `- ${cell(c.id)} · ${cell(s.profile)} · ${c.retries} retries${c.timing ? ` · timing-dependent: ${cell(c.timing)}` : ''}${c.message ? ` · ${cell(firstLine(c.message)).slice(0, 500)}` : ''}`,
    );
  }
  out.push('');
  return out;
}

/** Skips grouped by reason: "dns64: no DNS64 resolver configured" once, not per test. */
function skippedMd(summaries: readonly RunSummary[]): string[] {
  const skipped = new Map<string, number>();
  for (const s of summaries) {
    for (const c of s.checks.filter((x) => x.status === 'skipped')) {
      const key = `${s.profile} · ${c.suite}: ${firstLine(c.message ?? 'skipped').slice(0, 300)}`;
      skipped.set(key, (skipped.get(key) ?? 0) + 1);
    }
  }
  if (skipped.size === 0) return [];
  const out = ['<details><summary>Skipped checks</summary>', ''];
  for (const [reason, n] of skipped) out.push(`- ${cell(reason)} (${n})`);
  out.push('', '</details>', '');
  return out;
}

/** `built from /src/kubernetes (commit 0123456789ab, dirty)`. */
export function describeBuild(b: KubernetesBuild): string {
  return `built from ${b.src} (commit ${b.commit.slice(0, 12)}, ${b.treeState})`;
}
