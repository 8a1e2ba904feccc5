/**
 * NAT64 fault tests on the lab edge: the translator container stopped, and the node
 * route to Pref64::/n removed on one worker. Each runs the checks' own scenarios
 * (suites/nat64/scenarios.ts, same probes and retries from every client pod), requires
 * failures naming pod, node, target and family (and the unaffected checks to keep
 * passing), and restores the edge in `finally`, then waits until NAT64 works again
 * from every pod.
 *
 * Disruptive (serial): every NAT64 check of every file uses the translator, the node
 * routes to Pref64::/n and the IPv6 world subnet these faults take away. The clients are
 * the run's probe fleet, as for the checks: in the serial group nothing else probes from it.
 * The probes dial literal addresses, so the file runs beside dns64's Corefile faults and
 * holds CoreDNS only for the steps that ask it (holdDuring).
 */
import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect } from 'vitest';
import { clientObject, udpTarget, type Client } from '../../lib/checks/nat64.ts';
import { restartTranslator, routeEdge, type EdgeInfo } from '../../lib/edge/index.ts';
import { check } from '../../lib/harness/check.ts';
import { holdDuring, serialLockDir } from '../../lib/harness/serial-locks.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import { waitFor } from '../../lib/k8s/wait.ts';
import { REPO_ROOT } from '../../lib/lab/paths.ts';
import { embedIPv4 } from '../../lib/net/rfc6052.ts';
import { configuredPrefix, resolverAddresses, resolverFor, skipWithoutFamily } from '../dns64/common.ts';
import { pref64Discovery, synthesis } from '../dns64/scenarios.ts';
import { faultTag, withDrops, type NodeDrop } from '../../lib/edge/node-rules.ts';
import { urlFor } from '../../lib/net/family.ts';
import { fleet, type Fleet } from '../../lib/probes/fleet.ts';
import { egressSources, labEdge, nat64Setup, prefixOrSkip, synthesizedUrl, v6World, type Nat64Setup } from './common.ts';
import { nat64Http, nat64Udp, nativeIPv6Http, nativeIPv6Udp } from './scenarios.ts';

let h: Harness;
let probes: Fleet;
let s: Nat64Setup;

/** Runs `fn` holding CoreDNS: dns64's faults change its Corefile meanwhile. */
const withCoreDns = <T>(fn: () => Promise<T>): Promise<T> =>
  holdDuring(path.relative(REPO_ROOT, fileURLToPath(import.meta.url)), 'coredns', { dir: serialLockDir(), runId: h.env.runId }, fn);

beforeAll(async () => {
  h = await harness();
  probes = await fleet(h.kc, h.env.runId);
  // Without a configured prefix, nat64Setup discovers it through CoreDNS.
  s = configuredPrefix(h) ? await nat64Setup(h, probes.pods) : await withCoreDns(() => nat64Setup(h, probes.pods));
}, 300_000);

const nodeOf = (c: Client) => c.pod.spec!.nodeName!;

/** After a restore: the literal check passes again from every client pod. */
async function waitNat64Back(edge: EdgeInfo, pref64: string): Promise<void> {
  const url = synthesizedUrl(edge, pref64);
  await waitFor(`NAT64 ${url} back from every pod`, async () => (await nat64Http(s.clients, url, { pref64, translatorV4: edge.translator.ipv4Leg })).ok, {
    timeoutMs: 60_000,
    intervalMs: 1_000,
  });
}

describe('nat64 faults', () => {
  // One node's route to Pref64 and its native IPv6 egress at once: neither path carries the
  // other's packets (Pref64::/n vs the IPv6 world's subnet), so each fault's "only that
  // node" holds beside the other; the translator fault below stops both. They come first:
  // they need no CoreDNS, so they run while dns64's file holds it.
  describe.concurrent('on one node', () => {
    check({
      id: 'nat64/nat64-faults/fault-ipv6-route-to-pref64-removed-on-one-node-only-the-pod-on-that-node-fails-naming-the-node',
      family: 'IPv6',
      kind: 'fault',
      disruptive: true,
      title: 'fault: [IPv6] route to Pref64 removed on one node: only the pod on that node fails, naming the node',
    }, async (ctx) => {
      skipWithoutFamily(ctx, h, 'IPv6');
      const edge = labEdge(ctx, h);
      const pref64 = prefixOrSkip(ctx, s);
      if (s.clients.length < 2) ctx.skip(`one worker only: "only that node fails" needs two`);
      const brokenClient = s.clients[0]!;
      const broken = nodeOf(brokenClient);
      const url = synthesizedUrl(edge, pref64);
      await execa('docker', ['exec', broken, 'ip', '-6', 'route', 'del', pref64]);
      try {
        const v = await nat64Http(s.clients, url, { pref64, translatorV4: edge.translator.ipv4Leg });
        await ctx.annotate(v.message, 'fault message');
        expectFault(v, { object: clientObject(brokenClient, url), family: 'IPv6' });
        expect(clientObject(brokenClient, url)).toContain(`on ${broken} →`);
        // Only that node: every other pod's verdict holds.
        s.clients.forEach((c, i) => {
          if (c === brokenClient) return;
          expectNoFault(v.perPod[i]!);
          expect(v.perPod[i]!.seen).toContain('HTTP 200');
        });
      } finally {
        await routeEdge(broken, edge.pref64, edge.v4Subnet, edge.translator.kind);
        await waitNat64Back(edge, pref64);
      }
    });

    check({
      id: 'nat64/nat64-faults/fault-ipv6-native-ipv6-egress-dropped-on-one-node-only-the-pod-on-that-node-fails-naming-the-node',
      family: 'IPv6',
      kind: 'fault',
      disruptive: true,
      title: 'fault: [IPv6] native IPv6 egress to the IPv6 world dropped on one node: only the pod on that node fails (HTTP and UDP), naming the node',
    }, async (ctx) => {
      skipWithoutFamily(ctx, h, 'IPv6');
      const o = v6World(ctx, h);
      if (s.clients.length < 2) ctx.skip(`one worker only: "only that node fails" needs two`);
      const sources = await egressSources(h, s.clients);
      const url = urlFor(o.ipv6, o.httpPort, '/clientip');
      const brokenClient = s.clients[0]!;
      const broken = nodeOf(brokenClient);
      expectNoFault(await nativeIPv6Http(s.clients, url, o.ipv6, sources));
      // raw PREROUTING: the pod's packets are dropped as they enter the node, before routing or masquerade.
      const drop: NodeDrop = { node: broken, family: 'IPv6', match: ['-d', o.subnet], tag: faultTag(probes.namespace) };
      await withDrops([drop], async () => {
        const [v, udp] = await Promise.all([nativeIPv6Http(s.clients, url, o.ipv6, sources), nativeIPv6Udp(s.clients, o.ipv6, o.udpPort, sources)]);
        await ctx.annotate(v.message, 'fault message');
        await ctx.annotate(udp.message, 'fault message');
        const hit = expectFault(v, { object: clientObject(brokenClient, url), family: 'IPv6', expected: [`HTTP 2xx over IPv6 to ${o.ipv6} (native, no NAT64)`] });
        expect(hit.seen).toMatch(/^timeout \(curl exit 28/);
        expectFault(udp, { object: clientObject(brokenClient, udpTarget(o.ipv6, o.udpPort)), family: 'IPv6', seen: ['no reply within the timeout'] });
        s.clients.forEach((c, i) => {
          if (c === brokenClient) return;
          expectNoFault(v.perPod[i]!);
          expectNoFault(udp.perPod[i]!);
        });
      });
      expectNoFault(await nativeIPv6Http(s.clients, url, o.ipv6, sources));
    });
  });

  check({
    id: 'nat64/nat64-faults/fault-ipv6-translator-stopped-nat64-checks-fail-naming-pod-target-and-family-dns64-checks-still-pass',
    family: 'IPv6',
    kind: 'fault',
    disruptive: true,
    title: 'fault: [IPv6] translator stopped: NAT64 checks fail naming pod, target and family; DNS64 checks still pass',
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    let edge = labEdge(ctx, h);
    const pref64 = prefixOrSkip(ctx, s);
    const url = synthesizedUrl(edge, pref64);
    const udpIp = embedIPv4(pref64, edge.origin.ipv4);
    await execa('docker', ['stop', '-t', '2', edge.translator.container]);
    try {
      const [http, udp] = await Promise.all([
        nat64Http(s.clients, url, { pref64, translatorV4: edge.translator.ipv4Leg }),
        nat64Udp(s.clients, udpIp, edge.origin.udpPort, { translatorV4: edge.translator.ipv4Leg }),
      ]);
      await ctx.annotate(http.message, 'fault message');
      await ctx.annotate(udp.message, 'fault message');
      for (const c of s.clients) {
        const f = expectFault(http, { object: clientObject(c, url), family: 'IPv6', expected: [`/clientip = ${edge.translator.ipv4Leg}`] });
        expect(f.seen).toMatch(/^(timeout|no route to host|network unreachable|connection refused) \(curl exit/);
        expectFault(udp, { object: clientObject(c, udpTarget(udpIp, edge.origin.udpPort)), family: 'IPv6', seen: ['no reply within the timeout'] });
      }
      // DNS64 is not the translator: discovery and synthesis are unaffected. The resolver is
      // looked up under the lock too: dns64's faults may roll CoreDNS' pods (the resolver on a
      // cluster whose kube-dns has no IPv6 ClusterIP) out from under an earlier lookup.
      const dns = await withCoreDns(async () => {
        const v6 = (await resolverAddresses(h)).IPv6;
        if (!v6) return undefined;
        const r = resolverFor(h, s.clients[0]!.pod, v6);
        return { discovery: await pref64Discovery(r), syn: await synthesis(r, edge.zone.v4only, pref64) };
      });
      if (dns) {
        expectNoFault(dns.discovery.verdict);
        expect(dns.discovery.prefixes).toEqual([pref64]);
        await ctx.annotate(dns.syn.message, 'still passing');
        expectNoFault(dns.syn);
      }
    } finally {
      edge = await restartTranslator(edge);
      h.edge = edge;
      await waitNat64Back(edge, pref64);
    }
  });
});
