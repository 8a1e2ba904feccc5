/**
 * EndpointSlices per Service family (upstream validateEndpointSlices: within 10 s one slice per
 * expected family and none of an unexpected one), plus what upstream does not check: the
 * slices' addresses equal the backend pods' IPs of that family, compared as sets of normalised
 * addresses.
 *
 * Faults use selector-less Services with hand-made EndpointSlices: without the
 * `endpointslice.kubernetes.io/managed-by` label neither the EndpointSlice controller nor the
 * mirroring controller touches them, so the fault stays as seeded. Their addresses are from
 * the documentation ranges (192.0.2.0/24, 2001:db8::/32). They are judged by the checks' own
 * scenario, 10 s wait included (a fault never settles, so each takes the full 10 s).
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { podIPs, serviceRef, type ServiceRequest } from '../../lib/checks/address-families.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { check, checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault } from '../../lib/harness/fault.ts';
import { createNamespace, type TestNamespace } from '../../lib/k8s/apply.ts';
import { otherFamily, type IPFamily } from '../../lib/net/family.ts';
import { deleteServices } from '../../lib/k8s/services.ts';
import { fleet, FLEET_ECHO_SELECTOR, type Fleet } from '../../lib/probes/fleet.ts';
import { NETEXEC_HTTP_PORT } from '../../lib/probes/pods.ts';
import { createServiceOrThrow, endpointSlicesOf, FAMILIES, requireDualStack, requireFamily, serviceBody, SUITE } from './common.ts';
import { endpointSliceFamilies, endpointSlicesListBackends, kubeDnsEndpointSlices } from './scenarios.ts';

let h: Harness;
let probes: Fleet;
/** The faults' namespace, made by the first fault (a run without self-tests needs none). */
let faultNs: Promise<TestNamespace> | undefined;
/** Services this file made in the fleet's namespace: afterAll removes them. */
const overFleet: string[] = [];

const DOC_ADDRESS: Record<IPFamily, string> = { IPv4: '192.0.2.10', IPv6: '2001:db8::10' };
const DOC_ADDRESS_2: Record<IPFamily, string> = { IPv4: '192.0.2.11', IPv6: '2001:db8::11' };

beforeAll(async () => {
  h = await harness();
  // The backends are the probe fleet's echo pods, Ready before any Service exists, so the
  // 10 s are the control plane's alone.
  probes = await fleet(h.kc, h.env.runId);
});

afterAll(async () => {
  if (probes) await deleteServices(h.kc, probes.namespace, overFleet);
  await (await faultNs)?.cleanup();
});

const namespace = async () => (await (faultNs ??= createNamespace(h.kc, { suite: SUITE, runId: h.env.runId }))).name;
const short = (f: IPFamily) => (f === 'IPv4' ? 'v4' : 'v6');
const backendIps = () => probes.pods.flatMap(podIPs);
const ORDERS: IPFamily[][] = [
  ['IPv4', 'IPv6'],
  ['IPv6', 'IPv4'],
];

/** Creates a Service over the fleet's echo pods, in the fleet's namespace (a Service selects only its own namespace's pods). */
async function serviceOverBackends(name: string, req: ServiceRequest): Promise<V1Service> {
  const own = `af-${name}`;
  overFleet.push(own);
  return createServiceOrThrow(h, probes.namespace, serviceBody(own, req, { selector: FLEET_ECHO_SELECTOR }));
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
  const ns = await namespace();
  const svc = await createServiceOrThrow(h, ns, serviceBody(name, { ...req, selector: false }));
  for (const [i, s] of slices.entries()) {
    await h.api.discovery.createNamespacedEndpointSlice({ namespace: ns, body: handMadeSlice(`${name}-${i}`, name, s.addressType, s.addresses) });
  }
  return svc;
}

describe('endpointslices', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `address-families/endpointslices/a-singlestack-${idFamily(f)}-service-over-probe-pods-has-within-10-s-only-${idFamily(f)}-endpointslices-listing-exactly-the-pods-${idFamily(f)}-ips-${idFamily(f)}`,
      family: f,
      title: `a SingleStack [${f}] Service over probe pods has, within 10 s, only ${f} EndpointSlices, listing exactly the pods' ${f} IPs [${f}]`,
    }),
    async (f, ctx) => {
      requireFamily(h, ctx, f);
      const svc = await serviceOverBackends(`single-${short(f)}`, { policy: 'SingleStack', families: [f] });
      assertOk(await endpointSlicesListBackends(h, svc, backendIps()));
    },
  );

  check(
    {
      id: 'address-families/endpointslices/a-service-with-no-ipfamilypolicy-over-probe-pods-has-within-10-s-endpointslices-of-the-primary-family-only-listing-the-pods-primary-ips-dual',
      family: 'dual',
      title: "a Service with no ipFamilyPolicy over probe pods has, within 10 s, EndpointSlices of the primary family only, listing the pods' primary IPs [dual]",
    },
    async () => {
      const svc = await serviceOverBackends('unset', {});
      expect(svc.spec?.ipFamilies).toEqual([h.families.primary]);
      assertOk(await endpointSlicesListBackends(h, svc, backendIps()));
    },
  );

  check(
    {
      id: 'address-families/endpointslices/a-preferdualstack-service-over-probe-pods-has-within-10-s-one-endpointslice-family-per-service-family-and-no-other-listing-exactly-the-pods-ips-dual',
      family: 'dual',
      title: "a PreferDualStack Service over probe pods has, within 10 s, one EndpointSlice family per Service family and no other, listing exactly the pods' IPs [dual]",
    },
    async () => {
      const svc = await serviceOverBackends('prefer', { policy: 'PreferDualStack' });
      assertOk(await endpointSlicesListBackends(h, svc, backendIps()));
    },
  );

  for (const order of ORDERS) {
    check(
      {
        id: `address-families/endpointslices/a-requiredualstack-${order.map(idFamily).join('-')}-service-over-probe-pods-has-within-10-s-an-ipv4-and-an-ipv6-endpointslice-listing-exactly-the-pods-ips-of-each-family-dual`,
        family: 'dual',
        title: `a RequireDualStack [${order.join(',')}] Service over probe pods has, within 10 s, an IPv4 and an IPv6 EndpointSlice listing exactly the pods' IPs of each family [dual]`,
      },
      async (ctx) => {
        requireDualStack(h, ctx);
        const svc = await serviceOverBackends(`require-${order.map(short).join('')}`, { policy: 'RequireDualStack', families: order });
        assertOk(await endpointSlicesListBackends(h, svc, backendIps()));
      },
    );
  }

  check(
    {
      id: 'address-families/endpointslices/the-kube-system-kube-dns-endpointslices-list-exactly-the-ready-coredns-pods-ips-of-the-service-s-family-and-no-other-family-dual',
      family: 'dual',
      title: "the kube-system/kube-dns EndpointSlices list exactly the Ready CoreDNS pods' IPs of the Service's family, and no other family [dual]",
    },
    async () => assertOk(await kubeDnsEndpointSlices(h)),
  );

  check(
    {
      id: 'address-families/endpointslices/the-default-kubernetes-endpointslices-are-of-the-service-s-primary-family-only-dual',
      family: 'dual',
      title: 'the default/kubernetes EndpointSlices are of the Service’s (primary) family only [dual]',
    },
    async () => assertOk(await endpointSliceFamilies(h, 'default', 'kubernetes')),
  );
});

// Concurrent: each fault has its own Service and slices, and mostly waits out its 10 s (five in
// turn held a worker for ~55 s of a self-test's first wave).
describe.concurrent('endpointslices: faults', () => {
  check(
    {
      id: 'address-families/endpointslices-faults/fault-a-selector-less-requiredualstack-service-with-a-hand-made-endpointslice-of-the-primary-family-only-fails-naming-the-missing-secondary-family-dual',
      family: 'dual',
      kind: 'fault',
      title: 'fault: a selector-less RequireDualStack Service with a hand-made EndpointSlice of the primary family only fails, naming the missing secondary family [dual]',
    },
    async (ctx) => {
      requireDualStack(h, ctx);
      const primary = h.families.primary;
      const missing = otherFamily(primary);
      const svc = await selectorlessWithSlices('fault-onefamily', { policy: 'RequireDualStack' }, [{ addressType: primary, addresses: [DOC_ADDRESS[primary]] }]);
      const slices = await endpointSlicesOf(h, svc.metadata!.namespace!, 'fault-onefamily');
      expect(slices.map((s) => s.addressType)).toEqual([primary]); // the fault is in place, untouched
      const v = await endpointSlicesListBackends(h, svc, [DOC_ADDRESS[primary], DOC_ADDRESS[missing]]);
      expectFault(v, { object: `${serviceRef(svc)} EndpointSlices`, family: missing, expected: [`an EndpointSlice of addressType ${missing}`], seen: [`no ${missing} EndpointSlice`] });
    },
  );

  for (const f of FAMILIES) {
    const other = otherFamily(f);
    check(
      {
        id: `address-families/endpointslices-faults/fault-a-selector-less-singlestack-${idFamily(f)}-service-with-a-hand-made-endpointslice-of-addresstype-${idFamily(other)}-fails-naming-${idFamily(f)}-as-missing-and-${idFamily(other)}-as-unexpected-${idFamily(f)}`,
        family: f,
        kind: 'fault',
        title: `fault: a selector-less SingleStack [${f}] Service with a hand-made EndpointSlice of addressType ${other} fails, naming ${f} as missing and ${other} as unexpected [${f}]`,
      },
      async (ctx) => {
        requireFamily(h, ctx, f);
        const name = `fault-wrongtype-${short(f)}`;
        const svc = await selectorlessWithSlices(name, { policy: 'SingleStack', families: [f] }, [{ addressType: other, addresses: [DOC_ADDRESS[other]] }]);
        const v = await endpointSlicesListBackends(h, svc, [DOC_ADDRESS[f]]);
        const object = `${serviceRef(svc)} EndpointSlices`;
        expectFault(v, { object, family: f, seen: [`no ${f} EndpointSlice`, `${name}-0 (${other}: ${DOC_ADDRESS[other]})`] });
        expectFault(v, { object, family: other, expected: [`only EndpointSlices of addressType [${f}]`], seen: [`unexpected ${name}-0 (${other}`] });
      },
    );

    check(
      {
        id: `address-families/endpointslices-faults/fault-a-hand-made-${idFamily(f)}-endpointslice-listing-an-address-that-no-backend-has-fails-the-address-check-naming-both-addresses-${idFamily(f)}`,
        family: f,
        kind: 'fault',
        title: `fault: a hand-made ${f} EndpointSlice listing an address that no backend has fails the address check, naming both addresses [${f}]`,
      },
      async (ctx) => {
        requireFamily(h, ctx, f);
        const name = `fault-stranger-${short(f)}`;
        const svc = await selectorlessWithSlices(name, { policy: 'SingleStack', families: [f] }, [{ addressType: f, addresses: [DOC_ADDRESS_2[f]] }]);
        const v = await endpointSlicesListBackends(h, svc, [DOC_ADDRESS[f]]);
        expectFault(v, { object: `${serviceRef(svc)} EndpointSlices`, family: f, seen: [`missing [${DOC_ADDRESS[f]}]`, `unexpected [${DOC_ADDRESS_2[f]}]`] });
      },
    );
  }
});
