/**
 * The one retry helper for probes and verdicts: run `attempt` until `until` holds,
 * bounded by a number of attempts or a time budget, and return the last result
 * either way (a failure after retries is a finding, not an exception) with how many
 * attempts it took. Waiting for the cluster to reach a state is `waitFor`
 * (lib/k8s/wait.ts), which throws on timeout instead.
 */
export interface RetryPolicy<T> {
  /** At most this many attempts (default 3, at least 1). */
  attempts?: number;
  /** Or: keep trying while the next attempt would start within this many ms of the first. */
  withinMs?: number;
  /** Pause between attempts (default 1 s). */
  delayMs?: number;
  /** When to stop; default `r.ok` for results that have one. */
  until?: (r: T) => boolean;
}

export interface Retried<T> {
  last: T;
  attempts: number;
  /** The first attempt's result (the same as `last` when one attempt sufficed). */
  first: T;
}

const isOk = (r: unknown): boolean => typeof r === 'object' && r !== null && (r as { ok?: unknown }).ok === true;

export async function retry<T>(attempt: () => Promise<T>, policy: RetryPolicy<T> = {}): Promise<Retried<T>> {
  const until = policy.until ?? isOk;
  const delayMs = policy.delayMs ?? 1_000;
  const maxAttempts = policy.withinMs !== undefined ? Number.POSITIVE_INFINITY : Math.max(1, policy.attempts ?? 3);
  const deadline = policy.withinMs !== undefined ? Date.now() + policy.withinMs : Number.POSITIVE_INFINITY;
  const first = await attempt();
  let last = first;
  let n = 1;
  while (!until(last) && n < maxAttempts && Date.now() + delayMs <= deadline) {
    await new Promise((r) => setTimeout(r, delayMs));
    last = await attempt();
    n++;
  }
  return { last, attempts: n, first };
}

/** `retry` for callers that only want the last result. */
export async function retryLast<T>(attempt: () => Promise<T>, policy: RetryPolicy<T> = {}): Promise<T> {
  return (await retry(attempt, policy)).last;
}
