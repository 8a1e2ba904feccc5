/**
 * e2e setupFile: Allure labels for the profile × suite × family matrix, and the
 * reason of timing-dependent checks.
 *
 * - `parentSuite` = profile (`dual`), `suite` = folder under suites/
 *   (`address-families`), `subSuite` = family from the name tag (`IPv6`, `IPv4`,
 *   `dual`, `none`), the same rules as summary.json (lib/report/reporter.ts). The
 *   HTML report groups its tree by these three (lib/report/html.ts), and drops
 *   the describe-path suite labels allure-vitest adds on its own. The profile is also
 *   a parameter, so each profile's result has its own Allure history id.
 * - A check marked `timingDependent(reason)` (lib/report/timing.ts) gets the
 *   reason as a test annotation (vitest reporters, JUnit) and an Allure
 *   description line plus a `timing-dependent` tag, once, not per retry.
 */
import * as allure from 'allure-js-commons';
import { beforeEach, inject, type TestContext } from 'vitest';
import { familyFromNames, suiteFromFile } from '../../lib/report/reporter.ts';
import '../../lib/report/timing.ts';

/** Describe names from the file down to the test, outermost first. */
export function describePathOf(task: TestContext['task']): string[] {
  const names: string[] = [];
  let s = task.suite;
  while (s && s !== task.file) {
    names.unshift(s.name);
    s = s.suite;
  }
  return names;
}

export function matrixLabels(profile: string | null, file: string, describePath: readonly string[], name: string): Record<'parentSuite' | 'suite' | 'subSuite', string> {
  return {
    parentSuite: profile ?? 'unknown',
    suite: suiteFromFile(file),
    subSuite: familyFromNames(describePath, name),
  };
}

beforeEach(async (ctx) => {
  const { task } = ctx;
  const labels = matrixLabels(inject('v6e2e').profile, task.file.filepath, describePathOf(task), task.name);
  for (const [name, value] of Object.entries(labels)) await allure.label(name, value);
  // The same check on two profiles is two checks: without the profile in its parameters
  // (part of Allure's historyId) a merged report shows one as a retry of the other.
  await allure.parameter('profile', labels.parentSuite);
  const reason = task.meta.timingReason;
  if (reason && (task.result?.retryCount ?? 0) === 0) {
    await ctx.annotate(`timing-dependent (may retry): ${reason}`, 'timing');
    await allure.tag('timing-dependent');
    await allure.description(`Timing-dependent check, retried up to 2 times (vitest tag \`timing\`): ${reason}`);
  }
});
