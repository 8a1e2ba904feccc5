/**
 * Running vitest in-process: the projects of vitest.config.ts, with the run's
 * settings (lib/harness/settings.ts) encoded for the config, globalSetup and
 * workers. One vitest instance per run: when the caller wants the declared checks
 * first (a gate file to validate), the same instance collects, then runs.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Vitest } from 'vitest/node';
import { encodeSettings, type RunSettings } from '../harness/settings.ts';
import { isSummaryReporter } from '../report/reporter.ts';
import type { RunSummary } from '../report/summary.ts';
import { RunBrokenError, V6e2eError } from '../util/errors.ts';
import { collectFrom, type CollectedChecks } from './list-checks.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const VITEST_CONFIG = path.join(REPO_ROOT, 'vitest.config.ts');

/** Sets env for the duration of `fn` (vitest config, globalSetup and workers read it). */
export async function withEnv<T>(vars: Partial<Record<string, string>>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(vars)) {
    saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export interface VitestOutcome {
  failed: boolean;
  modules: number;
  /** Test cases by final state (pending counts as skipped). */
  counts: Tally;
  /** The e2e summary the reporter built, in memory (none for other projects, or when the run broke first). */
  summary?: RunSummary;
}

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

export interface VitestRunOptions {
  /** vitest options beyond the project's (shard, passWithNoTests…). */
  extra?: Record<string, unknown>;
  /** The run contract for an e2e run; absent: the environment as it is. */
  settings?: RunSettings;
  /** Called with the declared checks before any test runs (same instance); may throw to stop. */
  beforeTests?: (collected: CollectedChecks) => void | Promise<void>;
}

function outcomeOf(vitest: Vitest): VitestOutcome {
  const modules = vitest.state.getTestModules();
  const failed = vitest.state.getCountOfFailedTests() > 0 || vitest.state.getUnhandledErrors().length > 0 || modules.some((m) => !m.ok());
  const counts: Tally = { passed: 0, failed: 0, skipped: 0 };
  for (const m of modules) {
    for (const t of m.children.allTests()) {
      const state = t.result().state;
      if (state === 'passed') counts.passed++;
      else if (state === 'failed') counts.failed++;
      else counts.skipped++;
    }
  }
  // The config's reporter instance (vitest.config.ts), read in memory rather than from summary.json.
  const reporter = vitest.config.reporters.find(isSummaryReporter);
  const summary = reporter?.lastSummary;
  return { failed, modules: modules.length, counts, ...(summary ? { summary } : {}) };
}

/** One vitest instance in run mode; it is closed before returning. Keeps vitest's process.exitCode out of ours. */
export async function runVitest(project: string | readonly string[], filters: string[], opts: VitestRunOptions = {}): Promise<VitestOutcome> {
  const projects = typeof project === 'string' ? [project] : [...project];
  return withEnv(opts.settings ? encodeSettings(opts.settings) : {}, async () => {
    const { createVitest } = await import('vitest/node');
    const savedExitCode = process.exitCode;
    let vitest: Vitest | undefined;
    try {
      vitest = await createVitest('test', {
        root: REPO_ROOT,
        config: VITEST_CONFIG,
        // Imported in place (tsx is registered): the default loader bundles the config into node_modules/.vite-temp, a write into an installed package.
        configLoader: 'native',
        project: projects,
        run: true,
        watch: false,
        ...opts.extra,
      });
      if (opts.beforeTests) await opts.beforeTests(await collectFrom(vitest, REPO_ROOT, filters));
      await vitest.start(filters);
      return outcomeOf(vitest);
    } catch (err) {
      if (err instanceof V6e2eError) throw err;
      throw new RunBrokenError(`vitest (${projects.join(', ')}) did not run: ${err instanceof Error ? err.message.split('\n', 1)[0] : String(err)}`);
    } finally {
      await vitest?.close();
      process.exitCode = savedExitCode;
    }
  });
}

/** What vitest's json reporter writes that a tally needs. */
interface JsonResults {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  success: boolean;
}

/**
 * One vitest project in a child process of its own, so that it can run beside an
 * in-process one: env (withEnv) and vitest state are per process. Every output line
 * is passed to `log` with `[label] ` in front; `signal` sends the child SIGINT.
 */
export async function runVitestChild(
  project: string,
  env: Partial<Record<string, string>>,
  opts: { label: string; log: (line: string) => void; signal?: AbortSignal },
): Promise<VitestOutcome> {
  const [{ execa }, fs, os] = await Promise.all([import('execa'), import('node:fs'), import('node:os')]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-vitest-child-'));
  const json = path.join(dir, 'results.json');
  try {
    const vitestBin = path.join(path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
    const child = execa(
      process.execPath,
      // tsx loads the TypeScript config in place, as bin/v6e2e.js does for the in-process runs.
      ['--import', 'tsx', vitestBin, 'run', '--config', VITEST_CONFIG, '--configLoader', 'native', '--project', project, '--reporter', 'default', '--reporter', 'json', '--outputFile.json', json],
      { cwd: REPO_ROOT, env: { ...env, FORCE_COLOR: '0', NO_COLOR: '1' }, reject: false, all: true, buffer: false, ...(opts.signal ? { cancelSignal: opts.signal, killSignal: 'SIGINT' as const } : {}) },
    );
    let rest = '';
    child.all?.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) opts.log(`[${opts.label}] ${line}`);
    });
    const r = await child;
    if (rest) opts.log(`[${opts.label}] ${rest}`);
    if (!fs.existsSync(json)) throw new RunBrokenError(`vitest (${project}) in a child process wrote no results (exit ${r.exitCode ?? r.signal ?? '?'})`);
    const res = JSON.parse(fs.readFileSync(json, 'utf8')) as JsonResults;
    const counts: Tally = { passed: res.numPassedTests, failed: res.numFailedTests, skipped: res.numPendingTests + res.numTodoTests };
    return { failed: !res.success || r.exitCode !== 0, modules: 0, counts };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
