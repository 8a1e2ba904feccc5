/**
 * Fault test for the LoadBalancer allocation check: the lab's MetalLB pool loses its
 * IPv6 range (or, on IPv6-only clusters where that is its only range, is deleted), and
 * the allocation check's own scenario (suites/loadbalancer/scenarios.ts) runs the case
 * over the cluster's families (RequireDualStack on a dual-stack cluster, SingleStack
 * IPv6 on an IPv6-only one): it must report IPv6 as pending, saying why. The pool is restored in finally from lib/edge/metallb.ts
 * poolObjects (the lab's own definition), and a fresh IPv6 LoadBalancer must get an
 * address again afterwards.
 *
 * The pool is shared by everything on the cluster: the window is kept short, and the
 * Service holding an IPv6 address from it is deleted before the range is removed.
 */
import { CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { ingressOf, lbMatrix, type LbCase } from '../../lib/checks/loadbalancer.ts';
import { lbRanges, METALLB_NS, POOL_NAME, poolObjects } from '../../lib/edge/metallb.ts';
import { check } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import { applyObjects, type TestNamespace } from '../../lib/k8s/apply.ts';
import { waitFor } from '../../lib/k8s/wait.ts';
import { urlFor, type IPFamily } from '../../lib/net/family.ts';
import { startProbePods, workerNodes } from '../../lib/probes/pods.ts';
import { listPools, METALLB_GROUP, METALLB_VERSION, report, SERVER, skipWithoutFamily, suiteNamespace, tailOf } from '../nodeport/common.ts';
import { fromOutside, healthCheckAnswers, ingressAllocation, ingressUdpAnswers, lbServiceName } from './scenarios.ts';
import type { V1Node } from '@kubernetes/client-node';
import { watchIngress, type IngressTimeline } from '../../lib/checks/loadbalancer.ts';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { droppedBy, faultTag, withDrops, type NodeDrop } from '../../lib/edge/node-rules.ts';
import { NETEXEC_UDP } from '../../lib/k8s/services.ts';
import type { OutsideClient } from '../../lib/probes/outside.ts';
import { NETEXEC_UDP_PORT } from '../../lib/probes/pods.ts';
import { outsideRunner } from '../../lib/probes/spread.ts';
import { createService, deleteService, FAMILIES, outsideClient, requireOutside, serviceManifest, waitReadyEndpoints, type ServiceShape } from '../nodeport/common.ts';
import { nodeAddresses } from '../nodeport/scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let outside: OutsideClient | string | undefined;
let nodes: V1Node[] = [];
let workers: string[] = [];
let backends: string[] = [];
/** The only endpoint of the health-check fault's ETP Local LoadBalancer. */
const HC = { 'v6e2e.io/role': 'hc' };

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h, 'loadbalancer-faults');
  workers = await workerNodes(h.kc);
  let pods;
  [pods, outside, nodes] = await Promise.all([
    startProbePods(
      h.kc,
      ns.name,
      [
        { name: `server-0-${tailOf(ns)}`, node: workers[0], labels: SERVER },
        { name: `hc-${tailOf(ns)}`, node: workers[0], labels: HC },
      ],
      180_000,
    ),
    outsideClient(h),
    h.api.core.listNode({}).then((l) => l.items),
  ]);
  backends = [pods[0]!.metadata!.name!];
}, 300_000);

afterAll(async () => {
  if (outside && typeof outside !== 'string') await outside.stop();
  await ns?.cleanup();
});

/** A LoadBalancer of this file for one test: created, its ingress awaited, deleted afterwards (the pool fault above must not find it). */
async function withLoadBalancer<T>(shape: ServiceShape, body: (t: IngressTimeline) => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  const svc = await createService(h.kc, ns.name, shape);
  try {
    const t = await watchIngress(h.kc, ns.name, shape.name, { startedAt, families: (svc.spec?.ipFamilies ?? []) as IPFamily[], timeoutMs: 60_000 });
    return await body(t);
  } finally {
    await deleteService(h, ns.name, shape.name);
  }
}

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
    await deleteService(h, ns.name, lbServiceName(v6Case));

    // The fault: the same pool without its IPv6 range (kept non-empty: MetalLB rejects a pool without addresses).
    const narrowed = structuredClone(lab);
    narrowed.spec.addresses = lab.spec.addresses.filter((range) => !range.includes(':'));
    const families = h.families.families;
    const pending = caseFor(families);
    const custom = h.kc.makeApiClient(CustomObjectsApi);
    const ref = { group: METALLB_GROUP, version: METALLB_VERSION, namespace: METALLB_NS, plural: 'ipaddresspools', name: pool };
    try {
      if (narrowed.spec.addresses.length) await applyObjects(h.kc, [narrowed]);
      else await custom.deleteNamespacedCustomObject(ref);
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
        seen: ['(no ingress IP of that family)', 'MetalLB has no IPAddressPool with IPv6 addresses'],
      });
      // Pending families are listed in the Service's ipFamilies order (IPv4 first on dual, IPv6 first on dual-v6).
      expect(f.seen).toMatch(/(IPv4, )?IPv6(, IPv4)? pending after \d+\.\d s \(no ingress IP of that family\)/);
    } finally {
      await deleteService(h, ns.name, lbServiceName(pending)).catch(() => undefined);
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

describe('LoadBalancer UDP and health-check faults', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `loadbalancer/loadbalancer-faults/fault-${idFamily(f)}-udp-to-the-ingress-ip-dropped-on-every-node-the-udp-check-names-that-ingress-ip-and-family`,
      family: f,
      kind: 'fault',
      title: `fault: [${f}] UDP to a LoadBalancer's ingress IP dropped on every node (raw PREROUTING, that IP, udp port ${NETEXEC_UDP_PORT}): the UDP check names that ingress IP and ${f}`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      if (!h.kindCluster) ctx.skip('not a kind cluster: the fault is seeded with docker exec on the node containers');
      const from = outsideRunner(requireOutside(ctx, outside, family));
      const peers = { h, ns: ns.name, backends };
      const name = `lb-udp-${idFamily(family)}`;
      await withLoadBalancer({ name, type: 'LoadBalancer', selector: SERVER, families: [family], ports: [NETEXEC_UDP] }, async (t) => {
        await waitReadyEndpoints(h, ns.name, name, [family], 1);
        expectNoFault(await ingressUdpAnswers(peers, t, family, from));
        const ip = ingressOf(t.service, family)[0]!.ip;
        // MetalLB L2 answers for the IP from one node, whichever: the drop goes on every node, matching only this IP and port.
        const drops: NodeDrop[] = nodes.map((n) => ({
          node: n.metadata!.name!,
          family,
          match: ['-d', `${ip}/${family === 'IPv6' ? 128 : 32}`, '-p', 'udp', '--dport', String(NETEXEC_UDP_PORT)],
          tag: faultTag(ns.name),
        }));
        await withDrops(drops, async () => {
          const v = await ingressUdpAnswers(peers, t, family, from);
          await report(ctx, 'fault message', v.message);
          const counted = (await Promise.all(drops.map((d) => droppedBy(d)))).reduce<number>((a, n) => a + (n ?? 0), 0);
          expect(counted, 'the drops counted no packets').toBeGreaterThan(0);
          expectFault(v, { object: new RegExp(`^Service ${ns.name}/${name} ingress IP ${ip} from outside container `), family, expected: [`UDP reply "${backends[0]}"`], seen: ['no reply'] });
        });
        expectNoFault(await ingressUdpAnswers(peers, t, family, from));
      });
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `loadbalancer/loadbalancer-faults/fault-${idFamily(f)}-the-local-endpoint-taken-away-the-health-check-of-its-node-answers-503-and-the-check-names-node-and-family`,
      family: f,
      kind: 'fault',
      title: `fault: [${f}] an externalTrafficPolicy Local LoadBalancer loses its only endpoint (selector changed): the node that should answer 200 on the healthCheckNodePort answers 503, and the check names it and ${f}`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      const from = fromOutside(requireOutside(ctx, outside, family));
      const name = `lb-hc-${idFamily(family)}`;
      const shape: ServiceShape = { name, type: 'LoadBalancer', selector: HC, families: [family], externalTrafficPolicy: 'Local' };
      const node = workers[0]!;
      const targets = nodeAddresses(nodes, family);
      const read = () => h.api.core.readNamespacedService({ name, namespace: ns.name });
      await withLoadBalancer(shape, async () => {
        await waitReadyEndpoints(h, ns.name, name, [family], 1);
        const scenario = async () => healthCheckAnswers({ svc: await read(), family, targets, from, localNodes: [node] });
        expectNoFault(await scenario());
        // The fault: the Service no longer selects the pod (it keeps running on its node).
        await applyObjects(h.kc, [{ ...serviceManifest(ns.name, { ...shape, selector: { 'v6e2e.io/role': 'nobody' } }), apiVersion: 'v1', kind: 'Service' }]);
        await waitReadyEndpoints(h, ns.name, name, [family], 0);
        // The scenario stops at its first pass: wait until kube-proxy's health server has seen the endpoint go, or it judges the old state.
        const onNode = targets.find((a) => a.node === node)!;
        const hcUrl = urlFor(onNode.address, (await read()).spec!.healthCheckNodePort!, '/healthz');
        await waitFor(`kube-proxy on ${node}: ${hcUrl} answers 503`, () => from.get(hcUrl), { timeoutMs: 30_000, intervalMs: 1_000, until: (r) => r.status === 503 });
        const v = await scenario();
        await report(ctx, 'fault message', v.message);
        expectFault(v, { object: new RegExp(`^Service ${ns.name}/${name} healthCheckNodePort on node ${node} InternalIP ${onNode.address} `), family, expected: ['HTTP 200'], seen: ['HTTP 503', 'localEndpoints 0'] });
        for (const x of v.failures) expect(x.object, 'a failure on another node than the one that lost its endpoint').toContain(`on node ${node} `);
        await applyObjects(h.kc, [{ ...serviceManifest(ns.name, shape), apiVersion: 'v1', kind: 'Service' }]);
        await waitReadyEndpoints(h, ns.name, name, [family], 1);
        expectNoFault(await scenario());
      });
    },
  );
});
