/**
 * Which failures gate a run: a gate file (gate.ts) marks the checks it leaves
 * out `gating: false`, and their failures only warn. The run's verdict follows.
 */
import { tally, type CheckResult, type RunSummary } from './summary-schema.ts';

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

export type Verdict = 'passed' | 'warnings' | 'failed' | 'empty' | 'interrupted';

export function verdictOf(summaries: readonly RunSummary[]): Verdict {
  const t = tally(summaries.flatMap((s) => s.checks));
  if (gatingFailures(summaries).length > 0) return 'failed';
  if (summaries.some((s) => s.reason === 'interrupted')) return 'interrupted';
  if (t.passed + t.flaky + t.failed === 0) return 'empty';
  if (t.failed > 0) return 'warnings';
  return 'passed';
}
