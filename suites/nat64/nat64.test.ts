/**
 * NAT64 from pods on every worker to the lab's IPv4-only origin: HTTP by name and by
 * the synthesized literal (the origin sees the translator's IPv4 leg), UDP through the
 * translator, a 2 MiB transfer, and (dual-stack profiles) the native IPv4 path that
 * must not touch the translator's IPv6 side. Existing clusters: --nat64-target.
 *
 * "IPv6-only pod": on an IPv6 cluster every pod is one; on a dual-stack cluster the
 * probes force IPv6 (curl -6 by name, or an IPv6 literal), which takes the same path.
 */
import { afterAll, beforeAll, describe, test, type TestContext } from 'vitest';
import { checkNat64Bulk, checkNat64Http, checkNat64Reach, checkNat64Udp, checkNativeIPv4, type Client } from '../../lib/checks/nat64.ts';
import { all, assertOk, type CheckFamily, type Verdict } from '../../lib/checks/verdict.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { familyOf, isIp, parseHostPort, urlFor } from '../../lib/net/family.ts';
import { embedIPv4 } from '../../lib/net/rfc6052.ts';
import { dns64Setup, podResolverFamily, skipWithoutFamily } from '../dns64/common.ts';
import { labEdge, nat64Setup, prefixOrSkip, synthesizedUrl, type Nat64Setup } from './common.ts';

let h: Harness;
let s: Nat64Setup;

beforeAll(async () => {
  h = await harness();
  s = await nat64Setup(h, 'nat64');
}, 300_000);

afterAll(async () => {
  await s?.ns.cleanup();
});

/** One check per client pod (one per worker), judged together: the message lists each failing pod. */
async function fromEveryWorker(ctx: TestContext, what: string, family: CheckFamily, fn: (c: Client) => Promise<Verdict>): Promise<Verdict> {
  const verdicts = await Promise.all(s.clients.map(fn));
  for (const v of verdicts) await ctx.annotate(v.message, 'verdict');
  return all(verdicts, `${what} from ${s.clients.length} pods (one per worker)`, family);
}

describe('nat64', () => {
  test('[IPv6] HTTP by name (origin.lab.test) through NAT64: /clientip = the translator IPv4 leg', async (ctx) => {
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
    const v = await fromEveryWorker(ctx, `HTTP ${url}`, 'IPv6', (c) => checkNat64Http(c, url, { pref64, translatorV4: edge.translator.ipv4Leg }));
    assertOk(v);
  });

  test('[IPv6] HTTP to the synthesized literal through NAT64: /clientip = the translator IPv4 leg', async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const edge = labEdge(ctx, h);
    const pref64 = prefixOrSkip(ctx, s);
    const url = synthesizedUrl(edge, pref64);
    const v = await fromEveryWorker(ctx, `HTTP ${url}`, 'IPv6', (c) => checkNat64Http(c, url, { pref64, translatorV4: edge.translator.ipv4Leg }));
    assertOk(v);
  });

  test('[IPv6] UDP clientip through the translator = the translator IPv4 leg', async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const edge = labEdge(ctx, h);
    const ip = embedIPv4(prefixOrSkip(ctx, s), edge.origin.ipv4);
    const v = await fromEveryWorker(ctx, `UDP [${ip}]:${edge.origin.udpPort}`, 'IPv6', (c) => checkNat64Udp(c, ip, edge.origin.udpPort, { translatorV4: edge.translator.ipv4Leg }));
    assertOk(v);
  });

  test('[IPv6] 2 MiB transfer through the translator: byte count and sha256 (≥ 1 MiB)', async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const edge = labEdge(ctx, h);
    const pref64 = prefixOrSkip(ctx, s);
    const bulk = edge.origin.bulk;
    if (!bulk) ctx.skip(`edge file of ${edge.cluster} predates the origin's bulk file: re-provision the edge (v6e2e up / addons)`);
    const url = urlFor(embedIPv4(pref64, edge.origin.ipv4), bulk!.port, bulk!.path);
    const v = await fromEveryWorker(ctx, `HTTP ${url}`, 'IPv6', (c) => checkNat64Bulk(c, url, { pref64, served: bulk! }));
    assertOk(v);
  });

  test('[IPv4] dual-stack pod reaches the origin natively over IPv4: IPv4 literal, pod IPv4 → origin, no NAT64', async (ctx) => {
    if (h.families.families.length < 2) ctx.skip(`cluster is ${h.families.stack}: the native IPv4 path is a dual-stack check`);
    const edge = labEdge(ctx, h);
    const url = urlFor(edge.origin.ipv4, edge.origin.httpPort, '/clientip');
    const v = await fromEveryWorker(ctx, `HTTP ${url}`, 'IPv4', (c) => {
      const podV4 = (c.pod.status?.podIPs ?? []).map((p) => p.ip).find((ip): ip is string => !!ip && isIp(ip) && familyOf(ip) === 'IPv4');
      return checkNativeIPv4(c, url, { originV4: edge.origin.ipv4, podV4 });
    });
    assertOk(v);
  });

  test('[IPv6] --nat64-target reachable through Pref64 (existing clusters)', async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const target = h.env.nat64Target;
    if (!target) ctx.skip(h.edge ? 'no --nat64-target given; the lab origin checks above cover NAT64 here' : 'no --nat64-target given: NAT64 not checked on this cluster');
    const pref64 = prefixOrSkip(ctx, s);
    const hp = parseHostPort(target!);
    // An IPv4 target is dialled at its synthesized address, an IPv6 one as given, a name by its AAAA.
    const host = hp.family === 'IPv4' ? embedIPv4(pref64, hp.host) : hp.host;
    const url = urlFor(host, hp.port, '/');
    const v = await fromEveryWorker(ctx, `HTTP ${url}`, 'IPv6', (c) => checkNat64Reach(c, url, { pref64 }));
    assertOk(v);
  });
});
