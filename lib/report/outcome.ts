/**
 * How a `run` ends, from what it wrote: the exit code and the lines to print.
 *
 *   3  the run itself broke: a profile wrote no summary.json, or vitest reported
 *      a failure that no check in the summary shows (a crash outside any test)
 *   2  bad input: a gate pattern matches no known check id
 *   1  a gating check failed (no gate file: every check gates)
 *   0  every gating check passed; non-gating failures are printed as warnings
 *      (and listed under "Warnings" in summary.md)
 *
 * In that order of precedence: a broken run cannot vouch for its ids, and a gate
 * with a typo cannot vouch for a green verdict.
 */
import { unmatchedRules, type Gate } from './gate.ts';
import { isGatingFailure, type RunSummary } from './summary.ts';

export interface ProfileOutcome {
  profile: string;
  reportDir: string;
  /** Undefined when the run wrote none. */
  summary?: RunSummary;
  /** vitest's own verdict: some test, hook, module or unhandled error failed. */
  vitestFailed: boolean;
  /** Why the profile's run broke even if it wrote a summary (e.g. its process exited 3 or was killed). */
  broken?: string;
}

export interface RunVerdict {
  code: 0 | 1 | 2 | 3;
  /** One-line messages, `v6e2e: …`. */
  lines: string[];
}

const MAX_LISTED = 10;

function listIds(ids: string[]): string {
  return ids.length <= MAX_LISTED ? ids.join(', ') : `${ids.slice(0, MAX_LISTED).join(', ')}, … (${ids.length - MAX_LISTED} more)`;
}

export interface DecideOptions {
  gate?: Gate;
  /** Every check id the suites declare (v6e2e list-checks); known besides the run's own. */
  collectedIds?: readonly string[];
  /** Unmatched patterns only warn (the run selected suites and the full list is unknown). */
  unmatchedIsWarning?: boolean;
}

export function decideRunExit(outcomes: readonly ProfileOutcome[], opts: DecideOptions = {}): RunVerdict {
  const lines: string[] = [];
  const broken: string[] = [];
  for (const o of outcomes) {
    if (o.broken !== undefined) {
      broken.push(`${o.profile}: ${o.broken}`);
      continue;
    }
    if (!o.summary) {
      broken.push(`${o.profile}: no summary.json in ${o.reportDir} (vitest did not finish; see the log above)`);
      continue;
    }
    const failed = o.summary.checks.some((c) => c.status === 'failed');
    if (o.vitestFailed && !failed) {
      broken.push(`${o.profile}: vitest reported an error outside any check (e.g. globalSetup or a reporter); see the log above`);
    }
  }
  if (broken.length > 0 || outcomes.length === 0) {
    return { code: 3, lines: [`v6e2e: the run itself broke: ${broken.join('; ') || 'no profile ran'}`] };
  }
  const summaries = outcomes.map((o) => o.summary as RunSummary);

  if (opts.gate) {
    const known = new Set<string>([...(opts.collectedIds ?? []), ...summaries.flatMap((s) => s.checks.map((c) => c.id))]);
    const missing = unmatchedRules(opts.gate, known);
    if (missing.length > 0) {
      const first = missing[0];
      const line = `gate file ${opts.gate.source}:${first?.line ?? 0}: ${missing.map((r) => `"${r.pattern}"`).join(', ')} match${missing.length === 1 ? 'es' : ''} no check id of this run (${known.size} known)`;
      if (!opts.unmatchedIsWarning) return { code: 2, lines: [`v6e2e: ${line}; fix the gate file (v6e2e list-checks prints every id)`] };
      lines.push(`v6e2e: warning: ${line}; a typo, or checks of suites this run did not select`);
    }
  }

  const gating = summaries.flatMap((s) => s.checks.filter(isGatingFailure).map((c) => (summaries.length > 1 ? `${s.profile}:${c.id}` : c.id)));
  const warn = summaries.flatMap((s) =>
    s.checks.filter((c) => c.status === 'failed' && c.gating === false).map((c) => (summaries.length > 1 ? `${s.profile}:${c.id}` : c.id)),
  );
  if (warn.length > 0) {
    lines.push(`v6e2e: warning: ${warn.length} non-gating check${warn.length === 1 ? '' : 's'} failed (listed under Warnings in summary.md): ${listIds(warn)}`);
  }
  if (gating.length > 0) {
    lines.push(`v6e2e: ${gating.length} gating check${gating.length === 1 ? '' : 's'} failed: ${listIds(gating)}`);
    return { code: 1, lines };
  }
  return { code: 0, lines };
}
