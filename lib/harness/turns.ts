/**
 * Faults of one file run at once where they touch disjoint objects. Those that share one
 * (a backend's port, a node's NodePort) take turns: a Turn runs one body at a time, in the
 * order they asked, whether the one before passed or failed.
 */
export type Turn = <T>(body: () => Promise<T>) => Promise<T>;

export function turns(): Turn {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(body: () => Promise<T>): Promise<T> => {
    const run = last.then(body);
    last = run.catch(() => undefined);
    return run;
  };
}

/** A Turn per key (per family: faults on one family's addresses do not touch the other's), made on first use. */
export function turnsBy<K>(): (key: K) => Turn {
  const byKey = new Map<K, Turn>();
  return (key) => {
    let t = byKey.get(key);
    if (!t) byKey.set(key, (t = turns()));
    return t;
  };
}

/** The time bound of a check that takes turns: waiting for its turn counts in vitest's test timeout. */
export const TURN_TIMEOUT_MS = 300_000;
