/**
 * Fault tests of the LoadBalancer UDP and health-check checks. Isolated, so they run with
 * the concurrent files: the UDP drop matches only this file's own ingress IP and port
 * (tagged v6e2e-fault-<namespace>), the health-check fault edits only this file's Service.
 * The MetalLB pool fault changes what every LoadBalancer shares: disruptive.test.ts.
 */
import type { V1Node } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { ingressOf, watchIngress, type IngressTimeline } from '../../lib/checks/loadbalancer.ts';
import { droppedBy, faultTag, withDrops, type NodeDrop } from '../../lib/edge/node-rules.ts';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import { applyObjects, type TestNamespace } from '../../lib/k8s/apply.ts';
import { NETEXEC_UDP } from '../../lib/k8s/services.ts';
import { waitFor } from '../../lib/k8s/wait.ts';
import { urlFor, type IPFamily } from '../../lib/net/family.ts';
import type { OutsideClient } from '../../lib/probes/outside.ts';
import { NETEXEC_UDP_PORT, workerNodes } from '../../lib/probes/pods.ts';
import { plannedPods, type PlannedPods } from '../../lib/probes/plans.ts';
import { HC, LOADBALANCER_FAULTS_PODS } from './plans.ts';
import { outsideRunner } from '../../lib/probes/spread.ts';
import {
  createService,
  deleteServiceAndWait,
  FAMILIES,
  outsideClient,
  report,
  requireOutside,
  SERVER,
  serviceManifest,
  skipWithoutFamily,
  type ServiceShape,
} from '../nodeport/common.ts';
import { nodeAddresses } from '../nodeport/scenarios.ts';
import { fromOutside, healthCheckAnswers, ingressUdpAnswers } from './scenarios.ts';
import { waitForEndpoints, waitNoEndpoints } from '../../lib/k8s/endpoints.ts';

let h: Harness;
let ns: TestNamespace;
let outside: OutsideClient | string | undefined;
let nodes: V1Node[] = [];
let workers: string[] = [];
let backends: string[] = [];

beforeAll(async () => {
  h = await harness();
  let planned: PlannedPods;
  [planned, workers, outside, nodes] = await Promise.all([
    plannedPods(h, LOADBALANCER_FAULTS_PODS),
    workerNodes(h.kc),
    outsideClient(h, 'plain'),
    h.api.core.listNode({}).then((l) => l.items),
  ]);
  ns = planned.ns;
  backends = [planned.pods[0]!.metadata!.name!];
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

/** A LoadBalancer of this file for one test: created, its ingress awaited, deleted afterwards (the pool fault of disruptive.test.ts skips while another namespace holds an IPv6 ingress). */
async function withLoadBalancer<T>(shape: ServiceShape, body: (t: IngressTimeline) => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  const svc = await createService(h.kc, ns.name, shape);
  try {
    const t = await watchIngress(h.kc, ns.name, shape.name, { startedAt, families: (svc.spec?.ipFamilies ?? []) as IPFamily[], timeoutMs: 60_000 });
    return await body(t);
  } finally {
    await deleteServiceAndWait(h, ns.name, shape.name);
  }
}

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
        await waitForEndpoints(h.kc, ns.name, name, [family], 1);
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
    { familiesAtOnce: true },
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
        await waitForEndpoints(h.kc, ns.name, name, [family], 1);
        const scenario = async () => healthCheckAnswers({ svc: await read(), family, targets, from, localNodes: [node] });
        expectNoFault(await scenario());
        // The fault: the Service no longer selects the pod (it keeps running on its node).
        await applyObjects(h.kc, [{ ...serviceManifest(ns.name, { ...shape, selector: { 'v6e2e.io/role': 'nobody' } }), apiVersion: 'v1', kind: 'Service' }]);
        await waitNoEndpoints(h.kc, ns.name, name, [family]);
        // The scenario stops at its first pass: wait until kube-proxy's health server has seen the endpoint go, or it judges the old state.
        const onNode = targets.find((a) => a.node === node)!;
        const hcUrl = urlFor(onNode.address, (await read()).spec!.healthCheckNodePort!, '/healthz');
        await waitFor(`kube-proxy on ${node}: ${hcUrl} answers 503`, () => from.get(hcUrl), { timeoutMs: 30_000, intervalMs: 1_000, until: (r) => r.status === 503 });
        const v = await scenario();
        await report(ctx, 'fault message', v.message);
        expectFault(v, { object: new RegExp(`^Service ${ns.name}/${name} healthCheckNodePort on node ${node} InternalIP ${onNode.address} `), family, expected: ['HTTP 200'], seen: ['HTTP 503', 'localEndpoints 0'] });
        for (const x of v.failures) expect(x.object, 'a failure on another node than the one that lost its endpoint').toContain(`on node ${node} `);
        await applyObjects(h.kc, [{ ...serviceManifest(ns.name, shape), apiVersion: 'v1', kind: 'Service' }]);
        await waitForEndpoints(h.kc, ns.name, name, [family], 1);
        expectNoFault(await scenario());
      });
    },
    { familiesAtOnce: true },
  );
});
