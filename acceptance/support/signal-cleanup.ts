/**
 * Ctrl-C reaches a vitest worker with the rest of the terminal's process group, and a
 * worker ended by a signal runs no afterAll: its temporary directories would stay.
 */
import fs from 'node:fs';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Until the returned function is called: on SIGINT or SIGTERM, waits for the v6e2e run
 * still going (`running`; it got the signal too and is deleting its cluster), removes
 * `dirs()`, then lets the signal end the worker as it would have.
 */
export function removeOnSignal(dirs: () => readonly string[], running: () => Promise<unknown> | undefined): () => void {
  const handler = (signal: (typeof SIGNALS)[number]) => {
    for (const s of SIGNALS) process.removeListener(s, handler);
    void (async () => {
      await running()?.catch(() => undefined);
      for (const d of dirs()) if (d) fs.rmSync(d, { recursive: true, force: true });
      // No listener left: the signal's default action ends the worker.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    })();
  };
  for (const s of SIGNALS) process.on(s, handler);
  return () => {
    for (const s of SIGNALS) process.removeListener(s, handler);
  };
}
