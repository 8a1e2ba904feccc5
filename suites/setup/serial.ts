/**
 * e2e-serial setupFile. The serial group runs two files at a time, each holding the locks
 * of the shared resources it disrupts or depends on (serialResourcesOf in
 * lib/harness/schedule.ts): files sharing one take turns.
 *
 * It also waits once for what the concurrent files left on their way out. Files of checks
 * ask for their namespaces' deletion without waiting (lib/k8s/apply.ts), so their pods and
 * Services may still be going when the serial group begins; a disruptive check changes
 * what every pod sees and must not catch them (e.g. a LoadBalancer Service still holding a
 * pool address). The disruptive files that cannot be disturbed by them
 * (startsWhileConcurrentFilesGo) run first and meanwhile.
 * The probe fleet stays: the disruptive files probe from it (nothing else does by then),
 * and the run's end deletes it (global-setup.ts).
 */
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { harness } from '../../lib/harness/context.ts';
import { concurrentFilesGone, serialResourcesOf, startsWhileConcurrentFilesGo } from '../../lib/harness/schedule.ts';
import { acquireLocks, serialLockDir, type HeldLocks } from '../../lib/harness/serial-locks.ts';
import { REPO_ROOT } from '../../lib/lab/paths.ts';
import { waitRunNamespacesGone } from '../../lib/k8s/apply.ts';
import { fleetNamespace } from '../../lib/probes/fleet.ts';

let locks: HeldLocks | undefined;

// vitest reads the first argument as fixtures and wants it destructured: none are used.
beforeAll(async ({}, suite) => {
  const h = await harness();
  const file = path.relative(REPO_ROOT, suite.file.filepath);
  // Started by the first serial file of this worker whether it waits or not; a later serial
  // file's own namespace is not in it (it holds no check any more once that file is done).
  const gone = concurrentFilesGone(() => waitRunNamespacesGone(h.kc, h.env.runId, { except: [fleetNamespace(h.env.runId)] }));
  // Its failure is the next waiting file's to report.
  gone.catch(() => undefined);
  locks = await acquireLocks(serialResourcesOf(file), { dir: serialLockDir(), runId: h.env.runId });
  if (startsWhileConcurrentFilesGo(file) === undefined) await gone;
}, 400_000);

// Registered before the file's own hooks, so it runs after them (stack order): a restore in
// the file's afterAll happens while the locks are still held.
afterAll(() => {
  locks?.release();
  locks = undefined;
});
