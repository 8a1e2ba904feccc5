/**
 * LoadBalancer data path per family: every ingress IP answers from outside the cluster
 * (a container on kind's Docker network, reaching MetalLB's L2 announcement) and from a
 * pod (kube-proxy short-circuits ipMode VIP addresses); externalTrafficPolicy Local
 * keeps the client's own address; loadBalancerSourceRanges with an IPv6 range admits the
 * outside client's /128 and denies it once the range no longer contains it; and a
 * dual-stack LoadBalancer in front of IPv6 backends serves IPv4 clients where the
 * profile can (on an IPv6-only cluster the check says why it cannot and skips).
 *
 * Single-family Services (one per cluster family) carry the reachability checks, so a
 * dual-stack allocation problem (ingress.test.ts) does not hide a data-path result.
 * Backend pod names carry the namespace's random tail: an answer from another cluster
 * sharing kind's network (same pool range) shows up as a foreign name.
 */
import type { TestContext } from 'vitest';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  checkIngressFamilies,
  checkIngressReachable,
  dualFrontSupport,
  ingressOf,
  poolHint,
  sourcePreservedVerdict,
  sourceRangeVerdict,
  watchIngress,
  type IngressProbe,
  type IngressTimeline,
  type PoolInfo,
} from '../../lib/checks/loadbalancer.ts';
import { all, assertOk, type Verdict } from '../../lib/checks/verdict.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { applyObjects, type TestNamespace } from '../../lib/k8s/apply.ts';
import { urlFor, type IPFamily } from '../../lib/net/family.ts';
import { httpGet } from '../../lib/probes/http.ts';
import type { OutsideClient } from '../../lib/probes/outside.ts';
import { NETEXEC_HTTP_PORT } from '../../lib/probes/pods.ts';
import {
  createService,
  FAMILIES,
  listPools,
  outsideClient,
  podLabel,
  report,
  requireOutside,
  LOCAL,
  SERVER,
  serviceManifest,
  skipWithoutFamily,
  startReachabilityPods,
  suiteNamespace,
  untilOk,
  waitReadyEndpoints,
  type ServiceShape,
} from '../nodeport/common.ts';

const INGRESS_TIMEOUT_MS = 60_000;
/** A range that does not contain the outside client (documentation prefix). */
const FOREIGN_RANGE = '2001:db8::/32';

let h: Harness;
let ns: TestNamespace;
let outside: OutsideClient | string | undefined;
let client: V1Pod;
let servers: V1Pod[] = [];
let pools: PoolInfo[] = [];
/** Per family: SingleStack ETP Cluster and ETP Local Services, with their ingress timelines. */
const lb = new Map<IPFamily, IngressTimeline>();
const lbLocal = new Map<IPFamily, IngressTimeline>();
let ranges: { shape: ServiceShape; timeline: IngressTimeline } | undefined;
let front: IngressTimeline | undefined;


async function createLb(shape: ServiceShape): Promise<IngressTimeline> {
  const startedAt = Date.now();
  const svc = await createService(h.kc, ns.name, shape);
  return watchIngress(h.kc, ns.name, shape.name, { startedAt, families: (svc.spec?.ipFamilies ?? []) as IPFamily[], timeoutMs: INGRESS_TIMEOUT_MS });
}

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h, 'loadbalancer');
  [outside, pools] = await Promise.all([outsideClient(h), listPools(h.kc)]);
  ({ client, servers } = await startReachabilityPods(h, ns));
  const families = h.families.families;
  const jobs: Promise<unknown>[] = [];
  for (const f of families) {
    const sfx = f.toLowerCase();
    jobs.push(createLb({ name: `lb-${sfx}`, type: 'LoadBalancer', selector: SERVER, families: [f] }).then((t) => lb.set(f, t)));
    jobs.push(createLb({ name: `lb-local-${sfx}`, type: 'LoadBalancer', selector: LOCAL, families: [f], externalTrafficPolicy: 'Local' }).then((t) => lbLocal.set(f, t)));
  }
  const v6 = typeof outside === 'string' ? undefined : outside.addressOf('IPv6');
  if (families.includes('IPv6') && v6) {
    const shape: ServiceShape = { name: 'lb-ranges', type: 'LoadBalancer', selector: SERVER, families: ['IPv6'], loadBalancerSourceRanges: [`${v6}/128`] };
    jobs.push(createLb(shape).then((timeline) => (ranges = { shape, timeline })));
  }
  if (dualFrontSupport(families, h.families.stack).supported) {
    // IPv6 first, as a Service declared for IPv6 backends would be; RequireDualStack adds the IPv4 front.
    jobs.push(createLb({ name: 'lb-front', type: 'LoadBalancer', selector: SERVER, families: ['IPv6', 'IPv4'], policy: 'RequireDualStack' }).then((t) => (front = t)));
  }
  await Promise.all(jobs);
  await waitReadyEndpoints(h, ns.name, `lb-${families[0]!.toLowerCase()}`, [families[0]!], servers.length);
  await waitReadyEndpoints(h, ns.name, `lb-local-${families[0]!.toLowerCase()}`, [families[0]!], 1);
}, 300_000);

afterAll(async () => {
  if (outside && typeof outside !== 'string') await outside.stop();
  await ns?.cleanup();
});

const backends = () => servers.map((p) => p.metadata!.name!);
const nameOf = (s: V1Service) => `Service ${ns.name}/${s.metadata!.name}`;

/**
 * The family's ingress IPs as the Service shows them now (re-read: MetalLB may move an
 * address, e.g. after a pool change), or a failed verdict saying the family is pending.
 */
async function ingressOr(t: IngressTimeline | undefined, family: IPFamily): Promise<ReturnType<typeof ingressOf> | Verdict> {
  if (!t) throw new Error(`no LoadBalancer Service for ${family} was created`);
  t.service = await h.api.core.readNamespacedService({ name: t.service.metadata!.name!, namespace: ns.name });
  const points = ingressOf(t.service, family);
  if (points.length) return points;
  return checkIngressFamilies(t, poolHint(pools, [family]));
}

async function probeIngress(family: IPFamily, via: string, get: (url: string) => Promise<IngressProbe['result']>): Promise<Verdict> {
  const t = lb.get(family);
  const points = await ingressOr(t, family);
  if (!Array.isArray(points)) return points;
  const probes: IngressProbe[] = await Promise.all(
    points.map(async (ingress) => {
      const url = urlFor(ingress.ip, NETEXEC_HTTP_PORT, '/hostname');
      return { ingress, client: via, url, result: await untilOk(() => get(url), 5), expectBody: backends() };
    }),
  );
  return checkIngressReachable(nameOf(t!.service), family, probes);
}

describe('LoadBalancer reachability', () => {
  test.for(FAMILIES)('[%s] every ingress IP of that family answers from outside the cluster (kind network)', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    const c = requireOutside(ctx, outside, family);
    const v = await probeIngress(family, `outside container ${c.name}`, (url) => c.httpGet(url, { timeoutS: 3 }));
    await report(ctx, `LoadBalancer ${family} from outside`, v.ok ? `${lb.get(family) ? ingressOf(lb.get(family)!.service, family).map((p) => p.ip).join(', ') : ''} answered` : v.message);
    assertOk(v);
  });

  test.for(FAMILIES)('[%s] every ingress IP of that family answers from a pod', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    assertOk(await probeIngress(family, podLabel(client), (url) => httpGet(h.kc, ns.name, client.metadata!.name!, url, { timeoutS: 3 })));
  });

  test.for(FAMILIES)("[%s] externalTrafficPolicy Local LoadBalancer: the backend sees the outside client's own address", async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    const c = requireOutside(ctx, outside, family);
    const t = lbLocal.get(family);
    const points = await ingressOr(t, family);
    if (!Array.isArray(points)) return assertOk(points);
    const clientIp = c.addressOf(family)!;
    const verdicts = await Promise.all(
      points.map(async (ingress) => {
        const url = urlFor(ingress.ip, NETEXEC_HTTP_PORT, '/clientip');
        const result = await untilOk(() => c.httpGet(url, { timeoutS: 3 }), 5);
        return sourcePreservedVerdict({ service: nameOf(t!.service), ingress, client: `outside container ${c.name}`, clientIp, url, result });
      }),
    );
    await report(ctx, `externalTrafficPolicy Local ${family}`, verdicts.map((v) => v.seen).join('; ') + `; client ${clientIp}`);
    assertOk(all(verdicts, `${nameOf(t!.service)} source preservation`, family));
  });
});

describe('loadBalancerSourceRanges', () => {
  function requireRanges(ctx: TestContext): { c: OutsideClient; clientIp: string; r: NonNullable<typeof ranges> } {
    skipWithoutFamily(ctx, h, 'IPv6');
    const c = requireOutside(ctx, outside, 'IPv6');
    if (!ranges) ctx.skip('no lb-ranges Service');
    return { c, clientIp: c.addressOf('IPv6')!, r: ranges! };
  }

  test("[IPv6] an IPv6 range holding the outside client's /128 admits it", async (ctx) => {
    const { c, clientIp, r } = requireRanges(ctx);
    const points = await ingressOr(r.timeline, 'IPv6');
    if (!Array.isArray(points)) return assertOk(points);
    const ingress = points[0]!;
    const url = urlFor(ingress.ip, NETEXEC_HTTP_PORT, '/hostname');
    const result = await untilOk(() => c.httpGet(url, { timeoutS: 3 }), 5);
    const v = sourceRangeVerdict({ service: nameOf(r.timeline.service), ingress, ranges: r.shape.loadBalancerSourceRanges!, client: `outside container ${c.name}`, clientIp, result });
    await report(ctx, 'loadBalancerSourceRanges admit', v.message);
    assertOk(v);
  });

  test("[IPv6] a range that does not contain the outside client denies it (same Service, range changed)", async (ctx) => {
    const { c, clientIp, r } = requireRanges(ctx);
    const points = await ingressOr(r.timeline, 'IPv6');
    if (!Array.isArray(points)) return assertOk(points);
    const ingress = points[0]!;
    const url = urlFor(ingress.ip, NETEXEC_HTTP_PORT, '/hostname');
    const deny = [FOREIGN_RANGE];
    await applyObjects(h.kc, [{ ...serviceManifest(ns.name, { ...r.shape, loadBalancerSourceRanges: deny }), apiVersion: 'v1', kind: 'Service' }]);
    // kube-proxy needs a sync to apply the new range: poll (bounded) until the verdict holds.
    const judge = async () =>
      sourceRangeVerdict({ service: nameOf(r.timeline.service), ingress, ranges: deny, client: `outside container ${c.name}`, clientIp, result: await c.httpGet(url, { timeoutS: 3 }) });
    const v = await untilOk(judge, 5);
    await report(ctx, 'loadBalancerSourceRanges deny', v.message);
    assertOk(v);
  });
});

describe('dual-stack LoadBalancer in front of IPv6 backends', () => {
  test('[dual] a dual-stack LoadBalancer in front of IPv6-only backends serves IPv4 clients (where the profile can)', async (ctx) => {
    const support = dualFrontSupport(h.families.families, h.families.stack);
    if (!support.supported) ctx.skip(support.reason);
    const c = requireOutside(ctx, outside, 'IPv4');
    const t = front!;
    t.service = await h.api.core.readNamespacedService({ name: t.service.metadata!.name!, namespace: ns.name });
    const families = checkIngressFamilies(t, poolHint(pools, ['IPv6', 'IPv4']));
    const points = ingressOf(t.service, 'IPv4');
    const probes: IngressProbe[] = await Promise.all(
      points.map(async (ingress) => {
        const url = urlFor(ingress.ip, NETEXEC_HTTP_PORT, '/hostname');
        return { ingress, client: `outside container ${c.name}`, url, result: await untilOk(() => c.httpGet(url, { timeoutS: 3 }), 5), expectBody: backends() };
      }),
    );
    await report(ctx, 'dual-stack front', `${support.reason}; ${families.seen}`);
    assertOk(all([families, checkIngressReachable(nameOf(t.service), 'IPv4', probes)], `${nameOf(t.service)} IPv4 front`, 'dual'));
  });
});
