/**
 * Progress output for long steps, always on stderr so stdout stays machine-readable.
 * Every line carries the elapsed time of its step, so a CI log shows where time went.
 */
export interface Progress {
  /**
   * Runs `fn` as a named step: prints start, then done/failed with elapsed seconds.
   * `failedIf` marks a step failed by its outcome (a test run that returns its failures).
   */
  step<T>(title: string, fn: () => Promise<T>, failedIf?: (out: T) => boolean): Promise<T>;
  /** A one-off informational line inside the current step. */
  info(message: string): void;
}

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

export function stderrProgress(prefix = 'v6e2e'): Progress {
  const depth: string[] = [];
  const write = (line: string) => process.stderr.write(`[${prefix}] ${'  '.repeat(depth.length)}${line}\n`);
  return {
    async step<T>(title: string, fn: () => Promise<T>, failedIf?: (out: T) => boolean): Promise<T> {
      const start = Date.now();
      write(`▶ ${title}`);
      depth.push(title);
      try {
        const out = await fn();
        depth.pop();
        write(`${failedIf?.(out) ? '✘' : '✔'} ${title} (${elapsed(start)})`);
        return out;
      } catch (err) {
        depth.pop();
        write(`✘ ${title} (${elapsed(start)})`);
        throw err;
      }
    },
    info(message: string) {
      write(`· ${message}`);
    },
  };
}

/** For tests and library use: swallows all output. */
export const silentProgress: Progress = {
  step: (_title, fn) => fn(),
  info: () => undefined,
};
