/**
 * Shared set-up of the host-network suite: its namespaces, the host ports its
 * hostNetwork and hostPort pods take on the nodes, and the per-family node rule a
 * fault test seeds and removes. The scenarios its checks and fault tests share are
 * in scenarios.ts.
 */
import type { V1Node } from '@kubernetes/client-node';
import { suiteNamespace as namespaceFor, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import type { ProbePodSpec } from '../../lib/probes/pods.ts';
export { skipWithoutFamily } from '../../lib/harness/context.ts';
// The connectivity suite's assertion and "pod has no IP of the family" helper, shared rather than copied.
export { expectOk } from '../../lib/harness/check.ts';
export { ipOr } from '../../lib/checks/connectivity.ts';

export const SUITE = 'host-network';

/** Both families are always declared; tests for a family the cluster lacks are skipped. */
export const FAMILIES: readonly IPFamily[] = ['IPv4', 'IPv6'];

/** At most this many nodes are sampled for per-node paths, however large the cluster. */
export const MAX_NODES = 3;

/**
 * Host ports this suite's pods take on the nodes. All sit below the NodePort range
 * (30000-32767) and the nodes' ephemeral range (32768-60999), and apart from the
 * connectivity suite's hostNetwork netexec (28080/28081), which may be running on the
 * same nodes at the same time; nothing else on a kind node listens there. The check files
 * and the fault file use different ports so a leftover pod of one cannot answer for the other.
 */
export const HOST_EP_HTTP_PORT = 28280;
export const HOST_EP_UDP_PORT = 28281;
export const FAULT_EP_HTTP_PORT = 28282;
export const FAULT_EP_UDP_PORT = 28283;
export const HOSTPORT = 28290;
export const FAULT_HOSTPORT = 28291;

export const ROLE_LABEL = 'v6e2e.io/role';

export function suiteNamespace(h: Harness, suite: string = SUITE): Promise<TestNamespace> {
  return namespaceFor(h, suite);
}

/** A hostNetwork client that only dials: it takes no port on its node. */
export const SLEEPER = ['sleep', 'infinity'];

/**
 * A hostNetwork netexec endpoint whose UDP server listens on the node's host IPs, not the
 * wildcard: a wildcard socket answers a pod on the same node from the address the kernel
 * picks for the route back — with kindnet the pod's veth gateway (10.244.x.1, fd00:10:244:x::1),
 * not the node IP the pod dialled — so conntrack cannot undo the ClusterIP DNAT and the
 * client drops the reply. Bound sockets answer from the address they were reached on.
 */
export function hostNetworkEndpoint(name: string, node: string, httpPort: number, udpPort: number, labels: Record<string, string>): ProbePodSpec {
  return {
    name,
    node,
    hostNetwork: true,
    labels,
    args: ['netexec', `--http-port=${httpPort}`, `--udp-port=${udpPort}`, '--udp-listen-addresses=$(HOST_IPS)'],
    env: [{ name: 'HOST_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } }],
    readinessProbe: { httpGet: { path: '/healthz', port: httpPort }, periodSeconds: 1 },
  };
}

export async function listNodes(h: Harness): Promise<V1Node[]> {
  return (await h.api.core.listNode({})).items;
}
