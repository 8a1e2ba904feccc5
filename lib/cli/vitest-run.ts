/**
 * Running vitest in-process: the projects of vitest.config.ts with the
 * environment a run hands to its config, globalSetup and reporters.
 */
import path from 'node:path';
import { RunBrokenError, UsageError } from '../util/errors.ts';

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
}

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

/** startVitest in run mode; it closes itself. Keeps vitest's process.exitCode out of ours. */
export async function runVitest(project: string, filters: string[], extra: Record<string, unknown> = {}): Promise<VitestOutcome> {
  const { startVitest } = await import('vitest/node');
  const savedExitCode = process.exitCode;
  try {
    const vitest = await startVitest('test', filters, {
      root: REPO_ROOT,
      config: VITEST_CONFIG,
      // Imported in place (tsx is registered): the default loader bundles the config into node_modules/.vite-temp, a write into an installed package.
      configLoader: 'native',
      project: [project],
      run: true,
      watch: false,
      ...extra,
    });
    const modules = vitest.state.getTestModules();
    const failed =
      vitest.state.getCountOfFailedTests() > 0 || vitest.state.getUnhandledErrors().length > 0 || modules.some((m) => !m.ok());
    const counts: Tally = { passed: 0, failed: 0, skipped: 0 };
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    return { failed, modules: modules.length, counts };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new RunBrokenError(`vitest (${project}) did not run: ${err instanceof Error ? err.message.split('\n', 1)[0] : String(err)}`);
  } finally {
    process.exitCode = savedExitCode;
  }
}
