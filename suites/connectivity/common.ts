/**
 * Shared set-up of the connectivity suite: its namespace, the probe topology (which
 * node pairs), Services built for the cluster's families, and small helpers that turn
 * "this pod has no IPv6 address" into a failed Verdict instead of a TypeError.
 */
import type { V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { TestContext } from 'vitest';
import { all, assertOk, verdict, type CheckFamily, type Verdict } from '../../lib/checks/verdict.ts';
import { suiteNamespace as namespaceFor, type Harness } from '../../lib/harness/context.ts';
export { skipWithoutFamily } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { type IPFamily, urlFor } from '../../lib/net/family.ts';
import { checkHttp } from '../../lib/checks/connectivity.ts';
import { NETEXEC_HTTP_PORT, podIPs, podIpOf, podLabel, type NodePair } from '../../lib/probes/pods.ts';
import { NETEXEC_HTTP, NETEXEC_UDP } from '../../lib/k8s/services.ts';

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

export function suiteNamespace(h: Harness, suite: string = SUITE): Promise<TestNamespace> {
  return namespaceFor(h, suite);
}

/** The pod's IP of `family`, or a failed Verdict saying the pod has none. */
export function ipOr(pod: V1Pod, family: IPFamily, object: string): string | Verdict {
  const ip = podIpOf(pod, family);
  if (ip) return ip;
  return verdict(false, { object, family, expected: `${podLabel(pod)} to have a ${family} address`, seen: `podIPs [${podIPs(pod).join(', ')}]` });
}

export const NETEXEC_PORTS: V1ServicePort[] = [NETEXEC_HTTP, NETEXEC_UDP];
export { createService, serviceManifest, type ServiceShape } from '../../lib/k8s/services.ts';

export function fqdnOf(svc: V1Service, domain: string): string {
  return `${svc.metadata!.name!}.${svc.metadata!.namespace!}.svc.${domain}`;
}

/**
 * The pod → pod HTTP scenario, shared by the check and the CNI fault tests: for each
 * node pair, the client pod on `from` GETs /hostname on the server pod's `family` PodIP
 * on `to` and must reach that very pod. One verdict per pair.
 */
export async function podToPodHttp(h: Harness, pairs: readonly NodePair[], echo: ReadonlyMap<string, V1Pod>, family: IPFamily): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const { from, to } of pairs) {
    const client = echo.get(from)!;
    const server = echo.get(to)!;
    const object = `${podLabel(client)} → ${podLabel(server)}`;
    const ip = ipOr(server, family, object);
    if (typeof ip !== 'string') {
      verdicts.push(ip);
      continue;
    }
    const url = urlFor(ip, NETEXEC_HTTP_PORT, '/hostname');
    verdicts.push(await checkHttp({ kc: h.kc, client }, url, { object: `${object} (${url})`, family, expectBody: [server.metadata!.name!] }));
  }
  return verdicts;
}
