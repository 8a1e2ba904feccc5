/**
 * Which backends a Service path reaches, judged over many requests (each a new
 * connection): "every ready endpoint answers" (not just any one, as upstream's
 * Granular Checks for pod-Service/node-Service http and udp require), and
 * internalTrafficPolicy Local (only the client node's own endpoints answer; a node
 * without one gets no answer). Pure: samples in, Verdict out.
 */
import type { IPFamily } from '../net/family.ts';
import type { HttpResult } from '../probes/curl.ts';
import type { UdpResult } from '../probes/udp.ts';
import { clip, describeHttpOutcome } from './text.ts';
import { verdict, type Verdict } from './verdict.ts';

/** One request's outcome: the backend name it answered with, or why it did not answer. */
export type BackendSample = { answered: string } | { failed: string };

/** netexec /hostname: the body is the answering pod's name. */
export function httpSample(r: HttpResult): BackendSample {
  if (r.ok) return { answered: r.body.trim() };
  // "timeout (curl exit 28: …)" → "timeout": the words group failures; the detail varies per request.
  const described = describeHttpOutcome(r);
  return { failed: r.exitCode === 0 ? described : described.replace(/ \(.*$/, '') };
}

/** netexec UDP `hostname`: the reply is the answering pod's name. */
export function udpSample(r: UdpResult): BackendSample {
  if (r.ok) return { answered: r.reply };
  return { failed: r.exitCode === -1 ? `probe could not run (${clip(r.stderr, 120)})` : 'no reply' };
}

export interface Tally {
  requests: number;
  /** Answers per name, backends first (zero counts included), then anyone else. */
  answers: Map<string, number>;
  failures: Map<string, number>;
}

export function tally(backends: readonly string[], samples: readonly BackendSample[]): Tally {
  const answers = new Map<string, number>(backends.map((b) => [b, 0]));
  const failures = new Map<string, number>();
  for (const s of samples) {
    if ('answered' in s) answers.set(s.answered, (answers.get(s.answered) ?? 0) + 1);
    else failures.set(s.failed, (failures.get(s.failed) ?? 0) + 1);
  }
  return { requests: samples.length, answers, failures };
}

function showCounts(m: ReadonlyMap<string, number>): string {
  return [...m].map(([k, n]) => `${k || '(empty)'} ×${n}`).join(', ');
}

/** `12 requests: a ×7, b ×5; 0 failed` — what a tally saw, every name with its count. */
export function describeTally(t: Tally): string {
  const failed = [...t.failures.values()].reduce((a, b) => a + b, 0);
  return `${t.requests} requests: ${showCounts(t.answers) || 'no answers'}; ${failed} failed${failed ? ` (${showCounts(t.failures)})` : ''}`;
}

export interface BackendsCheck {
  /** Who → what: `pod ns/c on w1 → Service ns/echo ClusterIP fd00::10 port 8080`. */
  object: string;
  family: IPFamily;
  /** Names of the ready endpoints of the family (netexec answers its pod name). */
  backends: readonly string[];
  samples: readonly BackendSample[];
}

/**
 * Every backend answered at least once and nothing else answered. Failed requests are
 * listed but do not fail the check on their own: the claim is that each endpoint is
 * reachable through the path.
 */
export function everyBackendVerdict(c: BackendsCheck): Verdict {
  const t = tally(c.backends, c.samples);
  const expected = `every backend answers: [${c.backends.join(', ')}] (each request a new connection)`;
  if (c.backends.length === 0) return verdict(false, { object: c.object, family: c.family, expected, seen: 'no backend to expect (no ready endpoint of the family)' });
  const missing = c.backends.filter((b) => !t.answers.get(b));
  const foreign = [...t.answers.keys()].filter((k) => !c.backends.includes(k));
  const notes = [missing.length ? `never answered: ${missing.join(', ')}` : '', foreign.length ? `not a backend: ${foreign.join(', ')}` : ''].filter(Boolean);
  return verdict(missing.length === 0 && foreign.length === 0, { object: c.object, family: c.family, expected, seen: `${notes.length ? `${notes.join('; ')}; ` : ''}${describeTally(t)}` });
}

export interface LocalOnlyCheck extends BackendsCheck {
  /** The client's node. */
  node: string;
  /** The backends on `node`; the others are elsewhere. */
  local: readonly string[];
}

/**
 * internalTrafficPolicy Local: a client on a node with endpoints reaches only those (every
 * request answered, each by a local one); a client on a node without one gets no answer
 * at all (kube-proxy drops it, or it is refused: either way no backend elsewhere answers).
 */
export function localOnlyVerdict(c: LocalOnlyCheck): Verdict {
  const t = tally(c.local, c.samples);
  const remote = c.backends.filter((b) => !c.local.includes(b));
  if (c.local.length === 0) {
    const answered = [...t.answers].filter(([, n]) => n > 0);
    return verdict(answered.length === 0, {
      object: c.object,
      family: c.family,
      expected: `no answer (internalTrafficPolicy Local, no endpoint on ${c.node}; endpoints elsewhere: ${remote.join(', ') || 'none'})`,
      seen: describeTally(t),
    });
  }
  const others = [...t.answers].filter(([k, n]) => n > 0 && !c.local.includes(k)).map(([k]) => k);
  const failed = [...t.failures.values()].reduce((a, b) => a + b, 0);
  const ok = t.requests > 0 && others.length === 0 && failed === 0;
  const why = [others.length ? `answered from elsewhere: ${others.join(', ')}` : '', failed ? `${failed} unanswered` : ''].filter(Boolean);
  return verdict(ok, {
    object: c.object,
    family: c.family,
    expected: `every request answered by an endpoint on ${c.node} only ([${c.local.join(', ')}]; not [${remote.join(', ')}]: internalTrafficPolicy Local)`,
    seen: `${why.length ? `${why.join('; ')}; ` : ''}${describeTally(t)}`,
  });
}

/** Requests per round: two backends picked at random both show up in 12 with p ≈ 1 − 2⁻¹¹; at most SPREAD_ROUNDS rounds. */
export const SPREAD_REQUESTS = 12;
export const SPREAD_ROUNDS = 3;
/**
 * Per-request timeout of spread sampling, seconds (connect; twice this for the whole
 * request). A failed request never fails a spread check alone (only a backend that never
 * answers does), so a short wait only shortens the rounds a dropped backend stretches.
 */
export const SPREAD_TIMEOUT_S = 1;

/** The pause after a round in which nothing answered: kube-proxy's sync of a new Service, about a second. */
export const SILENT_ROUND_GAP_MS = 1_000;

/**
 * Rounds of samples until `judge` passes on all samples so far, at most `rounds`: a backend
 * kube-proxy's random choice skipped in one round gets another chance, bounded. A round
 * that no backend answered waits `gapMs` first: a Service just made may not be in the
 * node's rules yet, and back-to-back rounds once all fell in that second.
 */
export async function sampleUntil(take: () => Promise<BackendSample[]>, judge: (samples: readonly BackendSample[]) => Verdict, rounds = 3, gapMs = SILENT_ROUND_GAP_MS): Promise<Verdict> {
  const samples: BackendSample[] = [];
  let v: Verdict;
  let n = 0;
  for (;;) {
    const round = await take();
    samples.push(...round);
    v = judge(samples);
    n++;
    if (v.ok || n >= rounds) break;
    if (!round.some((r) => 'answered' in r)) await new Promise((r) => setTimeout(r, gapMs));
  }
  return { ...v, attempts: n };
}
