/**
 * Shared set-up of the mtu suite: the families, the one assertion (connectivity's, so a
 * pass on retry is annotated the same way), the payload sizes, and the fault file's pods
 * and Service (one NodePort Service gives a ClusterIP and a NodePort per family). The
 * check file probes the same shape over two of the run's fleet pods.
 */
import type { KubeConfig, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { suiteNamespace, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { createService } from '../../lib/k8s/services.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import { nodePairs, startProbePods, workerNodes } from '../../lib/probes/pods.ts';
export { expectOk } from '../../lib/harness/check.ts';
export { ipOr } from '../../lib/checks/connectivity.ts';
export { FAMILIES } from '../../lib/harness/context.ts';
export { ROLE_LABEL } from '../../lib/probes/pods.ts';
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

/** What the fault file probes (its faults drop its own pods' packets): a client and a server on two workers, the Service, and the server's node (its address carries the NodePort probes). */
export interface MtuSetup {
  ns: TestNamespace;
  client: V1Pod;
  server: V1Pod;
  svc: V1Service;
  serverNode: V1Node;
}

export async function mtuSetup(h: Harness, suite: string): Promise<MtuSetup> {
  const ns = await suiteNamespace(h, suite);
  const [pair] = nodePairs(await workerNodes(h.kc), 2);
  const [client, server] = (await startProbePods(h.kc, ns.name, [
    { name: 'client', node: pair!.from },
    { name: 'server', node: pair!.to, labels: SERVER },
  ])) as [V1Pod, V1Pod];
  const svc = await createEchoService(h.kc, ns.name, h.families.families);
  await waitForEndpoints(h.kc, ns.name, svc.metadata!.name!, h.families.families, 1);
  return { ns, client, server, svc, serverNode: await h.api.core.readNode({ name: server.spec!.nodeName! }) };
}
