/**
 * `v6e2e list-checks`: every declared e2e check without running anything, by letting
 * vitest collect the e2e project (imports the test files, runs no test, needs no
 * cluster). The declarations come from each test's meta (lib/harness/check.ts);
 * nothing is derived from titles.
 */
import { E2E_PROJECTS } from '../harness/schedule.ts';
import path from 'node:path';
import type { Vitest } from 'vitest/node';
import type { CheckFamily } from '../checks/verdict.ts';
import type { CheckKind } from '../harness/check.ts';
import { suiteFromFile } from '../report/reporter.ts';
import { RunBrokenError } from '../util/errors.ts';

export interface ListedCheck {
  id: string;
  family: CheckFamily;
  kind: CheckKind;
  disruptive: boolean;
  suite: string;
  title: string;
}

export interface CollectedChecks {
  checks: ListedCheck[];
  /** Files that failed to import, and tests not declared with check(): their checks are missing. */
  errors: string[];
}

/** Declared checks in collection order, from a vitest instance (no test runs). */
export async function collectFrom(vitest: Vitest, root: string, filters: string[] = []): Promise<CollectedChecks> {
  const { testModules, unhandledErrors } = await vitest.collect(filters);
  const checks: ListedCheck[] = [];
  const errors: string[] = unhandledErrors.map((e) => (e instanceof Error ? e.message : String(e)));
  for (const m of testModules) {
    const file = path.relative(root, m.moduleId).split(path.sep).join('/');
    for (const e of m.errors()) errors.push(`${file}: ${e.message.split('\n', 1)[0] ?? ''}`);
    for (const t of m.children.allTests()) {
      const d = t.meta().check;
      if (!d) errors.push(`${file}: test "${t.name}" is not declared with check() (lib/harness/check.ts)`);
      else checks.push({ id: d.id, family: d.family, kind: d.kind, disruptive: d.disruptive, suite: suiteFromFile(file), title: d.title });
    }
  }
  return { checks, errors };
}

/** `v6e2e list-checks`: a vitest instance of the e2e projects that only collects. */
export async function collectChecks(root: string, config: string, filters: string[] = []): Promise<CollectedChecks> {
  const { createVitest } = await import('vitest/node');
  const savedExitCode = process.exitCode;
  const vitest = await createVitest('test', { root, config, configLoader: 'native', project: [...E2E_PROJECTS], run: true, watch: false, reporters: [] }).catch((err: unknown) => {
    throw new RunBrokenError(`vitest could not load its config: ${err instanceof Error ? err.message.split('\n', 1)[0] : String(err)}`);
  });
  try {
    return await collectFrom(vitest, root, filters);
  } finally {
    await vitest.close();
    process.exitCode = savedExitCode;
  }
}
