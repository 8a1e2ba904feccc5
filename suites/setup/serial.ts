/**
 * e2e-serial setupFile: a disruptive file starts once nothing else of the run is left
 * on the cluster. Files of checks ask for their namespaces' deletion without waiting
 * (lib/k8s/apply.ts), so their pods may still be terminating when the serial group
 * begins; a disruptive check changes what every pod sees and must not catch them.
 */
import { beforeAll } from 'vitest';
import { harness } from '../../lib/harness/context.ts';
import { runsAnything } from '../../lib/harness/schedule.ts';
import { waitRunNamespacesGone } from '../../lib/k8s/apply.ts';

// vitest reads the first parameter as fixtures and wants it destructured, even when empty.
beforeAll(async ({}, file) => {
  // A file of faults in a run without --self-test has nothing to protect: no wait.
  if (!runsAnything(file)) return;
  const h = await harness();
  await waitRunNamespacesGone(h.kc, h.env.runId);
}, 200_000);
