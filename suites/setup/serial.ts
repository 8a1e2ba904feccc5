/**
 * e2e setupFile; acts only in the suites' disruptive.test.ts files of a self-test run (the
 * serial group). Those are sorted after the files of checks (lib/harness/sequencer.ts) and
 * run in the same workers: each waits until every file of checks has ended, one that holds
 * every resource until the other serial files have too (lib/harness/serial-barrier.ts),
 * then holds the locks of the shared resources it
 * disrupts or depends on (serialResourcesOf in lib/harness/schedule.ts): files sharing
 * one take turns.
 *
 * It also waits for what the files of checks left on their way out. They ask for their
 * namespaces' deletion without waiting (lib/k8s/apply.ts), so their pods and Services may
 * still be going when the serial group begins; a disruptive check changes what every pod
 * sees and must not catch them (e.g. a LoadBalancer Service still holding a pool
 * address). The disruptive files that cannot be disturbed by them
 * (startsWhileConcurrentFilesGo) run first and meanwhile.
 * The probe fleet stays: the disruptive files probe from it (nothing else does by then),
 * and the run's end deletes it (global-setup.ts).
 */
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { harness } from '../../lib/harness/context.ts';
import { concurrentFilesGone, serialPhaseOf, serialResourcesOf, startsWhileConcurrentFilesGo } from '../../lib/harness/schedule.ts';
import { beginSerialTurn, endSerialTurn, serialBarrierFile, waitForSerialBarrier } from '../../lib/harness/serial-barrier.ts';
import { acquireLocks, serialLockDir, type HeldLocks } from '../../lib/harness/serial-locks.ts';
import { REPO_ROOT } from '../../lib/lab/paths.ts';
import { waitRunNamespacesGone } from '../../lib/k8s/apply.ts';
import { fleetNamespace } from '../../lib/probes/fleet.ts';
import { deletePlanNamespaces, plansOfRun } from '../../lib/probes/plans.ts';
import { PLANS } from './plans.ts';

/** A serial file may wait this long for the files of checks (with few workers, behind the longest of them). */
const BARRIER_TIMEOUT_MS = 30 * 60_000;

let locks: HeldLocks | undefined;
let turnOf: string | undefined;

// vitest reads the first argument as fixtures and wants it destructured: none are used.
beforeAll(async ({}, suite) => {
  const file = path.relative(REPO_ROOT, suite.file.filepath);
  const phase = serialPhaseOf(file);
  // Without self-tests a disruptive file holds only skipped faults and runs none of this.
  if (phase === 0 || !inject('v6e2e').selfTest) return;
  await waitForSerialBarrier(serialBarrierFile(inject('serialBarrier'), phase), { timeoutMs: BARRIER_TIMEOUT_MS });
  const h = await harness();
  // Started by the first serial file of this worker whether it waits or not; a later serial
  // file's own namespace is not in it (it holds no check any more once that file is done).
  // A planned namespace still active is one its file never deleted (it never ran): it goes too.
  const gone = concurrentFilesGone(async () => {
    await deletePlanNamespaces(h.kc, h.env.runId, plansOfRun(PLANS, h.env.suites, h.env.selfTest));
    await waitRunNamespacesGone(h.kc, h.env.runId, { except: [fleetNamespace(h.env.runId)] });
  });
  // Its failure is the next waiting file's to report.
  gone.catch(() => undefined);
  locks = await acquireLocks(serialResourcesOf(file), { dir: serialLockDir(), runId: h.env.runId });
  if (startsWhileConcurrentFilesGo(file) === undefined) await gone;
  turnOf = suite.file.filepath;
  beginSerialTurn(turnOf);
  suite.file.meta.serialTurnAt = Date.now(); // the reporter's turnMs: the wait before it is not setup
}, BARRIER_TIMEOUT_MS + 400_000);

// Registered before the file's own hooks, so it runs after them (stack order): a restore in
// the file's afterAll happens while the locks are still held.
afterAll(() => {
  if (turnOf) endSerialTurn(turnOf);
  turnOf = undefined;
  locks?.release();
  locks = undefined;
});
