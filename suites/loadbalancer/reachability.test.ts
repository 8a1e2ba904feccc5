/**
 * LoadBalancer data path per family: every ingress IP answers from outside the cluster
 * (a container on kind's Docker network, reaching MetalLB's L2 announcement) and from a
 * pod (kube-proxy short-circuits ipMode VIP addresses); externalTrafficPolicy Local
 * keeps the client's own address; loadBalancerSourceRanges with an IPv6 range admits the
 * outside client's /128 and denies it once the range no longer contains it; and a
 * dual-stack LoadBalancer in front of IPv6 backends serves IPv4 clients where the
 * profile can (on an IPv6-only cluster the check says why it cannot and skips).
 * UDP answers on every ingress IP from outside, and an externalTrafficPolicy Local
 * Service's healthCheckNodePort says 200 on the node with its endpoint, 503 elsewhere.
 *
 * Single-family Services (one per cluster family) carry the reachability checks, so a
 * dual-stack allocation problem (ingress.test.ts) does not hide a data-path result.
 * The pods are the run's probe fleet's (nodeport/common.ts reachabilityPods), this file's
 * Services in the fleet's namespace. Fleet pod names carry the run's tail: an answer from
 * another cluster sharing kind's network (same pool range) shows up as a foreign name.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, type TestContext } from 'vitest';
import { dualFrontSupport, ingressOf, watchIngress, type IngressTimeline } from '../../lib/checks/loadbalancer.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { check, checkEach, expectOk, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { applyObjects } from '../../lib/k8s/apply.ts';
import { deleteServices, NETEXEC_UDP } from '../../lib/k8s/services.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import type { OutsideClient } from '../../lib/probes/outside.ts';
import { outsideRunner } from '../../lib/probes/spread.ts';
import { allSettledOrThrow } from '../../lib/util/settle.ts';
import {
  createService,
  FAMILIES,
  outsideClient,
  reachabilityPods,
  report,
  requireOutside,
  serviceManifest,
  skipWithoutFamily,
  type ServiceShape,
} from '../nodeport/common.ts';
import { dualFront, fromOutside, fromPod, healthCheckAnswers, ingressAnswers, ingressUdpAnswers, sourcePreserved, sourceRangeHolds, type LbPeers } from './scenarios.ts';
import { nodeAddresses } from '../nodeport/scenarios.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';

/** The data-path Services are created up front; their ingress may take this long. */
const INGRESS_TIMEOUT_MS = 60_000;
/** A range that does not contain the outside client (documentation prefix). */
const FOREIGN_RANGE = '2001:db8::/32';

let h: Harness;
/** The probe fleet's namespace: this file's Services are there, over the fleet's pods. */
let ns: string;
/** Names of the Services this file made, for afterAll. */
const made: string[] = [];
let outside: OutsideClient | string | undefined;
let client: V1Pod;
let servers: V1Pod[] = [];
/** The only endpoint of the ETP Local Services, and the nodes whose addresses the health checks probe. */
let local: V1Pod;
let nodes: V1Node[] = [];
/** Per family: a SingleStack LoadBalancer for netexec's UDP port over the same backends. */
const lbUdp = new Map<IPFamily, IngressTimeline>();
/** Per family: SingleStack ETP Cluster and ETP Local Services, with their ingress timelines. */
const lb = new Map<IPFamily, IngressTimeline>();
const lbLocal = new Map<IPFamily, IngressTimeline>();
let ranges: { shape: ServiceShape; timeline: IngressTimeline } | undefined;
let front: IngressTimeline | undefined;

async function createLb(shape: ServiceShape): Promise<IngressTimeline> {
  const startedAt = Date.now();
  made.push(shape.name);
  const svc = await createService(h.kc, ns, shape);
  return watchIngress(h.kc, ns, shape.name, { startedAt, families: (svc.spec?.ipFamilies ?? []) as IPFamily[], timeoutMs: INGRESS_TIMEOUT_MS });
}

beforeAll(async () => {
  h = await harness();
  const [pods, listed] = await Promise.all([reachabilityPods(h), h.api.core.listNode({}).then((l) => l.items)]);
  ({ namespace: ns, client, servers, local } = pods);
  nodes = listed;
  // The outside client and the Services start together.
  const families = h.families.families;
  const jobs: Promise<unknown>[] = [];
  for (const f of families) {
    const sfx = f.toLowerCase();
    jobs.push(createLb({ name: `lb-${sfx}`, type: 'LoadBalancer', selector: pods.server, families: [f] }).then((t) => lb.set(f, t)));
    jobs.push(createLb({ name: `lb-local-${sfx}`, type: 'LoadBalancer', selector: pods.localSelector, families: [f], externalTrafficPolicy: 'Local' }).then((t) => lbLocal.set(f, t)));
    jobs.push(createLb({ name: `lb-udp-${sfx}`, type: 'LoadBalancer', selector: pods.server, families: [f], ports: [NETEXEC_UDP] }).then((t) => lbUdp.set(f, t)));
  }
  jobs.push(
    outsideClient(h, 'plain').then(async (o) => {
      outside = o;
      const v6 = typeof o === 'string' ? undefined : o.addressOf('IPv6');
      if (!families.includes('IPv6') || !v6) return;
      const shape: ServiceShape = { name: 'lb-ranges', type: 'LoadBalancer', selector: pods.server, families: ['IPv6'], loadBalancerSourceRanges: [`${v6}/128`] };
      ranges = { shape, timeline: await createLb(shape) };
    }),
  );
  if (dualFrontSupport(families, h.families.stack).supported) {
    // IPv6 first, as a Service declared for IPv6 backends would be; RequireDualStack adds the IPv4 front.
    jobs.push(createLb({ name: 'lb-front', type: 'LoadBalancer', selector: pods.server, families: ['IPv6', 'IPv4'], policy: 'RequireDualStack' }).then((t) => (front = t)));
  }
  await allSettledOrThrow(jobs);
  await waitForEndpoints(h.kc, ns, `lb-${families[0]!.toLowerCase()}`, [families[0]!], servers.length);
  await waitForEndpoints(h.kc, ns, `lb-local-${families[0]!.toLowerCase()}`, [families[0]!], 1);
}, 300_000);

afterAll(async () => {
  if (ns) await deleteServices(h.kc, ns, made);
});

/** Who probes and what answers count, once the pods are up. */
function peers(): LbPeers {
  return { h, ns, backends: servers.map((p) => p.metadata!.name!) };
}

describe('LoadBalancer reachability', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `loadbalancer/loadbalancer-reachability/${idFamily(f)}-every-ingress-ip-of-that-family-answers-from-outside-the-cluster-kind-network`,
      family: f,
      title: `[${f}] every ingress IP of that family answers from outside the cluster (kind network)`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      const c = requireOutside(ctx, outside, family);
      const v = await ingressAnswers(peers(), lb.get(family), family, fromOutside(c));
      await report(ctx, `LoadBalancer ${family} from outside`, v.ok ? `${lb.get(family) ? ingressOf(lb.get(family)!.service, family).map((p) => p.ip).join(', ') : ''} answered` : v.message);
      assertOk(v);
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `loadbalancer/loadbalancer-reachability/${idFamily(f)}-every-ingress-ip-of-that-family-answers-from-a-pod`,
      family: f,
      title: `[${f}] every ingress IP of that family answers from a pod`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      assertOk(await ingressAnswers(peers(), lb.get(family), family, fromPod(h, client)));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `loadbalancer/loadbalancer-reachability/${idFamily(f)}-externaltrafficpolicy-local-loadbalancer-the-backend-sees-the-outside-client-s-own-address`,
      family: f,
      title: `[${f}] externalTrafficPolicy Local LoadBalancer: the backend sees the outside client's own address`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      const c = requireOutside(ctx, outside, family);
      const { verdict, parts } = await sourcePreserved(peers(), lbLocal.get(family), family, c);
      if (parts.length) await report(ctx, `externalTrafficPolicy Local ${family}`, parts.map((v) => v.seen).join('; ') + `; client ${c.addressOf(family)}`);
      assertOk(verdict);
    },
  );
});

describe('LoadBalancer UDP', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `loadbalancer/loadbalancer-reachability/${idFamily(f)}-udp-every-ingress-ip-of-that-family-answers-from-outside-the-cluster-kind-network`,
      family: f,
      timing: 'kube-proxy and MetalLB settle after the Service appears: each ingress IP gets 5 tries',
      title: `[${f}] UDP: netexec answers on every ingress IP of that family from outside the cluster (kind network)`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      const c = requireOutside(ctx, outside, family);
      await expectOk(ctx, await ingressUdpAnswers(peers(), lbUdp.get(family), family, outsideRunner(c)));
    },
  );
});

describe('externalTrafficPolicy Local health check', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `loadbalancer/externaltrafficpolicy-local-health-check/${idFamily(f)}-healthchecknodeport-answers-200-on-the-node-with-a-local-endpoint-503-on-the-others`,
      family: f,
      timing: 'kube-proxy syncs the health server with the endpoints: up to 5 tries',
      title: `[${f}] externalTrafficPolicy Local LoadBalancer: /healthz on its healthCheckNodePort answers 200 on the node with the local endpoint and 503 on the others, on every node address of that family`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      const c = requireOutside(ctx, outside, family);
      const t = lbLocal.get(family);
      if (!t) throw new Error(`no externalTrafficPolicy Local LoadBalancer for ${family} was created`);
      const svc = await h.api.core.readNamespacedService({ name: t.service.metadata!.name!, namespace: ns });
      const v = await healthCheckAnswers({ svc, family, targets: nodeAddresses(nodes, family), from: fromOutside(c), localNodes: [local.spec!.nodeName!] });
      await report(ctx, `healthCheckNodePort ${family}`, v.message);
      await expectOk(ctx, v);
    },
  );
});

describe('loadBalancerSourceRanges', () => {
  function requireRanges(ctx: TestContext): { c: OutsideClient; r: NonNullable<typeof ranges> } {
    skipWithoutFamily(ctx, h, 'IPv6');
    const c = requireOutside(ctx, outside, 'IPv6');
    if (!ranges) ctx.skip('no lb-ranges Service');
    return { c, r: ranges! };
  }

  check({
    id: 'loadbalancer/loadbalancersourceranges/ipv6-an-ipv6-range-holding-the-outside-client-s-128-admits-it',
    family: 'IPv6',
    title: "[IPv6] an IPv6 range holding the outside client's /128 admits it",
  }, async (ctx) => {
    const { c, r } = requireRanges(ctx);
    const v = await sourceRangeHolds(peers(), r.timeline, r.shape.loadBalancerSourceRanges!, c);
    await report(ctx, 'loadBalancerSourceRanges admit', v.message);
    assertOk(v);
  });

  check({
    id: 'loadbalancer/loadbalancersourceranges/ipv6-a-range-that-does-not-contain-the-outside-client-denies-it-same-service-range-changed',
    family: 'IPv6',
    title: '[IPv6] a range that does not contain the outside client denies it (same Service, range changed)',
  }, async (ctx) => {
    const { c, r } = requireRanges(ctx);
    const deny = [FOREIGN_RANGE];
    await applyObjects(h.kc, [{ ...serviceManifest(ns, { ...r.shape, loadBalancerSourceRanges: deny }), apiVersion: 'v1', kind: 'Service' }]);
    const v = await sourceRangeHolds(peers(), r.timeline, deny, c);
    await report(ctx, 'loadBalancerSourceRanges deny', v.message);
    assertOk(v);
  });
});

describe('dual-stack LoadBalancer in front of IPv6 backends', () => {
  check({
    id: 'loadbalancer/dual-stack-loadbalancer-in-front-of-ipv6-backends/dual-a-dual-stack-loadbalancer-in-front-of-ipv6-only-backends-serves-ipv4-clients-where-the-profile-can',
    family: 'dual',
    title: '[dual] a dual-stack LoadBalancer in front of IPv6-only backends serves IPv4 clients (where the profile can)',
  }, async (ctx) => {
    const support = dualFrontSupport(h.families.families, h.families.stack);
    if (!support.supported) ctx.skip(support.reason);
    const c = requireOutside(ctx, outside, 'IPv4');
    const { verdict, allocation } = await dualFront(peers(), front!, c);
    await report(ctx, 'dual-stack front', `${support.reason}; ${allocation.seen}`);
    assertOk(verdict);
  });
});
