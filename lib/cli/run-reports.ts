/**
 * The report files of a run: cleared before it (a stale summary.json must never
 * stand in for a run that broke), the HTML report after it, and the combined
 * report of several profiles.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunSettings } from '../harness/settings.ts';
import { environmentInfo } from '../report/environment.ts';
import { environmentFromSummaries, generateHtml, HTML_DIR, ALLURE_RESULTS } from '../report/html.ts';
import { JUNIT_XML } from '../report/junit.ts';
import type { ProfileOutcome } from '../report/outcome.ts';
import { readSummaryJson, SUMMARY_JSON, SUMMARY_MD, writeSummariesJson, writeSummaryMd, type RunSummary } from '../report/summary.ts';
import type { Progress } from '../util/progress.ts';

export interface ReportDeps {
  progress: Progress;
  log: (line: string) => void;
}

/** Files a run writes into its report dir. */
export function clearReportOutputs(reportDir: string): void {
  for (const f of [SUMMARY_JSON, SUMMARY_MD, JUNIT_XML, ALLURE_RESULTS, HTML_DIR]) {
    fs.rmSync(path.join(reportDir, f), { recursive: true, force: true });
  }
}

/** The summary.json a child process wrote, or undefined when it wrote none (decideRunExit then says the run broke). */
export function summaryWrittenIn(reportDir: string): RunSummary | undefined {
  if (!fs.existsSync(path.join(reportDir, SUMMARY_JSON))) return undefined;
  return readSummaryJson(reportDir);
}

/** The HTML report of one profile's run or of several; a rendering failure warns, it never changes the verdict. */
export async function htmlReport(reportDir: string, settings: RunSettings, history: string | undefined, summaries: readonly RunSummary[], deps: ReportDeps): Promise<void> {
  const environment = { ...environmentInfo(settings), ...environmentFromSummaries(summaries) };
  const of = summaries.length > 1 ? ` of ${summaries.length} profiles` : '';
  const r = await deps.progress.step(`HTML report${of} in ${path.join(reportDir, HTML_DIR)}`, () =>
    generateHtml({ reportDir, historyFrom: history, environment, name: `v6e2e ${summaries.map((s) => s.profile).join(', ')}`.trim(), log: deps.log }),
  );
  if (!r.ok) deps.log(`v6e2e: warning: no HTML report: ${r.reason}`);
}

/**
 * Several profiles: one report at the top of the report dir, next to each
 * profile's own (<dir>/<profile>/junit.xml stays one JUnit file per profile):
 * summary.json (`{runs}`), summary.md, every profile's allure-results/ and one
 * HTML report over all of them.
 */
export async function combineProfiles(
  base: string,
  outcomes: readonly ProfileOutcome[],
  html: { settings: RunSettings; history: string | undefined } | undefined,
  deps: ReportDeps,
): Promise<void> {
  // A profile without a summary broke; its log says why, and the exit code is 3.
  const summaries = outcomes.flatMap((o) => (o.summary ? [o.summary] : []));
  if (summaries.length === 0) return;
  writeSummariesJson(base, summaries);
  writeSummaryMd(base, summaries);
  const { concatAllureResults } = await import('../report/merge.ts');
  fs.rmSync(path.join(base, ALLURE_RESULTS), { recursive: true, force: true });
  concatAllureResults(
    outcomes.map((o) => o.reportDir),
    base,
  );
  if (html) await htmlReport(base, html.settings, html.history, summaries, deps);
}
