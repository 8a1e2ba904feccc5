/**
 * Shared by the address-families suite files: family skips, Service bodies, creating a
 * Service while keeping the API's refusal as data, EndpointSlice listing, and seeding a
 * fault on a deep copy among live peers.
 */
import type { V1EndpointSlice, V1Node, V1Service, V1ServiceSpec } from '@kubernetes/client-node';
import type { TestContext } from 'vitest';
import type { CreateOutcome, ServiceRequest } from '../../lib/checks/address-families.ts';
import { FAMILIES, missingFamily, type Harness } from '../../lib/harness/context.ts';
import { apiStatus, describeApiError } from '../../lib/k8s/client.ts';
import { otherFamily, type IPFamily } from '../../lib/net/family.ts';

export const SUITE = 'address-families';

export { FAMILIES } from '../../lib/harness/context.ts';

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
 * `items` with its first element replaced by a deep copy that `seed` changed: the fault test
 * hands the check's scenario one faulty object among the live ones it judges.
 */
export function seedFirst<T>(items: readonly T[], seed: (copy: T) => void): [seeded: T, all: T[]] {
  const first = items[0];
  if (first === undefined) throw new Error('seedFirst: nothing to seed a fault on');
  const seeded = structuredClone(first);
  seed(seeded);
  return [seeded, [seeded, ...items.slice(1)]];
}
