/**
 * A kept cluster that only waits for a later step is paused meanwhile (`docker pause` of
 * its node containers): an idle kind control plane still takes about a sixth of a core,
 * which the clusters still running on a 2-core machine need.
 *
 * Waking has one catch: the node controller sees every node lease as minutes old and may
 * mark the nodes unreachable (and their pods not ready) before the kubelets renew them.
 * wakeCluster waits until every lease was renewed after the wake and that flap is over.
 */
import { CoordinationV1Api, CoreV1Api, type V1Lease, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { loadKubeConfig } from '../k8s/client.ts';
import { waitFor } from '../k8s/wait.ts';
import { docker, dockerTry } from '../util/docker.ts';
import { retryLast } from '../util/retry.ts';
import { KIND_CLUSTER_LABEL, kubeconfigPathFor } from './kind.ts';

/** Namespaces of the lab's own components: their pods must be Ready again after a wake. */
const SYSTEM_NAMESPACES = ['kube-system', 'metallb-system', 'kube-flannel'];
/** The node controller's monitor period is 5 s: a flap it starts shows within one more period. */
const FLAP_WINDOW_MS = 6_000;

async function nodeContainers(name: string, status: 'running' | 'paused'): Promise<string[]> {
  const r = await docker(['ps', '-q', '--filter', `label=${KIND_CLUSTER_LABEL}=${name}`, '--filter', `status=${status}`]);
  return r.stdout.split('\n').filter(Boolean);
}

/** The cluster's paused node containers (ids). */
export function pausedNodes(name: string): Promise<string[]> {
  return nodeContainers(name, 'paused');
}

/**
 * `docker pause|unpause` of each container, three tries each. A cgroup-v1 freeze can give
 * up while a busy process does not stop in time (seen once in 8 pauses). Throws naming
 * the containers that failed.
 */
async function eachContainer(verb: 'pause' | 'unpause', ids: readonly string[]): Promise<void> {
  const failed: string[] = [];
  for (const id of ids) {
    const r = await retryLast(() => dockerTry([verb, id]), { attempts: 3, delayMs: 1_000, until: (x) => x.exitCode === 0 });
    // Someone else (a reusing run, the other of two wakes) got there first: that is the state wanted.
    const already = /is not paused|is already paused/.test(r.stderr);
    if (r.exitCode !== 0 && !already) failed.push(`${id.slice(0, 12)}: ${r.stderr.trim().split('\n')[0]}`);
  }
  if (failed.length) throw new Error(`docker ${verb} failed for ${failed.join('; ')}`);
}

/** Freezes the cluster's running node containers. A node left running only costs CPU, never correctness. */
export async function pauseCluster(name: string): Promise<void> {
  await eachContainer('pause', await nodeContainers(name, 'running'));
}

/** One thing that keeps a woken cluster from being usable. */
export interface Unsettled {
  kind: 'lease' | 'node' | 'pod';
  /** `node kind-worker`, `pod kube-system/coredns-…`. */
  object: string;
  seen: string;
}

/** What still keeps a woken cluster from being usable, empty when settled. Pure. */
export function unsettled(o: { wokeAtMs: number; nodes: readonly V1Node[]; leases: readonly V1Lease[]; pods: readonly V1Pod[] }): Unsettled[] {
  const out: Unsettled[] = [];
  for (const n of o.nodes) {
    const object = `node ${n.metadata?.name ?? '?'}`;
    const lease = o.leases.find((l) => l.metadata?.name === n.metadata?.name);
    const renewed = lease?.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : undefined;
    if (renewed === undefined || renewed < o.wokeAtMs) out.push({ kind: 'lease', object, seen: 'lease not renewed since the wake' });
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    if (ready !== 'True') out.push({ kind: 'node', object, seen: `Ready is ${ready ?? 'absent'}` });
    const taint = n.spec?.taints?.find((t) => t.key === 'node.kubernetes.io/unreachable' || t.key === 'node.kubernetes.io/not-ready');
    if (taint) out.push({ kind: 'node', object, seen: `tainted ${taint.key}` });
  }
  for (const p of o.pods) {
    if (p.status?.phase === 'Succeeded') continue;
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    if (ready !== 'True') out.push({ kind: 'pod', object: `pod ${p.metadata?.namespace}/${p.metadata?.name}`, seen: `Ready is ${ready ?? 'absent'}` });
  }
  return out;
}

const describeUnsettled = (u: readonly Unsettled[]) => u.slice(0, 6).map((x) => `${x.object}: ${x.seen}`).join('; ') || 'settled';

/** Unfreezes the cluster's paused node containers; returns when that was (ms since the epoch), or undefined when none was paused. */
export async function unpauseCluster(name: string): Promise<number | undefined> {
  const ids = await pausedNodes(name);
  if (!ids.length) return undefined;
  await eachContainer('unpause', ids);
  return Date.now();
}

/** Unfreezes the cluster and waits until it is usable again (settleCluster). */
export async function wakeCluster(name: string, timeoutMs?: number): Promise<void> {
  const wokeAtMs = await unpauseCluster(name);
  if (wokeAtMs !== undefined) await settleCluster(name, wokeAtMs, timeoutMs);
}

/** Waits until the cluster's node leases were renewed after `wokeAtMs`, and its nodes and system pods are Ready, twice in a row. */
export async function settleCluster(name: string, wokeAtMs: number, timeoutMs = 180_000): Promise<void> {
  const kc = loadKubeConfig({ kubeconfig: kubeconfigPathFor(name), context: `kind-${name}` });
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const state = async () => {
    const [nodes, leases, ...pods] = await Promise.all([
      core.listNode(),
      coordination.listNamespacedLease({ namespace: 'kube-node-lease' }),
      ...SYSTEM_NAMESPACES.map((namespace) => core.listNamespacedPod({ namespace })),
    ]);
    return unsettled({ wokeAtMs, nodes: nodes.items, leases: leases.items, pods: pods.flatMap((l) => l.items) });
  };
  await waitFor(`every node lease of cluster ${name} renewed after unpausing it`, state, {
    timeoutMs, until: (u) => u.every((x) => x.kind !== 'lease'), describe: describeUnsettled,
  });
  await new Promise((r) => setTimeout(r, FLAP_WINDOW_MS));
  let settledPolls = 0;
  await waitFor(`nodes and system pods of cluster ${name} Ready after unpausing it`, state, {
    timeoutMs, intervalMs: 2_000, describe: describeUnsettled,
    until: (u) => (settledPolls = u.length === 0 ? settledPolls + 1 : 0) >= 2,
  });
}
