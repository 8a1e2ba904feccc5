/**
 * A check is a function from observed objects/probe results to a Verdict.
 * Suites assert `ok`; fault tests seed the matching fault, run the same check
 * and assert it fails with a message naming object, family, expected and seen.
 * Keeping the judgement in one function is what makes "the check can fail"
 * provable: the fault test exercises the very code the suite relies on.
 */
import type { IPFamily } from '../net/family.ts';

export type CheckFamily = IPFamily | 'dual' | 'none';

export interface Verdict {
  ok: boolean;
  /** Kind/namespace/name or pod → target: what was looked at. */
  object: string;
  family: CheckFamily;
  expected: string;
  seen: string;
  /** `<object> [<family>]: expected <expected>, saw <seen>` — the assertion message. */
  message: string;
}

export function verdict(ok: boolean, v: Omit<Verdict, 'ok' | 'message'>): Verdict {
  return { ok, ...v, message: `${v.object} [${v.family}]: expected ${v.expected}, saw ${v.seen}` };
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
