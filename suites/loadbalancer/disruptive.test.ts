/**
 * Fault test for the LoadBalancer allocation check: the lab's MetalLB pool loses its
 * IPv6 range (on IPv6-only clusters, where that is its only range, it is swapped for an
 * unused TEST-NET-1 IPv4 range: a pool without addresses is refused, and with no pool at
 * all MetalLB says nothing about the Service), and
 * the allocation check's own scenario (suites/loadbalancer/scenarios.ts) runs the case
 * over the cluster's families (RequireDualStack on a dual-stack cluster, SingleStack
 * IPv6 on an IPv6-only one): it must report IPv6 as pending, saying why. The pool is restored in finally from lib/edge/metallb.ts
 * poolObjects (the lab's own definition), and a fresh IPv6 LoadBalancer must get an
 * address again afterwards.
 *
 * Disruptive (serial): the pool is shared by every LoadBalancer on the cluster. The window
 * is kept short, and the Service holding an IPv6 address from it is deleted before the
 * range is removed.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { ingressOf, lbMatrix, type LbCase } from '../../lib/checks/loadbalancer.ts';
import { lbRanges, METALLB_NS, POOL_NAME, poolObjects } from '../../lib/edge/metallb.ts';
import { check } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import { applyObjects, type TestNamespace } from '../../lib/k8s/apply.ts';
import { waitFor } from '../../lib/k8s/wait.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import { deleteServiceAndWait, listPools, report, skipWithoutFamily, suiteNamespace } from '../nodeport/common.ts';
import { ingressAllocation, lbServiceName } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h, 'loadbalancer-disruptive');
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

/** RFC 5737 TEST-NET-1: never routed, and no Service of an IPv6-only cluster asks for IPv4. */
const UNUSED_IPV4_RANGE = '192.0.2.0/28';

/** The allocation check's case for these families: RequireDualStack in their order for two, SingleStack for one. */
function caseFor(families: readonly IPFamily[]): LbCase {
  const policy = families.length > 1 ? 'RequireDualStack' : 'SingleStack';
  const c = lbMatrix().find((m) => m.policy === policy && m.request.join(',') === families.join(','));
  if (!c) throw new Error(`lbMatrix has no ${policy} case for [${families.join(', ')}]`);
  return c;
}

/** `ns/name` of LoadBalancer Services in other namespaces holding an IPv6 ingress address. */
async function ipv6LoadBalancersOfOthers(): Promise<string[]> {
  const all = await h.api.core.listServiceForAllNamespaces({});
  return all.items
    .filter((s) => s.spec?.type === 'LoadBalancer' && s.metadata?.namespace !== ns.name && ingressOf(s, 'IPv6').length > 0)
    .map((s) => `${s.metadata!.namespace}/${s.metadata!.name}`);
}

describe('LoadBalancer faults', () => {
  check({
    id: 'loadbalancer/loadbalancer-faults/fault-ipv6-the-ipv6-range-removed-from-the-lab-s-metallb-pool-a-loadbalancer-over-the-cluster-s-families-stays-pending-for-ipv6-and-the-message-says-so',
    family: 'IPv6',
    kind: 'fault',
    disruptive: true,
    title: "fault: [IPv6] the IPv6 range removed from the lab's MetalLB pool: a LoadBalancer over the cluster's families stays pending for IPv6 and the message says so",
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const pool = POOL_NAME;
    const before = await listPools(h.kc);
    if (!before.some((p) => p.name === pool)) ctx.skip(`no MetalLB IPAddressPool ${METALLB_NS}/${pool}: not a lab cluster (pools: ${before.map((p) => p.name).join(', ') || 'none'})`);
    const others = before.filter((p) => p.name !== pool && p.families.includes('IPv6'));
    if (others.length) ctx.skip(`other pools also hold IPv6 (${others.map((p) => p.name).join(', ')}): narrowing ${pool} would not remove the family`);
    // The pool is shared: narrowing it would strip the addresses of everyone else's IPv6 LoadBalancers.
    const users = await ipv6LoadBalancersOfOthers();
    if (users.length) ctx.skip(`${pool} serves IPv6 to ${users.length} LoadBalancer Service(s) outside this test (${users.slice(0, 3).join(', ')}${users.length > 3 ? ', …' : ''}): narrowing it would disrupt them`);
    const definition = poolObjects(await lbRanges(h.kindCluster ?? ''), h.families.families).find(
      (o) => o.kind === 'IPAddressPool' && o.metadata?.name === pool,
    ) as (KubernetesObject & { spec: { addresses: string[] } }) | undefined;
    expect(definition, `lib/edge/metallb.ts poolObjects has no ${pool}`).toBeDefined();
    const lab = definition!;
    const live = before.find((p) => p.name === pool)!;
    if (live.addresses.join(',') !== lab.spec.addresses.join(',')) {
      await ctx.annotate(`live ${pool} addresses [${live.addresses.join(', ')}] differ from the lab's current [${lab.spec.addresses.join(', ')}]: restoring the lab's`, 'note');
    }

    // Baseline: the pool serves IPv6 now (the SingleStack IPv6 case of the same check passes).
    const v6Case = caseFor(['IPv6']);
    expectNoFault((await ingressAllocation(h, ns.name, v6Case)).verdict);
    await deleteServiceAndWait(h, ns.name, lbServiceName(v6Case));

    // The fault: the same pool without its IPv6 range, kept non-empty so that MetalLB still
    // judges the Service and says why it allocates nothing (AllocationFailed).
    const narrowed = structuredClone(lab);
    const v4 = lab.spec.addresses.filter((range) => !range.includes(':'));
    narrowed.spec.addresses = v4.length ? v4 : [UNUSED_IPV4_RANGE];
    const families = h.families.families;
    const pending = caseFor(families);
    try {
      await applyObjects(h.kc, [narrowed]);
      await waitFor(`IPAddressPool ${pool} without IPv6`, async () => !(await listPools(h.kc)).some((p) => p.name === pool && p.families.includes('IPv6')), {
        timeoutMs: 30_000,
        intervalMs: 250,
      });
      // Give the MetalLB controller a moment to reload its pools before the Service appears.
      await new Promise((r) => setTimeout(r, 3_000));
      const { verdict: v, timeline: t } = await ingressAllocation(h, ns.name, pending);
      // The lab is shared: someone's `v6e2e up` may restore the pool inside the window. Say so rather than blame the check.
      if ((await listPools(h.kc)).some((p) => p.families.includes('IPv6'))) {
        throw new Error(`fault not held: an IPAddressPool with IPv6 reappeared during the fault window; re-run`);
      }
      await report(ctx, 'fault message', v.message, { firstIngressMs: t.firstSeenMs, waitedMs: t.waitedMs, ingress: t.service.status?.loadBalancer?.ingress ?? [] });
      expect(ingressOf(t.service, 'IPv6')).toEqual([]);
      const f = expectFault(v, {
        object: `Service ${ns.name}/${lbServiceName(pending)} type LoadBalancer (ipFamilyPolicy ${pending.policy}, ipFamilies [${families.join(', ')}])`,
        family: pending.tag,
        expected: [`one IP of each of [${families.join(', ')}]`],
        seen: ['(no ingress IP of that family)', 'MetalLB has no IPAddressPool with IPv6 addresses', 'MetalLB AllocationFailed: '],
      });
      // Pending families are listed in the Service's ipFamilies order (IPv4 first on dual, IPv6 first on dual-v6).
      expect(f.seen).toMatch(/(IPv4, )?IPv6(, IPv4)? pending after \d+\.\d s \(no ingress IP of that family\)/);
    } finally {
      await deleteServiceAndWait(h, ns.name, lbServiceName(pending)).catch(() => undefined);
      // The lab's own pool definition, applied until the MetalLB webhook accepts it.
      await waitFor(`IPAddressPool ${pool} restored`, async () => {
        try {
          await applyObjects(h.kc, [lab]);
          return true;
        } catch {
          return false;
        }
      }, { timeoutMs: 60_000, intervalMs: 2_000 });
    }
    expect((await listPools(h.kc)).some((p) => p.name === pool && p.families.includes('IPv6'))).toBe(true);
    // A fresh IPv6 LoadBalancer gets its address again.
    expectNoFault((await ingressAllocation(h, ns.name, v6Case)).verdict);
  });
});
