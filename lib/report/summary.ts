/**
 * The run summary: one JSON file per run (summary.json) that CI and `v6e2e report`
 * read back, and a markdown rendering for a GitHub Actions job summary.
 *
 * The parts live by concern (summary-schema, -io, -gating, -merge, -md); this
 * module re-exports them so importers need one path.
 */
export {
  FAMILIES,
  SUMMARY_JSON,
  SUMMARY_MD,
  tally,
  type CheckFamily,
  type CheckResult,
  type CheckStatus,
  type FileTiming,
  type KubernetesBuild,
  type RunSummary,
  type Totals,
} from './summary-schema.ts';
export { parseSummary, readSummaries, readSummaryJson, writeSummariesJson, writeSummaryJson } from './summary-io.ts';
export { applyGate, gatingFailures, isGatingFailure, nonGatingFailures, verdictOf, type Verdict } from './summary-gating.ts';
export { mergeSummaries } from './summary-merge.ts';
export { DETAIL_BUDGET_CHARS, HEADLINE, describeBuild, renderSummaryMd, writeSummaryMd } from './summary-md.ts';
