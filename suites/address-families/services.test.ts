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
 *
 * Faults go through the checks' scenario (serviceAsRequested): they seed a change on the
 * created Service (through the API where it allows it, on a deep copy where it does not), or
 * judge against a cluster the Service was not created on.
 */
import type { V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkServiceFamilies, expectedServiceFamilies, type ServiceRequest } from '../../lib/checks/address-families.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { check, checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import { createNamespace, type TestNamespace } from '../../lib/k8s/apply.ts';
import { familyOf, otherFamily, type IPFamily } from '../../lib/net/family.ts';
import { FAMILIES, requireDualStack, requireFamily, SUITE } from './common.ts';
import { existingServiceFamilies, serviceAsRequested, type ServiceScenarioOptions } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace | undefined;

beforeAll(async () => {
  h = await harness();
  ns = await createNamespace(h.kc, { suite: SUITE, runId: h.env.runId });
});

afterAll(async () => {
  await ns?.cleanup();
});

const cluster = () => h.families.families;
const namespace = () => ns!.name;
const short = (f: IPFamily) => (f === 'IPv4' ? 'v4' : 'v6');
const ORDERS: IPFamily[][] = [
  ['IPv4', 'IPv6'],
  ['IPv6', 'IPv4'],
];

/** The check of every request: Service `name` created on this cluster, judged against the defaulting model. */
async function asRequested(name: string, req: ServiceRequest, opts?: ServiceScenarioOptions): Promise<void> {
  assertOk(await serviceAsRequested(h, namespace(), name, req, cluster(), opts));
}

/** Replaces the live Service with `change` applied (the API allows it): the fault as the cluster stores it. */
async function replaced(created: V1Service, change: (s: V1Service) => void): Promise<V1Service> {
  const body = structuredClone(created);
  change(body);
  return h.api.core.replaceNamespacedService({ namespace: namespace(), name: created.metadata!.name!, body });
}

describe('services: ipFamilyPolicy × ipFamilies', () => {
  check(
    {
      id: `address-families/services-ipfamilypolicy-ipfamilies/a-service-with-ipfamilypolicy-and-ipfamilies-unset-is-singlestack-with-one-clusterip-of-the-primary-family-dual`,
      family: 'dual',
      title: 'a Service with ipFamilyPolicy and ipFamilies unset is SingleStack with one ClusterIP of the primary family [dual]',
    },
    () => asRequested('unset', {}),
  );

  for (const f of FAMILIES) {
    check(
      {
        id: `address-families/services-ipfamilypolicy-ipfamilies/a-service-with-ipfamilies-${idFamily(f)}-and-no-policy-is-singlestack-${idFamily(f)}-with-one-${idFamily(f)}-clusterip-rejected-naming-${idFamily(f)}-where-the-cluster-has-no-${idFamily(f)}-${idFamily(f)}`,
        family: f,
        title: `a Service with ipFamilies [${f}] and no policy is SingleStack [${f}] with one ${f} ClusterIP (rejected, naming ${f}, where the cluster has no ${f}) [${f}]`,
      },
      () => asRequested(`nopolicy-${short(f)}`, { families: [f] }),
    );

    check(
      {
        id: `address-families/services-ipfamilypolicy-ipfamilies/every-service-of-policy-singlestack-${idFamily(f)}-has-one-clusterip-of-${idFamily(f)}-clusterip-clusterips-0-rejected-naming-${idFamily(f)}-where-the-cluster-has-no-${idFamily(f)}-${idFamily(f)}`,
        family: f,
        title: `every Service of policy SingleStack [${f}] has one ClusterIP of ${f}, clusterIP == clusterIPs[0] (rejected, naming ${f}, where the cluster has no ${f}) [${f}]`,
      },
      () => asRequested(`single-${short(f)}`, { policy: 'SingleStack', families: [f] }),
    );
  }

  check(
    {
      id: `address-families/services-ipfamilypolicy-ipfamilies/every-service-of-policy-preferdualstack-has-one-clusterip-per-cluster-family-primary-first-one-on-single-stack-clusters-dual`,
      family: 'dual',
      title: 'every Service of policy PreferDualStack has one ClusterIP per cluster family, primary first (one on single-stack clusters) [dual]',
    },
    () => asRequested('prefer', { policy: 'PreferDualStack' }),
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `address-families/services-ipfamilypolicy-ipfamilies/every-service-of-policy-preferdualstack-${idFamily(f)}-lists-${idFamily(f)}-first-then-the-other-family-where-the-cluster-has-it-rejected-naming-${idFamily(f)}-where-the-cluster-has-no-${idFamily(f)}-${idFamily(f)}`,
      family: f,
      title: `every Service of policy PreferDualStack [${f}] lists ${f} first, then the other family where the cluster has it (rejected, naming ${f}, where the cluster has no ${f}) [${f}]`,
    }),
    (f) => asRequested(`prefer-${short(f)}`, { policy: 'PreferDualStack', families: [f] }),
  );

  check(
    {
      id: `address-families/services-ipfamilypolicy-ipfamilies/every-service-of-policy-requiredualstack-with-ipfamilies-unset-has-one-clusterip-per-family-in-cluster-order-rejected-on-single-stack-clusters-naming-requiredualstack-dual`,
      family: 'dual',
      title: 'every Service of policy RequireDualStack with ipFamilies unset has one ClusterIP per family in cluster order (rejected on single-stack clusters, naming RequireDualStack) [dual]',
    },
    () => asRequested('require', { policy: 'RequireDualStack' }),
  );

  for (const order of ORDERS) {
    check(
      {
        id: `address-families/services-ipfamilypolicy-ipfamilies/every-service-of-policy-requiredualstack-${order.map(idFamily).join('-')}-has-one-clusterip-per-family-in-ipfamilies-order-rejected-on-single-stack-clusters-naming-requiredualstack-and-the-missing-family-dual`,
        family: 'dual',
        title: `every Service of policy RequireDualStack [${order.join(',')}] has one ClusterIP per family, in ipFamilies order (rejected on single-stack clusters, naming RequireDualStack and the missing family) [dual]`,
      },
      () => asRequested(`require-${order.map(short).join('')}`, { policy: 'RequireDualStack', families: order }),
    );
  }

  check(
    {
      id: `address-families/services-ipfamilypolicy-ipfamilies/a-nodeport-service-of-policy-preferdualstack-gets-one-clusterip-per-cluster-family-primary-first-like-a-clusterip-service-dual`,
      family: 'dual',
      title: 'a NodePort Service of policy PreferDualStack gets one ClusterIP per cluster family, primary first, like a ClusterIP Service [dual]',
    },
    () => asRequested('nodeport-prefer', { policy: 'PreferDualStack' }, { type: 'NodePort' }),
  );
});

describe('services: headless', () => {
  check(
    {
      id: `address-families/services-headless/a-headless-service-with-a-selector-and-no-policy-is-singlestack-of-the-primary-family-clusterips-none-dual`,
      family: 'dual',
      title: 'a headless Service with a selector and no policy is SingleStack of the primary family, clusterIPs [None] [dual]',
    },
    () => asRequested('headless-unset', { headless: true }),
  );

  check(
    {
      id: `address-families/services-headless/a-headless-service-of-policy-preferdualstack-has-ipfamilies-of-every-cluster-family-primary-first-clusterips-none-dual`,
      family: 'dual',
      title: 'a headless Service of policy PreferDualStack has ipFamilies of every cluster family, primary first, clusterIPs [None] [dual]',
    },
    () => asRequested('headless-prefer', { headless: true, policy: 'PreferDualStack' }),
  );

  check(
    {
      id: `address-families/services-headless/a-headless-service-of-policy-requiredualstack-has-both-ipfamilies-primary-first-rejected-on-single-stack-clusters-naming-requiredualstack-dual`,
      family: 'dual',
      title: 'a headless Service of policy RequireDualStack has both ipFamilies, primary first (rejected on single-stack clusters, naming RequireDualStack) [dual]',
    },
    () => asRequested('headless-require', { headless: true, policy: 'RequireDualStack' }),
  );

  // The API server's special case: headless + selector-less defaults to RequireDualStack and
  // gets both families even on a single-stack cluster (it allocates no IP, so nothing is
  // "not configured"). Documented in concepts/services-networking/dual-stack.
  check(
    {
      id: `address-families/services-headless/a-headless-service-without-a-selector-and-no-policy-defaults-to-requiredualstack-with-both-ipfamilies-primary-first-even-on-single-stack-clusters-dual`,
      family: 'dual',
      title: 'a headless Service without a selector and no policy defaults to RequireDualStack with both ipFamilies, primary first, even on single-stack clusters [dual]',
    },
    () => asRequested('headless-noselector', { headless: true, selector: false }),
  );
});

describe('services: the cluster’s own', () => {
  // The API server creates default/kubernetes from the first --service-cluster-ip-range entry
  // and never makes it dual-stack: SingleStack, primary family, clusterIPs[0] = first address.
  check(
    {
      id: `address-families/services-the-cluster-s-own/the-default-kubernetes-service-is-singlestack-with-one-clusterip-of-the-primary-family-dual`,
      family: 'dual',
      title: 'the default/kubernetes Service is SingleStack with one ClusterIP of the primary family [dual]',
    },
    async () => assertOk(await existingServiceFamilies(h, 'default', 'kubernetes', { policy: 'SingleStack', families: [h.families.primary] })),
  );

  // kubeadm creates kube-dns with clusterIP pinned to the 10th address of the FIRST service CIDR
  // and no ipFamilyPolicy, so the API server defaults it to SingleStack of that (primary) family,
  // on dual-stack clusters too (kind's dual clusters observed the same: one ClusterIP). Pods'
  // resolv.conf points at that one address; the secondary family is served through it.
  check(
    {
      id: `address-families/services-the-cluster-s-own/the-kube-system-kube-dns-service-is-singlestack-of-the-primary-family-as-kubeadm-creates-it-dual`,
      family: 'dual',
      title: 'the kube-system/kube-dns Service is SingleStack of the primary family, as kubeadm creates it [dual]',
    },
    async () => assertOk(await existingServiceFamilies(h, 'kube-system', 'kube-dns', { policy: 'SingleStack', families: [h.families.primary] })),
  );
});

describe('services: faults', () => {
  check(
    {
      id: `address-families/services-faults/fault-a-requiredualstack-ipv4-ipv6-service-patched-down-to-singlestack-ipv4-allowed-by-the-api-fails-the-requiredualstack-check-naming-the-service-and-ipv6-dual`,
      family: 'dual',
      kind: 'fault',
      title: 'fault: a RequireDualStack [IPv4,IPv6] Service patched down to SingleStack [IPv4] (allowed by the API) fails the RequireDualStack check, naming the Service and IPv6 [dual]',
    },
    async (ctx) => {
      requireDualStack(h, ctx);
      const req: ServiceRequest = { policy: 'RequireDualStack', families: ['IPv4', 'IPv6'] };
      const v = await serviceAsRequested(h, namespace(), 'fault-downgrade', req, cluster(), {
        seed: (created) => {
          expectNoFault(checkServiceFamilies(created, { policy: 'RequireDualStack', families: ['IPv4', 'IPv6'] })); // healthy before the fault
          return replaced(created, (s) => {
            s.spec!.ipFamilyPolicy = 'SingleStack';
            s.spec!.ipFamilies = ['IPv4'];
            s.spec!.clusterIPs = created.spec!.clusterIPs!.filter((ip) => familyOf(ip) === 'IPv4');
          });
        },
      });
      const object = `Service ${namespace()}/fault-downgrade`;
      expectFault(v, { object, family: 'IPv6', expected: ['ipFamilies[1] = IPv6'], seen: ['ipFamilyPolicy SingleStack, ipFamilies [IPv4]'] });
      expectFault(v, { object, family: 'IPv6', expected: ['clusterIPs[1] of IPv6'] });
      expectFault(v, { object, family: 'dual', expected: ['ipFamilyPolicy RequireDualStack'], seen: ['ipFamilyPolicy SingleStack'] });
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `address-families/services-faults/fault-a-singlestack-${idFamily(f)}-service-patched-to-preferdualstack-allowed-by-the-api-fails-its-singlestack-${idFamily(f)}-check-naming-the-service-and-the-policy-${idFamily(f)}`,
      family: f,
      kind: 'fault',
      title: `fault: a SingleStack [${f}] Service patched to PreferDualStack (allowed by the API) fails its SingleStack [${f}] check, naming the Service and the policy [${f}]`,
    }),
    async (f, ctx) => {
      requireFamily(h, ctx, f);
      const name = `fault-upgrade-${short(f)}`;
      const v = await serviceAsRequested(h, namespace(), name, { policy: 'SingleStack', families: [f] }, cluster(), {
        seed: (created) => {
          expectNoFault(checkServiceFamilies(created, { policy: 'SingleStack', families: [f] })); // healthy before the fault
          return replaced(created, (s) => {
            s.spec!.ipFamilyPolicy = 'PreferDualStack';
          });
        },
      });
      const object = `Service ${namespace()}/${name}`;
      expectFault(v, { object, family: f, expected: ['ipFamilyPolicy SingleStack'], seen: ['ipFamilyPolicy PreferDualStack'] });
      if (h.has(otherFamily(f))) {
        // On a dual-stack cluster the upgrade also allocates a ClusterIP of the other family.
        expectFault(v, { object, family: f, expected: [`ipFamilies [${f}]`], seen: [`ipFamilies [${f}, ${otherFamily(f)}]`] });
      }
    },
  );

  check(
    {
      id: `address-families/services-faults/fault-a-requiredualstack-service-whose-clusterips-are-swapped-against-ipfamilies-deep-copy-of-the-live-service-the-api-forbids-this-change-fails-naming-both-families-dual`,
      family: 'dual',
      kind: 'fault',
      title: 'fault: a RequireDualStack Service whose clusterIPs are swapped against ipFamilies (deep copy of the live Service: the API forbids this change) fails, naming both families [dual]',
    },
    async (ctx) => {
      requireDualStack(h, ctx);
      const v = await serviceAsRequested(h, namespace(), 'fault-swapped', { policy: 'RequireDualStack' }, cluster(), {
        seed: (created) => {
          expectNoFault(checkServiceFamilies(created, { policy: 'RequireDualStack', families: [...cluster()] })); // healthy before the fault
          const copy = structuredClone(created);
          copy.spec!.clusterIPs = [...copy.spec!.clusterIPs!].reverse();
          return copy;
        },
      });
      const object = `Service ${namespace()}/fault-swapped`;
      const [first, second] = cluster() as [IPFamily, IPFamily];
      expectFault(v, { object, family: first, expected: [`clusterIPs[0] of ${first}`] });
      expectFault(v, { object, family: second, expected: [`clusterIPs[1] of ${second}`] });
      expectFault(v, { object, family: first, expected: ['clusterIP == clusterIPs[0]'] });
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `address-families/services-faults/fault-the-rejection-check-fails-when-the-api-accepts-singlestack-${idFamily(f)}-created-on-a-cluster-that-has-${idFamily(f)}-judged-as-if-the-cluster-had-only-${idFamily(otherFamily(f))}-${idFamily(f)}`,
      family: f,
      kind: 'fault',
      title: `fault: the rejection check fails when the API accepts: SingleStack [${f}] created on a cluster that has ${f}, judged as if the cluster had only ${otherFamily(f)} [${f}]`,
    }),
    async (f, ctx) => {
      requireFamily(h, ctx, f);
      const req: ServiceRequest = { policy: 'SingleStack', families: [f] };
      const pretend = [otherFamily(f)];
      if (expectedServiceFamilies(req, pretend).accepted) throw new Error('model: SingleStack of a missing family should be rejected');
      const name = `fault-accepted-${short(f)}`;
      const v = await serviceAsRequested(h, namespace(), name, req, pretend);
      expectFault(v, {
        object: `Service ${namespace()}/${name} (ipFamilyPolicy SingleStack, ipFamilies [${f}])`,
        family: f,
        expected: [`rejected with HTTP 422 naming ${f}`],
        seen: [`created: ipFamilyPolicy SingleStack, ipFamilies [${f}]`],
      });
    },
  );
});
