/**
 * e2e-serial setupFile: the serial group starts once nothing of the concurrent files is
 * left on the cluster. Files of checks ask for their namespaces' deletion without waiting
 * (lib/k8s/apply.ts), so their pods may still be terminating when the serial group
 * begins; a disruptive check changes what every pod sees and must not catch them.
 * The probe fleet stays: the disruptive files probe from it (nothing else does by then),
 * and the run's end deletes it (global-setup.ts).
 */
import { beforeAll } from 'vitest';
import { harness } from '../../lib/harness/context.ts';
import { firstSerialFile } from '../../lib/harness/schedule.ts';
import { waitRunNamespacesGone } from '../../lib/k8s/apply.ts';
import { fleetNamespace } from '../../lib/probes/fleet.ts';

beforeAll(async () => {
  // Only before the first: a disruptive file's own namespace, going while the next one
  // runs, holds no check any more (waiting for it cost ~7 s per file).
  if (!firstSerialFile()) return;
  const h = await harness();
  await waitRunNamespacesGone(h.kc, h.env.runId, { except: [fleetNamespace(h.env.runId)] });
}, 200_000);
