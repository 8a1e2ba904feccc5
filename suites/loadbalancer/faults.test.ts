/**
 * Fault test for the LoadBalancer allocation check: the lab's MetalLB pool for IPv6
 * (`v6e2e-ipv6`) is deleted, a LoadBalancer over the cluster's families
 * (RequireDualStack on a dual-stack cluster, SingleStack IPv6 on an IPv6-only one) is
 * created, and the check must report IPv6 as pending, saying so. The pool is re-created
 * in finally from lib/edge/metallb.ts poolObjects (the lab's own definition), and a
 * fresh IPv6 LoadBalancer must get an address again afterwards.
 *
 * The pool is shared by everything on the cluster: the window is kept short, and the
 * Service holding an address from it is deleted before the pool is.
 */
import { CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkIngressFamilies, ingressOf, poolHint, watchIngress, type IngressTimeline } from '../../lib/checks/loadbalancer.ts';
import { lbRanges, METALLB_NS, poolName, poolObjects } from '../../lib/edge/metallb.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { applyObjects, type TestNamespace } from '../../lib/k8s/apply.ts';
import { isNotFound } from '../../lib/k8s/client.ts';
import { waitFor } from '../../lib/k8s/wait.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import { startProbePods, workerNodes } from '../../lib/probes/pods.ts';
import { createService, listPools, METALLB_GROUP, METALLB_VERSION, report, ROLE_LABEL, skipWithoutFamily, suiteNamespace, tailOf, type ServiceShape } from '../nodeport/common.ts';

let h: Harness;
let ns: TestNamespace;
const SERVER = { [ROLE_LABEL]: 'server' };

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h, 'loadbalancer-faults');
  const workers = await workerNodes(h.kc);
  await startProbePods(h.kc, ns.name, [{ name: `server-0-${tailOf(ns)}`, node: workers[0], labels: SERVER }], 180_000);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

async function lbTimeline(shape: ServiceShape, timeoutMs: number): Promise<IngressTimeline> {
  const startedAt = Date.now();
  const svc = await createService(h.kc, ns.name, shape);
  return watchIngress(h.kc, ns.name, shape.name, { startedAt, families: (svc.spec?.ipFamilies ?? []) as IPFamily[], timeoutMs });
}

async function deleteService(name: string): Promise<void> {
  await h.api.core.deleteNamespacedService({ name, namespace: ns.name });
  await waitFor(`Service ${ns.name}/${name} gone`, async () => {
    try {
      await h.api.core.readNamespacedService({ name, namespace: ns.name });
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  }, { timeoutMs: 30_000, intervalMs: 250 });
}

/** `ns/name` of LoadBalancer Services in other namespaces holding an IPv6 ingress address. */
async function ipv6LoadBalancersOfOthers(): Promise<string[]> {
  const all = await h.api.core.listServiceForAllNamespaces({});
  return all.items
    .filter((s) => s.spec?.type === 'LoadBalancer' && s.metadata?.namespace !== ns.name && ingressOf(s, 'IPv6').length > 0)
    .map((s) => `${s.metadata!.namespace}/${s.metadata!.name}`);
}

describe('LoadBalancer faults', () => {
  test("fault: [IPv6] MetalLB pool v6e2e-ipv6 removed: a LoadBalancer over the cluster's families stays pending for IPv6 and the message says so", async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const pool = poolName('IPv6');
    const before = await listPools(h.kc);
    if (!before.some((p) => p.name === pool)) ctx.skip(`no MetalLB IPAddressPool ${METALLB_NS}/${pool}: not a lab cluster (pools: ${before.map((p) => p.name).join(', ') || 'none'})`);
    const others = before.filter((p) => p.name !== pool && p.families.includes('IPv6'));
    if (others.length) ctx.skip(`other pools also hold IPv6 (${others.map((p) => p.name).join(', ')}): deleting ${pool} would not remove the family`);
    // The pool is shared: removing it would strip the addresses of everyone else's LoadBalancers (another run's suites included).
    const users = await ipv6LoadBalancersOfOthers();
    if (users.length) ctx.skip(`${pool} is in use by ${users.length} LoadBalancer Service(s) outside this test (${users.slice(0, 3).join(', ')}${users.length > 3 ? ', …' : ''}): deleting it would disrupt them`);
    const lab = poolObjects(await lbRanges(h.kindCluster ?? ''), h.families.families).find((o) => o.kind === 'IPAddressPool' && o.metadata?.name === pool) as
      | (KubernetesObject & { spec: { addresses: string[] } })
      | undefined;
    expect(lab, `lib/edge/metallb.ts poolObjects has no ${pool}`).toBeDefined();
    const definition = lab!;
    const live = before.find((p) => p.name === pool)!;
    if (live.addresses.join(',') !== definition.spec.addresses.join(',')) {
      // A cluster created before the lab moved its ranges: restored to the lab's current definition, as `v6e2e up` would.
      await ctx.annotate(`live ${pool} addresses [${live.addresses.join(', ')}] differ from the lab's current [${definition.spec.addresses.join(', ')}]: restoring the lab's`, 'note');
    }

    // Baseline: the pool serves IPv6 now.
    const baseline = await lbTimeline({ name: 'lb-baseline', type: 'LoadBalancer', selector: SERVER, families: ['IPv6'] }, 30_000);
    const base = checkIngressFamilies(baseline);
    expect(base.ok, `baseline: ${base.message}`).toBe(true);
    // Nothing of ours may hold an address of the pool while it is removed.
    await deleteService('lb-baseline');

    const custom = h.kc.makeApiClient(CustomObjectsApi);
    const ref = { group: METALLB_GROUP, version: METALLB_VERSION, namespace: METALLB_NS, plural: 'ipaddresspools', name: pool };
    const families = h.families.families;
    const shape: ServiceShape = { name: 'lb-pending', type: 'LoadBalancer', selector: SERVER, families };
    await custom.deleteNamespacedCustomObject(ref);
    try {
      await waitFor(`IPAddressPool ${pool} gone`, async () => {
        try {
          await custom.getNamespacedCustomObject(ref);
          return false;
        } catch (err) {
          return isNotFound(err);
        }
      }, { timeoutMs: 30_000, intervalMs: 250 });
      // Give the MetalLB controller a moment to reload its pools before the Service appears.
      await new Promise((r) => setTimeout(r, 3_000));
      const t = await lbTimeline(shape, 20_000);
      // The lab is shared: someone's `v6e2e up` may re-create the pool inside the window. Say so rather than blame the check.
      const again = (await listPools(h.kc)).find((p) => p.name === pool);
      if (again) throw new Error(`fault not held: IPAddressPool ${pool} was re-created by someone else during the fault window (addresses ${again.addresses.join(', ')}); re-run`);
      const v = checkIngressFamilies(t, poolHint(await listPools(h.kc), families));
      await report(ctx, 'fault message', v.message, { firstIngressMs: t.firstSeenMs, waitedMs: t.waitedMs, ingress: t.service.status?.loadBalancer?.ingress ?? [] });
      expect(ingressOf(t.service, 'IPv6')).toEqual([]);
      expect(v.ok).toBe(false);
      expect(v.message).toContain(`Service ${ns.name}/lb-pending type LoadBalancer`);
      expect(v.message).toMatch(/(IPv4, )?IPv6 pending after \d+\.\d s \(no ingress IP of that family\)/);
      expect(v.message).toContain('MetalLB has no IPAddressPool with IPv6 addresses');
    } finally {
      // The lab's own pool definition, applied until the MetalLB webhook accepts it.
      await waitFor(`IPAddressPool ${pool} re-created`, async () => {
        try {
          await applyObjects(h.kc, [definition]);
          return true;
        } catch {
          return false;
        }
      }, { timeoutMs: 60_000, intervalMs: 2_000 });
    }
    expect((await listPools(h.kc)).some((p) => p.name === pool && p.families.includes('IPv6'))).toBe(true);
    const after = await lbTimeline({ name: 'lb-after', type: 'LoadBalancer', selector: SERVER, families: ['IPv6'] }, 30_000);
    const v = checkIngressFamilies(after);
    expect(v.ok, `after re-creating ${pool}: ${v.message}`).toBe(true);
  });
});
