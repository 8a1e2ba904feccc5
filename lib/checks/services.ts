/**
 * Service dataplane judgements beyond "one request is answered": session affinity
 * (ClientIP pins one client to one backend, None spreads, timeoutSeconds ends the pin)
 * and endpoint churn (traffic leaves a deleted backend within a bound; UDP from a fixed
 * source port reaches a replaced server). Pure: probe outcomes in, a Verdict out.
 */
import type { HttpResult } from '../probes/http.ts';
import type { UdpResult } from '../probes/udp.ts';
import { describeHttpOutcome } from './text.ts';
import { verdict, type CheckFamily, type Verdict } from './verdict.ts';

// ---------------------------------------------------------------- session affinity

/** What one request saw: the backend that answered (netexec /hostname), or why none did. */
export type Answer = { backend: string } | { error: string };

export function answerOf(r: HttpResult): Answer {
  const body = r.body.trim();
  return r.ok && body ? { backend: body } : { error: describeHttpOutcome(r) };
}

const isBackend = (a: Answer): a is { backend: string } => 'backend' in a;

/** The distinct backends, in order of first answer. */
export function backendsOf(answers: readonly Answer[]): string[] {
  return [...new Set(answers.filter(isBackend).map((a) => a.backend))];
}

/** `server-0 ×7, server-1 ×3; 2 failed (timeout ×2)`: a tally for `seen`. */
export function describeAnswers(answers: readonly Answer[]): string {
  const count = (xs: string[]) => [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())].map(([k, n]) => `${k} ×${n}`).join(', ');
  const ok = answers.filter(isBackend).map((a) => a.backend);
  const failed = answers.filter((a): a is { error: string } => !isBackend(a)).map((a) => a.error);
  const parts = [];
  if (ok.length) parts.push(count(ok));
  if (failed.length) parts.push(`${failed.length} failed (${count(failed)})`);
  return parts.join('; ') || 'no requests';
}

export interface AnswersInput {
  object: string;
  family: CheckFamily;
  answers: readonly Answer[];
}

function failedCount(answers: readonly Answer[]): number {
  return answers.filter((a) => !isBackend(a)).length;
}

/** sessionAffinity ClientIP: every request of the one client answered, all by one backend. */
export function pinnedVerdict(o: AnswersInput): Verdict {
  const backends = backendsOf(o.answers);
  const ok = o.answers.length > 0 && failedCount(o.answers) === 0 && backends.length === 1;
  const seen = ok
    ? `all ${o.answers.length} requests answered by ${backends[0]}`
    : `answers from ${backends.length} backend${backends.length === 1 ? '' : 's'}: ${describeAnswers(o.answers)}`;
  return verdict(ok, { object: o.object, family: o.family, expected: `every request (${o.answers.length}) to one backend (sessionAffinity ClientIP)`, seen });
}

/** sessionAffinity None: every request answered, by at least two distinct backends. */
export function spreadVerdict(o: AnswersInput): Verdict {
  const backends = backendsOf(o.answers);
  const ok = failedCount(o.answers) === 0 && backends.length >= 2;
  return verdict(ok, {
    object: o.object,
    family: o.family,
    expected: `${o.answers.length} requests spread over at least 2 backends (sessionAffinity None)`,
    seen: `answers from ${backends.length} backend${backends.length === 1 ? '' : 's'}: ${describeAnswers(o.answers)}`,
  });
}

export interface ExpiryInput {
  object: string;
  family: CheckFamily;
  timeoutSeconds: number;
  /** The backend the client was pinned to before the first expiry. */
  pinned: string;
  /** Seconds of silence before each fresh request (more than timeoutSeconds). */
  idleSeconds: number;
  /** The first request after each idle window, in order. */
  windows: readonly Answer[];
}

/**
 * timeoutSeconds honoured: after an idle window longer than the timeout the pin is gone,
 * so the next connection is balanced afresh. One window may land on the old backend by
 * chance; over several windows at least one answer must come from another backend.
 */
export function expiryVerdict(o: ExpiryInput): Verdict {
  const failed = failedCount(o.windows);
  const moved = o.windows.filter(isBackend).some((a) => a.backend !== o.pinned);
  const ok = failed === 0 && moved;
  return verdict(ok, {
    object: o.object,
    family: o.family,
    expected: `the ClientIP pin to ${o.pinned} to expire after timeoutSeconds ${o.timeoutSeconds}: another backend answers after at least one of ${o.windows.length} idle windows of ${o.idleSeconds} s`,
    seen: moved
      ? `after ${o.windows.length} idle window${o.windows.length === 1 ? '' : 's'}: ${describeAnswers(o.windows)}`
      : `still pinned after ${o.windows.length} idle windows of ${o.idleSeconds} s: ${describeAnswers(o.windows)}`,
  });
}

// ---------------------------------------------------------------- endpoint churn

/** One request during churn: when it started (ms after the change) and what answered. */
export interface Sample {
  atMs: number;
  answer: Answer;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export interface ChurnInput {
  object: string;
  family: CheckFamily;
  /** The deleted backend's name (netexec /hostname answers it). */
  deleted: string;
  /** The remaining backends' names: only they may answer (a reused IP answering with another name is no backend). */
  remaining: readonly string[];
  /** Requests started later than this after the deletion must all reach a remaining backend. */
  boundMs: number;
  samples: readonly Sample[];
  /** At least this many requests after the bound, or the check saw too little. */
  minAfter?: number;
}

/** A sample is good when one of the remaining backends answered it. */
function goodAfterDelete(s: Sample, remaining: readonly string[]): boolean {
  return isBackend(s.answer) && remaining.includes(s.answer.backend);
}

/**
 * A backend deleted: every request started after `boundMs` is answered by a remaining
 * backend. `seen` says when traffic had moved (the start of the final run of good
 * requests, at the probes' resolution).
 */
export function churnVerdict(o: ChurnInput): Verdict {
  const sorted = [...o.samples].sort((a, b) => a.atMs - b.atMs);
  const after = sorted.filter((s) => s.atMs > o.boundMs);
  const bad = after.filter((s) => !goodAfterDelete(s, o.remaining));
  const minAfter = o.minAfter ?? 1;
  const lastBad = sorted.filter((s) => !goodAfterDelete(s, o.remaining)).at(-1);
  // Traffic had moved by the first good request after the last stray one.
  const movedAt = lastBad ? (sorted.find((s) => s.atMs > lastBad.atMs)?.atMs ?? lastBad.atMs) : 0;
  const ok = bad.length === 0 && after.length >= minAfter;
  const reached = bad.filter((s) => isBackend(s.answer)).length;
  const seen = ok
    ? `traffic off ${o.deleted} ${lastBad ? `${seconds(movedAt)} after the deletion (last stray request at ${seconds(lastBad.atMs)})` : 'from the first request after the deletion'}; ${after.length} requests after ${seconds(o.boundMs)} all answered by remaining backends (${describeAnswers(after.map((s) => s.answer))})`
    : after.length < minAfter
      ? `only ${after.length} request${after.length === 1 ? '' : 's'} after ${seconds(o.boundMs)} (need ${minAfter})`
      : `${bad.length} of ${after.length} requests after ${seconds(o.boundMs)} ${reached ? `reached the deleted pod (or no backend) or ` : ''}failed: ${describeAnswers(bad.map((s) => s.answer))} (first at ${seconds(bad[0]!.atMs)}, last at ${seconds(bad.at(-1)!.atMs)})`;
  return verdict(ok, {
    object: o.object,
    family: o.family,
    expected: `every request started later than ${seconds(o.boundMs)} after deleting ${o.deleted} answered by a remaining backend (${o.remaining.join(', ')})`,
    seen,
  });
}

/** A UDP exchange as an Answer: the reply (netexec's hostname), or silence. */
export function udpAnswerOf(r: UdpResult): Answer {
  return r.ok ? { backend: r.reply } : { error: r.exitCode === -1 ? `probe could not run (${r.stderr.trim().slice(0, 120)})` : 'no reply' };
}

export interface ReplacedInput {
  object: string;
  family: CheckFamily;
  /** The client's fixed UDP source port. */
  sourcePort: number;
  /** The replacement server (its hostname answers). */
  replacement: string;
  /** Samples' atMs count from the replacement being Ready. */
  boundMs: number;
  samples: readonly Sample[];
}

/**
 * UDP server replaced: datagrams from the same source port are answered by the new pod
 * within `boundMs` of it being Ready (a conntrack entry left pointing at the old pod, or
 * at no endpoint, keeps them from it).
 */
export function replacedVerdict(o: ReplacedInput): Verdict {
  const sorted = [...o.samples].sort((a, b) => a.atMs - b.atMs);
  const hit = sorted.find((s) => s.atMs <= o.boundMs && isBackend(s.answer) && s.answer.backend === o.replacement);
  const afterReady = sorted.filter((s) => s.atMs >= 0);
  const expected = `datagrams from source port ${o.sourcePort} answered by the new pod ${o.replacement} within ${seconds(o.boundMs)} of it being Ready`;
  if (hit) {
    return verdict(true, { object: o.object, family: o.family, expected, seen: `${o.replacement} answered ${hit.atMs <= 0 ? 'by the time it was Ready' : `${seconds(hit.atMs)} after Ready`}` });
  }
  const window = afterReady.filter((s) => s.atMs <= o.boundMs);
  return verdict(false, {
    object: o.object,
    family: o.family,
    expected,
    seen: `no answer from ${o.replacement} in ${window.length} datagrams within ${seconds(o.boundMs)} of Ready: ${describeAnswers(window.map((s) => s.answer))}`,
  });
}
