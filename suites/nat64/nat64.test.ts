/**
 * NAT64 from pods on every worker to the lab's IPv4-only origin: HTTP by name and by
 * the synthesized literal (the origin sees the translator's IPv4 leg), UDP through the
 * translator, a 2 MiB transfer, and (dual-stack profiles) the native IPv4 path that
 * must not touch the translator's IPv6 side. Existing clusters: --nat64-target.
 *
 * "IPv6-only pod": on an IPv6 cluster every pod is one; on a dual-stack cluster the
 * probes force IPv6 (curl -6 by name, or an IPv6 literal), which takes the same path.
 */
import { beforeAll, describe, type TestContext } from 'vitest';
import { assertOk } from '../../lib/checks/verdict.ts';
import { check } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { parseHostPort, urlFor } from '../../lib/net/family.ts';
import { embedIPv4 } from '../../lib/net/rfc6052.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import { dns64Setup, podResolverFamily, skipWithoutFamily } from '../dns64/common.ts';
import { egressSources, labEdge, nat64Setup, prefixOrSkip, synthesizedUrl, v6World, type Nat64Setup } from './common.ts';
import { nat64Bulk, nat64Http, nat64Reach, nat64Udp, nativeIPv4, nativeIPv6Http, nativeIPv6Udp, type EgressSources, type FleetVerdict } from './scenarios.ts';

let h: Harness;
let s: Nat64Setup;
let sources: EgressSources;

beforeAll(async () => {
  h = await harness();
  s = await nat64Setup(h, (await fleet(h.kc, h.env.runId)).pods);
  sources = await egressSources(h, s.clients);
}, 300_000);

/** Every pod's verdict in the report (passing ones too: they show the path taken), then the fleet's assertion. */
async function assertFleet(ctx: TestContext, v: FleetVerdict): Promise<void> {
  for (const p of v.perPod) await ctx.annotate(p.message, 'verdict');
  assertOk(v);
}

describe('nat64', () => {
  check({
    id: 'nat64/nat64/ipv6-http-by-name-origin-lab-test-through-nat64-clientip-the-translator-ipv4-leg',
    family: 'IPv6',
    title: '[IPv6] HTTP by name (origin.lab.test) through NAT64: /clientip = the translator IPv4 leg',
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const edge = labEdge(ctx, h);
    const pref64 = prefixOrSkip(ctx, s);
    // A dual-stack pod whose resolver is reached over IPv4 gets no synthesized AAAA from
    // CoreDNS's dns64 (no allow_ipv4): by name it reaches the origin natively, by design.
    const dns = await dns64Setup(h);
    if ((await podResolverFamily(h)) === 'IPv4' && dns.mode === 'coredns' && !dns.allowIPv4) {
      ctx.skip('pods query kube-dns over IPv4 and CoreDNS dns64 synthesizes only for IPv6 queries: no AAAA by name (see dns64 transport test); NAT64 is covered by the literal');
    }
    const url = urlFor(edge.zone.v4only, edge.origin.httpPort, '/clientip');
    await assertFleet(ctx, await nat64Http(s.clients, url, { pref64, translatorV4: edge.translator.ipv4Leg }));
  });

  check({
    id: 'nat64/nat64/ipv6-http-to-the-synthesized-literal-through-nat64-clientip-the-translator-ipv4-leg',
    family: 'IPv6',
    title: '[IPv6] HTTP to the synthesized literal through NAT64: /clientip = the translator IPv4 leg',
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const edge = labEdge(ctx, h);
    const pref64 = prefixOrSkip(ctx, s);
    await assertFleet(ctx, await nat64Http(s.clients, synthesizedUrl(edge, pref64), { pref64, translatorV4: edge.translator.ipv4Leg }));
  });

  check({
    id: 'nat64/nat64/ipv6-udp-clientip-through-the-translator-the-translator-ipv4-leg',
    family: 'IPv6',
    title: '[IPv6] UDP clientip through the translator = the translator IPv4 leg',
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const edge = labEdge(ctx, h);
    const ip = embedIPv4(prefixOrSkip(ctx, s), edge.origin.ipv4);
    await assertFleet(ctx, await nat64Udp(s.clients, ip, edge.origin.udpPort, { translatorV4: edge.translator.ipv4Leg }));
  });

  check({
    id: 'nat64/nat64/ipv6-2-mib-transfer-through-the-translator-byte-count-and-sha256-1-mib',
    family: 'IPv6',
    title: '[IPv6] 2 MiB transfer through the translator: byte count and sha256 (≥ 1 MiB)',
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const edge = labEdge(ctx, h);
    const pref64 = prefixOrSkip(ctx, s);
    const bulk = edge.origin.bulk;
    if (!bulk) ctx.skip(`edge file of ${edge.cluster} predates the origin's bulk file: re-provision the edge (v6e2e up / addons)`);
    const url = urlFor(embedIPv4(pref64, edge.origin.ipv4), bulk!.port, bulk!.path);
    await assertFleet(ctx, await nat64Bulk(s.clients, url, { pref64, served: bulk! }));
  });

  check({
    id: 'nat64/nat64/ipv4-dual-stack-pod-reaches-the-origin-natively-over-ipv4-ipv4-literal-pod-ipv4-origin-no-nat64',
    family: 'IPv4',
    title: '[IPv4] dual-stack pod reaches the origin natively over IPv4: IPv4 literal, pod IPv4 → origin, no NAT64',
  }, async (ctx) => {
    if (h.families.families.length < 2) ctx.skip(`cluster is ${h.families.stack}: the native IPv4 path is a dual-stack check`);
    const edge = labEdge(ctx, h);
    await assertFleet(ctx, await nativeIPv4(s.clients, urlFor(edge.origin.ipv4, edge.origin.httpPort, '/clientip'), edge.origin.ipv4));
  });

  check({
    id: 'nat64/nat64/ipv6-nat64-target-reachable-through-pref64-existing-clusters',
    family: 'IPv6',
    title: '[IPv6] --nat64-target reachable through Pref64 (existing clusters)',
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const target = h.env.nat64Target;
    if (!target) ctx.skip(h.edge ? 'no --nat64-target given; the lab origin checks above cover NAT64 here' : 'no --nat64-target given: NAT64 not checked on this cluster');
    const pref64 = prefixOrSkip(ctx, s);
    const hp = parseHostPort(target!);
    // An IPv4 target is dialled at its synthesized address, an IPv6 one as given, a name by its AAAA.
    const host = hp.family === 'IPv4' ? embedIPv4(pref64, hp.host) : hp.host;
    await assertFleet(ctx, await nat64Reach(s.clients, urlFor(host, hp.port, '/'), pref64));
  });
});

/**
 * Native IPv6 egress: the lab's IPv6 world (a 2001:db8 network outside the cluster)
 * reached without NAT64. The origin's /clientip records whether the CNI masqueraded.
 */
describe('native IPv6 egress', () => {
  check({
    id: 'nat64/native-ipv6/ipv6-http-to-the-ipv6-world-origin-by-literal-without-nat64-source-the-pod-or-its-node',
    family: 'IPv6',
    title: "[IPv6] HTTP to the IPv6 world's origin by literal, without NAT64: the origin sees the pod or its node",
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const o = v6World(ctx, h);
    await assertFleet(ctx, await nativeIPv6Http(s.clients, urlFor(o.ipv6, o.httpPort, '/clientip'), o.ipv6, sources));
  });

  check({
    id: 'nat64/native-ipv6/ipv6-http-by-name-v6only-lab-test-a-real-aaaa-reaches-the-ipv6-world-origin-without-nat64',
    family: 'IPv6',
    title: "[IPv6] HTTP by name (v6only.lab.test, a real AAAA) reaches the IPv6 world's origin without NAT64",
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const o = v6World(ctx, h);
    const edge = labEdge(ctx, h);
    await assertFleet(ctx, await nativeIPv6Http(s.clients, urlFor(edge.zone.v6only, o.httpPort, '/clientip'), o.ipv6, sources));
  });

  check({
    id: 'nat64/native-ipv6/ipv6-udp-clientip-from-the-ipv6-world-origin-the-pod-or-its-node',
    family: 'IPv6',
    title: "[IPv6] UDP clientip from the IPv6 world's origin: the pod or its node",
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const o = v6World(ctx, h);
    await assertFleet(ctx, await nativeIPv6Udp(s.clients, o.ipv6, o.udpPort, sources));
  });
});
