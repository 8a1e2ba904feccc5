/**
 * `v6e2e list-checks`: every e2e check id without running anything, by letting
 * vitest collect the e2e project (imports the test files, runs no test, needs no
 * cluster). `run --gate` uses the same list to refuse a gate pattern that matches
 * no check before a cluster costs minutes.
 */
import path from 'node:path';
import { checkId, suiteFromFile } from '../report/reporter.ts';
import { RunBrokenError } from '../util/errors.ts';

export interface CollectedChecks {
  ids: string[];
  /** Files that failed to import: their checks are missing from `ids`. */
  errors: string[];
}

/** Ids in collection order, made unique the way the reporter does (`…-2`). */
export async function collectCheckIds(root: string, config: string, filters: string[] = []): Promise<CollectedChecks> {
  const { createVitest } = await import('vitest/node');
  const savedExitCode = process.exitCode;
  const vitest = await createVitest('test', { root, config, configLoader: 'native', project: ['e2e'], run: true, watch: false, reporters: [] }).catch((err: unknown) => {
    throw new RunBrokenError(`vitest could not load its config: ${err instanceof Error ? err.message.split('\n', 1)[0] : String(err)}`);
  });
  try {
    const { testModules, unhandledErrors } = await vitest.collect(filters);
    const ids: string[] = [];
    const errors: string[] = unhandledErrors.map((e) => (e instanceof Error ? e.message : String(e)));
    const seen = new Map<string, number>();
    for (const m of testModules) {
      const file = path.relative(root, m.moduleId).split(path.sep).join('/');
      for (const e of m.errors()) errors.push(`${file}: ${e.message.split('\n', 1)[0] ?? ''}`);
      const suite = suiteFromFile(file);
      for (const t of m.children.allTests()) {
        const names: string[] = [];
        let p = t.parent;
        while (p.type === 'suite') {
          names.unshift(p.name);
          p = p.parent;
        }
        const base = checkId(suite, names, t.name);
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        ids.push(n === 1 ? base : `${base}-${n}`);
      }
    }
    return { ids, errors };
  } finally {
    await vitest.close();
    process.exitCode = savedExitCode;
  }
}
