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
import { startProbePods, workerNodes, type ProbePodSpec } from '../../lib/probes/pods.ts';
import { createAffinityService, expectOk, FAMILIES, skipWithoutFamily, suiteNamespace, type Via } from './common.ts';
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

const fam = (f: IPFamily) => f.toLowerCase();
const churnLabel = (f: IPFamily) => ({ 'v6e2e.io/churn': fam(f) });
const udpLabel = (f: IPFamily) => ({ 'v6e2e.io/udp': fam(f) });
/** Fixed client source ports (one per path) for the UDP replacement, per family. */
const SOURCE_PORT: Record<IPFamily, number> = { IPv4: 41000, IPv6: 41010 };

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h, 'services-churn');
  const workers = await workerNodes(h.kc);
  const n0 = workers[0]!;
  w1name = workers[1] ?? n0;
  const families = h.families.families;
  // The client is the probe fleet's pod on n0: no other file binds its fixed UDP source ports.
  const specs: ProbePodSpec[] = [];
  for (const f of families) {
    // The victim shares the client's node, the survivor is on the other: traffic has to cross nodes to move.
    specs.push({ name: `victim-${fam(f)}`, node: n0, labels: churnLabel(f) });
    specs.push({ name: `survivor-${fam(f)}`, node: w1name, labels: churnLabel(f) });
    specs.push({ name: `udp-${fam(f)}`, node: n0, labels: udpLabel(f) });
  }
  // The Services with the pods: kube-proxy programs them while the pods start.
  const services = Promise.all(
    families.map(async (f) => ({
      http: await createAffinityService(h.kc, ns.name, { name: `churn-${fam(f)}`, selector: churnLabel(f), families, ports: [NETEXEC_HTTP] }, 'None'),
      udp: await createAffinityService(h.kc, ns.name, { name: `udp-${fam(f)}`, selector: udpLabel(f), families, ports: [NETEXEC_UDP] }, 'None'),
    })),
  );
  const [shared, pods, made, node] = await Promise.all([fleet(h.kc, h.env.runId), startProbePods(h.kc, ns.name, specs, 180_000), services, h.api.core.readNode({ name: n0 })]);
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
