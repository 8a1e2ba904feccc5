/**
 * e2e globalSetup: hands the run's settings (lib/harness/settings.ts, decoded and
 * validated once here) to the test workers via provide/inject, and to the reporters
 * through the project's provided context; where `v6e2e run` does not (a plain vitest run),
 * starts the run's probes — fleet, the files' planned pods, outside clients
 * (./run-probes.ts) — and has its teardown remove them and any planned namespace a file left;
 * the teardown also removes any serial lock a killed worker left.
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

/** The run's probes (./run-probes.ts), unless `v6e2e run` started them before vitest (and removes them after it). */
async function startProbes(s: RunSettings, sharded: boolean): Promise<void> {
  if (!s.kubeconfig || s.runProbesStarted) return;
  const { startRunProbes } = await import('./run-probes.ts');
  await startRunProbes(await runKubeConfig(s.kubeconfig, s.context), s, { sharded });
}

/**
 * The fleet and the outside client outlive the files that share them, and a file that failed
 * early leaves its plan's namespace: they go here, best effort, unless `v6e2e run` owns them.
 */
async function deleteProbes(s: RunSettings): Promise<void> {
  if (!s.kubeconfig || s.runProbesStarted) return;
  const { deleteRunProbes } = await import('./run-probes.ts');
  await deleteRunProbes(await runKubeConfig(s.kubeconfig, s.context), s).catch((err: unknown) =>
    console.error(`v6e2e: could not remove the run's probes: ${err instanceof Error ? err.message : String(err)}`),
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
  const probesStarted = startProbes(s, project.globalConfig.shard !== undefined).catch(() => undefined); // a file that needs them says why it has none
  const [kubernetesVersion] = await Promise.all([
    askKubernetesVersion(s),
    sweepStaleFaultRules(s).catch((err: unknown) => console.error(`v6e2e: could not sweep stale fault rules: ${err instanceof Error ? err.message : String(err)}`)),
  ]);
  project.provide('v6e2e', { ...s, kubernetesVersion });
  return async () => {
    // Its creations end before the deletion starts, or they could outlive it.
    await probesStarted;
    await deleteProbes(s);
    // Left only when a serial worker was killed holding one (or, for a barrier, the run was cut short).
    const { removeRunLocks, serialLockDir } = await import('../../lib/harness/serial-locks.ts');
    removeRunLocks(serialLockDir(), s.runId);
  };
}
