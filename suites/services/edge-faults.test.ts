/**
 * Fault tests for the hairpin and no-endpoint checks, per family: seed a real fault on
 * the client's node (an iptables/ip6tables DROP scoped to this file's pod IPs and Service
 * ports, tagged `v6e2e-fault-<namespace>`), run the very scenarios the checks run, and
 * require failures naming the pod/Service, the family, what was expected and what was
 * seen; then remove the rules and see the scenario pass again.
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { serviceIPsOf } from '../../lib/checks/connectivity.ts';
import { nodeTargets } from '../../lib/checks/service-edges.ts';
import { faultTag, withDrops, type NodeDrop } from '../../lib/edge/node-rules.ts';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { NETEXEC_HTTP_PORT, NETEXEC_UDP_PORT, podIpOf } from '../../lib/probes/pods.ts';
import { startPlanned, type PlannedPods } from '../../lib/probes/plans.ts';
import { EDGE_FAULTS_PODS } from './plans.ts';
import { edgeService, FAMILIES, HAIRPIN, listNodes, NOBODY, skipWithoutFamily } from './edge-common.ts';
import {
  hairpinClusterIpHttp,
  hairpinClusterIpUdp,
  hairpinNodePortHttp,
  hairpinSource,
  httpNodePort,
  noEndpointsClusterIpTcp,
  noEndpointsClusterIpUdp,
  noEndpointsNodePortTcp,
} from './edge-scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let hairpin: V1Pod;
let client: V1Pod;
let hairpinSvc: V1Service;
let emptySvc: V1Service;
let nodes: V1Node[];

beforeAll(async () => {
  h = await harness();
  const started = await startPlanned(h, EDGE_FAULTS_PODS);
  ns = started.ns;
  // The Services and the node list while the pods start.
  let planned: PlannedPods;
  [hairpinSvc, emptySvc, nodes, planned] = await Promise.all([
    edgeService(h, ns.name, 'hairpin', HAIRPIN),
    edgeService(h, ns.name, 'no-endpoints', NOBODY),
    listNodes(h),
    started.ready(),
  ]);
  [hairpin, client] = [planned.pod('hairpin'), planned.pod('client')];
  await waitForEndpoints(h.kc, ns.name, 'hairpin', h.families.families, 1);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

/** `pod <ns>/<name> on <node> → …`: the start of the objects the scenarios name. */
function from(pod: V1Pod): string {
  return `pod ${ns.name}/${pod.metadata!.name!} on ${pod.spec!.nodeName!} → `;
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('edge faults', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/edge-faults/fault-${idFamily(f)}-hairpin-dropped-on-the-pods-node`,
      family: f,
      kind: 'fault',
      title: `fault: [${f}] hairpin dropped on the pod's node (FORWARD src = dst = its IP): the hairpin checks fail naming the pod, its Service and ${f}`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const ip = podIpOf(hairpin, f)!;
      const node = hairpin.spec!.nodeName!;
      // After kube-proxy's DNAT and before its masquerade, a hairpin packet is from the pod to itself.
      const drops: NodeDrop[] = [{ node, family: f, match: ['-s', ip, '-d', ip], tag: faultTag(ns.name), afterDnat: true }];
      const svc = `Service ${ns.name}/hairpin`;
      const own = nodeTargets(nodes, node, f).find((t) => t.own)!;
      await withDrops(drops, async () => {
        // Independent probes: run together, each under its check's own retry policy.
        const [http, np, udp, src] = await Promise.all([
          hairpinClusterIpHttp(h.kc, hairpin, hairpinSvc, f),
          hairpinNodePortHttp(h.kc, hairpin, hairpinSvc, nodes, f),
          hairpinClusterIpUdp(h.kc, hairpin, hairpinSvc, f),
          hairpinSource(h.kc, hairpin, hairpinSvc, f),
        ]);
        for (const v of [http, np, udp, src]) await ctx.annotate(v.message, 'fault message');
        expectFault(http, { object: new RegExp(`^${esc(from(hairpin))}its own ${svc} ClusterIP \\(`), family: f, expected: ['HTTP 2xx with body "hairpin"'], seen: ['timeout'] });
        expectFault(np, {
          object: new RegExp(`^${esc(from(hairpin))}its own ${svc} NodePort ${httpNodePort(hairpinSvc)} on ${esc(own.node)} \\(the client's own node\\)`),
          family: f,
          expected: ['HTTP 2xx with body "hairpin"'],
          seen: ['timeout'],
        });
        expectFault(udp, { object: new RegExp(`^${esc(from(hairpin))}its own ${svc} ClusterIP \\S+ udp port ${NETEXEC_UDP_PORT}`), family: f, expected: ['UDP reply "hairpin"'], seen: ['no reply'] });
        expectFault(src, { object: new RegExp(`^${esc(from(hairpin))}its own ${svc} ClusterIP .*source seen`), family: f, expected: [`an ${f} source other than its own`], seen: ['timeout'] });
      });
      expectNoFault(await hairpinClusterIpHttp(h.kc, hairpin, hairpinSvc, f));
    },
    { familiesAtOnce: true },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/edge-faults/fault-${idFamily(f)}-no-endpoint-service-black-holed-on-the-clients-node`,
      family: f,
      kind: 'fault',
      title: `fault: [${f}] a Service without endpoints black-holed on the client's node (raw PREROUTING drop of its packets): the rejection checks fail with a timeout`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const src = podIpOf(client, f)!;
      const node = client.spec!.nodeName!;
      const clusterIp = serviceIPsOf(emptySvc, f)[0]!;
      const nodePort = httpNodePort(emptySvc)!;
      // Dropped before kube-proxy's REJECT sees them (raw runs first): no RST, no ICMP error, as if no rule rejected them.
      const drop = (dst: string, proto: 'tcp' | 'udp', port: number): NodeDrop => ({
        node,
        family: f,
        match: ['-s', src, '-d', dst, '-p', proto, '--dport', String(port)],
        tag: faultTag(ns.name),
      });
      const drops = [
        drop(clusterIp, 'tcp', NETEXEC_HTTP_PORT),
        drop(clusterIp, 'udp', NETEXEC_UDP_PORT),
        ...nodeTargets(nodes, node, f).map((t) => drop(t.address, 'tcp', nodePort)),
      ];
      const svc = `Service ${ns.name}/no-endpoints`;
      await withDrops(drops, async () => {
        const [tcp, np, udp] = await Promise.all([
          noEndpointsClusterIpTcp(h.kc, client, emptySvc, f),
          noEndpointsNodePortTcp(h.kc, client, emptySvc, nodes, f),
          noEndpointsClusterIpUdp(h.kc, client, emptySvc, f),
        ]);
        for (const v of [tcp, np, udp]) await ctx.annotate(v.message, 'fault message');
        expectFault(tcp, { object: new RegExp(`^${esc(from(client))}${svc} ClusterIP \\(`), family: f, expected: ['connection refused within 2 s'], seen: ['timeout after 2 s'] });
        for (const own of ["the client's own node", 'another node']) {
          expectFault(np, { object: new RegExp(`^${esc(from(client))}${svc} NodePort ${nodePort} on \\S+ \\(${own}\\)`), family: f, expected: ['connection refused within 2 s'], seen: ['timeout after 2 s'] });
        }
        expectFault(udp, { object: new RegExp(`^${esc(from(client))}${svc} ClusterIP \\S+ udp port ${NETEXEC_UDP_PORT}`), family: f, expected: ['connection refused within 2 s'], seen: ['timeout after 2 s'] });
      });
      expectNoFault(await noEndpointsClusterIpTcp(h.kc, client, emptySvc, f));
    },
    { familiesAtOnce: true },
  );
});
