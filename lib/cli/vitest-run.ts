/**
 * Running vitest in-process: the projects of vitest.config.ts, with the run's
 * settings (lib/harness/settings.ts) encoded for the config, globalSetup and
 * workers. One vitest instance per run: when the caller wants the declared checks
 * first (a gate file to validate), the same instance collects, then runs.
 */
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
  /** The failed tests by full name with their first error's first line, and errors outside any test. */
  failures: FailedTest[];
  /** The e2e summary the reporter built, in memory (none for other projects, or when the run broke first). */
  summary?: RunSummary;
}

export interface FailedTest {
  name: string;
  message: string;
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
  const failures: FailedTest[] = [];
  for (const m of modules) {
    const file = path.relative(REPO_ROOT, m.moduleId);
    let named = 0;
    for (const t of m.children.allTests()) {
      const result = t.result();
      if (result.state === 'passed') counts.passed++;
      else if (result.state === 'failed') {
        counts.failed++;
        named++;
        failures.push({ name: `${file} › ${t.fullName}`, message: result.errors?.[0]?.message ?? '' });
      } else counts.skipped++;
    }
    // A file that broke outside its tests (import, beforeAll) has no failed test to name.
    if (!m.ok() && named === 0) failures.push({ name: file, message: m.errors()[0]?.message ?? 'the file failed outside its tests' });
  }
  for (const e of vitest.state.getUnhandledErrors()) failures.push({ name: 'unhandled error', message: e instanceof Error ? e.message : String(e) });
  // The config's reporter instance (vitest.config.ts), read in memory rather than from summary.json.
  const reporter = vitest.config.reporters.find(isSummaryReporter);
  const summary = reporter?.lastSummary;
  return { failed, modules: modules.length, counts, failures, ...(summary ? { summary } : {}) };
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
