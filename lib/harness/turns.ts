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

/** Seeds a fault, runs `body` while it is in place, removes it whatever happens (withDrops and its like). */
export type WithFault = <T>(body: () => Promise<T>) => Promise<T>;

/** One fault that several concurrent checks judge at once (their probes under it overlap). */
export interface SharedFault {
  /** Runs `probe` with the fault in place: the first check to ask seeds it, the last one out removes it. */
  during<T>(probe: () => Promise<T>): Promise<T>;
  /** Runs `probe` once the fault is gone again (the checks that shared it are all out); a failed removal throws here. */
  after<T>(probe: () => Promise<T>): Promise<T>;
}

/**
 * Checks whose faults are the very same rules (one black hole, say) share one seeding:
 * each pays the fault's timeouts at the same time as the others instead of after them.
 */
export function sharedFault(withFault: WithFault): SharedFault {
  interface Window {
    holders: number;
    seeded: Promise<void>;
    release: () => void;
    removed: Promise<void>;
  }
  let open: Window | undefined;
  let last: Promise<void> = Promise.resolve();
  const enter = (): Window => {
    if (!open) {
      let markSeeded!: () => void;
      let release!: () => void;
      const seeded = new Promise<void>((r) => (markSeeded = r));
      const held = new Promise<void>((r) => (release = r));
      // A new seeding waits for the last removal: the same rules must not be seeded twice.
      const removed = last.catch(() => undefined).then(() =>
        withFault(async () => {
          markSeeded();
          await held;
        }),
      );
      // Each check awaits it in `after`; until then a failed seeding is reported by `during`.
      removed.catch(() => undefined);
      last = removed;
      open = { holders: 0, seeded, release, removed };
    }
    open.holders++;
    return open;
  };
  return {
    async during(probe) {
      const w = enter();
      try {
        // A seeding that fails ends the window before it is ready: its error is this check's.
        await Promise.race([w.seeded, w.removed]);
        return await probe();
      } finally {
        if (--w.holders === 0) {
          if (open === w) open = undefined;
          w.release();
        }
      }
    },
    async after(probe) {
      await last;
      return probe();
    },
  };
}
