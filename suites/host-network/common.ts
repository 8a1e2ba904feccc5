/**
 * Shared set-up of the host-network suite: its namespaces, the host ports its
 * hostNetwork and hostPort pods take on the nodes, and the per-family node rule a
 * fault test seeds and removes. The scenarios its checks and fault tests share are
 * in scenarios.ts.
 */
import { suiteNamespace as namespaceFor, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
export { listNodes, skipWithoutFamily } from '../../lib/harness/context.ts';
// The connectivity suite's assertion and "pod has no IP of the family" helper, shared rather than copied.
export { expectOk } from '../../lib/harness/check.ts';
export { ipOr } from '../../lib/checks/connectivity.ts';

export const SUITE = 'host-network';

export { FAMILIES } from '../../lib/harness/context.ts';

/** At most this many nodes are sampled for per-node paths, however large the cluster. */
export const MAX_NODES = 3;

/**
 * Host ports this suite's own pods take on the nodes. All sit below the NodePort range
 * (30000-32767) and the nodes' ephemeral range (32768-60999), and apart from the probe
 * fleet's hostNetwork netexec (FLEET_HOST_*_PORT, 28080/28081), which the check files use
 * and which runs on the same nodes; nothing else on a kind node listens there. The fault
 * file's ports differ from the fleet's so a fleet pod cannot answer for a fault's endpoint.
 */
export const FAULT_EP_HTTP_PORT = 28282;
export const FAULT_EP_UDP_PORT = 28283;
/** The fault file's hostNetwork client: netexec there only for its shell (lib/k8s/pod-shell.ts). */
export const FAULT_CLIENT_HTTP_PORT = 28284;
export const FAULT_CLIENT_UDP_PORT = 28285;
export const HOSTPORT = 28290;
export const FAULT_HOSTPORT = 28291;

export { hostNetworkEndpoint, ROLE_LABEL } from '../../lib/probes/pods.ts';

export function suiteNamespace(h: Harness, suite: string = SUITE): Promise<TestNamespace> {
  return namespaceFor(h, suite);
}


