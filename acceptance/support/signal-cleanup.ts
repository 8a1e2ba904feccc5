/**
 * Ctrl-C reaches a vitest worker with the rest of the terminal's process group, and a
 * worker ended by a signal runs no afterAll: its temporary directories would stay.
 */
import fs from 'node:fs';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface SignalCleanup {
  /** Marks `run` as the v6e2e run going on until it ends; returns it. */
  track<T extends Promise<unknown>>(run: T): T;
  /** Removes the handlers (afterAll, once the directories are gone anyway). */
  dispose(): void;
}

/**
 * Until disposed: on SIGINT or SIGTERM, waits for the tracked v6e2e runs still going (they
 * got the signal too and are deleting their clusters), removes `dirs()`, then lets the
 * signal end the worker as it would have. Start tracked runs with execa's `cleanup: false`:
 * a worker's signal must not kill them halfway through their cleanup.
 */
export function removeOnSignal(dirs: () => readonly string[]): SignalCleanup {
  const running = new Set<Promise<unknown>>();
  let cleaning = false;
  const handler = (signal: (typeof SIGNALS)[number]) => {
    // vitest follows Ctrl-C with SIGTERM to its workers: while cleaning, later signals wait too.
    if (cleaning) return;
    cleaning = true;
    void (async () => {
      await Promise.allSettled(running);
      for (const d of dirs()) if (d) fs.rmSync(d, { recursive: true, force: true });
      // No listener left: the signal's default action ends the worker.
      for (const s of SIGNALS) process.removeAllListeners(s);
      process.kill(process.pid, signal);
    })();
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    track(run) {
      running.add(run);
      void run.then(
        () => running.delete(run),
        () => running.delete(run),
      );
      return run;
    },
    dispose() {
      for (const s of SIGNALS) process.removeListener(s, handler);
    },
  };
}
