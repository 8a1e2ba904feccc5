/**
 * Two projects:
 *   unit: lib/**\/*.test.ts — pure logic, no cluster, runs in seconds.
 *   e2e:  suites/**\/*.test.ts — against one shared cluster (V6E2E_KUBECONFIG), one file at a time.
 *
 * Reporters are root-only in vitest 4. With V6E2E_REPORT_DIR set (the `run` command sets it)
 * they write junit.xml, allure-results/ and summary.{json,md} there.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import AllureReporter from 'allure-vitest/reporter';
import { SummaryReporter } from './lib/report/reporter.ts';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const reportDir = process.env.V6E2E_REPORT_DIR ? path.resolve(process.env.V6E2E_REPORT_DIR) : undefined;

const junit: [string, Record<string, unknown>][] = reportDir
  ? [['junit', { outputFile: path.join(reportDir, 'junit.xml'), suiteName: 'v6e2e', addFileAttribute: true }]]
  : [];

export default defineConfig({
  test: {
    reporters: [
      'default',
      ...junit,
      // Always on, so allure.* calls in suites never hit "no test runtime is found";
      // without a report dir the results land in the git-ignored .vitest-reports/.
      new AllureReporter({
        resultsDir: path.join(reportDir ?? path.join(ROOT, '.vitest-reports'), 'allure-results'),
        reportMatchers: false, // one step per expect() drowns the steps that matter
      }),
      new SummaryReporter(),
    ],
    projects: [
      {
        // v4: inline projects inherit root options only with extends: true.
        extends: true,
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['suites/**/*.test.ts'],
          exclude: ['suites/lifecycle/**'],
          environment: 'node',
          // Only here, not at the root: a root globalSetup runs once per extending project.
          globalSetup: ['./suites/setup/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // All e2e files share one cluster: one file at a time, tests get their own namespaces.
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
      {
        // Cluster lifecycle (down leaves nothing); owns its cluster, so no globalSetup.
        extends: true,
        test: {
          name: 'lifecycle',
          include: ['suites/lifecycle/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
        },
      },
    ],
  },
});
