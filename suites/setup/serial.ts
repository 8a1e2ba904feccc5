/**
 * e2e-serial setupFile: a disruptive file starts once nothing else of the run is left
 * on the cluster. Files of checks ask for their namespaces' deletion without waiting
 * (lib/k8s/apply.ts), so their pods may still be terminating when the serial group
 * begins; a disruptive check changes what every pod sees and must not catch them.
 */
import { beforeAll } from 'vitest';
import { harness } from '../../lib/harness/context.ts';
import { waitRunNamespacesGone } from '../../lib/k8s/apply.ts';

beforeAll(async () => {
  const h = await harness();
  await waitRunNamespacesGone(h.kc, h.env.runId);
}, 200_000);
