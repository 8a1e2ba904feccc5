/**
 * The profile × suite × family matrix both reports show (summary.md as a
 * table, the HTML overview as a grid): check counts per cell, and whether a
 * failure in it gates.
 */
import { isGatingFailure } from './summary-gating.ts';
import { FAMILIES, type CheckFamily, type RunSummary, type Totals } from './summary-schema.ts';

export interface MatrixCell {
  profile: string;
  suite: string;
  family: CheckFamily;
  totals: Totals;
  /** Failed checks in this cell that gate (the rest only warn). */
  gatingFailed: number;
}

/** What one glance at a cell should say: the worst thing in it. */
export type CellState = 'failed' | 'warning' | 'flaky' | 'passed' | 'skipped';

export function cellState(c: MatrixCell): CellState {
  if (c.gatingFailed > 0) return 'failed';
  if (c.totals.failed > 0) return 'warning';
  if (c.totals.flaky > 0) return 'flaky';
  if (c.totals.passed > 0) return 'passed';
  return 'skipped';
}

/** Cells that hold at least one check, ordered by profile (as given), suite, family. */
export function matrixCells(summaries: readonly RunSummary[]): MatrixCell[] {
  const cells = new Map<string, MatrixCell>();
  for (const s of summaries) {
    for (const c of s.checks) {
      const key = JSON.stringify([s.profile, c.suite, c.family]);
      let cell = cells.get(key);
      if (!cell) {
        cell = { profile: s.profile, suite: c.suite, family: c.family, totals: { passed: 0, failed: 0, skipped: 0, flaky: 0 }, gatingFailed: 0 };
        cells.set(key, cell);
      }
      cell.totals[c.status]++;
      if (isGatingFailure(c)) cell.gatingFailed++;
    }
  }
  const profileIndex = (p: string) => summaries.findIndex((s) => s.profile === p);
  return [...cells.values()].sort(
    (a, b) =>
      profileIndex(a.profile) - profileIndex(b.profile) ||
      a.suite.localeCompare(b.suite) ||
      FAMILIES.indexOf(a.family) - FAMILIES.indexOf(b.family),
  );
}
