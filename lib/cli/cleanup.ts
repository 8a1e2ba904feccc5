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

export function guardCleanup(cleanup: () => Promise<void>, opts: GuardOptions = {}): CleanupGuard {
  const signals = opts.signals ?? (['SIGINT', 'SIGTERM'] as const);
  const realExit = opts.exit ?? ((code: number) => process.exit(code));
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  let running: Promise<void> | undefined;
  let signalled = 0;

  const run = () => {
    running ??= Promise.resolve().then(cleanup);
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    signalled++;
    if (signalled > 1) {
      const left = opts.abandoned?.();
      log(`v6e2e: ${signal} again: stopping without finishing cleanup${left ? `; ${left}` : ''}`);
      realExit(INTERRUPTED_EXIT_CODE);
      return;
    }
    log(`v6e2e: ${signal}: cleaning up (send it again to stop at once)`);
    // Hold off other handlers' process.exit until our cleanup is done.
    const originalExit = process.exit;
    if (!opts.exit) process.exit = ((() => undefined) as unknown) as typeof process.exit;
    run()
      .catch((err: unknown) => log(`v6e2e: cleanup failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        process.exit = originalExit;
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
