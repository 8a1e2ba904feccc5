/**
 * DNS64 fault tests: seed a real fault in CoreDNS' Corefile, run the check's own
 * scenario (suites/dns64/scenarios.ts, same probes and retries), require a failure
 * naming the resolver, the family and what was missing or different. The original
 * Corefile goes back after the last fault (afterAll), and synthesis must be as before.
 *
 * Both faults are CoreDNS faults, so they apply to `coredns` mode; in `upstream` mode
 * unbound synthesizes and CoreDNS' dns64 block is not the thing under test.
 *
 * Disruptive (serial): the Corefile is the cluster's, every pod resolves through it.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, type TestContext } from 'vitest';
import { discoverPref64, resolverObject, type Resolver } from '../../lib/checks/dns64.ts';
import { applyCorefile, readCorefile, renderCorefile } from '../../lib/edge/coredns.ts';
import type { EdgeInfo } from '../../lib/edge/index.ts';
import { check } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault } from '../../lib/harness/fault.ts';
import { waitFor } from '../../lib/k8s/wait.ts';
import { parsePref64 } from '../../lib/net/rfc6052.ts';
import { answersOf, dig } from '../../lib/probes/dns.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import { configuredPrefix, dns64Setup, resolverAddresses, resolverFor, skipWithoutFamily } from './common.ts';
import { pref64Agreement, pref64AgreementObject, synthesis } from './scenarios.ts';

let h: Harness;
let client: V1Pod;

beforeAll(async () => {
  h = await harness();
  // The run's probe fleet, as for the checks: in the serial group nothing else probes from it.
  client = (await fleet(h.kc, h.env.runId)).pods[0]!;
}, 300_000);

/** Faults need the lab edge (its upstream address renders a Corefile) and CoreDNS doing DNS64. */
async function corednsLab(ctx: TestContext): Promise<EdgeInfo> {
  skipWithoutFamily(ctx, h, 'IPv6');
  if (!h.edge) ctx.skip('existing cluster: Corefile faults need the lab edge (upstream address)');
  if ((await dns64Setup(h)).mode !== 'coredns') ctx.skip('upstream mode: unbound synthesizes, a CoreDNS dns64 fault tests nothing');
  if (!(await resolverAddresses(h)).IPv6) ctx.skip('no IPv6 address of CoreDNS to query');
  return h.edge!;
}

/**
 * CoreDNS over IPv6 as it is now: where kube-dns has no IPv6 ClusterIP the resolver is a
 * CoreDNS pod, and a Corefile change that falls back to a rollout replaces those pods (new addresses).
 */
async function currentResolver(): Promise<Resolver> {
  const v6 = (await resolverAddresses(h)).IPv6;
  if (!v6) throw new Error('CoreDNS has no IPv6 address to query');
  return resolverFor(h, client, v6);
}

/** The Corefile before the first fault: afterAll puts it back. */
let original: string | undefined;

/**
 * Applies `corefile` and runs `body`. One fault's Corefile replaces the other's directly,
 * so the faults cost a CoreDNS reload each (in place, ~2 s: lib/edge/coredns.ts) plus one
 * for the restore.
 */
async function withFaultyCorefile(corefile: string, body: () => Promise<void>): Promise<void> {
  original ??= await readCorefile(h.kc);
  await applyCorefile(h.kc, corefile);
  await body();
}

/** The original Corefile back, whatever happened, and synthesis as before. */
afterAll(async () => {
  if (original === undefined || !h.edge) return;
  const edge = h.edge;
  await applyCorefile(h.kc, original);
  await waitFor(
    `AAAA ${edge.zone.v4only} synthesized in ${edge.pref64} again`,
    async () => (await synthesis(await currentResolver(), edge.zone.v4only, edge.pref64)).ok,
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );
}, 180_000);

/**
 * Polls the raw AAAA answers until they show the fault (CoreDNS' reload and its 5 s cache
 * lag behind the API); returns the resolver that showed it. Only a resolver that replied
 * NOERROR counts: during the rollout a terminating CoreDNS pod gives no reply at all,
 * which has no AAAA either but says nothing about the fault.
 */
async function waitAaaa(name: string, what: string, until: (aaaa: string[]) => boolean): Promise<Resolver> {
  return waitFor(
    what,
    async () => {
      const r = await currentResolver();
      const reply = await dig(h.kc, r.client.metadata!.namespace!, r.client.metadata!.name!, name, 'AAAA', { server: r.server });
      return reply.rcode === 'NOERROR' && until(answersOf(reply, 'AAAA')) ? r : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1_000 },
  ) as Promise<Resolver>;
}

describe('dns64 faults', () => {
  check({
    id: 'dns64/dns64-faults/fault-ipv6-dns64-removed-from-coredns-the-synthesis-check-fails-naming-the-resolver-and-the-missing-aaaa',
    family: 'IPv6',
    kind: 'fault',
    disruptive: true,
    title: 'fault: [IPv6] dns64 removed from CoreDNS: the synthesis check fails naming the resolver and the missing AAAA',
  }, async (ctx) => {
    const edge = await corednsLab(ctx);
    // mode 'upstream' renders the same Corefile without the dns64 block (and unbound of
    // this lab runs without dns64 in coredns mode): nobody synthesizes any more.
    const without = renderCorefile({ upstream: edge.dns.kind.IPv6!, mode: 'upstream', pref64: parsePref64(edge.pref64) });
    expect(without).not.toMatch(/dns64/);
    await withFaultyCorefile(without, async () => {
      const r = await waitAaaa(edge.zone.v4only, `AAAA ${edge.zone.v4only} unsynthesized`, (aaaa) => aaaa.length === 0);
      const v = await synthesis(r, edge.zone.v4only, edge.pref64);
      await ctx.annotate(v.message, 'fault message');
      expectFault(v, {
        object: resolverObject(r, `AAAA ${edge.zone.v4only}`),
        family: 'IPv6',
        expected: [`AAAA ${edge.zone.v4only} synthesized in ${edge.pref64} = {${edge.originSynthesized}}`],
        seen: ['NOERROR, no AAAA answers: the synthesized AAAA is missing'],
      });
    });
  });

  check({
    id: 'dns64/dns64-faults/fault-ipv6-dns64-prefix-differs-from-the-translator-prefix-the-agreement-check-names-both-prefixes',
    family: 'IPv6',
    kind: 'fault',
    disruptive: true,
    title: 'fault: [IPv6] DNS64 prefix differs from the translator prefix: the agreement check names both prefixes',
  }, async (ctx) => {
    const edge = await corednsLab(ctx);
    const conf = configuredPrefix(h)!;
    // A documentation-range /96 no translator of the lab uses.
    const wrong = ['2001:db8:64ff::/96', '2001:db8:64fe::/96'].find((p) => parsePref64(p).cidr !== parsePref64(conf.cidr).cidr)!;
    const corefile = renderCorefile({ upstream: edge.dns.kind.IPv6!, mode: 'coredns', pref64: parsePref64(wrong) });
    await withFaultyCorefile(corefile, async () => {
      const r = await waitAaaa('ipv4only.arpa', `ipv4only.arpa synthesized in ${wrong}`, (aaaa) => discoverPref64(aaaa).some((c) => c.cidr === wrong));
      const v = await pref64Agreement(r, conf);
      await ctx.annotate(v.message, 'fault message');
      expectFault(v, {
        object: pref64AgreementObject(r),
        family: 'IPv6',
        expected: [`the translator's ${parsePref64(conf.cidr).cidr}`],
        seen: [`DNS64 synthesizes with ${wrong}`],
      });
    });
  });
});
