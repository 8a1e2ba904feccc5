/**
 * Shared set-up of the services suite: its namespaces, Services with session affinity,
 * how a check dials a Service (ClusterIP or a node's NodePort of the family), and node
 * firewall rules for fault tests. The scenarios the checks and faults share are in
 * scenarios.ts.
 *
 * Session affinity and endpoint churn (issue 12 items 1–2) are this file's first
 * section; hairpin and no-endpoint helpers live in their own section below it.
 */
import { CoreV1Api, type KubeConfig, type V1Node, type V1Service, type V1ServicePort } from '@kubernetes/client-node';
import { serviceIPsOf, serviceName } from '../../lib/checks/connectivity.ts';
import { rankedAddresses } from '../../lib/checks/nodeport.ts';
import { verdict, type Verdict } from '../../lib/checks/verdict.ts';
import { suiteNamespace as namespaceFor, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { describeApiError, updateOnConflict } from '../../lib/k8s/client.ts';
import { serviceManifest, type ServiceShape } from '../../lib/k8s/services.ts';
import type { IPFamily } from '../../lib/net/family.ts';
export { skipWithoutFamily } from '../../lib/harness/context.ts';
export { expectOk } from '../../lib/harness/check.ts';

export const SUITE = 'services';

export { FAMILIES } from '../../lib/harness/context.ts';

export { ROLE_LABEL } from '../../lib/probes/pods.ts';

export function suiteNamespace(h: Harness, suite: string = SUITE): Promise<TestNamespace> {
  return namespaceFor(h, suite);
}

// ---------------------------------------------------------------- session affinity and endpoint churn

/** `ClientIP` with its timeout (seconds; the API's default is 10800), or `None`. */
export type Affinity = { clientIP: true; timeoutSeconds?: number } | 'None';

/** A NodePort Service (so both paths, ClusterIP and NodePort, reach the same backends) with the given affinity. */
export async function createAffinityService(kc: KubeConfig, ns: string, shape: Omit<ServiceShape, 'type'>, affinity: Affinity): Promise<V1Service> {
  const body = serviceManifest(ns, { ...shape, type: 'NodePort' });
  body.spec = { ...body.spec!, ...affinitySpec(affinity) };
  // No selector at all (not an empty one): the endpoints are then whatever EndpointSlices are written for it.
  if (Object.keys(shape.selector).length === 0) delete body.spec.selector;
  try {
    return await kc.makeApiClient(CoreV1Api).createNamespacedService({ namespace: ns, body });
  } catch (err) {
    throw new Error(`creating NodePort Service ${ns}/${shape.name} failed: ${describeApiError(err)}`, { cause: err });
  }
}

function affinitySpec(a: Affinity): Pick<NonNullable<V1Service['spec']>, 'sessionAffinity' | 'sessionAffinityConfig'> {
  if (a === 'None') return { sessionAffinity: 'None', sessionAffinityConfig: undefined };
  return { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: a.timeoutSeconds ?? 10800 } } };
}

/** Sets the Service's session affinity (read, change, replace); returns the Service as stored. */
export async function setAffinity(kc: KubeConfig, svc: V1Service, affinity: Affinity): Promise<V1Service> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = svc.metadata!.name!;
  const namespace = svc.metadata!.namespace!;
  return updateOnConflict(
    () => core.readNamespacedService({ name, namespace }),
    (current) => {
      current.spec = { ...current.spec!, ...affinitySpec(affinity) };
    },
    (current) => core.replaceNamespacedService({ name, namespace, body: current }),
  );
}

/** How a client reaches the Service: its ClusterIP of the family, or its NodePort on `node`'s address of the family. */
export type Via = { path: 'ClusterIP' } | { path: 'NodePort'; node: V1Node };

/** One dialable address of the Service for `port`, and how messages name it. */
export interface ServiceTarget {
  address: string;
  port: number;
  /** `Service ns/name ClusterIP fd00::1 port 8080` / `Service ns/name NodePort 31234 on dev-worker2 (fc00::2)`. */
  name: string;
}

/** The target of `via` for the Service port `servicePort`, or a failed Verdict saying what is missing. */
export function targetOf(svc: V1Service, servicePort: V1ServicePort, via: Via, family: IPFamily): ServiceTarget | Verdict {
  const object = `Service ${serviceName(svc)}`;
  const port = svc.spec?.ports?.find((p) => p.name === servicePort.name);
  if (via.path === 'ClusterIP') {
    const ip = serviceIPsOf(svc, family)[0];
    if (ip && port) return { address: ip, port: port.port, name: `${object} ClusterIP ${ip} port ${port.port}` };
    return verdict(false, { object, family, expected: `a ${family} ClusterIP and port ${servicePort.name}`, seen: `clusterIPs [${(svc.spec?.clusterIPs ?? []).join(', ')}]` });
  }
  const node = via.node.metadata!.name!;
  const address = rankedAddresses(via.node).find((a) => a.family === family)?.address;
  if (address && port?.nodePort) return { address, port: port.nodePort, name: `${object} NodePort ${port.nodePort} on ${node} (${address})` };
  return verdict(false, {
    object,
    family,
    expected: `a nodePort for port ${servicePort.name} and a ${family} address on node ${node}`,
    seen: `nodePort ${port?.nodePort ?? 'none'}, node addresses [${(via.node.status?.addresses ?? []).map((a) => a.address).join(', ')}]`,
  });
}

