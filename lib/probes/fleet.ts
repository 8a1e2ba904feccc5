/**
 * The run's probe fleet: one plain netexec pod per sampled worker node (and a second one
 * on the first node), plus one hostNetwork netexec per sampled node, in one namespace per
 * run, shared by the files that only read and probe. Starting the same pods in each of
 * those files was most of their setup time on 2 cores. A file whose faults change what a
 * pod sees (drop rules on pod IPs, deleted pods) keeps its own pods; the fleet's pods are
 * never changed, only probed.
 *
 * The e2e globalSetup creates its pods as the run starts, when the run has a suite of
 * FLEET_SUITES, so they come up while the workers load; whichever file asks first waits for
 * them Ready (creating what is missing: AlreadyExists is fine), so no order between files,
 * workers or the globalSetup matters. It carries the run label, so Ctrl-C's
 * sweep takes it. It stays through the serial group (the disruptive dns64 and nat64
 * files probe from it), and the globalSetup's teardown deletes it at the end of every run.
 */
import type { KubeConfig, V1Pod, V1Service } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { Suite } from '../profiles.ts';
import { createNamespace, deleteNamespace, isMade, markMade } from '../k8s/apply.ts';
import { waitForEndpoints } from '../k8s/endpoints.ts';
import { createService, deleteServices, type ServiceShape } from '../k8s/services.ts';
import { createProbePods, hostNetworkEndpoint, ROLE_LABEL, waitPodsReady, workerNodes, type ProbePodSpec } from './pods.ts';

/** The suite label of the fleet's namespace (evidence of any failed check includes it). */
export const FLEET_SUITE = 'fleet';
/** Nodes the fleet covers: the node pairs of every suite sample at most 3 (nodePairs' cap). */
export const FLEET_NODES = 3;
/**
 * The host ports of the fleet's hostNetwork netexec pods: below the NodePort range and the
 * nodes' ephemeral range, apart from every other suite's host ports.
 */
export const FLEET_HOST_HTTP_PORT = 28080;
export const FLEET_HOST_UDP_PORT = 28081;
/**
 * Selectors for Services over the fleet's pods. A file that needs a Service over them
 * creates it in the fleet's namespace (a Service selects only pods of its own namespace)
 * under a name of its own, and deletes it when done.
 */
export const FLEET_ECHO_SELECTOR: Readonly<Record<string, string>> = { [ROLE_LABEL]: 'fleet-echo' };
export const FLEET_HOST_SELECTOR: Readonly<Record<string, string>> = { [ROLE_LABEL]: 'fleet-host' };
/** Every fleet pod carries its own name under this label: a Service over exactly one of them. */
export const FLEET_POD_LABEL = 'v6e2e.io/fleet-pod';

/** A selector for exactly this fleet pod. */
export function fleetPodSelector(pod: V1Pod): Record<string, string> {
  return { [FLEET_POD_LABEL]: pod.metadata!.name! };
}

export interface Fleet {
  namespace: string;
  /** The sampled workers, in workerNodes order; pods[i] runs on nodes[i]. */
  nodes: string[];
  pods: V1Pod[];
  /** A second pod on nodes[0], for same-node pod-to-pod paths. */
  twin: V1Pod;
  /** hostNetwork netexec pods (FLEET_HOST_*_PORT; UDP bound to the node's addresses): hosts[i] runs on nodes[i]. */
  hosts: V1Pod[];
  /** The fleet's pod on `node`; throws naming the node when the fleet does not cover it. */
  on(node: string): V1Pod;
  /** The fleet's hostNetwork pod on `node`; throws as `on` does. */
  hostOn(node: string): V1Pod;
}

/** One namespace name per run, the same in every worker (`v6e2e-fleet-<10 hex of the run id>`). */
export function fleetNamespace(runId: string): string {
  return `v6e2e-${FLEET_SUITE}-${createHash('sha256').update(runId).digest('hex').slice(0, 10)}`;
}

/**
 * What the fleet runs, given the sampled nodes: `echo-<i>` and `host-<i>` on node i, `twin`
 * beside echo-0, each name ending in `-<tail>` (the namespace's first 6 hex): netexec answers
 * with its pod name, so an answer from another cluster's fleet on kind's network is foreign.
 */
export function fleetSpecs(nodes: readonly string[], tail: string): ProbePodSpec[] {
  const own = (name: string) => ({ [FLEET_POD_LABEL]: name });
  const echo = (i: number) => `echo-${i}-${tail}`;
  const host = (i: number) => `host-${i}-${tail}`;
  return [
    ...nodes.map((node, i) => ({ name: echo(i), node, labels: { ...FLEET_ECHO_SELECTOR, ...own(echo(i)) } })),
    { name: `twin-${tail}`, node: nodes[0], labels: own(`twin-${tail}`) },
    ...nodes.map((node, i) => hostNetworkEndpoint(host(i), node, FLEET_HOST_HTTP_PORT, FLEET_HOST_UDP_PORT, { ...FLEET_HOST_SELECTOR, ...own(host(i)) })),
  ];
}

/** The run's tail in fleet pod names: the first 6 hex of `v6e2e-fleet-<10 hex>`. */
export function fleetTail(namespace: string): string {
  return (namespace.split('-').at(-1) ?? 'x').slice(0, 6);
}

/**
 * The suites whose files use the fleet (directly or through a suite module they import);
 * fleet.test.ts follows the suites' imports to keep this list true.
 */
export const FLEET_SUITES: readonly Suite[] = ['address-families', 'connectivity', 'services', 'host-network', 'mtu', 'guestbook', 'dns64', 'nat64', 'nodeport', 'loadbalancer'];

/** Does a run of these suites (null: every suite) use the fleet? */
export function runUsesFleet(suites: readonly Suite[] | null): boolean {
  return suites === null || suites.some((s) => FLEET_SUITES.includes(s));
}

interface FleetPods {
  namespace: string;
  nodes: string[];
  specs: ProbePodSpec[];
}

/** Creates the run's fleet namespace and pods where missing, without waiting for them. */
export async function createFleetPods(kc: KubeConfig, runId: string): Promise<FleetPods> {
  const namespace = fleetNamespace(runId);
  const [workers, made] = await Promise.all([workerNodes(kc), isMade(kc, namespace)]);
  const nodes = workers.slice(0, FLEET_NODES);
  if (nodes.length === 0) throw new Error('no schedulable node for the probe fleet');
  // Nothing changes what the fleet's pods see: the harness may use their shell (pod-shell.ts).
  const specs = fleetSpecs(nodes, fleetTail(namespace)).map((s) => ({ ...s, shell: true }));
  // The run made them before the files started: each worker's first file only waits for them.
  if (made) return { namespace, nodes, specs };
  await createNamespace(kc, { suite: FLEET_SUITE, runId, name: namespace, existingOk: true });
  await createProbePods(kc, namespace, specs, { existingOk: true });
  await markMade(kc, namespace);
  return { namespace, nodes, specs };
}

const memo = new Map<string, Promise<Fleet>>();

/** The run's fleet, Ready (created by this call if no other file did yet). Memoized per worker. */
export function fleet(kc: KubeConfig, runId: string): Promise<Fleet> {
  let f = memo.get(runId);
  if (!f) {
    f = startFleet(kc, runId);
    memo.set(runId, f);
    f.catch(() => memo.delete(runId)); // a failed start is retried by the next file, not cached
  }
  return f;
}

async function startFleet(kc: KubeConfig, runId: string): Promise<Fleet> {
  const { namespace, nodes, specs } = await createFleetPods(kc, runId);
  const pods = await waitPodsReady(kc, namespace, specs.map((s) => s.name), 180_000);
  const echo = pods.slice(0, nodes.length);
  const hosts = pods.slice(nodes.length + 1);
  const index = (node: string): number => {
    const i = nodes.indexOf(node);
    if (i < 0) throw new Error(`the probe fleet covers nodes ${nodes.join(', ')}, not ${node}`);
    return i;
  };
  return {
    namespace,
    nodes,
    pods: echo,
    twin: pods[nodes.length]!,
    hosts,
    on: (node) => echo[index(node)]!,
    hostOn: (node) => hosts[index(node)]!,
  };
}

export interface FleetService {
  svc: V1Service;
  /** Deletes the Service (already gone is fine), without waiting. */
  remove(): Promise<void>;
}

/**
 * A Service over fleet pods (`FLEET_ECHO_SELECTOR`, `FLEET_HOST_SELECTOR` or one pod's
 * `fleetPodSelector`), in the fleet's namespace under the file's own name, returned once it
 * has `endpoints` ready endpoints per family of the shape. The file removes it in afterAll;
 * the fleet's namespace takes any left behind at the end of the run.
 */
export async function fleetService(kc: KubeConfig, f: Fleet, shape: ServiceShape, endpoints: number): Promise<FleetService> {
  const svc = await createService(kc, f.namespace, shape);
  await waitForEndpoints(kc, f.namespace, shape.name, shape.families, endpoints);
  return { svc, remove: () => deleteServices(kc, f.namespace, [shape.name]) };
}

/** Asks for the run's fleet namespace to go (absent is fine), without waiting. */
export async function deleteFleet(kc: KubeConfig, runId: string): Promise<void> {
  memo.delete(runId);
  await deleteNamespace(kc, fleetNamespace(runId), { wait: false });
}
