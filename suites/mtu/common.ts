/**
 * Shared set-up of the mtu suite: the families, the one assertion (connectivity's, so a
 * pass on retry is annotated the same way), the payload sizes, and the Service both
 * files probe (one NodePort Service gives a ClusterIP and a NodePort per family).
 */
import type { V1Service } from '@kubernetes/client-node';
import { createService } from '../../lib/k8s/services.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import type { IPFamily } from '../../lib/net/family.ts';
export { expectOk, FAMILIES, ipOr, ROLE_LABEL } from '../connectivity/common.ts';
export { skipWithoutFamily } from '../../lib/harness/context.ts';

export const SUITE = 'mtu';

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
