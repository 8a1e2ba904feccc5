/**
 * Several runs or shards of one profile into one summary (`v6e2e report a/ b/`,
 * `run --profile all`).
 */
import { tally, type CheckResult, type CheckStatus, type RunSummary } from './summary-schema.ts';

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
  return [...groups.values()].map((group) => (group.length === 1 ? (group[0] as RunSummary) : mergeGroup(group)));
}

/** One profile's runs (at least two) as one summary. */
function mergeGroup(group: readonly RunSummary[]): RunSummary {
  const checks = mergeChecks(group);
  const starts = group.map((s) => Date.parse(s.startedAt)).filter(Number.isFinite);
  const ends = group.map((s) => Date.parse(s.startedAt) + s.durationMs).filter(Number.isFinite);
  const start = starts.length > 0 ? Math.min(...starts) : Date.now();
  const versions = [...new Set(group.map((s) => s.kubernetesVersion).filter((v) => v !== 'unknown'))];
  const gates = [...new Set(group.map((s) => s.gate).filter((g): g is string => g !== undefined))];
  const reason = mergedReason(group);
  return {
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
}

/** The checks of several runs, one per id: the worst outcome, the most retries, gating if any input said so. */
function mergeChecks(group: readonly RunSummary[]): CheckResult[] {
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
  return [...byId.values()].map((c) => {
    const { gating, ...rest } = c;
    const n = seen.get(c.id) ?? 1;
    const out: CheckResult = gating === false ? { ...rest, gating } : rest;
    if (n > 1 && c.status !== 'passed' && c.status !== 'skipped') {
      out.message = `${c.message ?? c.status} (seen in ${n} of the merged runs; the worst outcome is kept)`;
    }
    return out;
  });
}

/** Interrupted if any run was, failed if any failed, passed only if all passed. */
function mergedReason(group: readonly RunSummary[]): RunSummary['reason'] {
  if (group.some((s) => s.reason === 'interrupted')) return 'interrupted';
  if (group.some((s) => s.reason === 'failed')) return 'failed';
  if (group.every((s) => s.reason === 'passed')) return 'passed';
  return undefined;
}
