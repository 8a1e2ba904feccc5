/**
 * Fault tests: seed a real fault on the cluster, run the very scenario the suite's check
 * runs (scenarios.ts, same retry policy), and require a failure naming the object, the
 * family and what was seen. Node rules are DROPs scoped to this file's own pod IPs and
 * host ports, tagged `v6e2e-fault-<namespace>`, and removed in `finally`: other suites
 * probe the same nodes at the same time.
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { hostIpOf, nodeHostIpOf } from '../../lib/checks/host-network.ts';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { createService } from '../../lib/k8s/services.ts';
import { otherFamily, type IPFamily } from '../../lib/net/family.ts';
import { startPlanned } from '../../lib/probes/plans.ts';
import { NETEXEC_HTTP_PORT, NETEXEC_UDP_PORT, podIpOf, twoWorkers, workerNodes } from '../../lib/probes/pods.ts';
import { echoRequestMatch, faultTag, withDrops, type NodeDrop } from '../../lib/edge/node-rules.ts';
import { TURN_TIMEOUT_MS, turnsBy } from '../../lib/harness/turns.ts';
import {
  FAMILIES,
  FAULT_EP_HTTP_PORT,
  FAULT_EP_UDP_PORT,
  FAULT_HOSTPORT,
  listNodes,
  ROLE_LABEL,
  skipWithoutFamily,
} from './common.ts';
import { HOST_NETWORK_FAULTS_PODS } from './plans.ts';
import { clusterIpHttp, clusterIpUdp, hostEndpointSlices, hostPortHttp, hostToPodHttp, nodePortHttp, nodePortUdp, podToNodesPing } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
/** The first two workers (one, twice, on a single-node cluster): clients on w0, servers on w1. */
let w0: string;
let w1: string;
let nodes: V1Node[] = [];
let otherNodes: V1Node[] = [];
/** hostNetwork client on w0. */
let hclient: V1Pod;
/** netexec on w1: the NodePort Service's only backend. */
let backend: V1Pod;
/** hostNetwork netexec on w1: the hostep Service's only endpoint. */
let hostep: V1Pod;
/** netexec on w0: pod client, and the same-node server of hclient. */
let client: V1Pod;
/** netexec on w1, beside the hostPort pod. */
let near: V1Pod;
let hostport: V1Pod;
let np: V1Service;
let hostepSvc: V1Service;

beforeAll(async () => {
  h = await harness();
  const [started, workers] = await Promise.all([startPlanned(h, HOST_NETWORK_FAULTS_PODS), workerNodes(h.kc)]);
  ns = started.ns;
  [w0, w1] = twoWorkers(workers);
  const families = h.families.families;
  // The Services while the planned pods (plans.ts) finish.
  const [{ pods }, svcA, svcB, listed] = await Promise.all([
    started.ready(),
    createService(h.kc, ns.name, { name: 'np', type: 'NodePort', selector: { [ROLE_LABEL]: 'backend' }, families }),
    createService(h.kc, ns.name, {
      name: 'hostep',
      selector: { [ROLE_LABEL]: 'hostep' },
      families,
      ports: [
        { name: 'http', port: 80, targetPort: FAULT_EP_HTTP_PORT, protocol: 'TCP' },
        { name: 'udp', port: 81, targetPort: FAULT_EP_UDP_PORT, protocol: 'UDP' },
      ],
    }),
    listNodes(h),
  ]);
  [hclient, backend, hostep, client, near, hostport] = pods as [V1Pod, V1Pod, V1Pod, V1Pod, V1Pod, V1Pod];
  [np, hostepSvc, nodes] = [svcA, svcB, listed];
  otherNodes = nodes.filter((n) => n.metadata?.name !== w0);
  await Promise.all([waitForEndpoints(h.kc, ns.name, 'np', families), waitForEndpoints(h.kc, ns.name, 'hostep', families)]);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

function ipOf(pod: V1Pod, family: IPFamily): string {
  const ip = podIpOf(pod, family);
  if (!ip) throw new Error(`pod ${ns.name}/${pod.metadata!.name!} has no ${family} address`);
  return ip;
}

function nodeIp(name: string, family: IPFamily): string {
  const ip = nodeHostIpOf(nodes.find((n) => n.metadata?.name === name)!, family);
  if (!ip) throw new Error(`Node ${name} has no ${family} host IP`);
  return ip;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The backend's own ports (UDP and TCP 8080, host → pod included): those faults and their
 * before/after probes take turns per family; the others touch disjoint ports and run at once.
 */
const backendTurn = turnsBy<IPFamily>();

// Concurrent: each fault drops only its own target's traffic (backendTurn orders those sharing one).
describe.concurrent('host-network faults', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `host-network/faults/fault-${idFamily(f)}-backend-udp-dropped-node-to-service-udp-fails`,
      family: f,
      kind: 'fault',
      timeoutMs: TURN_TIMEOUT_MS,
      title: `fault: [${f}] UDP to the Service's backend pod dropped on its node (mangle FORWARD): node → ClusterIP and → NodePort UDP fail, HTTP still works`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      // mangle FORWARD on the backend's node sees the packet after any node's DNAT, whichever address the client dialled.
      const rule: NodeDrop = { node: w1, family: f, afterDnat: true, tag: faultTag(ns.name), match: ['-d', ipOf(backend, f), '-p', 'udp', '--dport', String(NETEXEC_UDP_PORT)] };
      await backendTurn(f)(async () => {
        await withDrops([rule], async () => {
          // The fault is the protocol: TCP to the same backend still passes.
          const [v, n, tcp] = await Promise.all([clusterIpUdp(h.kc, hclient, np, f), nodePortUdp(h.kc, hclient, np, f, otherNodes), clusterIpHttp(h.kc, hclient, np, f, [backend])]);
          await ctx.annotate(v.message, 'fault message (ClusterIP)');
          await ctx.annotate(n.message, 'fault message (NodePort)');
          expectFault(v, { object: new RegExp(`^hostNetwork pod ${esc(ns.name)}/hclient on ${w0} → Service ${esc(ns.name)}/np ClusterIP .* udp port ${NETEXEC_UDP_PORT}$`), family: f, expected: ['UDP reply "'], seen: ['no reply'] });
          for (const node of otherNodes) {
            expectFault(n, { object: new RegExp(` → Service ${esc(ns.name)}/np udp NodePort on ${node.metadata!.name!} \\(`), family: f, expected: ['UDP reply "'], seen: ['no reply'] });
          }
          expectNoFault(tcp);
        });
        expectNoFault(await clusterIpUdp(h.kc, hclient, np, f));
      });
    },
    { familiesAtOnce: true },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `host-network/faults/fault-${idFamily(f)}-backend-tcp-dropped-node-to-service-http-fails`,
      family: f,
      kind: 'fault',
      timeoutMs: TURN_TIMEOUT_MS,
      title: `fault: [${f}] TCP to the Service's backend pod dropped on its node (mangle FORWARD): node → ClusterIP and → NodePort HTTP fail`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const rule: NodeDrop = { node: w1, family: f, afterDnat: true, tag: faultTag(ns.name), match: ['-d', ipOf(backend, f), '-p', 'tcp', '--dport', String(NETEXEC_HTTP_PORT)] };
      await backendTurn(f)(async () => {
        await withDrops([rule], async () => {
          const [v, n] = await Promise.all([clusterIpHttp(h.kc, hclient, np, f, [backend]), nodePortHttp(h.kc, hclient, np, f, otherNodes, [backend])]);
          await ctx.annotate(v.message, 'fault message (ClusterIP)');
          await ctx.annotate(n.message, 'fault message (NodePort)');
          expectFault(v, { object: new RegExp(`^hostNetwork pod ${esc(ns.name)}/hclient on ${w0} → Service ${esc(ns.name)}/np ClusterIP \\(`), family: f, expected: ['HTTP 2xx with body "backend"'], seen: ['timeout'] });
          for (const node of otherNodes) {
            expectFault(n, { object: new RegExp(` → Service ${esc(ns.name)}/np NodePort on ${node.metadata!.name!} \\(`), family: f, expected: ['HTTP 2xx'], seen: ['timeout'] });
          }
        });
        expectNoFault(await clusterIpHttp(h.kc, hclient, np, f, [backend]));
      });
    },
    { familiesAtOnce: true },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `host-network/faults/fault-${idFamily(f)}-host-ports-dropped-hostnetwork-endpoints-unreachable`,
      family: f,
      kind: 'fault',
      title: `fault: [${f}] the hostNetwork endpoint's host ports dropped on its node (raw PREROUTING): pod → ClusterIP HTTP and UDP fail`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      // Not from lo: the node's own traffic to itself (kubelet's probes of a hostNetwork pod loop back through PREROUTING)
      // is not what the fault is about, and an unready endpoint would turn the timeout into kube-proxy's reject.
      const to = ['!', '-i', 'lo', '-d', nodeIp(w1, f)];
      const rules: NodeDrop[] = [
        { node: w1, family: f, tag: faultTag(ns.name), match: [...to, '-p', 'tcp', '--dport', String(FAULT_EP_HTTP_PORT)] },
        { node: w1, family: f, tag: faultTag(ns.name), match: [...to, '-p', 'udp', '--dport', String(FAULT_EP_UDP_PORT)] },
      ];
      await withDrops(rules, async () => {
        const [v, u] = await Promise.all([clusterIpHttp(h.kc, client, hostepSvc, f, [hostep]), clusterIpUdp(h.kc, client, hostepSvc, f)]);
        await ctx.annotate(v.message, 'fault message (HTTP)');
        await ctx.annotate(u.message, 'fault message (UDP)');
        expectFault(v, { object: new RegExp(`^pod ${esc(ns.name)}/client on ${w0} → Service ${esc(ns.name)}/hostep ClusterIP \\(`), family: f, expected: [`HTTP 2xx with body one of [${w1}, hostep]`], seen: ['timeout'] });
        expectFault(u, { object: new RegExp(`^pod ${esc(ns.name)}/client on ${w0} → Service ${esc(ns.name)}/hostep ClusterIP .* udp port 81$`), family: f, expected: ['UDP reply "'], seen: ['no reply'] });
      });
      expectNoFault(await clusterIpHttp(h.kc, client, hostepSvc, f, [hostep]));
    },
    { familiesAtOnce: true },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `host-network/faults/fault-${idFamily(f)}-service-without-the-family-has-no-endpointslice-of-it`,
      family: f,
      kind: 'fault',
      title: `fault: [${f}] the hostNetwork Service made SingleStack ${f === 'IPv4' ? 'IPv6' : 'IPv4'}: the ${f} EndpointSlice check fails naming each endpoint`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      if (!h.has(otherFamily(f))) ctx.skip(`cluster is ${h.families.stack}: no other family to make the Service`);
      // The same endpoints behind a Service of the other family only: the controller writes no slice of `f`.
      const name = `hostep-${idFamily(otherFamily(f))}-only`;
      const single = await createService(h.kc, ns.name, { name, selector: { [ROLE_LABEL]: 'hostep' }, families: [otherFamily(f)], ports: hostepSvc.spec!.ports!.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol })) });
      await waitForEndpoints(h.kc, ns.name, name, [otherFamily(f)]);
      const v = await hostEndpointSlices(h.kc, single, f, [hostep], nodes);
      await ctx.annotate(v.message, 'fault message');
      expectFault(v, {
        object: `Service ${ns.name}/${name} EndpointSlice (${f}) endpoint for pod ${ns.name}/hostep`,
        family: f,
        expected: [`address ${nodeIp(w1, f)} (Node ${w1}'s ${f} host IP)`],
        seen: [`no ${f} EndpointSlice`, `(${otherFamily(f)})`],
      });
      expectNoFault(await hostEndpointSlices(h.kc, hostepSvc, f, [hostep], nodes));
    },
    { familiesAtOnce: true },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `host-network/faults/fault-${idFamily(f)}-pod-http-port-dropped-host-to-pod-fails`,
      family: f,
      kind: 'fault',
      timeoutMs: TURN_TIMEOUT_MS,
      title: `fault: [${f}] TCP to the server pods dropped on their nodes (raw PREROUTING across nodes, raw OUTPUT on the same node): host → pod fails both ways`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const port = ['-p', 'tcp', '--dport', String(NETEXEC_HTTP_PORT)];
      // A remote host's request enters the server's node (PREROUTING); the node's own request leaves it (OUTPUT).
      const rules: NodeDrop[] = [
        { node: w1, family: f, tag: faultTag(ns.name), match: ['-d', ipOf(backend, f), ...port] },
        { node: w0, family: f, outgoing: true, tag: faultTag(ns.name), match: ['-d', ipOf(client, f), ...port] },
      ];
      await backendTurn(f)(async () => {
        await withDrops(rules, async () => {
          const [across, same] = await Promise.all([
            hostToPodHttp(h.kc, [{ client: hclient, server: backend }], f, 'across nodes'),
            hostToPodHttp(h.kc, [{ client: hclient, server: client }], f, 'on the same node'),
          ]);
          await ctx.annotate(across.message, 'fault message (across nodes)');
          await ctx.annotate(same.message, 'fault message (same node)');
          if (w0 !== w1) {
            expectFault(across, { object: new RegExp(`^hostNetwork pod ${esc(ns.name)}/hclient on ${w0} → pod ${esc(ns.name)}/backend on ${w1} \\(`), family: f, expected: ['HTTP 2xx with body "backend"'], seen: ['timeout'] });
          }
          expectFault(same, { object: new RegExp(`^hostNetwork pod ${esc(ns.name)}/hclient on ${w0} → pod ${esc(ns.name)}/client on ${w0} \\(`), family: f, expected: ['HTTP 2xx with body "client"'], seen: ['timeout'] });
        });
        expectNoFault(await hostToPodHttp(h.kc, [{ client: hclient, server: backend }, { client: hclient, server: client }], f, 'after the fault'));
      });
    },
    { familiesAtOnce: true },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `host-network/faults/fault-${idFamily(f)}-hostport-dropped`,
      family: f,
      kind: 'fault',
      title: `fault: [${f}] the hostPort dropped on its node before DNAT (raw PREROUTING): hostPort from the same and another node fails`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const addr = hostIpOf(hostport, f)!;
      const rule: NodeDrop = { node: w1, family: f, tag: faultTag(ns.name), match: ['-d', addr, '-p', 'tcp', '--dport', String(FAULT_HOSTPORT)] };
      const clients = w0 !== w1 ? [near, client] : [near];
      await withDrops([rule], async () => {
        const v = await hostPortHttp(h.kc, clients, hostport, FAULT_HOSTPORT, f);
        await ctx.annotate(v.message, 'fault message');
        for (const c of clients) {
          expectFault(v, { object: new RegExp(`^pod ${esc(ns.name)}/${c.metadata!.name!} on ${c.spec!.nodeName!} → hostPort of pod ${esc(ns.name)}/hostport on ${w1} \\(`), family: f, expected: ['HTTP 2xx with body "hostport"'], seen: ['timeout'] });
        }
      });
      expectNoFault(await hostPortHttp(h.kc, clients, hostport, FAULT_HOSTPORT, f));
    },
    { familiesAtOnce: true },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `host-network/faults/fault-${idFamily(f)}-echo-requests-to-one-node-dropped`,
      family: f,
      kind: 'fault',
      title: `fault: [${f}] ICMP${f === 'IPv6' ? 'v6' : ''} echo requests from the client pod to one node's ${f} address dropped (raw PREROUTING): the pod → node ping check fails naming that node`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const target = nodeIp(w1, f);
      // Seeded on the client's node, where the request still carries the pod's own address (kindnet masquerades pod → node traffic).
      const rule: NodeDrop = { node: w0, family: f, tag: faultTag(ns.name), match: ['-s', ipOf(client, f), '-d', target, ...echoRequestMatch(f)] };
      await withDrops([rule], async () => {
        const v = await podToNodesPing(h.kc, client, nodes, f);
        await ctx.annotate(v.message, 'fault message');
        const icmp = f === 'IPv6' ? 'ICMPv6' : 'ICMP';
        expectFault(v, { object: `pod ${ns.name}/client on ${w0} → Node ${w1} ${target} (ping)`, family: f, expected: [`${icmp} echo replies to every request`], seen: [`0 of 3 ${icmp} echo replies`] });
        // Only that node: every other node address still answers.
        expect(v.failures).toHaveLength(1);
      });
      expectNoFault(await podToNodesPing(h.kc, client, nodes, f));
    },
    { familiesAtOnce: true },
  );
});
