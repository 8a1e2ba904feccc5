/**
 * Pod plans: a file's own pods declared as data (name, node, labels, command), so the e2e
 * globalSetup can create every planned file's pods as the run starts, beside the probe
 * fleet, instead of each file starting its own when its turn comes. Per-file setup done
 * one file at a time was most of a file's wall time on 2 cores (issue 14).
 *
 * A plan owns one namespace per run, named from the run id and the plan's label, so the
 * globalSetup and the file agree on it without talking. The file asks `plannedPods`, which
 * creates whatever is missing (AlreadyExists is fine) and waits for it Ready: a run without
 * the globalSetup's start (a shard, a failed start, a plain vitest run) works the same,
 * only slower. The file deletes its namespace in afterAll as before; the globalSetup's
 * teardown and the serial group's start delete any a file left (deletePlanNamespaces).
 */
import type { KubeConfig, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { Suite } from '../profiles.ts';
import { kindClusterOf } from '../cluster/context.ts';
import { readEdgeInfo } from '../edge/index.ts';
import type { Harness } from '../harness/context.ts';
import { applyObjects, createNamespace, deleteNamespace, isMade, labelValue, markMade, RUN_LABEL, type TestNamespace } from '../k8s/apply.ts';
import type { IPFamily } from '../net/family.ts';
import { createProbePods, waitPodsReady, workersOf, type ProbePodSpec } from './pods.ts';

/** What a plan's pods may depend on: the cluster's nodes, and a tail that is the run's own. */
export interface PlanCluster {
  /** Schedulable workers in workerNodes order (the control plane only when alone). */
  workers: readonly string[];
  /** Every node, in the API's list order. */
  nodes: readonly string[];
  /** The cluster's families (the harness' detection): pods per family. */
  families: readonly IPFamily[];
  /** The cluster DNS Service's ClusterIPs (kube-system/kube-dns), for pods with their own resolver settings. */
  clusterDns: readonly string[];
  /** On a lab cluster, the edge's resolver (it knows no cluster zone); undefined elsewhere. */
  labResolver?: string;
  /** The plan's namespace (planNamespace). */
  namespace: string;
  /** Hex unique to the run and plan: pod names that must differ between clusters (netexec answers with its pod name). */
  tail: string;
}

export interface PodPlan {
  /** The namespace's suite label, unique among plans (e.g. `dns-records`). */
  label: string;
  /** The suite the file belongs to: a run without that suite starts none of it. */
  suite: Suite;
  /** The file holds fault tests only: only a `--self-test` run runs it. */
  selfTestOnly: boolean;
  /** The pods, in the order plannedPods returns them. None (and no objects): the file plans nothing on this cluster. */
  pods(c: PlanCluster): ProbePodSpec[];
  /** Other objects of the namespace (Deployments, Services), server-side applied with the run label; the file waits for them. */
  objects?(c: PlanCluster): KubernetesObject[];
}

export interface PlannedPods {
  ns: TestNamespace;
  /** Ready, IPs filled in, in the plan's order. */
  pods: V1Pod[];
  /** The planned pod of that name; throws naming the plan when there is none. */
  pod(name: string): V1Pod;
}

/** `v6e2e-<label>-<6 hex of run id and label>`: the same in the globalSetup and every worker. */
export function planNamespace(runId: string, label: string): string {
  return `v6e2e-${label}-${createHash('sha256').update(`${runId}/${label}`).digest('hex').slice(0, 6)}`;
}

type Cluster = Omit<PlanCluster, 'tail' | 'namespace'>;

/**
 * The cluster facts plans take, read once (the families are the caller's: the harness detected them).
 * `edge`: the lab resolver as a cluster still being made reported it, before its edge file exists.
 */
export async function planCluster(kc: KubeConfig, families: readonly IPFamily[], edge?: { labResolver: string | undefined }): Promise<Cluster> {
  const core = kc.makeApiClient(CoreV1Api);
  const kind = kindClusterOf(kc.getCurrentContext());
  const [nodes, kubeDns, edgeFile] = await Promise.all([
    core.listNode({}),
    core.readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' }).catch(() => undefined),
    kind && !edge ? readEdgeInfo(kind) : undefined,
  ]);
  const clusterDns = kubeDns?.spec?.clusterIPs ?? (kubeDns?.spec?.clusterIP ? [kubeDns.spec.clusterIP] : []);
  const labResolver = edge ? edge.labResolver : (edgeFile?.dns.kind.IPv6 ?? edgeFile?.dns.kind.IPv4);
  return { workers: workersOf(nodes.items), nodes: nodes.items.map((n) => n.metadata!.name!), families, clusterDns, ...(labResolver ? { labResolver } : {}) };
}

/** Per process and cluster: a worker keeps its modules from file to file, and no file renames nodes or the cluster DNS. */
const clusterOnce = new Map<string, Promise<Cluster>>();
function planClusterOnce(kc: KubeConfig, families: readonly IPFamily[]): Promise<Cluster> {
  const key = `${kc.getCurrentContext()}\u0000${kc.getCurrentCluster()?.server ?? ''}\u0000${families.join(',')}`;
  let c = clusterOnce.get(key);
  if (!c) {
    c = planCluster(kc, families);
    clusterOnce.set(key, c);
    // A failed read is not kept: the next file asks again.
    c.catch(() => clusterOnce.delete(key));
  }
  return c;
}

function specsOf(plan: PodPlan, runId: string, cluster: Cluster): { namespace: string; specs: ProbePodSpec[]; objects: KubernetesObject[] } {
  const namespace = planNamespace(runId, plan.label);
  const c = { ...cluster, namespace, tail: namespace.split('-').at(-1)! };
  return { namespace, specs: plan.pods(c), objects: plan.objects?.(c) ?? [] };
}

/** Creates the plan's namespace, pods and objects where missing, without waiting for them. */
export async function startPlan(kc: KubeConfig, runId: string, plan: PodPlan, cluster: Cluster): Promise<void> {
  const { namespace, specs, objects } = specsOf(plan, runId, cluster);
  if (specs.length === 0 && objects.length === 0) return;
  await createNamespace(kc, { suite: plan.label, runId, name: namespace, existingOk: true });
  // A check file's pods see no fault: the harness may use their shell (lib/k8s/pod-shell.ts). A fault file's keep exec unless a spec says otherwise.
  await Promise.all([
    createProbePods(kc, namespace, specs.map((s) => ({ ...s, shell: s.shell ?? !plan.selfTestOnly })), { existingOk: true }),
    // Server-side apply: the globalSetup's and the file's applies of the same objects agree.
    objects.length > 0 ? applyObjects(kc, objects, { namespace, labels: { [RUN_LABEL]: labelValue(runId) } }) : undefined,
  ]);
  await markMade(kc, namespace);
}

export interface StartedPlan {
  /** The plan's namespace, there: a file may create its Services while the pods come up. */
  ns: TestNamespace;
  /** The plan's pods, Ready. */
  ready(timeoutMs?: number): Promise<PlannedPods>;
}

/** The plan's namespace and pods, created by this call where the globalSetup did not (yet). */
export async function startPlanned(h: Pick<Harness, 'kc' | 'env' | 'families'>, plan: PodPlan): Promise<StartedPlan> {
  const { kc } = h;
  const runId = h.env.runId;
  const cluster = await planClusterOnce(kc, h.families.families);
  const { namespace, specs } = specsOf(plan, runId, cluster);
  // Asking again for what the run made cost ~8 API calls per file, each answered "already
  // there": 0.1–0.3 s of a 1-s file's wall under a run's load.
  if (!(await isMade(kc, namespace))) await startPlan(kc, runId, plan, cluster);
  let done: Promise<void> | undefined;
  const ns: TestNamespace = { name: namespace, cleanup: () => (done ??= deleteNamespace(kc, namespace, { wait: false })) };
  return {
    ns,
    ready: async (timeoutMs = 180_000) => {
      const pods = await waitPodsReady(kc, namespace, specs.map((s) => s.name), timeoutMs);
      const byName = new Map(pods.map((p) => [p.metadata!.name!, p]));
      return {
        ns,
        pods,
        pod: (name) => {
          const p = byName.get(name);
          if (!p) throw new Error(`plan ${plan.label} has no pod ${name} (it has ${[...byName.keys()].join(', ')})`);
          return p;
        },
      };
    },
  };
}

/** The plan's pods, Ready (startPlanned, then ready). */
export async function plannedPods(h: Pick<Harness, 'kc' | 'env' | 'families'>, plan: PodPlan, timeoutMs = 180_000): Promise<PlannedPods> {
  return (await startPlanned(h, plan)).ready(timeoutMs);
}

/**
 * The plans a run may have: its suites' (null: every suite), fault-only ones with `--self-test`.
 * Deleting them (the teardown, the serial group) goes by these.
 */
export function plansOfRun(plans: readonly PodPlan[], suites: readonly Suite[] | null, selfTest: boolean): PodPlan[] {
  return plans.filter((p) => (suites === null || suites.includes(p.suite)) && (selfTest || !p.selfTestOnly));
}

/**
 * The run's plans in the order their pods are made, a wave at a time (startPlanWaves). With
 * `--self-test` the fault files run first (the longest, sorted first): their plans come
 * first, alone, and the check files' plans once those pods are Ready, well before the check
 * files start a minute later, so neither kind waits for its pods on its own clock. Without,
 * one wave.
 */
export function planWaves(plans: readonly PodPlan[], suites: readonly Suite[] | null, selfTest: boolean): PodPlan[][] {
  const run = plansOfRun(plans, suites, selfTest);
  const waves = selfTest ? [run.filter((p) => p.selfTestOnly), run.filter((p) => !p.selfTestOnly)] : [run];
  return waves.filter((w) => w.length > 0);
}

/**
 * Starts each wave's plans (startPlan) once the previous wave's pods are Ready. A wave not
 * Ready within `waitMs` (a slow cluster, or the run's namespaces going after Ctrl-C) ends
 * the waves: they are only a head start, and each file makes whatever of its plan is
 * missing. A plan that fails to start is its file's to report: the file then starts it itself.
 * `signal`: the run gave up on the cluster (its creation failed): no further wait or wave.
 */
export async function startPlanWaves(
  kc: KubeConfig,
  runId: string,
  waves: readonly (readonly PodPlan[])[],
  cluster: Cluster,
  opts: { waitMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  for (const [i, wave] of waves.entries()) {
    if (opts.signal?.aborted) return;
    await Promise.all(wave.map((p) => startPlan(kc, runId, p, cluster).catch(() => undefined)));
    if (i === waves.length - 1) break;
    const ready = await Promise.all(
      wave.map((p) => {
        const { namespace, specs } = specsOf(p, runId, cluster);
        if (specs.length === 0) return true;
        return waitPodsReady(kc, namespace, specs.map((s) => s.name), opts.waitMs ?? 60_000, opts.signal).then(() => true, () => false);
      }),
    );
    if (!ready.every(Boolean)) return;
  }
}

/** Asks for every plan's namespace of the run to go (absent is fine), without waiting. */
export async function deletePlanNamespaces(kc: KubeConfig, runId: string, plans: readonly PodPlan[]): Promise<void> {
  await Promise.all(plans.map((p) => deleteNamespace(kc, planNamespace(runId, p.label), { wait: false })));
}
