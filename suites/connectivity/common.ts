/**
 * Shared set-up of the connectivity suite: its namespace, the probe topology (which
 * node pairs), Services built for the cluster's families, and small helpers that turn
 * "this pod has no IPv6 address" into a failed Verdict instead of a TypeError. The
 * scenarios the checks and fault tests share are in scenarios.ts.
 */
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import { suiteNamespace as namespaceFor, type Harness } from '../../lib/harness/context.ts';
export { skipWithoutFamily } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { NETEXEC_HTTP, NETEXEC_UDP } from '../../lib/k8s/services.ts';

export const SUITE = 'connectivity';

export { FAMILIES } from '../../lib/harness/context.ts';

/** At most this many node pairs are probed (a ring), however large the cluster. */
export const MAX_NODE_PAIRS = 3;

export { ROLE_LABEL } from '../../lib/probes/pods.ts';

// Every suite's assertion and the pod-address guard live in lib; re-exported for this suite's files.
export { expectOk } from '../../lib/harness/check.ts';
export { ipOr } from '../../lib/checks/connectivity.ts';

export function suiteNamespace(h: Harness, suite: string = SUITE): Promise<TestNamespace> {
  return namespaceFor(h, suite);
}


export const NETEXEC_PORTS: V1ServicePort[] = [NETEXEC_HTTP, NETEXEC_UDP];
export { createService, serviceManifest, type ServiceShape } from '../../lib/k8s/services.ts';

export function fqdnOf(svc: V1Service, domain: string): string {
  return `${svc.metadata!.name!}.${svc.metadata!.namespace!}.svc.${domain}`;
}
