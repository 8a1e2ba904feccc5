/**
 * The run's own probes: the probe fleet (lib/probes/fleet.ts), the planned files' pods
 * (lib/probes/plans.ts) and, on a lab cluster, the outside clients (lib/harness/outside.ts).
 * `v6e2e run` starts them as soon as it has the cluster, while vitest loads, and removes them
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

/**
 * Creates the fleet's pods, the plans' in their waves (planWaves: a self-test's check plans
 * once its fault plans' pods are Ready) and the outside clients where missing, without
 * waiting for the last wave's pods: the file that needs them waits, and makes them itself
 * should this have failed. A shard runs some files only: it plans none. `families`: the
 * cluster's, when the caller has detected them.
 */
export async function startRunProbes(kc: KubeConfig, s: RunProbesSettings, opts: { sharded: boolean; families?: readonly IPFamily[] }): Promise<void> {
  const { createFleetPods, runUsesFleet } = await import('../../lib/probes/fleet.ts');
  const { planCluster, planWaves, startPlanWaves } = await import('../../lib/probes/plans.ts');
  const { PLANS } = await import('./plans.ts');
  const waves = opts.sharded ? [] : planWaves(PLANS, s.suites, s.selfTest);
  const fleetStarted = runUsesFleet(s.suites) ? createFleetPods(kc, s.runId) : Promise.resolve();
  const kind = kindClusterOf(kc.getCurrentContext());
  // Its failure is the first file's to report: that file then tries it itself.
  const outsideStarted = kind
    ? import('../../lib/harness/outside.ts')
        .then((m) => m.startRunOutsideClients(kind, s.runId, m.outsideRolesOf(s.suites)))
        .catch(() => undefined)
    : Promise.resolve();
  if (waves.length > 0) {
    const families = opts.families ?? (await familiesOf(kc));
    await startPlanWaves(kc, s.runId, waves, await planCluster(kc, families));
  }
  await Promise.all([fleetStarted, outsideStarted]);
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
