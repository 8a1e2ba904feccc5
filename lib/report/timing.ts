/**
 * The one way to let a check retry: mark it timing-dependent, with the reason.
 *
 *   import { timingDependent } from '../../lib/report/timing.ts';
 *   test('[IPv6] NodePort answers on every node', timingDependent('kube-proxy programs rules asynchronously after the Service is created'), async () => { … });
 *
 * The options carry the vitest tag `timing`, declared in vitest.config.ts with
 * `retry: { count: 2, delay: 2000 }`. Nothing else in this repository may set
 * `retry` (lib/report/timing.test.ts checks the config and the suites), so a check
 * that is not marked gets exactly one attempt. A marked check that passed only
 * on a retry is reported `flaky`, never `passed` (summary.json/md, JUnit
 * property, Allure), with the reason next to it.
 *
 * The reason travels in the test's `meta.timingReason`; the e2e setup file
 * suites/setup/labels.ts records it on the test (`ctx.annotate`, an Allure
 * label) and the summary reporter copies it into the check's `timing` field.
 *
 * Use it for checks that wait on the cluster converging (rule programming,
 * endpoint propagation, ARP/NDP announcements), never to paper over a wrong
 * expectation: make the check wait for the condition first (lib/k8s/wait.ts).
 */
import type { TestOptions } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** Set by timingDependent(): why this check may be retried. */
    timingReason?: string;
    /** On a serial file (suites/setup/serial.ts): when its turn began (epoch ms), past its barrier and locks. */
    serialTurnAt?: number;
  }
}

export const TIMING_TAG = 'timing';
/** What the `timing` tag in vitest.config.ts grants. */
export const TIMING_RETRY = { count: 2, delay: 2000 } as const;

export function timingDependent(reason: string): TestOptions {
  const why = reason.trim();
  if (why === '') throw new Error('timingDependent() needs a reason: say what the check waits for');
  return { tags: [TIMING_TAG], meta: { timingReason: why } };
}
