/**
 * Outside clients of a run (lib/probes/outside.ts): containers on kind's network, for lab
 * clusters only. Elsewhere the reason travels instead, and every check that needs a client
 * skips with it.
 *
 * A run has one client per role, named from its id: `v6e2e run` (or the globalSetup of a
 * plain vitest run) creates them with the run's pods and removes them after the files
 * (suites/setup/run-probes.ts); a file asking before one exists creates it itself. One
 * container start cost 5–6 s of a file's setup on 2 busy cores, paid by every file that had its own.
 */
import { createHash } from 'node:crypto';
import type { TestContext } from 'vitest';
import { RUN_LABEL } from '../k8s/apply.ts';
import type { IPFamily } from '../net/family.ts';
import type { Suite } from '../profiles.ts';
import { removeOutsideClient, sharedOutsideClient, type OutsideClient, type OutsideOptions } from '../probes/outside.ts';
import type { Harness } from './context.ts';

/**
 * `plain`: probes NodePorts and LoadBalancer IPs, shared by those suites' files. `routed`:
 * NET_ADMIN, given routes to the pod CIDRs by connectivity/outside, whose fault drops this
 * client's own source address: no other file may use it.
 */
export type OutsideRole = 'plain' | 'routed';

/** Per role: its capabilities, and the suites whose files use it (outside.test.ts keeps them true). */
export const OUTSIDE_ROLES: Readonly<Record<OutsideRole, { capabilities: readonly string[]; suites: readonly Suite[] }>> = {
  plain: { capabilities: [], suites: ['nodeport', 'loadbalancer'] },
  routed: { capabilities: ['NET_ADMIN'], suites: ['connectivity'] },
};

/** The roles a run's suites use (unknown suites: every role). */
export function outsideRolesOf(suites: readonly Suite[] | null): OutsideRole[] {
  return (Object.keys(OUTSIDE_ROLES) as OutsideRole[]).filter((r) => suites === null || suites.some((s) => OUTSIDE_ROLES[r].suites.includes(s)));
}

/** The name of run `runId`'s `role` client on kind cluster `cluster`: every file of the run computes the same. */
export function runOutsideName(cluster: string, runId: string, role: OutsideRole): string {
  const id = createHash('sha256').update(runId).digest('hex').slice(0, 10);
  return `v6e2e-outside-${cluster.slice(0, 30)}-${role}-${id}`;
}

function runClient(cluster: string, runId: string, role: OutsideRole): Promise<OutsideClient> {
  // Labelled with its cluster (for `v6e2e down`) and its run (for the run's sweep after a Ctrl-C).
  const opts: OutsideOptions = { cluster, labels: { [RUN_LABEL]: runId.slice(0, 63) }, capabilities: [...OUTSIDE_ROLES[role].capabilities] };
  return sharedOutsideClient(runOutsideName(cluster, runId, role), opts);
}

/** The run's `role` client, or why there is none. Not the file's to stop: the run removes it. */
export async function outsideClient(h: Harness, role: OutsideRole): Promise<OutsideClient | string> {
  if (!h.kindCluster) return `context ${h.kc.getCurrentContext()} is not a kind cluster: no Docker network to put an outside client on`;
  return runClient(h.kindCluster, h.env.runId, role);
}

/** Creates run `runId`'s clients of `roles` on `cluster` where no file has yet. */
export async function startRunOutsideClients(cluster: string, runId: string, roles: readonly OutsideRole[]): Promise<void> {
  await Promise.all(roles.map((r) => runClient(cluster, runId, r)));
}

/** Removes run `runId`'s clients on `cluster`, of every role; absent is fine. */
export async function removeRunOutsideClients(cluster: string, runId: string): Promise<void> {
  await Promise.all((Object.keys(OUTSIDE_ROLES) as OutsideRole[]).map((r) => removeOutsideClient(runOutsideName(cluster, runId, r))));
}

/** The client, or the running check is skipped with the reason (also when it has no address of `family`). */
export function requireOutside<C extends OutsideClient>(ctx: TestContext, c: C | string | undefined, family?: IPFamily): C {
  if (c === undefined) ctx.skip('outside client not started');
  if (typeof c === 'string') ctx.skip(c);
  const client = c as C;
  if (family && !client.addressOf(family)) ctx.skip(`outside container ${client.name} has no ${family} address on the ${client.network} network`);
  return client;
}
