/**
 * The run's own probes: the probe fleet (lib/probes/fleet.ts), the planned files' pods
 * (lib/probes/plans.ts) and, on a lab cluster, the outside clients (lib/harness/outside.ts).
 * `v6e2e run` starts them as soon as it has the cluster, while vitest loads (on a cluster it
 * creates, the pods once its nodes are Ready, beside CoreDNS' and MetalLB's), and removes them
 * once vitest has returned (settings `runProbesStarted`); a
 * run without the CLI has its globalSetup do both. From the globalSetup they were created ~3 s
 * into the run, and the first files, started ~1.5 s later, spent ~10 s waiting for ~37 pods
 * coming up at once on 2 cores: a run-wide start billed to whichever files happened to start first.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { kindClusterOf } from '../../lib/cluster/context.ts';
import type { RunSettings } from '../../lib/harness/settings.ts';
import type { IPFamily } from '../../lib/net/family.ts';

type RunProbesSettings = Pick<RunSettings, 'runId' | 'suites' | 'selfTest'>;

export interface RunProbesOptions {
  /** A shard runs some files only: it plans none. */
  sharded: boolean;
  /** The cluster's, when the caller has detected them. */
  families?: readonly IPFamily[];
  /** The lab resolver, from a cluster still being made (its edge file does not exist yet). */
  edge?: { labResolver: string | undefined };
  /** Aborted when the run gave up on the cluster: the plans' waves stop waiting. */
  signal?: AbortSignal;
}

/**
 * Creates the fleet's pods, the plans' in their waves (planWaves: a self-test's check plans
 * once its fault plans' pods are Ready) and the outside clients where missing, without
 * waiting for the last wave's pods: the file that needs them waits, and makes them itself
 * should this have failed.
 */
export async function startRunProbes(kc: KubeConfig, s: RunProbesSettings, opts: RunProbesOptions): Promise<void> {
  await Promise.all([startClusterProbes(kc, s, opts), startOutsideClients(kc, s)]);
}

/**
 * The fleet's and the plans' pods only (startRunProbes without the outside clients): what
 * `v6e2e run` starts on a cluster it is still making, once its nodes are Ready. The outside
 * clients are containers beside the cluster, left for once the cluster is made, so a failed
 * or interrupted creation deletes all there is.
 */
export async function startClusterProbes(kc: KubeConfig, s: RunProbesSettings, opts: RunProbesOptions): Promise<void> {
  const { createFleetPods, runUsesFleet } = await import('../../lib/probes/fleet.ts');
  const { planCluster, planWaves, startPlanWaves } = await import('../../lib/probes/plans.ts');
  const { PLANS } = await import('./plans.ts');
  const waves = opts.sharded ? [] : planWaves(PLANS, s.suites, s.selfTest);
  const fleetStarted = runUsesFleet(s.suites) ? createFleetPods(kc, s.runId) : Promise.resolve();
  if (waves.length > 0) {
    const families = opts.families ?? (await familiesOf(kc));
    await startPlanWaves(kc, s.runId, waves, await planCluster(kc, families, opts.edge), opts.signal ? { signal: opts.signal } : {});
  }
  await fleetStarted;
}

/** The run's outside clients on a lab cluster (none elsewhere); a failure is the first file's to report, which then tries itself. */
export async function startOutsideClients(kc: KubeConfig, s: RunProbesSettings): Promise<void> {
  const kind = kindClusterOf(kc.getCurrentContext());
  if (!kind) return;
  await import('../../lib/harness/outside.ts')
    .then((m) => m.startRunOutsideClients(kind, s.runId, m.outsideRolesOf(s.suites)))
    .catch(() => undefined);
}

async function familiesOf(kc: KubeConfig): Promise<IPFamily[]> {
  const { clients } = await import('../../lib/k8s/client.ts');
  const { detectClusterFamilies } = await import('../../lib/k8s/families.ts');
  return (await detectClusterFamilies(clients(kc).core)).families;
}

/** Asks for the fleet's namespace and every plan's of the run to go (absent is fine), without waiting; removes the outside clients. */
export async function deleteRunProbes(kc: KubeConfig, s: RunProbesSettings): Promise<void> {
  const { deleteFleet } = await import('../../lib/probes/fleet.ts');
  const { deletePlanNamespaces, plansOfRun } = await import('../../lib/probes/plans.ts');
  const { PLANS } = await import('./plans.ts');
  const kind = kindClusterOf(kc.getCurrentContext());
  // Whether or not the run started it: a file may have.
  const outsideRemoved = kind ? import('../../lib/harness/outside.ts').then((m) => m.removeRunOutsideClients(kind, s.runId)) : Promise.resolve();
  await Promise.all([deleteFleet(kc, s.runId), deletePlanNamespaces(kc, s.runId, plansOfRun(PLANS, s.suites, s.selfTest)), outsideRemoved]);
}
