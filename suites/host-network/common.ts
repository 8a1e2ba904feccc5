/**
 * Shared set-up of the host-network suite: its namespaces, the host ports its
 * hostNetwork and hostPort pods take on the nodes, and the per-family node rule a
 * fault test seeds and removes. The scenarios its checks and fault tests share are
 * in scenarios.ts.
 */
import { suiteNamespace as namespaceFor, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import type { ProbePodSpec } from '../../lib/probes/pods.ts';
export { listNodes, skipWithoutFamily } from '../../lib/harness/context.ts';
// The connectivity suite's assertion and "pod has no IP of the family" helper, shared rather than copied.
export { expectOk } from '../../lib/harness/check.ts';
export { ipOr } from '../../lib/checks/connectivity.ts';

export const SUITE = 'host-network';

export { FAMILIES } from '../../lib/harness/context.ts';

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

export { ROLE_LABEL } from '../../lib/probes/pods.ts';

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

