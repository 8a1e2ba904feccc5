/**
 * Endpoint churn per family (issue 12 item 2; upstream [Feature:IPv6DualStack] "should
 * update endpoints: http" and "should update endpoints: udp"): a deleted backend stops
 * receiving traffic through the ClusterIP and a NodePort within a bound, and UDP from a
 * client that keeps its source port reaches a replaced server (stale conntrack entries are
 * the classic failure). Each family has its own Services and pods, since each check
 * deletes one.
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { NETEXEC_HTTP, NETEXEC_UDP } from '../../lib/k8s/services.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import { startPlanned } from '../../lib/probes/plans.ts';
import { twoWorkers, workerNodes, type ProbePodSpec } from '../../lib/probes/pods.ts';
import { createAffinityService, expectOk, FAMILIES, skipWithoutFamily, type Via } from './common.ts';
import { churnLabel, CHURN_PODS, fam, udpLabel } from './plans.ts';
import { endpointChurn, udpServerReplaced } from './scenarios.ts';

interface FamilySet {
  http: V1Service;
  udp: V1Service;
  victim: V1Pod;
  survivor: V1Pod;
  udpServer: V1Pod;
}

let h: Harness;
let ns: TestNamespace;
let client: V1Pod;
let w0: V1Node;
let w1name: string;
const sets = new Map<IPFamily, FamilySet>();

/** Fixed client source ports (one per path) for the UDP replacement, per family. */
const SOURCE_PORT: Record<IPFamily, number> = { IPv4: 41000, IPv6: 41010 };

beforeAll(async () => {
  h = await harness();
  const [started, workers] = await Promise.all([startPlanned(h, CHURN_PODS), workerNodes(h.kc)]);
  ns = started.ns;
  const [n0, n1] = twoWorkers(workers);
  w1name = n1;
  const families = h.families.families;
  // The client is the probe fleet's pod on n0: no other file binds its fixed UDP source ports.
  // The Services while the planned pods (plans.ts) finish: kube-proxy programs them meanwhile.
  const services = Promise.all(
    families.map(async (f) => ({
      http: await createAffinityService(h.kc, ns.name, { name: `churn-${fam(f)}`, selector: churnLabel(f), families, ports: [NETEXEC_HTTP] }, 'None'),
      udp: await createAffinityService(h.kc, ns.name, { name: `udp-${fam(f)}`, selector: udpLabel(f), families, ports: [NETEXEC_UDP] }, 'None'),
    })),
  );
  const [shared, pods, made, node] = await Promise.all([fleet(h.kc, h.env.runId), started.ready().then((p) => p.pods), services, h.api.core.readNode({ name: n0 })]);
  client = shared.on(n0);
  w0 = node;
  const byName = (n: string) => pods.find((p) => p.metadata!.name === n)!;
  for (const [i, f] of families.entries()) {
    sets.set(f, { ...made[i]!, victim: byName(`victim-${fam(f)}`), survivor: byName(`survivor-${fam(f)}`), udpServer: byName(`udp-${fam(f)}`) });
  }
  await Promise.all(families.flatMap((f) => [waitForEndpoints(h.kc, ns.name, `churn-${fam(f)}`, families, 2), waitForEndpoints(h.kc, ns.name, `udp-${fam(f)}`, families, 1)]));
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

// Concurrent: each family and protocol has its own Service and pods to delete.
describe.concurrent('endpoint churn', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/endpoint-churn/${idFamily(f)}-deleted-backend-leaves-clusterip-and-nodeport-within-10s`,
      family: f,
      title: `[${f}] backend pod deleted: within 10 s every request through the ClusterIP and a NodePort reaches a remaining backend`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const s = sets.get(f)!;
      const vias: Via[] = [{ path: 'ClusterIP' }, { path: 'NodePort', node: w0 }];
      const v = await endpointChurn(h.kc, { client, svc: s.http, victim: s.victim, survivors: [s.survivor], vias, family: f });
      await ctx.annotate(v.seen, 'measured');
      await expectOk(ctx, v);
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/endpoint-churn/${idFamily(f)}-udp-server-replaced-same-source-port-reaches-new-pod`,
      family: f,
      title: `[${f}] UDP server pod replaced: a client keeping its source port reaches the new pod through the ClusterIP and a NodePort (no stale conntrack)`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const s = sets.get(f)!;
      const vias: Via[] = [{ path: 'ClusterIP' }, { path: 'NodePort', node: w0 }];
      const replacement: ProbePodSpec = { name: `udp-${fam(f)}-new`, node: w1name, labels: udpLabel(f) };
      const v = await udpServerReplaced(h.kc, { client, svc: s.udp, old: s.udpServer, replacement, vias, family: f, sourcePort: SOURCE_PORT[f] });
      await ctx.annotate(v.seen, 'measured');
      await expectOk(ctx, v);
    },
  );
});
