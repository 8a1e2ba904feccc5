/**
 * e2e globalSetup: hands the run's settings (lib/harness/settings.ts, decoded and
 * validated once here) to the test workers via provide/inject, and to the reporters
 * through the project's provided context; starts the run's probe fleet and the files'
 * planned pods so they come up while the workers load; its teardown deletes the fleet, any
 * planned namespace a file left, and any serial lock a killed worker left.
 * It does not create or delete clusters:
 * the CLI owns the cluster's lifetime, so `--keep`, `--reuse` and Ctrl-C cleanup
 * live in one place.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { TestProject } from 'vitest/node';
import { decodeSettings, type RunSettings } from '../../lib/harness/settings.ts';

/**
 * The run's cluster, loaded once: every step here shares one connection pool
 * (lib/k8s/pooled.ts) instead of opening its own TLS connections.
 */
let runKc: Promise<KubeConfig> | undefined;
function runKubeConfig(kubeconfig: string, context: string | null): Promise<KubeConfig> {
  runKc ??= import('../../lib/k8s/client.ts').then(({ loadKubeConfig }) => loadKubeConfig({ kubeconfig, context: context ?? undefined }));
  return runKc;
}

/**
 * Runs without the CLI (plain `vitest run --project e2e`) do not know the
 * cluster's version; ask it (bounded), so summary.json and the HTML report's
 * environment say it. Never fails the run: an unreachable cluster is reported by
 * the suites themselves, with the error.
 */
async function askKubernetesVersion(s: RunSettings): Promise<string | null> {
  if (s.kubernetesVersion || !s.kubeconfig) return s.kubernetesVersion;
  const { VersionApi } = await import('@kubernetes/client-node');
  const kc = await runKubeConfig(s.kubeconfig, s.context);
  let timer: NodeJS.Timeout | undefined;
  const version = await Promise.race([
    kc.makeApiClient(VersionApi).getCode().then((v) => v.gitVersion, () => null),
    new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 5_000))),
  ]).finally(() => clearTimeout(timer));
  return version;
}

/**
 * The run's probe fleet (lib/probes/fleet.ts) outlives the files that share it: it goes
 * here, after the last file, without waiting. Best effort, like the CLI's sweep.
 */
async function deleteRunFleet(s: RunSettings): Promise<void> {
  if (!s.kubeconfig) return;
  const { deleteFleet } = await import('../../lib/probes/fleet.ts');
  const kc = await runKubeConfig(s.kubeconfig, s.context);
  await deleteFleet(kc, s.runId).catch((err: unknown) => console.error(`v6e2e: could not delete the probe fleet: ${err instanceof Error ? err.message : String(err)}`));
}

/**
 * Creates the fleet's pods (lib/probes/fleet.ts) and every planned file's (lib/probes/plans.ts)
 * without waiting: the file that needs them waits, and makes them itself should this have
 * failed (the caller ignores a failure here). A shard runs some files only: it plans none.
 */
async function startRunPods(s: RunSettings, sharded: boolean): Promise<void> {
  if (!s.kubeconfig) return;
  const { createFleetPods, runUsesFleet } = await import('../../lib/probes/fleet.ts');
  const { planCluster, plansStartedWithRun, startPlan } = await import('../../lib/probes/plans.ts');
  const { PLANS } = await import('./plans.ts');
  const { clients } = await import('../../lib/k8s/client.ts');
  const { detectClusterFamilies } = await import('../../lib/k8s/families.ts');
  const kc = await runKubeConfig(s.kubeconfig, s.context);
  const plans = sharded ? [] : plansStartedWithRun(PLANS, s.suites, s.selfTest);
  const fleetStarted = runUsesFleet(s.suites) ? createFleetPods(kc, s.runId) : Promise.resolve();
  if (plans.length > 0) {
    const cluster = await planCluster(kc, (await detectClusterFamilies(clients(kc).core)).families);
    // Each on its own: one plan's failure is its file's to report.
    await Promise.all(plans.map((p) => startPlan(kc, s.runId, p, cluster).catch(() => undefined)));
  }
  await fleetStarted;
}

/** Planned namespaces a file did not delete (it failed early, or never ran): best effort. */
async function deleteRunPlans(s: RunSettings): Promise<void> {
  if (!s.kubeconfig) return;
  const { deletePlanNamespaces, plansOfRun } = await import('../../lib/probes/plans.ts');
  const { PLANS } = await import('./plans.ts');
  const kc = await runKubeConfig(s.kubeconfig, s.context);
  await deletePlanNamespaces(kc, s.runId, plansOfRun(PLANS, s.suites, s.selfTest)).catch((err: unknown) =>
    console.error(`v6e2e: could not delete planned namespaces: ${err instanceof Error ? err.message : String(err)}`),
  );
}

/**
 * Fault rules a stopped run left on a lab cluster's nodes (its `finally` never ran) drop
 * traffic to IPs later pods are given: they go before any file starts. Never fails the run.
 */
async function sweepStaleFaultRules(s: RunSettings): Promise<void> {
  if (!s.kubeconfig) return;
  const kc = await runKubeConfig(s.kubeconfig, s.context);
  // Node rules are seeded with docker exec: lab (kind) clusters only.
  if (!kc.getCurrentContext().startsWith('kind-')) return;
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const { removeStaleFaultRules } = await import('../../lib/edge/node-rules.ts');
  const core = kc.makeApiClient(CoreV1Api);
  const [nodes, namespaces] = await Promise.all([core.listNode({}), core.listNamespace({})]);
  const live = new Set(namespaces.items.filter((n) => n.status?.phase !== 'Terminating').map((n) => n.metadata!.name!));
  const removed = await removeStaleFaultRules(nodes.items.map((n) => n.metadata!.name!), (ns) => live.has(ns));
  if (removed.size > 0) console.error(`v6e2e: removed fault rules a stopped run left: ${[...removed].map(([node, n]) => `${n} on ${node}`).join(', ')}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const s = decodeSettings();
  const podsStarted = startRunPods(s, project.globalConfig.shard !== undefined).catch(() => undefined); // a file that needs them says why it has none
  const [kubernetesVersion] = await Promise.all([
    askKubernetesVersion(s),
    sweepStaleFaultRules(s).catch((err: unknown) => console.error(`v6e2e: could not sweep stale fault rules: ${err instanceof Error ? err.message : String(err)}`)),
  ]);
  project.provide('v6e2e', { ...s, kubernetesVersion });
  return async () => {
    // Its creations end before the deletion starts, or they could outlive it.
    await podsStarted;
    await Promise.all([deleteRunFleet(s), deleteRunPlans(s)]);
    // Left only when a serial worker was killed holding one (or, for a barrier, the run was cut short).
    const { removeRunLocks, serialLockDir } = await import('../../lib/harness/serial-locks.ts');
    removeRunLocks(serialLockDir(), s.runId);
  };
}
