/**
 * Fault tests: each seeds a real fault on the server's node, scoped to this file's client
 * pod (its source address) and tagged `v6e2e-fault-<namespace>`, runs the very scenario the
 * check runs, and requires a failure naming the path, IPv6, what was expected and seen.
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { internalIPs } from '../../lib/checks/address-families.ts';
import { blackHoleHint } from '../../lib/checks/mtu.ts';
import { familyOf, isIp } from '../../lib/net/family.ts';
import { nftIn } from '../../lib/edge/docker.ts';
import { faultTag, withDrops, type NodeDrop } from '../../lib/edge/node-rules.ts';
import { check } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { sharedFault } from '../../lib/harness/turns.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { podIpOf } from '../../lib/probes/pods.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { startPlanned, type PlannedPods } from '../../lib/probes/plans.ts';
import { createEchoService, HTTP_BODY_BYTES, skipWithoutFamily, UDP_DATAGRAM_BYTES } from './common.ts';
import { MTU_FAULTS_PODS } from './plans.ts';
import { largeHttpThroughService, largeUdpThroughService, pathMtu } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let client: V1Pod;
let server: V1Pod;
let svc: V1Service;
let serverNode: V1Node;
let node: string;
/** Every rule matches only packets from this pod's IPv6 address. */
let clientIp: string;
/** The server node's IPv6 address: the NodePort paths dial it. */
let nodeIp: string;

/** Packets of at least this size (whole IPv6 packet) vanish: a lower path MTU with no Packet Too Big. */
const BLACK_HOLE_FROM = 1300;

beforeAll(async () => {
  h = await harness();
  // The Service while the pods start.
  const started = await startPlanned(h, MTU_FAULTS_PODS);
  ns = started.ns;
  let planned: PlannedPods;
  [planned, svc] = await Promise.all([started.ready(), createEchoService(h.kc, ns.name, h.families.families)]);
  [client, server] = [planned.pod('client'), planned.pod('server')];
  node = server.spec!.nodeName!;
  [serverNode] = await Promise.all([h.api.core.readNode({ name: node }), waitForEndpoints(h.kc, ns.name, svc.metadata!.name!, h.families.families, 1)]);
  clientIp = podIpOf(client, 'IPv6') ?? '';
  nodeIp = internalIPs(serverNode).find((ip) => isIp(ip) && familyOf(ip) === 'IPv6') ?? '';
}, 240_000);

afterAll(async () => {
  await ns?.cleanup();
});

/**
 * Large IPv6 packets from the client dropped silently on the server's node (raw PREROUTING,
 * before any CNI or kube-proxy rule; conntrack has reassembled fragments there, so the length
 * is the whole datagram's). Removed afterwards whatever happens. Its two checks judge it at
 * once (sharedFault): each mostly waits out the timeouts of what it drops.
 */
const blackHole = sharedFault(<T>(fn: () => Promise<T>): Promise<T> => {
  const big = ['-m', 'length', '--length', `${BLACK_HOLE_FROM}:65535`];
  const drop = (match: string[]): NodeDrop => ({ node, family: 'IPv6', match: [...match, ...big], tag: faultTag(ns.name) });
  return withDrops(
    [
      // Pod → pod and pod → ClusterIP (DNATed on the client's node) keep the client's source address.
      drop(['-s', `${clientIp}/128`]),
      // Pod → NodePort arrives masqueraded to the client node's address: match our NodePort instead.
      drop(['-d', `${nodeIp}/128`, '-p', 'tcp', '--dport', String(nodePort('http'))]),
    ],
    fn,
  );
});

function nodePort(name: string): number {
  const p = svc.spec?.ports?.find((x) => x.name === name)?.nodePort;
  if (!p) throw new Error(`Service ${ns.name}/big has no nodePort for port ${name}`);
  return p;
}

describe('mtu faults', () => {
  check(
    {
      id: 'mtu/mtu-faults/fault-ipv6-fragments-dropped-on-the-server-node-the-large-udp-datagram-check-fails',
      family: 'IPv6',
      kind: 'fault',
      title: 'fault: [IPv6] IPv6 fragments from the client dropped on the server node (nft netdev ingress): the large UDP datagram check fails naming the Service paths and IPv6',
    },
    async (ctx) => {
      skipWithoutFamily(ctx, h, 'IPv6');
      // Fragments are dropped where they enter the node, before netfilter's IPv6 reassembly
      // (ip6tables only ever sees the reassembled datagram). A table of our own: one delete restores.
      const table = `v6e2e_fault_${ns.name.replace(/-/g, '_')}`;
      const ruleset = [
        `table netdev ${table} {`,
        '  chain ingress {',
        '    type filter hook ingress device "eth0" priority -500; policy accept;',
        `    ip6 saddr ${clientIp} exthdr frag exists drop comment "v6e2e-fault-${ns.name}"`,
        // NodePort traffic arrives masqueraded: the first fragment (it carries the UDP header) to our NodePort.
        `    ip6 daddr ${nodeIp} exthdr frag exists udp dport ${nodePort('udp')} drop comment "v6e2e-fault-${ns.name}"`,
        '  }',
        '}',
      ].join('\n');
      const seeded = await nftIn(node, ['-f', '-'], ruleset);
      expect(seeded.exitCode, `seeding the fragment drop on ${node}: ${seeded.stderr}`).toBe(0);
      try {
        const v = await largeUdpThroughService(h.kc, client, svc, serverNode, 'IPv6');
        await ctx.annotate(v.message, 'fault message');
        for (const path of [' ClusterIP \\(udp ', ` NodePort on ${node} \\(udp `]) {
          expectFault(v, {
            object: new RegExp(` → Service ${ns.name}/big${path}`),
            family: 'IPv6',
            expected: [`the ${UDP_DATAGRAM_BYTES}-byte datagram echoed whole`],
            seen: ['no reply'],
          });
        }
        // Small datagrams are not fragmented, and IPv4 fragments are not touched.
        if (h.has('IPv4')) expectNoFault(await largeUdpThroughService(h.kc, client, svc, serverNode, 'IPv4'));
      } finally {
        await nftIn(node, ['delete', 'table', 'netdev', table]);
      }
      expectNoFault(await largeUdpThroughService(h.kc, client, svc, serverNode, 'IPv6'));
    },
  );

  // The fragment drop above, then these two at once: the black hole also swallows the
  // large datagram the fragment fault's after-probe sends.
  describe.concurrent('under one black hole', () => {
    check(
      {
        id: 'mtu/mtu-faults/fault-ipv6-packets-over-1300-bytes-silently-dropped-the-path-mtu-probe-reports-a-black-hole',
        family: 'IPv6',
        kind: 'fault',
        title: `fault: [IPv6] packets ≥ ${BLACK_HOLE_FROM} bytes from the client silently dropped on the server node: the path-MTU probe finds ${BLACK_HOLE_FROM - 1} and reports a black hole`,
      },
      async (ctx) => {
        skipWithoutFamily(ctx, h, 'IPv6');
        const v = await blackHole.during(() => pathMtu(h.kc, client, server, 'IPv6'));
        await ctx.annotate(v.message, 'fault message');
        expectFault(v, {
          object: new RegExp(` → pod ${ns.name}/server on ${node} \\(ping -M do `),
          family: 'IPv6',
          expected: ['path MTU = the pod interface MTU', '(≥ 1280, the IPv6 minimum)'],
          seen: [`path MTU ${BLACK_HOLE_FROM - 1} `, blackHoleHint('IPv6')],
        });
        expectNoFault(await blackHole.after(() => pathMtu(h.kc, client, server, 'IPv6')));
      },
    );

    check(
      {
        id: 'mtu/mtu-faults/fault-ipv6-packets-over-1300-bytes-silently-dropped-the-large-http-body-stalls-as-a-black-hole',
        family: 'IPv6',
        kind: 'fault',
        title: `fault: [IPv6] packets ≥ ${BLACK_HOLE_FROM} bytes from the client silently dropped on the server node: the large HTTP body stalls, reported as a path-MTU black hole`,
      },
      async (ctx) => {
        skipWithoutFamily(ctx, h, 'IPv6');
        const v = await blackHole.during(() => largeHttpThroughService(h.kc, client, svc, serverNode, 'IPv6'));
        await ctx.annotate(v.message, 'fault message');
        for (const path of [' ClusterIP \\(POST ', ` NodePort on ${node} \\(POST `]) {
          expectFault(v, {
            object: new RegExp(` → Service ${ns.name}/big${path}`),
            family: 'IPv6',
            expected: [`${HTTP_BODY_BYTES} bytes, sha256 `],
            seen: ['stalled after connecting', blackHoleHint('IPv6')],
          });
        }
        expectNoFault(await blackHole.after(() => largeHttpThroughService(h.kc, client, svc, serverNode, 'IPv6')));
      },
    );
  });
});
