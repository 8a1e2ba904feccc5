/**
 * Ready endpoints of a Service, per family, from its EndpointSlices — what kube-proxy
 * and CoreDNS act on. Used to wait until a Service is usable before probing it.
 */
import { DiscoveryV1Api, type KubeConfig, type V1EndpointSlice } from '@kubernetes/client-node';
import { familyOf, isIp, type IPFamily } from '../net/family.ts';
import { waitFor } from './wait.ts';

export type EndpointsByFamily = Record<IPFamily, string[]>;

/** Addresses of ready endpoints (`conditions.ready` unset counts as ready, as the API says), by family. */
export function readyAddresses(slices: readonly V1EndpointSlice[]): EndpointsByFamily {
  const out: EndpointsByFamily = { IPv4: [], IPv6: [] };
  for (const s of slices) {
    for (const ep of s.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const a of ep.addresses ?? []) {
        if (isIp(a)) out[familyOf(a)].push(a);
      }
    }
  }
  return out;
}

export async function serviceSlices(kc: KubeConfig, ns: string, service: string): Promise<V1EndpointSlice[]> {
  const list = await kc.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: ns, labelSelector: `kubernetes.io/service-name=${service}` });
  return list.items;
}

/** Waits until the Service has at least `count` ready endpoints in each of `families`. */
export function waitForEndpoints(kc: KubeConfig, ns: string, service: string, families: readonly IPFamily[], count = 1, timeoutMs = 60_000): Promise<EndpointsByFamily> {
  return waitEndpoints(kc, ns, service, `${count} ready endpoint(s) per family ${families.join('+')}`, (e) => families.every((f) => e[f].length >= count), timeoutMs);
}

/** Waits until the Service has no ready endpoint left in any of `families` (its backends gone or no longer selected). */
export async function waitNoEndpoints(kc: KubeConfig, ns: string, service: string, families: readonly IPFamily[], timeoutMs = 60_000): Promise<void> {
  await waitEndpoints(kc, ns, service, `no ready endpoint of ${families.join('+')}`, (e) => families.every((f) => e[f].length === 0), timeoutMs);
}

/** Polls the Service's ready endpoints until `until` holds; `what` completes "Service ns/name has …". */
function waitEndpoints(kc: KubeConfig, ns: string, service: string, what: string, until: (e: EndpointsByFamily) => boolean, timeoutMs: number): Promise<EndpointsByFamily> {
  return waitFor(`Service ${ns}/${service} has ${what}`, async () => readyAddresses(await serviceSlices(kc, ns, service)), {
    timeoutMs,
    intervalMs: 500,
    until,
    describe: (e) => `IPv4 [${e.IPv4.join(', ')}], IPv6 [${e.IPv6.join(', ')}]`,
  });
}
