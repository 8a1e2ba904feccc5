/**
 * Service family fields for every ipFamilyPolicy × ipFamilies order (upstream dual_stack.go
 * tests 5–9 and validateServiceAndClusterIPFamily, plus PreferDualStack, headless Services and
 * the two Services every cluster has). The expected outcome of each request, including the
 * API's refusals on single-stack clusters, comes from expectedServiceFamilies in
 * lib/checks/address-families.ts, which follows the API server's defaulting
 * (pkg/registry/core/service/storage/alloc.go initIPFamilyFields).
 *
 * The same tests run on every cluster: a request the cluster cannot satisfy (RequireDualStack,
 * or a family it lacks) is a check that the API REJECTS it with 422 and a reason naming the
 * policy/family, not a skip.
 */
import type { V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  checkServiceCreation,
  checkServiceFamilies,
  expectedServiceFamilies,
  serviceRef,
  type IPFamilyPolicy,
  type ServiceRequest,
} from '../../lib/checks/address-families.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { harness } from '../../lib/harness/context.ts';
import { createNamespace, type TestNamespace } from '../../lib/k8s/apply.ts';
import { familyOf, otherFamily, type IPFamily } from '../../lib/net/family.ts';
import { createService, createServiceOrThrow, expectCaught, FAMILIES, requireDualStack, requireFamily, serviceBody, SUITE } from './common.ts';

const h = await harness();
let ns: TestNamespace | undefined;

beforeAll(async () => {
  ns = await createNamespace(h.kc, { suite: SUITE, runId: h.env.runId });
});

afterAll(async () => {
  await ns?.cleanup();
});

const cluster = () => h.families.families;
const namespace = () => ns!.name;
const short = (f: IPFamily) => (f === 'IPv4' ? 'v4' : 'v6');

/** Creates Service `name` from the request and judges the outcome against the defaulting model. */
async function createAndCheck(name: string, req: ServiceRequest, type?: 'ClusterIP' | 'NodePort'): Promise<void> {
  const outcome = await createService(h, namespace(), serviceBody(name, req, { type }));
  assertOk(checkServiceCreation(`${namespace()}/${name}`, req, outcome, cluster()));
}

describe('services: ipFamilyPolicy × ipFamilies', () => {
  test('a Service with ipFamilyPolicy and ipFamilies unset is SingleStack with one ClusterIP of the primary family [dual]', async () => {
    await createAndCheck('unset', {});
  });

  for (const f of FAMILIES) {
    test(`a Service with ipFamilies [${f}] and no policy is SingleStack [${f}] with one ${f} ClusterIP (rejected, naming ${f}, where the cluster has no ${f}) [${f}]`, async () => {
      await createAndCheck(`nopolicy-${short(f)}`, { families: [f] });
    });

    test(`every Service of policy SingleStack [${f}] has one ClusterIP of ${f}, clusterIP == clusterIPs[0] (rejected, naming ${f}, where the cluster has no ${f}) [${f}]`, async () => {
      await createAndCheck(`single-${short(f)}`, { policy: 'SingleStack', families: [f] });
    });
  }

  test('every Service of policy PreferDualStack has one ClusterIP per cluster family, primary first (one on single-stack clusters) [dual]', async () => {
    await createAndCheck('prefer', { policy: 'PreferDualStack' });
  });

  for (const f of FAMILIES) {
    test(`every Service of policy PreferDualStack [${f}] lists ${f} first, then the other family where the cluster has it (rejected, naming ${f}, where the cluster has no ${f}) [${f}]`, async () => {
      await createAndCheck(`prefer-${short(f)}`, { policy: 'PreferDualStack', families: [f] });
    });
  }

  test('every Service of policy RequireDualStack with ipFamilies unset has one ClusterIP per family in cluster order (rejected on single-stack clusters, naming RequireDualStack) [dual]', async () => {
    await createAndCheck('require', { policy: 'RequireDualStack' });
  });

  for (const order of [
    ['IPv4', 'IPv6'],
    ['IPv6', 'IPv4'],
  ] as IPFamily[][]) {
    test(`every Service of policy RequireDualStack [${order.join(',')}] has one ClusterIP per family, in ipFamilies order (rejected on single-stack clusters, naming RequireDualStack and the missing family) [dual]`, async () => {
      await createAndCheck(`require-${order.map(short).join('')}`, { policy: 'RequireDualStack', families: order });
    });
  }

  test('a NodePort Service of policy PreferDualStack gets one ClusterIP per cluster family, primary first, like a ClusterIP Service [dual]', async () => {
    await createAndCheck('nodeport-prefer', { policy: 'PreferDualStack' }, 'NodePort');
  });
});

describe('services: headless', () => {
  test('a headless Service with a selector and no policy is SingleStack of the primary family, clusterIPs [None] [dual]', async () => {
    await createAndCheck('headless-unset', { headless: true });
  });

  test('a headless Service of policy PreferDualStack has ipFamilies of every cluster family, primary first, clusterIPs [None] [dual]', async () => {
    await createAndCheck('headless-prefer', { headless: true, policy: 'PreferDualStack' });
  });

  test('a headless Service of policy RequireDualStack has both ipFamilies, primary first (rejected on single-stack clusters, naming RequireDualStack) [dual]', async () => {
    await createAndCheck('headless-require', { headless: true, policy: 'RequireDualStack' });
  });

  // The API server's special case: headless + selector-less defaults to RequireDualStack and
  // gets both families even on a single-stack cluster (it allocates no IP, so nothing is
  // "not configured"). Documented in concepts/services-networking/dual-stack.
  test('a headless Service without a selector and no policy defaults to RequireDualStack with both ipFamilies, primary first, even on single-stack clusters [dual]', async () => {
    await createAndCheck('headless-noselector', { headless: true, selector: false });
  });
});

describe('services: the cluster’s own', () => {
  // The API server creates default/kubernetes from the first --service-cluster-ip-range entry
  // and never makes it dual-stack: SingleStack, primary family, clusterIPs[0] = first address.
  test('the default/kubernetes Service is SingleStack with one ClusterIP of the primary family [dual]', async () => {
    const s = await h.api.core.readNamespacedService({ namespace: 'default', name: 'kubernetes' });
    assertOk(checkServiceFamilies(s, { policy: 'SingleStack', families: [h.families.primary] }));
  });

  // kubeadm creates kube-dns with clusterIP pinned to the 10th address of the FIRST service CIDR
  // and no ipFamilyPolicy, so the API server defaults it to SingleStack of that (primary) family,
  // on dual-stack clusters too (kind's dual clusters observed the same: one ClusterIP). Pods'
  // resolv.conf points at that one address; the secondary family is served through it.
  test('the kube-system/kube-dns Service is SingleStack of the primary family, as kubeadm creates it [dual]', async () => {
    const s = await h.api.core.readNamespacedService({ namespace: 'kube-system', name: 'kube-dns' });
    assertOk(checkServiceFamilies(s, { policy: 'SingleStack', families: [h.families.primary] }));
  });
});

describe('services: faults', () => {
  test('fault: a RequireDualStack [IPv4,IPv6] Service patched down to SingleStack [IPv4] (allowed by the API) fails the RequireDualStack check, naming the Service and IPv6 [dual]', async (ctx) => {
    requireDualStack(h, ctx);
    const created = await createServiceOrThrow(h, namespace(), serviceBody('fault-downgrade', { policy: 'RequireDualStack', families: ['IPv4', 'IPv6'] }));
    const want = { policy: 'RequireDualStack' as IPFamilyPolicy, families: ['IPv4', 'IPv6'] as IPFamily[] };
    assertOk(checkServiceFamilies(created, want)); // healthy before the fault
    const down: V1Service = structuredClone(created);
    down.spec!.ipFamilyPolicy = 'SingleStack';
    down.spec!.ipFamilies = ['IPv4'];
    down.spec!.clusterIPs = created.spec!.clusterIPs!.filter((ip) => familyOf(ip) === 'IPv4');
    const live = await h.api.core.replaceNamespacedService({ namespace: namespace(), name: 'fault-downgrade', body: down });
    const v = checkServiceFamilies(live, want);
    expectCaught(v, { object: serviceRef(live), family: 'IPv6', mentions: ['ipFamilies[1] = IPv6', 'saw ipFamilyPolicy SingleStack, ipFamilies [IPv4]'] });
    expectCaught(v, { object: serviceRef(live), family: 'IPv6', mentions: ['clusterIPs[1] of IPv6'] });
    expectCaught(v, { object: serviceRef(live), family: 'dual', mentions: ['ipFamilyPolicy RequireDualStack', 'saw ipFamilyPolicy SingleStack'] });
  });

  for (const f of FAMILIES) {
    test(`fault: a SingleStack [${f}] Service patched to PreferDualStack (allowed by the API) fails its SingleStack [${f}] check, naming the Service and the policy [${f}]`, async (ctx) => {
      requireFamily(h, ctx, f);
      const name = `fault-upgrade-${short(f)}`;
      const created = await createServiceOrThrow(h, namespace(), serviceBody(name, { policy: 'SingleStack', families: [f] }));
      const want = { policy: 'SingleStack' as IPFamilyPolicy, families: [f] };
      assertOk(checkServiceFamilies(created, want));
      const up: V1Service = structuredClone(created);
      up.spec!.ipFamilyPolicy = 'PreferDualStack';
      const live = await h.api.core.replaceNamespacedService({ namespace: namespace(), name, body: up });
      const v = checkServiceFamilies(live, want);
      expectCaught(v, { object: serviceRef(live), family: f, mentions: ['ipFamilyPolicy SingleStack', 'saw ipFamilyPolicy PreferDualStack'] });
      if (h.has(otherFamily(f))) {
        // On a dual-stack cluster the upgrade also allocates a ClusterIP of the other family.
        expectCaught(v, { object: serviceRef(live), family: f, mentions: [`expected ipFamilies [${f}]`, `ipFamilies [${f}, ${otherFamily(f)}]`] });
      }
    });
  }

  test('fault: a RequireDualStack Service whose clusterIPs are swapped against ipFamilies (deep copy of the live Service: the API forbids this change) fails, naming both families [dual]', async (ctx) => {
    requireDualStack(h, ctx);
    const created = await createServiceOrThrow(h, namespace(), serviceBody('fault-swapped', { policy: 'RequireDualStack' }));
    const want = { policy: 'RequireDualStack' as IPFamilyPolicy, families: [...cluster()] };
    assertOk(checkServiceFamilies(created, want));
    const copy = structuredClone(created);
    copy.spec!.clusterIPs = [...copy.spec!.clusterIPs!].reverse();
    const v = checkServiceFamilies(copy, want);
    const [first, second] = cluster() as [IPFamily, IPFamily];
    expectCaught(v, { object: serviceRef(copy), family: first, mentions: [`clusterIPs[0] of ${first}`] });
    expectCaught(v, { object: serviceRef(copy), family: second, mentions: [`clusterIPs[1] of ${second}`] });
    expectCaught(v, { object: serviceRef(copy), family: first, mentions: ['clusterIP == clusterIPs[0]'] });
  });

  for (const f of FAMILIES) {
    test(`fault: the rejection check fails when the API accepts: SingleStack [${f}] created on a cluster that has ${f}, judged as if the cluster had only ${otherFamily(f)} [${f}]`, async (ctx) => {
      requireFamily(h, ctx, f);
      const req: ServiceRequest = { policy: 'SingleStack', families: [f] };
      const pretend = [otherFamily(f)];
      const want = expectedServiceFamilies(req, pretend);
      if (want.accepted) throw new Error('model: SingleStack of a missing family should be rejected');
      const name = `fault-accepted-${short(f)}`;
      const outcome = await createService(h, namespace(), serviceBody(name, req));
      const v = checkServiceCreation(`${namespace()}/${name}`, req, outcome, pretend);
      expectCaught(v, {
        object: `Service ${namespace()}/${name} (ipFamilyPolicy SingleStack, ipFamilies [${f}])`,
        family: f,
        mentions: [`rejected with HTTP 422 naming ${f}`, `saw created: ipFamilyPolicy SingleStack, ipFamilies [${f}]`],
      });
    });
  }
});
