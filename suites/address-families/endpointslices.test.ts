/**
 * EndpointSlices per Service family (upstream validateEndpointSlices: within 10 s one slice per
 * expected family and none of an unexpected one), plus what upstream does not check: the
 * slices' addresses equal the backend pods' IPs of that family, compared as sets of normalised
 * addresses.
 *
 * Faults use selector-less Services with hand-made EndpointSlices: without the
 * `endpointslice.kubernetes.io/managed-by` label neither the EndpointSlice controller nor the
 * mirroring controller touches them, so the fault stays as seeded. Their addresses are from
 * the documentation ranges (192.0.2.0/24, 2001:db8::/32).
 */
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  checkEndpointSliceAddressTypes,
  checkEndpointSliceFamily,
  checkEndpointSlices,
  podIPs,
  serviceRef,
  settle,
  type ServiceRequest,
} from '../../lib/checks/address-families.ts';
import { assertOk, type Verdict } from '../../lib/checks/verdict.ts';
import { harness } from '../../lib/harness/context.ts';
import { createNamespace, type TestNamespace } from '../../lib/k8s/apply.ts';
import { otherFamily, type IPFamily } from '../../lib/net/family.ts';
import { NETEXEC_HTTP_PORT, startProbePods, workerNodes } from '../../lib/probes/pods.ts';
import { createServiceOrThrow, endpointSlicesOf, expectCaught, FAMILIES, requireDualStack, requireFamily, serviceBody, SUITE } from './common.ts';

const h = await harness();
let ns: TestNamespace | undefined;
let backends: V1Pod[] = [];

const BACKEND = { 'v6e2e.io/af-backend': 'web' };
/** EndpointSlices must appear within this long after the Service (upstream: 10 s). */
const SLICE_DEADLINE_MS = 10_000;
const DOC_ADDRESS: Record<IPFamily, string> = { IPv4: '192.0.2.10', IPv6: '2001:db8::10' };
const DOC_ADDRESS_2: Record<IPFamily, string> = { IPv4: '192.0.2.11', IPv6: '2001:db8::11' };

beforeAll(async () => {
  ns = await createNamespace(h.kc, { suite: SUITE, runId: h.env.runId });
  const workers = (await workerNodes(h.kc)).slice(0, 2);
  // Without backends every address check would compare two empty sets.
  expect(workers.length, 'no schedulable node for backend pods').toBeGreaterThan(0);
  // Backends are Ready before any Service exists, so the 10 s are the control plane's alone.
  backends = await startProbePods(
    h.kc,
    ns.name,
    workers.map((node, i) => ({ name: `backend-${i}`, node, labels: BACKEND })),
  );
});

afterAll(async () => {
  await ns?.cleanup();
});

const namespace = () => ns!.name;
const short = (f: IPFamily) => (f === 'IPv4' ? 'v4' : 'v6');
const backendIps = () => backends.flatMap(podIPs);

/** Creates a Service whose selector matches the backend pods. */
async function serviceOverBackends(name: string, req: ServiceRequest): Promise<V1Service> {
  return createServiceOrThrow(h, namespace(), serviceBody(name, req, { selector: BACKEND }));
}

/** Judges the Service's slices until the verdict is ok or 10 s have passed; returns the last verdict. */
async function settled(svc: V1Service, judge: (slices: V1EndpointSlice[]) => Verdict): Promise<Verdict> {
  return settle(async () => judge(await endpointSlicesOf(h, namespace(), svc.metadata!.name!)), SLICE_DEADLINE_MS);
}

function handMadeSlice(name: string, service: string, addressType: IPFamily, addresses: string[]): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    // Deliberately no endpointslice.kubernetes.io/managed-by: no controller owns this slice.
    metadata: { name, labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports: [{ name: 'http', port: NETEXEC_HTTP_PORT, protocol: 'TCP' }],
  };
}

async function selectorlessWithSlices(name: string, req: ServiceRequest, slices: { addressType: IPFamily; addresses: string[] }[]): Promise<V1Service> {
  const svc = await createServiceOrThrow(h, namespace(), serviceBody(name, { ...req, selector: false }));
  for (const [i, s] of slices.entries()) {
    await h.api.discovery.createNamespacedEndpointSlice({ namespace: namespace(), body: handMadeSlice(`${name}-${i}`, name, s.addressType, s.addresses) });
  }
  return svc;
}

describe('endpointslices', () => {
  for (const f of FAMILIES) {
    test(`a SingleStack [${f}] Service over probe pods has, within 10 s, only ${f} EndpointSlices, listing exactly the pods' ${f} IPs [${f}]`, async (ctx) => {
      requireFamily(h, ctx, f);
      const svc = await serviceOverBackends(`single-${short(f)}`, { policy: 'SingleStack', families: [f] });
      assertOk(await settled(svc, (slices) => checkEndpointSlices(svc, slices, backendIps())));
    });
  }

  test("a Service with no ipFamilyPolicy over probe pods has, within 10 s, EndpointSlices of the primary family only, listing the pods' primary IPs [dual]", async () => {
    const svc = await serviceOverBackends('unset', {});
    expect(svc.spec?.ipFamilies).toEqual([h.families.primary]);
    assertOk(await settled(svc, (slices) => checkEndpointSlices(svc, slices, backendIps())));
  });

  test("a PreferDualStack Service over probe pods has, within 10 s, one EndpointSlice family per Service family and no other, listing exactly the pods' IPs [dual]", async () => {
    const svc = await serviceOverBackends('prefer', { policy: 'PreferDualStack' });
    assertOk(await settled(svc, (slices) => checkEndpointSlices(svc, slices, backendIps())));
  });

  for (const order of [
    ['IPv4', 'IPv6'],
    ['IPv6', 'IPv4'],
  ] as IPFamily[][]) {
    test(`a RequireDualStack [${order.join(',')}] Service over probe pods has, within 10 s, an IPv4 and an IPv6 EndpointSlice listing exactly the pods' IPs of each family [dual]`, async (ctx) => {
      requireDualStack(h, ctx);
      const svc = await serviceOverBackends(`require-${order.map(short).join('')}`, { policy: 'RequireDualStack', families: order });
      assertOk(await settled(svc, (slices) => checkEndpointSlices(svc, slices, backendIps())));
    });
  }

  test("the kube-system/kube-dns EndpointSlices list exactly the Ready CoreDNS pods' IPs of the Service's family, and no other family [dual]", async () => {
    const svc = await h.api.core.readNamespacedService({ namespace: 'kube-system', name: 'kube-dns' });
    const selector = Object.entries(svc.spec?.selector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const pods = await h.api.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: selector });
    const ready = pods.items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    expect(ready.length, `no Ready pod matches kube-dns selector ${selector}`).toBeGreaterThan(0);
    const slices = await h.api.discovery.listNamespacedEndpointSlice({ namespace: 'kube-system', labelSelector: 'kubernetes.io/service-name=kube-dns' });
    assertOk(checkEndpointSlices(svc, slices.items, ready.flatMap(podIPs)));
  });

  test('the default/kubernetes EndpointSlices are of the Service’s (primary) family only [dual]', async () => {
    const svc = await h.api.core.readNamespacedService({ namespace: 'default', name: 'kubernetes' });
    const slices = await h.api.discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=kubernetes' });
    assertOk(checkEndpointSliceAddressTypes(svc, slices.items));
  });
});

describe('endpointslices: faults', () => {
  test('fault: a selector-less RequireDualStack Service with a hand-made EndpointSlice of the primary family only fails, naming the missing secondary family [dual]', async (ctx) => {
    requireDualStack(h, ctx);
    const primary = h.families.primary;
    const missing = otherFamily(primary);
    const svc = await selectorlessWithSlices('fault-onefamily', { policy: 'RequireDualStack' }, [{ addressType: primary, addresses: [DOC_ADDRESS[primary]] }]);
    const slices = await endpointSlicesOf(h, namespace(), 'fault-onefamily');
    expect(slices.map((s) => s.addressType)).toEqual([primary]); // the fault is in place, untouched
    const v = checkEndpointSlices(svc, slices, [DOC_ADDRESS[primary], DOC_ADDRESS[missing]]);
    expectCaught(v, { object: `${serviceRef(svc)} EndpointSlices`, family: missing, mentions: [`an EndpointSlice of addressType ${missing}`, `no ${missing} EndpointSlice`] });
  });

  for (const f of FAMILIES) {
    const other = otherFamily(f);
    test(`fault: a selector-less SingleStack [${f}] Service with a hand-made EndpointSlice of addressType ${other} fails, naming ${f} as missing and ${other} as unexpected [${f}]`, async (ctx) => {
      requireFamily(h, ctx, f);
      const name = `fault-wrongtype-${short(f)}`;
      const svc = await selectorlessWithSlices(name, { policy: 'SingleStack', families: [f] }, [{ addressType: other, addresses: [DOC_ADDRESS[other]] }]);
      const slices = await endpointSlicesOf(h, namespace(), name);
      const v = checkEndpointSlices(svc, slices, [DOC_ADDRESS[f]]);
      const object = `${serviceRef(svc)} EndpointSlices`;
      expectCaught(v, { object, family: f, mentions: [`no ${f} EndpointSlice`, `${name}-0 (${other}: ${DOC_ADDRESS[other]})`] });
      expectCaught(v, { object, family: other, mentions: [`only EndpointSlices of addressType [${f}]`, `unexpected ${name}-0 (${other}`] });
    });

    test(`fault: a hand-made ${f} EndpointSlice listing an address that no backend has fails the address check, naming both addresses [${f}]`, async (ctx) => {
      requireFamily(h, ctx, f);
      const name = `fault-stranger-${short(f)}`;
      const svc = await selectorlessWithSlices(name, { policy: 'SingleStack', families: [f] }, [{ addressType: f, addresses: [DOC_ADDRESS_2[f]] }]);
      const slices = await endpointSlicesOf(h, namespace(), name);
      const v = checkEndpointSliceFamily(svc, slices, [DOC_ADDRESS[f]], f);
      expectCaught(v, { object: `${serviceRef(svc)} EndpointSlices`, family: f, mentions: [`missing [${DOC_ADDRESS[f]}]`, `unexpected [${DOC_ADDRESS_2[f]}]`] });
    });
  }
});
