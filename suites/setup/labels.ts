/**
 * e2e setupFile: Allure labels for the profile × suite × family matrix, and the
 * reason of timing-dependent checks.
 *
 * - `parentSuite` = profile (`dual`), `suite` = folder under suites/
 *   (`address-families`), `subSuite` = the declared family (`IPv6`, `IPv4`,
 *   `dual`, `none`), as in summary.json (lib/report/reporter.ts). The
 *   HTML report groups its tree by these three (lib/report/html.ts), and drops
 *   the describe-path suite labels allure-vitest adds on its own. The profile is also
 *   a parameter, so each profile's result has its own Allure history id.
 * - A check marked `timingDependent(reason)` (lib/report/timing.ts) gets the
 *   reason as a test annotation (vitest reporters, JUnit) and an Allure
 *   description line plus a `timing-dependent` tag, once, not per retry.
 */
import * as allure from 'allure-js-commons';
import { beforeEach, inject } from 'vitest';
import type { DeclaredCheck } from '../../lib/harness/check.ts';
import { CHECK_ID_LABEL } from '../../lib/report/allure-results.ts';
import { suiteFromFile } from '../../lib/report/reporter.ts';
import '../../lib/report/timing.ts';

/** Labels from the check's declaration (lib/harness/check.ts); undeclared tests get family `none`. */
export function matrixLabels(profile: string | null, file: string, check: DeclaredCheck | undefined): Record<'parentSuite' | 'suite' | 'subSuite', string> {
  return {
    parentSuite: profile ?? 'unknown',
    suite: suiteFromFile(file),
    subSuite: check?.family ?? 'none',
  };
}

beforeEach(async (ctx) => {
  const { task } = ctx;
  const labels = matrixLabels(inject('v6e2e').profile, task.file.filepath, task.meta.check);
  for (const [name, value] of Object.entries(labels)) await allure.label(name, value);
  // The declared id is Allure's test case id: history follows the check across renames.
  if (task.meta.check) {
    await allure.testCaseId(task.meta.check.id);
    // How the HTML overview finds this check's result and its evidence (lib/report/allure-results.ts).
    await allure.label(CHECK_ID_LABEL, task.meta.check.id);
    await allure.tag(task.meta.check.kind);
  }
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
