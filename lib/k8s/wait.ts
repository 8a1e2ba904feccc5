/**
 * Poll-with-deadline. Preferred over watches for "wait until X": a watch can hang
 * silently (client-node 1.x has no default watch timeout), a poll cannot.
 */
import { inspect } from 'node:util';

export interface WaitOptions<T> {
  /** Overall deadline. Default 60 s. */
  timeoutMs?: number;
  /** Pause between attempts. Default 1 s. */
  intervalMs?: number;
  /** When is a value good enough? Default: truthy. */
  until?: (value: T) => boolean;
  /** How to show the last value in the timeout message. Default: util.inspect, clipped. */
  describe?: (value: T) => string;
  signal?: AbortSignal;
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
  constructor(
    message: string,
    readonly description: string,
    readonly lastValue: unknown,
    readonly lastError: unknown,
    readonly attempts: number,
  ) {
    super(message);
  }
}

const MAX_SHOWN = 500;

function show(value: unknown): string {
  const text = inspect(value, { depth: 4, breakLength: Infinity, maxArrayLength: 20 });
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

function errorLine(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message.split('\n', 1)[0]}` : String(err);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Calls `fn` until `until(value)` holds, then returns that value. Errors thrown by
 * `fn` count as "not yet" (the API server may be restarting); the last one is kept.
 * On timeout the error says what was awaited, for how long, and what was last seen:
 *   waiting for "pod web-0 Ready" timed out after 60s (31 attempts); last value: 'Pending'
 * A single attempt that hangs is cut off at the deadline too.
 */
export async function waitFor<T>(description: string, fn: () => Promise<T> | T, opts: WaitOptions<T> = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const intervalMs = opts.intervalMs ?? 1_000;
  const until = opts.until ?? ((v: T) => Boolean(v));
  const describe = opts.describe ?? show;
  const deadline = Date.now() + timeoutMs;

  let attempts = 0;
  let seen = false;
  let lastValue: T | undefined;
  let lastError: unknown;

  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    attempts++;
    const remaining = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const cutoff = new Promise<'cutoff'>((resolve) => {
      timer = setTimeout(() => resolve('cutoff'), Math.max(0, remaining));
    });
    try {
      const out = await Promise.race([Promise.resolve().then(fn), cutoff]);
      if (out !== 'cutoff') {
        lastValue = out;
        seen = true;
        lastError = undefined;
        if (until(out)) return out;
      }
    } catch (err) {
      lastError = err;
    } finally {
      clearTimeout(timer);
    }
    if (Date.now() + intervalMs > deadline) break;
    await sleep(intervalMs, opts.signal);
  }

  const parts = [`waiting for "${description}" timed out after ${(timeoutMs / 1000).toFixed(timeoutMs < 10_000 ? 1 : 0)}s (${attempts} attempts)`];
  parts.push(seen ? `last value: ${describe(lastValue as T)}` : 'no value was returned');
  if (lastError !== undefined) parts.push(`last error: ${errorLine(lastError)}`);
  throw new WaitTimeoutError(parts.join('; '), description, lastValue, lastError, attempts);
}
