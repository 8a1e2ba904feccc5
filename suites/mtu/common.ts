/**
 * Shared set-up of the mtu suite: the families, the one assertion (connectivity's, so a
 * pass on retry is annotated the same way), the payload sizes, and the fault file's Service
 * (one NodePort Service gives a ClusterIP and a NodePort per family; its pods are in
 * plans.ts). The check file probes the same shape over two of the run's fleet pods.
 */
import type { KubeConfig, V1Service } from '@kubernetes/client-node';
import { createService } from '../../lib/k8s/services.ts';
import type { IPFamily } from '../../lib/net/family.ts';
export { expectOk } from '../../lib/harness/check.ts';
export { ipOr } from '../../lib/checks/connectivity.ts';
export { FAMILIES } from '../../lib/harness/context.ts';
export { ROLE_LABEL } from '../../lib/probes/pods.ts';
export { skipWithoutFamily } from '../../lib/harness/context.ts';

/** An HTTP body well over any pod MTU: several full-sized TCP segments each way. */
export const HTTP_BODY_BYTES = 8192;
/** Over a 1500-byte MTU, under netexec's 2048-byte UDP read buffer (agnhost netexec startUDPServer). */
export const UDP_DATAGRAM_BYTES = 2000;
/** The path-MTU search range (whole packets): below the IPv6 minimum up to jumbo frames. */
export const PMTU_FLOOR = 1200;
export const PMTU_CEILING = 9000;

export const SERVER = { 'v6e2e.io/role': 'server' };

/** One NodePort Service over the cluster's families, selecting the server pod: its ClusterIPs and NodePorts. */
export function createEchoService(kc: KubeConfig, ns: string, families: readonly IPFamily[]): Promise<V1Service> {
  return createService(kc, ns, { name: 'big', selector: SERVER, families, type: 'NodePort' });
}
