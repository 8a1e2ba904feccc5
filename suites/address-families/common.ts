/**
 * Shared by the address-families suite files: family skips, Service bodies, creating a
 * Service while keeping the API's refusal as data, EndpointSlice listing, and the one
 * assertion fault tests make.
 */
import type { V1EndpointSlice, V1Node, V1Service, V1ServiceSpec } from '@kubernetes/client-node';
import { expect, type TestContext } from 'vitest';
import type { CreateOutcome, ServiceRequest } from '../../lib/checks/address-families.ts';
import type { CheckFamily, Verdict } from '../../lib/checks/verdict.ts';
import { missingFamily, type Harness } from '../../lib/harness/context.ts';
import { apiStatus, describeApiError } from '../../lib/k8s/client.ts';
import { IP_FAMILIES, otherFamily, type IPFamily } from '../../lib/net/family.ts';

export const SUITE = 'address-families';

/** Every family, on every cluster: tests are declared for both so check ids are stable. */
export const FAMILIES: readonly IPFamily[] = IP_FAMILIES;

/** Skips (reported as skipped, with the reason) unless the cluster has `family`. */
export function requireFamily(h: Harness, ctx: TestContext, family: IPFamily): void {
  const why = missingFamily(h, family);
  if (why) ctx.skip(why);
}

/** Skips unless the cluster has both families. */
export function requireDualStack(h: Harness, ctx: TestContext): void {
  for (const f of FAMILIES) requireFamily(h, ctx, f);
}

export function secondary(h: Harness): IPFamily {
  return otherFamily(h.families.primary);
}

/** A selector that matches no pod, for Services whose backends do not matter. */
export const NO_BACKENDS = { 'app.kubernetes.io/name': 'v6e2e-af-no-backends' };

export function serviceBody(
  name: string,
  req: ServiceRequest,
  opts: { selector?: Record<string, string>; type?: 'ClusterIP' | 'NodePort' } = {},
): V1Service {
  const spec: V1ServiceSpec = {
    type: opts.type ?? 'ClusterIP',
    ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
  };
  if (req.selector !== false) spec.selector = opts.selector ?? NO_BACKENDS;
  if (req.policy) spec.ipFamilyPolicy = req.policy;
  if (req.families) spec.ipFamilies = [...req.families];
  if (req.headless) spec.clusterIP = 'None';
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec };
}

/** Creates the Service; an API refusal is an outcome to judge, not an exception. */
export async function createService(h: Harness, namespace: string, body: V1Service): Promise<CreateOutcome> {
  try {
    return { service: await h.api.core.createNamespacedService({ namespace, body }) };
  } catch (err) {
    const status = apiStatus(err);
    if (status === undefined) throw err; // transport trouble: not an answer from the API
    return { error: { status, message: describeApiError(err) } };
  }
}

export async function createServiceOrThrow(h: Harness, namespace: string, body: V1Service): Promise<V1Service> {
  const out = await createService(h, namespace, body);
  if ('error' in out) throw new Error(`creating Service ${namespace}/${body.metadata?.name ?? '?'} failed: ${out.error.message}`);
  return out.service;
}

export async function endpointSlicesOf(h: Harness, namespace: string, service: string): Promise<V1EndpointSlice[]> {
  const list = await h.api.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
  return list.items;
}

export function nodeNamed(nodes: readonly V1Node[], name: string | undefined): V1Node {
  const n = nodes.find((x) => x.metadata?.name === name);
  if (!n) throw new Error(`node ${name ?? '(none)'} not found among ${nodes.map((x) => x.metadata?.name).join(', ')}`);
  return n;
}

/**
 * The fault test's assertion: the check failed, and one line of its message is
 * `<object> [<family>]: expected …, saw …` containing every `mentions` fragment.
 */
export function expectCaught(v: Verdict, want: { object: string; family: CheckFamily; mentions?: string[] }): void {
  expect(v.ok, `the check passed on a seeded fault: ${v.message}`).toBe(false);
  const lines = v.message.split('\n');
  const prefix = `${want.object} [${want.family}]: expected `;
  const line = lines.find((l) => l.startsWith(prefix) && l.includes(', saw ') && (want.mentions ?? []).every((m) => l.includes(m)));
  expect(line, `no failure line starting "${prefix}" and mentioning ${JSON.stringify(want.mentions ?? [])} in:\n${v.message}`).toBeDefined();
}
