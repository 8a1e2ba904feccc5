/**
 * Run-once cleanup that also fires on SIGINT/SIGTERM, then exits 130.
 *
 * Why process.exit is held back while cleaning up: vitest's logger installs its own
 * SIGINT/SIGTERM handler that calls process.exit() 1 ms later, which would kill
 * `kind delete cluster` halfway and leave a cluster behind. A second signal means
 * "stop now": we exit at once and say what was left behind.
 */
export interface CleanupGuard {
  /** Runs the cleanup (once; later calls return the same promise). */
  run(): Promise<void>;
  /** What a signal does; exposed for tests. */
  onSignal(signal: NodeJS.Signals): void;
  /** Removes the signal handlers. Call when the guarded section is over. */
  dispose(): void;
}

export interface GuardOptions {
  signals?: readonly NodeJS.Signals[];
  /** Default process.exit. */
  exit?: (code: number) => void;
  /** Default: write to stderr. */
  log?: (line: string) => void;
  /** Said when a second signal abandons the cleanup, e.g. "cluster x was not deleted". */
  abandoned?: () => string | undefined;
}

export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Cleanups still running after a signal, across every guard of this process (a test
 * matrix around a parallel run around its pool): the last one to end exits, so that an
 * outer guard done first does not end the process while an inner one still waits for
 * its child runs to delete their clusters.
 */
const cleaning = new Set<Promise<void>>();
/** The real process.exit while cleanups hold it off. */
let heldExit: typeof process.exit | undefined;

function releaseExit(): void {
  if (heldExit) process.exit = heldExit;
  heldExit = undefined;
}

export function guardCleanup(cleanup: () => Promise<void>, opts: GuardOptions = {}): CleanupGuard {
  const signals = opts.signals ?? (['SIGINT', 'SIGTERM'] as const);
  const realExit = opts.exit ?? ((code: number) => process.exit(code));
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  let running: Promise<void> | undefined;
  let signalled = 0;
  /** This guard's cleanup after a signal, while it runs. */
  let job: Promise<void> | undefined;

  const run = () => {
    running ??= Promise.resolve().then(cleanup);
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    signalled++;
    if (signalled > 1) {
      const left = opts.abandoned?.();
      log(`v6e2e: ${signal} again: stopping without finishing cleanup${left ? `; ${left}` : ''}`);
      if (job) cleaning.delete(job);
      if (!opts.exit) releaseExit();
      realExit(INTERRUPTED_EXIT_CODE);
      return;
    }
    log(`v6e2e: ${signal}: cleaning up (send it again to stop at once)`);
    // Hold off other handlers' process.exit until every cleanup is done.
    if (!opts.exit && heldExit === undefined) {
      heldExit = process.exit;
      process.exit = ((() => undefined) as unknown) as typeof process.exit;
    }
    const mine = run().catch((err: unknown) => log(`v6e2e: cleanup failed: ${err instanceof Error ? err.message : String(err)}`));
    job = mine;
    cleaning.add(mine);
    void mine.finally(() => {
      // Abandoned by a second signal: that one exited already.
      if (!cleaning.delete(mine)) return;
      if (cleaning.size > 0) return;
      if (!opts.exit) releaseExit();
      realExit(INTERRUPTED_EXIT_CODE);
    });
  };

  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const s of signals) {
    const h = () => onSignal(s);
    handlers.set(s, h);
    process.on(s, h);
  }
  return {
    run,
    onSignal,
    dispose() {
      for (const [s, h] of handlers) process.off(s, h);
      handlers.clear();
    },
  };
}
