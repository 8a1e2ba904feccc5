/**
 * `run --profile all --parallel N`: each profile runs as its own `v6e2e run`
 * child process, at most N at a time.
 *
 * Why processes and not N vitest instances in this one: a run's cluster, report
 * dir and profile reach vitest's config, globalSetup and reporters through
 * process.env, which one process has only one of.
 *
 * Children get their own process group, so a Ctrl-C in the terminal reaches only
 * this process, which passes it on exactly once: a child seeing two signals would
 * stop without deleting its cluster. Each child cleans up after itself and says
 * so on its prefixed output.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Job {
  /** Prefix of the job's output lines, e.g. the profile. */
  label: string;
  command: string;
  args: string[];
  cwd?: string;
}

export interface JobResult {
  label: string;
  /** null when the child was killed by a signal or did not start. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started. */
  error?: string;
  seconds: number;
  /** The job never started because the pool was stopped. */
  notStarted?: boolean;
}

export interface PoolOptions {
  parallel: number;
  /** One line of a job's output, already prefixed `[label] `. */
  line: (text: string) => void;
  /** Called when a job starts and ends (progress). */
  onStart?: (job: Job) => void;
  onEnd?: (result: JobResult) => void;
}

export interface Pool {
  /** Resolves when every job has ended (or was skipped after stop()), in job order. */
  done: Promise<JobResult[]>;
  /** Starts no more jobs, passes `signal` to the running ones, and waits for them to end. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** Splits a stream into lines, each passed to `emit` with the prefix; flushes a partial last line at the end. */
function lineSplitter(prefix: string, emit: (text: string) => void): { push(chunk: Buffer): void; flush(): void } {
  let rest = '';
  return {
    push(chunk) {
      const text = rest + chunk.toString();
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) emit(`${prefix}${l}`);
    },
    flush() {
      if (rest !== '') emit(`${prefix}${rest}`);
      rest = '';
    },
  };
}

/** A started child: the process, and a promise that resolves once its result is recorded. */
interface Running {
  child: ChildProcess;
  ended: Promise<void>;
}

/**
 * Starts one job in its own process group, its output prefixed line by line.
 * `onClose` gets the result once the child has exited and its output is flushed.
 */
function startJob(job: Job, prefix: string, line: (text: string) => void, onClose: (result: JobResult) => void): Running {
  const started = Date.now();
  const out = lineSplitter(prefix, line);
  const err = lineSplitter(prefix, line);
  const child = spawn(job.command, job.args, {
    cwd: job.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let spawnError: string | undefined;
  child.stdout?.on('data', (d: Buffer) => out.push(d));
  child.stderr?.on('data', (d: Buffer) => err.push(d));
  const ended = new Promise<void>((resolve) => {
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, signal) => {
      out.flush();
      err.flush();
      const result: JobResult = {
        label: job.label,
        exitCode: code,
        signal,
        seconds: (Date.now() - started) / 1000,
        ...(spawnError !== undefined ? { error: spawnError } : {}),
      };
      // Settled before onClose so its reactions queue ahead of the pool's `done` (as they always have);
      // none run before this handler returns, by which time onClose has recorded the result.
      resolve();
      onClose(result);
    });
  });
  return { child, ended };
}

export function runPool(jobs: readonly Job[], opts: PoolOptions): Pool {
  if (!Number.isInteger(opts.parallel) || opts.parallel < 1) throw new RangeError(`parallel must be a positive integer, got ${opts.parallel}`);
  const results: (JobResult | undefined)[] = jobs.map(() => undefined);
  const running = new Map<number, Running>();
  let next = 0;
  let stopping = false;
  let resolveDone: (r: JobResult[]) => void = () => undefined;
  const done = new Promise<JobResult[]>((resolve) => {
    resolveDone = resolve;
  });
  const width = Math.max(...jobs.map((j) => j.label.length), 0);

  const finishIfIdle = () => {
    if (running.size > 0) return;
    if (!stopping && next < jobs.length) return;
    for (let i = 0; i < jobs.length; i++) {
      results[i] ??= { label: jobs[i]?.label ?? '', exitCode: null, signal: null, seconds: 0, notStarted: true };
    }
    resolveDone(results as JobResult[]);
  };

  const startNext = () => {
    while (!stopping && running.size < opts.parallel && next < jobs.length) {
      const index = next++;
      const job = jobs[index] as Job;
      opts.onStart?.(job);
      const started = startJob(job, `[${job.label.padEnd(width)}] `, opts.line, (result) => {
        results[index] = result;
        running.delete(index);
        opts.onEnd?.(result);
        startNext(); // ends with finishIfIdle()
      });
      running.set(index, started);
    }
    finishIfIdle();
  };

  startNext();

  return {
    done,
    async stop(signal) {
      stopping = true;
      const waits = [...running.values()].map(({ child, ended }) => {
        try {
          child.kill(signal);
        } catch {
          // Best effort: the child may already be gone, and its 'close' still settles `ended`.
        }
        return ended;
      });
      await Promise.all(waits);
      finishIfIdle();
    },
  };
}
