/**
 * Shared set-up of the connectivity suite: its namespace, the probe topology (which
 * node pairs), Services built for the cluster's families, and small helpers that turn
 * "this pod has no IPv6 address" into a failed Verdict instead of a TypeError.
 */
import { CoreV1Api, type KubeConfig, type V1Pod, type V1Service, type V1ServicePort } from '@kubernetes/client-node';
import type { TestContext } from 'vitest';
import { all, assertOk, verdict, type CheckFamily, type Verdict } from '../../lib/checks/verdict.ts';
import { missingFamily, type Harness } from '../../lib/harness/context.ts';
import { createNamespace, type TestNamespace } from '../../lib/k8s/apply.ts';
import { describeApiError } from '../../lib/k8s/client.ts';
import { type IPFamily } from '../../lib/net/family.ts';
import { NETEXEC_HTTP_PORT, NETEXEC_UDP_PORT, podIPs, podIpOf, podLabel } from '../../lib/probes/pods.ts';

export const SUITE = 'connectivity';

/** Both families are always declared; tests for a family the cluster lacks are skipped. */
export const FAMILIES: readonly IPFamily[] = ['IPv4', 'IPv6'];

/** At most this many node pairs are probed (a ring), however large the cluster. */
export const MAX_NODE_PAIRS = 3;

/** netexec ports for hostNetwork pods: outside the NodePort range and unlikely to be taken on a node. */
export const HOST_HTTP_PORT = 28080;
export const HOST_UDP_PORT = 28081;

export const ROLE_LABEL = 'v6e2e.io/role';

/**
 * The suite's one assertion: annotates the test with every verdict that passed only on
 * a retry (so a flaky first contact shows in the report), then asserts they all passed.
 */
export async function expectAllOk(ctx: TestContext, verdicts: Verdict | Verdict[], object?: string, family?: CheckFamily): Promise<void> {
  const list = Array.isArray(verdicts) ? verdicts : [verdicts];
  for (const v of list) if (v.ok && v.seen.includes('(on attempt ')) await ctx.annotate(v.message, 'passed on retry');
  assertOk(list.length === 1 && !object ? list[0]! : all(list, object ?? 'checks', family ?? list[0]?.family ?? 'none'));
}

export function skipWithoutFamily(ctx: TestContext, h: Harness, family: IPFamily): void {
  const why = missingFamily(h, family);
  if (why) ctx.skip(why);
}

export async function suiteNamespace(h: Harness, suite = SUITE): Promise<TestNamespace> {
  return createNamespace(h.kc, { suite, runId: h.env.runId });
}

/** The pod's IP of `family`, or a failed Verdict saying the pod has none. */
export function ipOr(pod: V1Pod, family: IPFamily, object: string): string | Verdict {
  const ip = podIpOf(pod, family);
  if (ip) return ip;
  return verdict(false, { object, family, expected: `${podLabel(pod)} to have a ${family} address`, seen: `podIPs [${podIPs(pod).join(', ')}]` });
}

export const NETEXEC_PORTS: V1ServicePort[] = [
  { name: 'http', port: NETEXEC_HTTP_PORT, targetPort: NETEXEC_HTTP_PORT, protocol: 'TCP' },
  { name: 'udp', port: NETEXEC_UDP_PORT, targetPort: NETEXEC_UDP_PORT, protocol: 'UDP' },
];

export interface ServiceShape {
  name: string;
  selector: Record<string, string>;
  families: readonly IPFamily[];
  headless?: boolean;
  ports?: V1ServicePort[];
}

/** RequireDualStack with the cluster's order when two families are asked for, SingleStack otherwise. */
export function serviceManifest(ns: string, s: ServiceShape): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: ns },
    spec: {
      selector: s.selector,
      ipFamilyPolicy: s.families.length > 1 ? 'RequireDualStack' : 'SingleStack',
      ipFamilies: [...s.families],
      ...(s.headless ? { clusterIP: 'None' } : {}),
      ports: s.ports ?? NETEXEC_PORTS,
    },
  };
}

export async function createService(kc: KubeConfig, ns: string, s: ServiceShape): Promise<V1Service> {
  try {
    return await kc.makeApiClient(CoreV1Api).createNamespacedService({ namespace: ns, body: serviceManifest(ns, s) });
  } catch (err) {
    throw new Error(`creating Service ${ns}/${s.name} (${s.families.join(', ')}) failed: ${describeApiError(err)}`, { cause: err });
  }
}

export function fqdnOf(svc: V1Service, domain: string): string {
  return `${svc.metadata!.name!}.${svc.metadata!.namespace!}.svc.${domain}`;
}
