/**
 * Runs side by side: for runs of one base profile (a patched tree and its base,
 * iptables and nftables, kindnet and flannel…), the checks whose outcome differs.
 * This is what `v6e2e report` of two such runs shows first.
 */
import { firstLine } from '../checks/text.ts';
import type { CheckFamily, CheckStatus, RunSummary } from './summary-schema.ts';

export interface CheckDifference {
  id: string;
  family: CheckFamily;
  baseProfile: string;
  /** Each run's label and outcome, in input order; absent when the run did not have the check. */
  outcomes: { profile: string; status: CheckStatus | 'absent'; message?: string }[];
}

/** A failed check and a passed one are different; flaky counts as passed (it ended passing). */
function outcomeClass(status: CheckStatus | 'absent'): string {
  return status === 'flaky' ? 'passed' : status;
}

/**
 * Checks whose outcome differs between runs sharing a base profile (summaries
 * without one use their label, so they only compare with their own label).
 * Runs of different base profiles never compare: an IPv4 cluster skipping IPv6
 * checks is not a difference.
 */
export function compareRuns(summaries: readonly RunSummary[]): CheckDifference[] {
  const groups = new Map<string, RunSummary[]>();
  for (const s of summaries) {
    const key = s.baseProfile ?? s.profile;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out: CheckDifference[] = [];
  for (const [baseProfile, runs] of groups) {
    if (runs.length < 2) continue;
    const ids = [...new Set(runs.flatMap((r) => r.checks.map((c) => c.id)))];
    for (const id of ids) {
      const outcomes = runs.map((r) => {
        const c = r.checks.find((x) => x.id === id);
        return c ? { profile: r.profile, status: c.status, ...(c.message !== undefined ? { message: c.message } : {}) } : { profile: r.profile, status: 'absent' as const };
      });
      if (new Set(outcomes.map((o) => outcomeClass(o.status))).size < 2) continue;
      const family = runs.flatMap((r) => r.checks.filter((c) => c.id === id))[0]?.family ?? 'none';
      out.push({ id, family, baseProfile, outcomes });
    }
  }
  return out;
}

/** A markdown table: one row per differing check, one column per run of its base profile. */
export function renderDifferencesMd(diffs: readonly CheckDifference[], cell: (s: string) => string): string[] {
  if (diffs.length === 0) return [];
  const out: string[] = ['### Differences between runs', ''];
  const byBase = new Map<string, CheckDifference[]>();
  for (const d of diffs) byBase.set(d.baseProfile, [...(byBase.get(d.baseProfile) ?? []), d]);
  for (const [base, list] of byBase) {
    const labels = list[0]!.outcomes.map((o) => o.profile);
    out.push(`${list.length} check(s) of ${cell(base)} differ:`, '');
    out.push(`| check | family | ${labels.map(cell).join(' | ')} |`, `|---|---|${labels.map(() => '---').join('|')}|`);
    for (const d of list) {
      const cols = d.outcomes.map((o) => (o.status === 'failed' ? `**failed**: ${cell(firstLine(o.message ?? '')).slice(0, 200)}` : o.status));
      out.push(`| ${cell(d.id)} | ${d.family} | ${cols.join(' | ')} |`);
    }
    out.push('');
  }
  return out;
}
