/**
 * The node as client, per family: a hostNetwork pod (dialling from the node's own
 * network stack) reaches a Service's ClusterIP and its NodePort on the other nodes'
 * addresses, over HTTP and UDP, and reaches pod IPs on another node and on its own node.
 * Upstream: "Granular Checks: Services should function for node-Service: http/udp";
 * Cilium: host-to-pod.
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { createService } from '../../lib/k8s/services.ts';
import { nodePairs, startProbePods, workerNodes, type ProbePodSpec } from '../../lib/probes/pods.ts';
import { expectOk, FAMILIES, listNodes, MAX_NODES, ROLE_LABEL, SLEEPER, skipWithoutFamily, suiteNamespace } from './common.ts';
import { clusterIpHttp, clusterIpUdp, hostToPodHttp, nodePortHttp, nodePortUdp, type HostPeer } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
/** hostNetwork clients and netexec pods, one of each per sampled node (same index = same node). */
let hosts: V1Pod[] = [];
let echoes: V1Pod[] = [];
let svc: V1Service;
/** NodePort targets: every node but the client's, so the NodePort is reached over the wire. */
let otherNodes: V1Node[] = [];
let acrossNodes: HostPeer[] = [];
let sameNode: HostPeer[] = [];

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h);
  const nodes = (await workerNodes(h.kc)).slice(0, MAX_NODES);
  const specs: ProbePodSpec[] = nodes.flatMap((node, i) => [
    { name: `host-${i}`, node, hostNetwork: true, command: SLEEPER },
    { name: `echo-${i}`, node, labels: { [ROLE_LABEL]: 'backend' } },
  ]);
  const [pods, created] = await Promise.all([
    startProbePods(h.kc, ns.name, specs, 180_000),
    createService(h.kc, ns.name, { name: 'np', type: 'NodePort', selector: { [ROLE_LABEL]: 'backend' }, families: h.families.families }),
  ]);
  svc = created;
  hosts = pods.filter((p) => p.metadata!.name!.startsWith('host-'));
  echoes = pods.filter((p) => p.metadata!.name!.startsWith('echo-'));
  const clientNode = hosts[0]!.spec!.nodeName;
  otherNodes = (await listNodes(h)).filter((n) => n.metadata?.name !== clientNode);
  const index = new Map(nodes.map((n, i) => [n, i]));
  acrossNodes = nodePairs(nodes, MAX_NODES)
    .filter((p) => p.from !== p.to)
    .map((p) => ({ client: hosts[index.get(p.from)!]!, server: echoes[index.get(p.to)!]! }));
  sameNode = nodes.map((_, i) => ({ client: hosts[i]!, server: echoes[i]! }));
  await waitForEndpoints(h.kc, ns.name, 'np', h.families.families, echoes.length);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('node to service', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `host-network/node-to-service/${idFamily(f)}-clusterip-http`, family: f, title: `[${f}] node (hostNetwork pod) → Service ClusterIP: HTTP reaches a backend` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await clusterIpHttp(h.kc, hosts[0]!, svc, f, echoes));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `host-network/node-to-service/${idFamily(f)}-clusterip-udp`, family: f, title: `[${f}] node (hostNetwork pod) → Service ClusterIP: UDP echo comes back` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await clusterIpUdp(h.kc, hosts[0]!, svc, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `host-network/node-to-service/${idFamily(f)}-nodeport-http`, family: f, title: `[${f}] node (hostNetwork pod) → NodePort on every other node's ${f} address: HTTP reaches a backend` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await nodePortHttp(h.kc, hosts[0]!, svc, f, otherNodes, echoes));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `host-network/node-to-service/${idFamily(f)}-nodeport-udp`, family: f, title: `[${f}] node (hostNetwork pod) → NodePort on every other node's ${f} address: UDP echo comes back` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await nodePortUdp(h.kc, hosts[0]!, svc, f, otherNodes));
    },
  );
});

describe('host to pod', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `host-network/host-to-pod/${idFamily(f)}-other-node-http`, family: f, title: `[${f}] host → pod on another node: HTTP to the PodIP reaches that pod` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      if (acrossNodes.length === 0) ctx.skip('one schedulable node: no other node to reach');
      await expectOk(ctx, await hostToPodHttp(h.kc, acrossNodes, f, 'across nodes'));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `host-network/host-to-pod/${idFamily(f)}-same-node-http`, family: f, title: `[${f}] host → pod on the same node: HTTP to the PodIP reaches that pod` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await hostToPodHttp(h.kc, sameNode, f, 'on the same node'));
    },
  );
});
