/**
 * What summary.json holds: one run's checks and totals. The types every report
 * reads, and the few constants that describe them.
 */
export type CheckFamily = 'IPv4' | 'IPv6' | 'dual' | 'none';
export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'flaky';

export interface CheckResult {
  /** Declared with check() (lib/harness/check.ts); same check, same id across runs and renames. */
  id: string;
  /** Folder under suites/ (`connectivity`), or `(run)` for errors outside any test. */
  suite: string;
  family: CheckFamily;
  /** `fault`: a harness self-test (a seeded fault its check must catch). Absent in old summaries: check. */
  kind?: 'check' | 'fault';
  /** Declared disruptive: it changes something outside its namespace. */
  disruptive?: boolean;
  status: CheckStatus;
  durationMs: number;
  /** Failure message, skip reason, or the error a flaky check recovered from. */
  message?: string;
  /** Retries used (0 when it passed or failed at the first attempt). */
  retries: number;
  /** The declared title, for humans; ids and JUnit names never depend on it. */
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
  /** Per test file: its wall time and how much of it the test bodies took (the rest is setup). */
  files?: FileTiming[];
}

export interface FileTiming {
  /** Relative to the repo, e.g. `suites/nat64/nat64.test.ts`. */
  file: string;
  suite: string;
  /** The file's wall time: hooks and test bodies. */
  durationMs: number;
  /**
   * Time any of its test bodies was running (the union of their intervals, so tests
   * running at once count once); durationMs minus this is setup and teardown.
   */
  bodyMs: number;
  /** When the file started and ended, in ms from the start of the test run: the run's timeline. */
  startMs?: number;
  endMs?: number;
  /**
   * A serial (disruptive) file of a self-test: when its turn began, on the same timeline.
   * Before it the file waited (for the files of checks, other serial files, its locks).
   */
  turnMs?: number;
}

export const SUMMARY_JSON = 'summary.json';
export const SUMMARY_MD = 'summary.md';

export const STATUSES: readonly CheckStatus[] = ['passed', 'failed', 'skipped', 'flaky'];
/** Families in the order reports list them. */
export const FAMILIES: readonly CheckFamily[] = ['IPv4', 'IPv6', 'dual', 'none'];

export function tally(checks: readonly CheckResult[]): Totals {
  const t: Totals = { passed: 0, failed: 0, skipped: 0, flaky: 0 };
  for (const c of checks) t[c.status]++;
  return t;
}
