/**
 * Service bodies for probes, one definition for every suite: the family
 * policy follows the families asked for (RequireDualStack for two, in the
 * order given; SingleStack for one) unless a policy is named.
 */
import { CoreV1Api, type KubeConfig, type V1Service, type V1ServicePort } from '@kubernetes/client-node';
import type { IPFamily } from '../net/family.ts';
import { NETEXEC_HTTP_PORT, NETEXEC_UDP_PORT } from '../probes/pods.ts';
import { describeApiError, isNotFound } from './client.ts';

export type FamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

export const NETEXEC_HTTP: V1ServicePort = { name: 'http', port: NETEXEC_HTTP_PORT, targetPort: NETEXEC_HTTP_PORT, protocol: 'TCP' };
export const NETEXEC_UDP: V1ServicePort = { name: 'udp', port: NETEXEC_UDP_PORT, targetPort: NETEXEC_UDP_PORT, protocol: 'UDP' };

export interface ServiceShape {
  name: string;
  selector: Record<string, string>;
  families: readonly IPFamily[];
  /** Default ClusterIP. */
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** Default: RequireDualStack for two families, SingleStack for one. */
  policy?: FamilyPolicy;
  headless?: boolean;
  /** Default: netexec's HTTP and UDP ports. */
  ports?: V1ServicePort[];
  externalTrafficPolicy?: 'Cluster' | 'Local';
  internalTrafficPolicy?: 'Cluster' | 'Local';
  loadBalancerSourceRanges?: string[];
}

export function serviceManifest(ns: string, s: ServiceShape): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: ns },
    spec: {
      ...(s.type ? { type: s.type } : {}),
      selector: s.selector,
      ipFamilyPolicy: s.policy ?? (s.families.length > 1 ? 'RequireDualStack' : 'SingleStack'),
      ipFamilies: [...s.families],
      ...(s.headless ? { clusterIP: 'None' } : {}),
      ...(s.externalTrafficPolicy ? { externalTrafficPolicy: s.externalTrafficPolicy } : {}),
      ...(s.internalTrafficPolicy ? { internalTrafficPolicy: s.internalTrafficPolicy } : {}),
      ...(s.loadBalancerSourceRanges ? { loadBalancerSourceRanges: s.loadBalancerSourceRanges } : {}),
      ports: s.ports ?? [NETEXEC_HTTP, NETEXEC_UDP],
    },
  };
}

export async function createService(kc: KubeConfig, ns: string, s: ServiceShape): Promise<V1Service> {
  try {
    return await kc.makeApiClient(CoreV1Api).createNamespacedService({ namespace: ns, body: serviceManifest(ns, s) });
  } catch (err) {
    const what = `${s.type ?? 'ClusterIP'} Service ${ns}/${s.name} (${s.policy ?? ''}${s.policy ? ' ' : ''}${s.families.join(', ')})`;
    throw new Error(`creating ${what} failed: ${describeApiError(err)}`, { cause: err });
  }
}

/** Deletes Services of a namespace, all at once, without waiting; one already gone is fine. */
export async function deleteServices(kc: KubeConfig, ns: string, names: readonly string[]): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await Promise.all(
    names.map((name) =>
      core.deleteNamespacedService({ name, namespace: ns }).then(
        () => undefined,
        (err: unknown) => {
          if (!isNotFound(err)) throw err;
        },
      ),
    ),
  );
}
