/**
 * Ctrl-C reaches a vitest worker with the rest of the terminal's process group, and a
 * worker ended by a signal runs no afterAll: its temporary directories would stay.
 */
import fs from 'node:fs';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Until the returned function is called: on SIGINT or SIGTERM, waits for the v6e2e run
 * still going (`running`; it got the signal too and is deleting its cluster), removes
 * `dirs()`, then lets the signal end the worker as it would have. Start that run with
 * execa's `cleanup: false`: a worker's signal must not kill it halfway through its cleanup.
 */
export function removeOnSignal(dirs: () => readonly string[], running: () => Promise<unknown> | undefined): () => void {
  let cleaning = false;
  const handler = (signal: (typeof SIGNALS)[number]) => {
    // vitest follows Ctrl-C with SIGTERM to its workers: while cleaning, later signals wait too.
    if (cleaning) return;
    cleaning = true;
    void (async () => {
      await running()?.catch(() => undefined);
      for (const d of dirs()) if (d) fs.rmSync(d, { recursive: true, force: true });
      // No listener left: the signal's default action ends the worker.
      for (const s of SIGNALS) process.removeAllListeners(s);
      process.kill(process.pid, signal);
    })();
  };
  for (const s of SIGNALS) process.on(s, handler);
  return () => {
    for (const s of SIGNALS) process.removeListener(s, handler);
  };
}
