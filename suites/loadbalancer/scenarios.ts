/**
 * The loadbalancer scenarios: create or re-read a LoadBalancer Service, probe its
 * ingress IPs (from outside the cluster or from a pod) with the checks' own retries,
 * and judge with the pure verdicts of lib/checks/loadbalancer.ts. The checks
 * (ingress.test.ts, reachability.test.ts) and the fault tests (faults.test.ts, disruptive.test.ts) call
 * these same functions.
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { checkHealthChecks, healthCheckNodePortOf } from '../../lib/checks/health-check.ts';
import { answeredByBackend, type RankedAddress } from '../../lib/checks/nodeport.ts';
import { checkUdpAnswers, type UdpAddressProbe } from '../../lib/checks/udp-service.ts';
import { udpOnce, type ProbeRunner } from '../../lib/probes/spread.ts';
import {
  checkIngressFamilies,
  checkIngressReachable,
  expectedFamilies,
  ingressOf,
  metallbRefusal,
  poolHint,
  serviceRef,
  sourcePreservedVerdict,
  sourceRangeVerdict,
  watchIngress,
  type IngressPoint,
  type IngressProbe,
  type IngressTimeline,
  type LbCase,
} from '../../lib/checks/loadbalancer.ts';
import { all, retryVerdict, verdict, type Verdict } from '../../lib/checks/verdict.ts';
import type { Harness } from '../../lib/harness/context.ts';
import { hostPort, urlFor, type IPFamily } from '../../lib/net/family.ts';
import { httpGet, type HttpResult } from '../../lib/probes/http.ts';
import type { OutsideClient } from '../../lib/probes/outside.ts';
import { NETEXEC_HTTP_PORT, NETEXEC_UDP_PORT, podLabel } from '../../lib/probes/pods.ts';
import { retryLast } from '../../lib/util/retry.ts';
import { createService, listPools, SERVER } from '../nodeport/common.ts';

/** How long a family may stay pending before the allocation check calls it. MetalLB normally allocates in about a second. */
export const INGRESS_TIMEOUT_MS = 20_000;

/** Probes that are expected to answer get this many tries (kube-proxy needs a sync after a Service change). */
const PROBE_ATTEMPTS = 5;

/** The Service an allocation case creates. */
export function lbServiceName(c: LbCase): string {
  return `lb-${c.key}`;
}

export interface Allocation {
  verdict: Verdict;
  timeline: IngressTimeline;
  /** The Service's spec.ipFamilies as the API set them. */
  families: IPFamily[];
}

/**
 * Creates the case's LoadBalancer, watches its ingress until every family has an IP (or
 * INGRESS_TIMEOUT_MS), and judges spec.ipFamilies against the policy and the ingress
 * IPs against spec.ipFamilies; a pending family is explained from MetalLB's pools as
 * they are at judgement time. The Service selects `selector` (a backend in `ns`).
 */
export async function ingressAllocation(h: Harness, ns: string, c: LbCase, selector: Record<string, string> = SERVER): Promise<Allocation> {
  const name = lbServiceName(c);
  const startedAt = Date.now();
  const svc = await createService(h.kc, ns, { name, type: 'LoadBalancer', selector, families: c.request, policy: c.policy });
  const want = expectedFamilies(c, h.families.families);
  const got = (svc.spec?.ipFamilies ?? []) as IPFamily[];
  const specOk = verdict(got.join(',') === want.join(','), {
    object: `Service ${ns}/${name} (ipFamilyPolicy ${c.policy}, asked for [${c.request.join(', ')}])`,
    family: c.tag,
    expected: `spec.ipFamilies [${want.join(', ')}] on a ${h.families.stack} cluster`,
    seen: `spec.ipFamilies [${got.join(', ')}]`,
  });
  const timeline = await watchIngress(h.kc, ns, name, { startedAt, families: got, timeoutMs: INGRESS_TIMEOUT_MS, refusal: (s) => metallbRefusal(h.kc, s) });
  const ingress = checkIngressFamilies(timeline, poolHint(await listPools(h.kc), got));
  return { verdict: all([specOk, ingress], `${ns}/${name}`, c.tag), timeline, families: got };
}

// ---------------------------------------------------------------- data path

/** Where the reachability probes run and what they expect to reach. */
export interface LbPeers {
  h: Harness;
  ns: string;
  /** Backend pod names: an answer from anyone else (another cluster on kind's network) fails. */
  backends: readonly string[];
}

/** Who sends a probe: its label in objects, and its HTTP GET. */
export interface Prober {
  label: string;
  get(url: string): Promise<HttpResult>;
}

export function fromOutside(c: OutsideClient): Prober {
  return { label: `outside container ${c.name}`, get: (url) => c.httpGet(url, { timeoutS: 3 }) };
}

export function fromPod(h: Harness, pod: V1Pod): Prober {
  return { label: podLabel(pod), get: (url) => httpGet(h.kc, pod.metadata!.namespace!, pod.metadata!.name!, url, { timeoutS: 3 }) };
}

/**
 * The family's ingress IPs as the Service shows them now (re-read: MetalLB may move an
 * address, e.g. after a pool change), or a failed verdict saying the family is pending.
 */
export async function currentIngress(p: LbPeers, t: IngressTimeline | undefined, family: IPFamily): Promise<IngressPoint[] | Verdict> {
  if (!t) throw new Error(`no LoadBalancer Service for ${family} was created`);
  t.service = await p.h.api.core.readNamespacedService({ name: t.service.metadata!.name!, namespace: p.ns });
  const points = ingressOf(t.service, family);
  if (points.length) return points;
  return checkIngressFamilies(t, poolHint(await listPools(p.h.kc), [family]));
}

async function probeBackends(p: LbPeers, points: readonly IngressPoint[], from: Prober): Promise<IngressProbe[]> {
  return Promise.all(
    points.map(async (ingress) => {
      const url = urlFor(ingress.ip, NETEXEC_HTTP_PORT, '/hostname');
      // Asked until one of this Service's backends answers: MetalLB hands a released IP to the
      // next Service at once, and until kube-proxy has synced away the old Service's rules the IP
      // answered from its backends (a fault file's health-check pod, on dual-v6).
      const result = await retryLast(() => from.get(url), { attempts: PROBE_ATTEMPTS, until: (r) => answeredByBackend(r, p.backends) });
      return { ingress, client: from.label, url, result, expectBody: p.backends };
    }),
  );
}

/** Every ingress IP of the family answers `from` with a backend's name. */
export async function ingressAnswers(p: LbPeers, t: IngressTimeline | undefined, family: IPFamily, from: Prober): Promise<Verdict> {
  const points = await currentIngress(p, t, family);
  if (!Array.isArray(points)) return points;
  return checkIngressReachable(serviceRef(t!.service), family, await probeBackends(p, points, from));
}

/** externalTrafficPolicy Local: every ingress IP's backend sees the outside client's own address. Also returns each IP's verdict, for the report. */
export async function sourcePreserved(p: LbPeers, t: IngressTimeline | undefined, family: IPFamily, c: OutsideClient): Promise<{ verdict: Verdict; parts: Verdict[] }> {
  const points = await currentIngress(p, t, family);
  if (!Array.isArray(points)) return { verdict: points, parts: [] };
  const from = fromOutside(c);
  const parts = await Promise.all(
    points.map(async (ingress) => {
      const url = urlFor(ingress.ip, NETEXEC_HTTP_PORT, '/clientip');
      // Judged on every attempt: until kube-proxy has synced the Local policy, an answer can still come SNATed.
      return retryVerdict(
        async () => sourcePreservedVerdict({ service: serviceRef(t!.service), ingress, client: from.label, clientIp: c.addressOf(family)!, url, result: await from.get(url) }),
        { attempts: PROBE_ATTEMPTS },
      );
    }),
  );
  return { verdict: all(parts, `${serviceRef(t!.service)} source preservation`, family), parts };
}

/**
 * loadBalancerSourceRanges as `ranges` says: the outside client is admitted when its
 * IPv6 address is inside them, denied when not. Polled: kube-proxy applies a changed
 * range on its next sync.
 */
export async function sourceRangeHolds(p: LbPeers, t: IngressTimeline, ranges: readonly string[], c: OutsideClient): Promise<Verdict> {
  const points = await currentIngress(p, t, 'IPv6');
  if (!Array.isArray(points)) return points;
  const ingress = points[0]!;
  const url = urlFor(ingress.ip, NETEXEC_HTTP_PORT, '/hostname');
  const from = fromOutside(c);
  const judge = async () => sourceRangeVerdict({ service: serviceRef(t.service), ingress, ranges, client: from.label, clientIp: c.addressOf('IPv6')!, result: await from.get(url) });
  return retryLast(judge, { attempts: PROBE_ATTEMPTS });
}

/** A RequireDualStack front on IPv6 backends: both families allocated, and its IPv4 ingress answers an IPv4 client outside. */
export async function dualFront(p: LbPeers, t: IngressTimeline, c: OutsideClient): Promise<{ verdict: Verdict; allocation: Verdict }> {
  t.service = await p.h.api.core.readNamespacedService({ name: t.service.metadata!.name!, namespace: p.ns });
  const allocation = checkIngressFamilies(t, poolHint(await listPools(p.h.kc), ['IPv6', 'IPv4']));
  const probes = await probeBackends(p, ingressOf(t.service, 'IPv4'), fromOutside(c));
  const service = serviceRef(t.service);
  return { verdict: all([allocation, checkIngressReachable(service, 'IPv4', probes)], `${service} IPv4 front`, 'dual'), allocation };
}

/**
 * UDP: netexec's `hostname` datagram to every ingress IP of the family from `from`
 * (PROBE_ATTEMPTS tries, each a new socket); the reply must name a backend.
 */
export async function ingressUdpAnswers(p: LbPeers, t: IngressTimeline | undefined, family: IPFamily, from: ProbeRunner): Promise<Verdict> {
  const points = await currentIngress(p, t, family);
  if (!Array.isArray(points)) return points;
  const service = serviceRef(t!.service);
  const probes = await Promise.all(
    points.map(async (ingress): Promise<UdpAddressProbe> => {
      const result = await retryLast(() => udpOnce(from, ingress.ip, NETEXEC_UDP_PORT, 'hostname', 3), {
        attempts: PROBE_ATTEMPTS,
        until: (r) => r.ok && p.backends.includes(r.reply),
      });
      const object = `${service} ingress IP ${ingress.ip} from ${from.label} (udp ${hostPort(ingress.ip, NETEXEC_UDP_PORT)})`;
      return { object, family, expect: { reachable: true, why: 'an ingress IP of the Service, MetalLB L2' }, result, backends: p.backends };
    }),
  );
  return checkUdpAnswers(`${service} UDP`, family, probes);
}

/**
 * externalTrafficPolicy Local health checks: GET /healthz on spec.healthCheckNodePort at
 * every target node address; 200 where the node is in `localNodes`, 503 elsewhere.
 * Retried as a whole while kube-proxy syncs a changed endpoint set.
 */
export async function healthCheckAnswers(o: { svc: V1Service; family: IPFamily; targets: readonly RankedAddress[]; from: Prober; localNodes: readonly string[] }): Promise<Verdict> {
  const port = healthCheckNodePortOf(o.svc, o.family);
  if (typeof port !== 'number') return port;
  return retryVerdict(async () => {
    const probes = await Promise.all(
      o.targets.map(async (target) => {
        const url = urlFor(target.address, port, '/healthz');
        return { target, client: o.from.label, url, hasLocalEndpoint: o.localNodes.includes(target.node), result: await o.from.get(url) };
      }),
    );
    return checkHealthChecks(serviceRef(o.svc), o.family, probes);
  }, { attempts: PROBE_ATTEMPTS });
}
