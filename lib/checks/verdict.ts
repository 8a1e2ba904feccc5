/**
 * A check is a function from observed objects/probe results to a Verdict.
 * Suites assert `ok`; fault tests seed the matching fault, run the same check
 * and assert it fails with a message naming object, family, expected and seen.
 * Keeping the judgement in one function is what makes "the check can fail"
 * provable: the fault test exercises the very code the suite relies on.
 */
import type { IPFamily } from '../net/family.ts';
import { retry, type RetryPolicy } from '../util/retry.ts';

export type CheckFamily = IPFamily | 'dual' | 'none';

/** One thing that did not hold: what fault tests assert on, field by field. */
export interface Failure {
  object: string;
  family: CheckFamily;
  expected: string;
  seen: string;
}

export interface Verdict {
  ok: boolean;
  /** Kind/namespace/name or pod → target: what was looked at. */
  object: string;
  family: CheckFamily;
  expected: string;
  seen: string;
  /** `<object> [<family>]: expected <expected>, saw <seen>` — the assertion message. */
  message: string;
  /** Every failure as data (empty when ok); `all()` keeps each sub-check's. */
  failures: Failure[];
  /** How many times the scenario probed before this verdict (absent: once). */
  attempts?: number;
}

export function failureLine(f: Failure): string {
  return `${f.object} [${f.family}]: expected ${f.expected}, saw ${f.seen}`;
}

export function verdict(ok: boolean, v: Failure): Verdict {
  const f: Failure = { object: v.object, family: v.family, expected: v.expected, seen: v.seen };
  return { ok, ...f, message: failureLine(f), failures: ok ? [] : [f] };
}

/** Combines verdicts: ok when all are; the message lists every failure. */
export function all(verdicts: Verdict[], object: string, family: CheckFamily): Verdict {
  const failed = verdicts.filter((v) => !v.ok);
  if (failed.length === 0) {
    return verdict(true, { object, family, expected: `${verdicts.length} sub-checks pass`, seen: 'all pass' });
  }
  return {
    ok: false,
    object,
    family,
    expected: failed.map((f) => f.expected).join('; '),
    seen: failed.map((f) => f.seen).join('; '),
    message: failed.map((f) => f.message).join('\n'),
    failures: failed.flatMap((f) => f.failures),
  };
}

/** Throws the verdict's message when it failed: the one assertion suites make. */
export function assertOk(v: Verdict): void {
  if (!v.ok) throw new CheckFailure(v);
}

export class CheckFailure extends Error {
  override name = 'CheckFailure';
  constructor(readonly verdict: Verdict) {
    super(verdict.message);
  }
}

/**
 * A probe-and-judge function retried under `policy` (lib/util/retry.ts): the last
 * verdict, with `attempts`. A pass that needed more than one attempt says what the
 * first attempt saw: a path that works only on the second try is worth knowing.
 */
export async function retryVerdict(fn: () => Promise<Verdict>, policy: Omit<RetryPolicy<Verdict>, 'until'>): Promise<Verdict> {
  const { last, first, attempts } = await retry(fn, policy);
  if (!last.ok || attempts === 1) return { ...last, attempts };
  const note = `${last.seen} (on attempt ${attempts}; attempt 1 saw ${first.seen})`;
  return { ...verdict(true, { object: last.object, family: last.family, expected: last.expected, seen: note }), attempts };
}
