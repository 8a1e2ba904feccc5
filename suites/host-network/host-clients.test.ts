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
import { FLEET_ECHO_SELECTOR, fleet, fleetService, type FleetService } from '../../lib/probes/fleet.ts';
import { nodePairs } from '../../lib/probes/pods.ts';
import { expectOk, FAMILIES, listNodes, MAX_NODES, skipWithoutFamily } from './common.ts';
import { clusterIpHttp, clusterIpUdp, hostToPodHttp, nodePortHttp, nodePortUdp, type HostPeer } from './scenarios.ts';

/** The Service over the fleet's echo pods, in the fleet's namespace (a Service selects only there). */
const SERVICE = 'host-clients-np';

let h: Harness;
let service: FleetService | undefined;
/** The fleet's hostNetwork pods (as clients) and netexec pods, one of each per sampled node (same index = same node). */
let hosts: V1Pod[] = [];
let echoes: V1Pod[] = [];
let svc: V1Service;
/** NodePort targets: every node but the client's, so the NodePort is reached over the wire. */
let otherNodes: V1Node[] = [];
let acrossNodes: HostPeer[] = [];
let sameNode: HostPeer[] = [];

beforeAll(async () => {
  h = await harness();
  const run = await fleet(h.kc, h.env.runId);
  service = await fleetService(h.kc, run, { name: SERVICE, type: 'NodePort', selector: FLEET_ECHO_SELECTOR, families: h.families.families }, run.pods.length);
  svc = service.svc;
  const nodes = run.nodes;
  [hosts, echoes] = [run.hosts, run.pods];
  const clientNode = hosts[0]!.spec!.nodeName;
  otherNodes = (await listNodes(h)).filter((n) => n.metadata?.name !== clientNode);
  const index = new Map(nodes.map((n, i) => [n, i]));
  acrossNodes = nodePairs(nodes, MAX_NODES)
    .filter((p) => p.from !== p.to)
    .map((p) => ({ client: hosts[index.get(p.from)!]!, server: echoes[index.get(p.to)!]! }));
  sameNode = nodes.map((_, i) => ({ client: hosts[i]!, server: echoes[i]! }));
}, 300_000);

afterAll(async () => {
  await service?.remove();
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
