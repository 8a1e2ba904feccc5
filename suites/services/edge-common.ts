/**
 * Set-up shared by the hairpin and no-endpoint Service files and their faults: the
 * families, the one assertion, and the two Services (NodePort, so each has a ClusterIP
 * and a NodePort of every family the cluster has, serving netexec's HTTP and UDP ports).
 */
import type { V1Service } from '@kubernetes/client-node';
import type { Harness } from '../../lib/harness/context.ts';
import { createService, NETEXEC_HTTP, NETEXEC_UDP } from '../../lib/k8s/services.ts';
export { expectOk } from '../../lib/harness/check.ts';
export { FAMILIES } from '../../lib/harness/context.ts';
export { ROLE_LABEL } from '../../lib/probes/pods.ts';
export { listNodes, skipWithoutFamily } from '../../lib/harness/context.ts';
import { ROLE_LABEL } from '../../lib/probes/pods.ts';

/** The hairpin pod's label: its Service selects it and nothing else. */
export const HAIRPIN = { [ROLE_LABEL]: 'hairpin' };
/** No pod carries this label: the no-endpoints Service's selector. */
export const NOBODY = { [ROLE_LABEL]: 'nobody' };

/** A NodePort Service of the cluster's families (RequireDualStack on dual-stack) with netexec's HTTP and UDP ports. */
export function edgeService(h: Harness, ns: string, name: string, selector: Record<string, string>): Promise<V1Service> {
  return createService(h.kc, ns, { name, selector, families: h.families.families, type: 'NodePort', ports: [NETEXEC_HTTP, NETEXEC_UDP] });
}

