/**
 * The fault test's assertion, on structured failures: the scenario's verdict
 * failed, and one of its failures is about `object` and `family`, with
 * `expected` and `seen` containing the given fragments. Fault tests call the
 * same scenario function as the check, so this proves the check's own path
 * catches the fault.
 */
import { expect } from 'vitest';
import type { CheckFamily, Failure, Verdict } from '../checks/verdict.ts';

export interface ExpectedFailure {
  /** The object exactly as the check names it, or a pattern for names the run generates. */
  object: string | RegExp;
  family: CheckFamily;
  /** Fragments of `expected` (all must appear). */
  expected?: readonly string[];
  /** Fragments of `seen` (all must appear). */
  seen?: readonly string[];
}

export function matchesFailure(f: Failure, want: ExpectedFailure): boolean {
  const objectOk = typeof want.object === 'string' ? f.object === want.object : want.object.test(f.object);
  return (
    objectOk &&
    f.family === want.family &&
    (want.expected ?? []).every((s) => f.expected.includes(s)) &&
    (want.seen ?? []).every((s) => f.seen.includes(s))
  );
}

/** Asserts the verdict failed with a failure matching `want`; returns that failure. */
export function expectFault(v: Verdict, want: ExpectedFailure): Failure {
  expect(v.ok, `the check passed on a seeded fault: ${v.message}`).toBe(false);
  const hit = v.failures.find((f) => matchesFailure(f, want));
  expect(hit, `no failure matching ${describeWant(want)} among:\n${v.message}`).toBeDefined();
  return hit!;
}

/** Asserts the verdict holds (the fault is family-specific, or was not seeded here). */
export function expectNoFault(v: Verdict): void {
  expect(v.ok, `expected no failure, got:\n${v.message}`).toBe(true);
}

function describeWant(w: ExpectedFailure): string {
  const parts = [`object ${String(w.object)}`, `family ${w.family}`];
  if (w.expected?.length) parts.push(`expected ⊇ ${JSON.stringify(w.expected)}`);
  if (w.seen?.length) parts.push(`seen ⊇ ${JSON.stringify(w.seen)}`);
  return parts.join(', ');
}
