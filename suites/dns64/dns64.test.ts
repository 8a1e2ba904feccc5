/**
 * DNS64, asked from a pod: Pref64::/n discovery (RFC 7050) and its agreement with the
 * translator's prefix, AAAA synthesis for IPv4-only names (RFC 6052 extraction = the A
 * record), no synthesis where a real AAAA exists, CNAME chains, cluster names never
 * synthesized, and which query transport gets synthesized answers.
 *
 * Synthesis is asked of CoreDNS over IPv6 (`dig @<IPv6 resolver>`): on a dual-stack
 * cluster whose kube-dns is IPv4 the pods' own resolver would leave every AAAA
 * unsynthesized in `coredns` mode, which is what the transport test documents.
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { IPV4ONLY_ARPA, type Resolver } from '../../lib/checks/dns64.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { DOC_AAAA } from '../../lib/edge/dns.ts';
import { check, checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { familyOf, isIp, type IPFamily } from '../../lib/net/family.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import { configuredPrefix, dns64Setup, ipv4OnlyName, resolverAddresses, resolverFor, skipWithoutFamily, suiteNamespace, type Dns64Setup } from './common.ts';
import { clusterName, cnameSynthesis, pref64Agreement, pref64Discovery, queryTransport, realAaaa, synthesis } from './scenarios.ts';

let h: Harness;
/** Holds the Services the checks create; the client is the run's probe fleet's. */
let ns: TestNamespace;
/** Kept as soon as it is asked for: afterAll deletes the namespace even when another part of the setup failed first. */
let creating: Promise<TestNamespace> | undefined;
let client: V1Pod;
let setup: Dns64Setup;
let resolvers: Partial<Record<IPFamily, Resolver>>;
/** The prefix the checks judge against: the translator's, else the discovered one. */
let pref64: string | undefined;
/** The SingleStack IPv4 Service of the cluster-names check (dual-stack clusters), made in beforeAll. */
let v4only: { svc: V1Service; createdAt: number } | undefined;
/**
 * CoreDNS answers for a new Service once its informer has it; an NXDOMAIN asked before is
 * cached for the zone's TTL (30 s), where no retry gets past it. The Service is made in
 * beforeAll and first asked for at least this long after.
 */
const SERVICE_KNOWN_MS = 2_000;

beforeAll(async () => {
  h = await harness();
  creating = suiteNamespace(h, 'dns64');
  const [probes, dns, addrs, own] = await Promise.all([fleet(h.kc, h.env.runId), dns64Setup(h), resolverAddresses(h), creating]);
  ns = own;
  if (h.families.families.length >= 2) {
    const body = { metadata: { name: 'v4only-svc' }, spec: { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], selector: { 'v6e2e.io/role': 'nobody' }, ports: [{ port: 80, protocol: 'TCP' }] } };
    v4only = { svc: await h.api.core.createNamespacedService({ namespace: ns.name, body }), createdAt: Date.now() };
  }
  client = probes.pods[0]!;
  setup = dns;
  resolvers = Object.fromEntries(Object.entries(addrs).map(([f, a]) => [f, resolverFor(h, client, a)]));
  pref64 = configuredPrefix(h)?.cidr;
  if (!pref64 && resolvers.IPv6) pref64 = (await pref64Discovery(resolvers.IPv6)).prefixes[0];
}, 300_000);

afterAll(async () => {
  await (await creating?.catch(() => undefined))?.cleanup();
});

function v6(ctx: Parameters<typeof skipWithoutFamily>[0]): Resolver {
  skipWithoutFamily(ctx, h, 'IPv6');
  if (!resolvers.IPv6) ctx.skip('no IPv6 address of CoreDNS (kube-dns ClusterIP or pod) to query');
  return resolvers.IPv6!;
}

function prefixOrSkip(ctx: Parameters<typeof skipWithoutFamily>[0]): string {
  if (!pref64) ctx.skip('no Pref64: not configured (--nat64-prefix / EdgeInfo) and none discovered via ipv4only.arpa');
  return pref64!;
}

function labOnly(ctx: Parameters<typeof skipWithoutFamily>[0]): NonNullable<Harness['edge']> {
  if (!h.edge) ctx.skip('existing cluster: the lab zone lab.test is served only by the lab edge');
  return h.edge!;
}

describe('dns64', () => {
  check({ id: 'dns64/dns64/ipv6-pref64-n-discovered-through-ipv4only-arpa-aaaa-rfc-7050', family: 'IPv6', title: '[IPv6] Pref64::/n discovered through ipv4only.arpa AAAA (RFC 7050)' }, async (ctx) => {
    const r = v6(ctx);
    const { verdict, prefixes } = await pref64Discovery(r);
    await ctx.annotate(`${verdict.message} (discovered: ${prefixes.join(', ') || 'none'})`, 'verdict');
    assertOk(verdict);
  });

  check({ id: 'dns64/dns64/ipv6-discovered-pref64-agrees-with-the-translator-prefix', family: 'IPv6', title: '[IPv6] discovered Pref64 agrees with the translator prefix' }, async (ctx) => {
    const r = v6(ctx);
    const conf = configuredPrefix(h);
    if (!conf) ctx.skip('existing cluster without --nat64-prefix: no translator prefix to compare with');
    const v = await pref64Agreement(r, conf!);
    await ctx.annotate(v.message, 'verdict');
    assertOk(v);
  });

  check({
    id: 'dns64/dns64/ipv6-ipv4only-arpa-aaaa-192-0-0-170-171-embedded-in-pref64-rfc-6052-extraction-a',
    family: 'IPv6',
    title: '[IPv6] ipv4only.arpa AAAA = 192.0.0.170/171 embedded in Pref64 (RFC 6052 extraction = A)',
  }, async (ctx) => {
    const r = v6(ctx);
    const v = await synthesis(r, IPV4ONLY_ARPA, prefixOrSkip(ctx));
    await ctx.annotate(v.message, 'verdict');
    assertOk(v);
  });

  check({
    id: 'dns64/dns64/ipv6-ipv4-only-name-origin-lab-test-aaaa-synthesized-embedded-ipv4-its-a-record',
    family: 'IPv6',
    title: '[IPv6] IPv4-only name (origin.lab.test): AAAA synthesized, embedded IPv4 = its A record',
  }, async (ctx) => {
    const r = v6(ctx);
    const edge = labOnly(ctx);
    const v = await synthesis(r, edge.zone.v4only, prefixOrSkip(ctx));
    await ctx.annotate(v.message, 'verdict');
    assertOk(v);
  });

  check({
    id: 'dns64/dns64/ipv6-no-synthesis-where-a-real-aaaa-exists-dual-lab-test-answers-only-2001-db8-64-10',
    family: 'IPv6',
    title: '[IPv6] no synthesis where a real AAAA exists: dual.lab.test answers only 2001:db8:64::10',
  }, async (ctx) => {
    const r = v6(ctx);
    const edge = labOnly(ctx);
    const v = await realAaaa(r, edge.zone.dual, [DOC_AAAA.dual], prefixOrSkip(ctx));
    await ctx.annotate(v.message, 'verdict');
    assertOk(v);
  });

  check({
    id: 'dns64/dns64/ipv6-cname-chain-alias-lab-test-origin-lab-test-with-the-synthesized-aaaa',
    family: 'IPv6',
    title: '[IPv6] CNAME chain: alias.lab.test → origin.lab.test with the synthesized AAAA',
  }, async (ctx) => {
    const r = v6(ctx);
    const edge = labOnly(ctx);
    const v = await cnameSynthesis(r, edge.zone.alias, edge.zone.v4only, prefixOrSkip(ctx));
    await ctx.annotate(v.message, 'verdict');
    assertOk(v);
  });

  check({
    id: 'dns64/dns64/ipv6-cluster-names-never-synthesized-the-kubernetes-service-aaaa-is-its-real-clusterip-not-in-pref64',
    family: 'IPv6',
    title: '[IPv6] cluster names never synthesized: the kubernetes Service AAAA is its real ClusterIP, not in Pref64',
  }, async (ctx) => {
    const r = v6(ctx);
    const prefix = prefixOrSkip(ctx);
    const svc = await h.api.core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    const ips = (svc.spec?.clusterIPs ?? []).filter((ip) => isIp(ip) && familyOf(ip) === 'IPv6');
    if (ips.length === 0) ctx.skip(`default/kubernetes has no IPv6 ClusterIP on this ${h.families.stack} cluster (covered by the IPv4-only Service test)`);
    const v = await clusterName(r, `kubernetes.default.svc.${setup.clusterDomain}`, ips, prefix);
    await ctx.annotate(v.message, 'verdict');
    assertOk(v);
  });

  check({
    id: 'dns64/dns64/dual-cluster-names-never-synthesized-a-singlestack-ipv4-service-gets-no-aaaa-even-asked-over-ipv6',
    family: 'dual',
    title: '[dual] cluster names never synthesized: a SingleStack IPv4 Service gets no AAAA, even asked over IPv6',
  }, async (ctx) => {
    if (!v4only) ctx.skip(`cluster is ${h.families.stack}: a SingleStack IPv4 Service exists only on dual-stack clusters`);
    const r = v6(ctx);
    const prefix = prefixOrSkip(ctx);
    const { svc, createdAt } = v4only!;
    await new Promise((res) => setTimeout(res, Math.max(0, createdAt + SERVICE_KNOWN_MS - Date.now())));
    const v = await clusterName(r, `${svc.metadata!.name!}.${ns.name}.svc.${setup.clusterDomain}`, [], prefix);
    await ctx.annotate(`${v.message} (Service ClusterIPs [${(svc.spec?.clusterIPs ?? []).join(', ')}])`, 'verdict');
    assertOk(v);
  });

  /*
   * Query transport. CoreDNS's dns64 plugin synthesizes only for queries that reach it
   * over IPv6 unless `allow_ipv4` is set; unbound (upstream mode) synthesizes for both.
   * Seen on the lab's dual-stack cluster in coredns mode: AAAA origin.lab.test asked of
   * CoreDNS over IPv4 → NOERROR with no AAAA; over IPv6 → the synthesized AAAA. So on a
   * dual-stack cluster with an IPv4 kube-dns, pods get no synthesized AAAA at all and
   * reach IPv4-only names natively over IPv4; in upstream mode they get both.
   */
  checkEach(
    ['IPv6', 'IPv4'],
    (f) => ({
      id: `dns64/dns64/${idFamily(f)}-query-transport-aaaa-of-the-ipv4-only-name-asked-of-coredns-over-this-family-coredns-mode-synthesized-over-ipv6-only-upstream-mode-both`,
      family: f,
      title: `[${f}] query transport: AAAA of the IPv4-only name asked of CoreDNS over this family (coredns mode: synthesized over IPv6 only; upstream mode: both)`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      if (family === 'IPv4' && h.families.families.length < 2) ctx.skip(`cluster is ${h.families.stack}: IPv4 transport matters in dual-stack profiles only`);
      const addr = resolvers[family];
      if (!addr) ctx.skip(`no ${family} address of CoreDNS to query`);
      if (!setup.mode) ctx.skip(`DNS64 mode ${setup.modeFrom}: pass --dns64-mode`);
      const prefix = prefixOrSkip(ctx);
      const name = ipv4OnlyName(h);
      const v = await queryTransport(addr!, { transport: family, name, pref64: prefix, mode: setup.mode!, allowIPv4: setup.allowIPv4 });
      await ctx.annotate(`${v.message} (mode ${setup.mode} from ${setup.modeFrom})`, 'verdict');
      assertOk(v);
    },
  );
});
