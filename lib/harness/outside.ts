/**
 * Outside clients of a run (lib/probes/outside.ts): containers on kind's network, for lab
 * clusters only. Elsewhere the reason travels instead, and every check that needs a client
 * skips with it.
 *
 * A run shares one plain client: `v6e2e run` (or the globalSetup of a plain vitest run)
 * creates it with the run's pods and removes it after the files (suites/setup/run-probes.ts);
 * a file asking before it exists creates it itself. One container start cost 5–6 s of a
 * file's setup on 2 busy cores, paid by every file that had its own.
 */
import { createHash } from 'node:crypto';
import type { TestContext } from 'vitest';
import { RUN_LABEL } from '../k8s/apply.ts';
import type { IPFamily } from '../net/family.ts';
import type { Suite } from '../profiles.ts';
import { removeOutsideClient, sharedOutsideClient, startOutsideClient, type OutsideClient, type OutsideOptions, type OwnedOutsideClient } from '../probes/outside.ts';
import type { Harness } from './context.ts';

/** The suites whose files probe through the run's shared client; outside.test.ts keeps it true. */
export const OUTSIDE_SUITES: readonly Suite[] = ['nodeport', 'loadbalancer'];

/** Whether a run's suites use the shared client (unknown suites: they may). */
export function runUsesOutsideClient(suites: readonly Suite[] | null): boolean {
  return suites === null || suites.some((s) => OUTSIDE_SUITES.includes(s));
}

/** The name of run `runId`'s shared client on kind cluster `cluster`: every file of the run computes the same. */
export function runOutsideName(cluster: string, runId: string): string {
  const id = createHash('sha256').update(runId).digest('hex').slice(0, 10);
  return `v6e2e-outside-${cluster.slice(0, 30)}-run-${id}`;
}

/** Labels a client with its cluster (for `v6e2e down`) and its run (for the run's sweep). */
function clientOptions(cluster: string, runId: string, capabilities: string[] = []): OutsideOptions {
  return { cluster, labels: { [RUN_LABEL]: runId.slice(0, 63) }, capabilities };
}

function notKind(h: Harness): string {
  return `context ${h.kc.getCurrentContext()} is not a kind cluster: no Docker network to put an outside client on`;
}

/** The run's shared client, or why there is none. Not the file's to stop: the run removes it. */
export async function outsideClient(h: Harness): Promise<OutsideClient | string> {
  if (!h.kindCluster) return notKind(h);
  return sharedOutsideClient(runOutsideName(h.kindCluster, h.env.runId), clientOptions(h.kindCluster, h.env.runId));
}

/**
 * A client of the file's own, for a file that changes it (routes with NET_ADMIN, a fault on
 * its source address), or why there is none. The caller stops it in afterAll.
 */
export async function ownOutsideClient(h: Harness, capabilities: string[]): Promise<OwnedOutsideClient | string> {
  if (!h.kindCluster) return notKind(h);
  return startOutsideClient(clientOptions(h.kindCluster, h.env.runId, capabilities));
}

/** Creates run `runId`'s shared client on `cluster` if no file has yet. */
export async function startRunOutsideClient(cluster: string, runId: string): Promise<void> {
  await sharedOutsideClient(runOutsideName(cluster, runId), clientOptions(cluster, runId));
}

/** Removes run `runId`'s shared client on `cluster`; absent is fine. */
export function removeRunOutsideClient(cluster: string, runId: string): Promise<void> {
  return removeOutsideClient(runOutsideName(cluster, runId));
}

/** The client, or the running check is skipped with the reason (also when it has no address of `family`). */
export function requireOutside<C extends OutsideClient>(ctx: TestContext, c: C | string | undefined, family?: IPFamily): C {
  if (c === undefined) ctx.skip('outside client not started');
  if (typeof c === 'string') ctx.skip(c);
  const client = c as C;
  if (family && !client.addressOf(family)) ctx.skip(`outside container ${client.name} has no ${family} address on the ${client.network} network`);
  return client;
}
