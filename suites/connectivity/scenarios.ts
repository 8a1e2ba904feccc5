/**
 * The connectivity scenarios: for each behaviour one function — probe, judgement
 * (lib/checks/connectivity.ts) and retry policy — called by the suite's check and by
 * the fault test that seeds a fault for it, so the fault test proves that the check's
 * own path catches the fault. Each returns one Verdict over all its probes, with
 * `attempts` the most any probe needed.
 */
import type { KubeConfig, V1Pod, V1Service } from '@kubernetes/client-node';
import {
  checkClientIp,
  clientIpVerdict,
  checkDownload,
  checkHeadlessDns,
  checkHttp,
  checkPing,
  checkPtr,
  checkServiceDns,
  checkUdpEcho,
  recordType,
  serviceIPsOf,
  serviceName,
  type ServedBlob,
} from '../../lib/checks/connectivity.ts';
import { all, retryVerdict, verdict, type CheckFamily, type Verdict } from '../../lib/checks/verdict.ts';
import { everyBackendVerdict, httpSample, localOnlyVerdict, sampleUntil, SPREAD_REQUESTS, SPREAD_ROUNDS, SPREAD_TIMEOUT_S, udpSample } from '../../lib/checks/backends.ts';
import { otherFamily, urlFor, type IPFamily } from '../../lib/net/family.ts';
import { NETEXEC_HTTP_PORT, NETEXEC_UDP_PORT, podIPs, podIpOf, podLabel, type NodePair } from '../../lib/probes/pods.ts';
import { httpBurst, podRunner, udpBurst } from '../../lib/probes/spread.ts';
import type { OutsideClient } from '../../lib/probes/outside.ts';
import { FLEET_HOST_HTTP_PORT } from '../../lib/probes/fleet.ts';
import { fqdnOf, ipOr } from './common.ts';

/** A client pod and the server pod it dials. */
export interface PodPeer {
  client: V1Pod;
  server: V1Pod;
}

/** The probe topology as pod pairs: the pod on `from` dials the pod on `to`. */
export function peersOf(pairs: readonly NodePair[], byNode: ReadonlyMap<string, V1Pod>): PodPeer[] {
  return pairs.map(({ from, to }) => ({ client: byNode.get(from)!, server: byNode.get(to)! }));
}

/**
 * All parts must pass. A pass that needed a retry keeps its message in `seen`, so the
 * check can say in the report which path worked only on a second try.
 */
export function combine(parts: readonly Verdict[], object: string, family: CheckFamily): Verdict {
  const attempts = Math.max(1, ...parts.map((p) => p.attempts ?? 1));
  const v = all([...parts], object, family);
  const retried = parts.filter((p) => (p.attempts ?? 1) > 1);
  if (!v.ok || retried.length === 0) return { ...v, attempts };
  return { ...verdict(true, { object, family, expected: v.expected, seen: [v.seen, ...retried.map((p) => p.message)].join('; ') }), attempts };
}

/** One verdict per peer, judged together so the failure lists every broken pair. */
async function perPeer(what: string, family: IPFamily, peers: readonly PodPeer[], fn: (p: PodPeer, object: string) => Promise<Verdict>): Promise<Verdict> {
  const parts: Verdict[] = [];
  for (const p of peers) parts.push(await fn(p, `${podLabel(p.client)} → ${podLabel(p.server)}`));
  return combine(parts, `${what} (${peers.length} node pair${peers.length === 1 ? '' : 's'})`, family);
}

// ------------------------------------------------------------------ pod → pod

/** The client GETs /hostname on the server's PodIP of the family and must reach that very pod. */
export function podToPodHttp(kc: KubeConfig, peers: readonly PodPeer[], family: IPFamily): Promise<Verdict> {
  return perPeer('pod → pod HTTP', family, peers, async ({ client, server }, object) => {
    const ip = ipOr(server, family, object);
    if (typeof ip !== 'string') return ip;
    const url = urlFor(ip, NETEXEC_HTTP_PORT, '/hostname');
    return checkHttp({ kc, client }, url, { object: `${object} (${url})`, family, expectBody: [server.metadata!.name!] });
  });
}

/** The server sees the client's own PodIP of the family as source (no SNAT inside the cluster). */
export function podToPodSource(kc: KubeConfig, peers: readonly PodPeer[], family: IPFamily): Promise<Verdict> {
  return perPeer('pod → pod source address', family, peers, async ({ client, server }, object) => {
    const ip = ipOr(server, family, object);
    if (typeof ip !== 'string') return ip;
    const own = ipOr(client, family, object);
    if (typeof own !== 'string') return own;
    const url = urlFor(ip, NETEXEC_HTTP_PORT, '/clientip');
    return checkClientIp({ kc, client }, url, { object: `${object} (${url})`, family, expectedIp: own });
  });
}

/** ICMP(v6) echo from the client to the server's PodIP of the family: every request answered. */
export function podToPodPing(kc: KubeConfig, peers: readonly PodPeer[], family: IPFamily): Promise<Verdict> {
  return perPeer('pod → pod ICMP echo', family, peers, async ({ client, server }, object) => {
    const ip = ipOr(server, family, object);
    if (typeof ip !== 'string') return ip;
    return checkPing({ kc, client }, ip, { object: `${object} (ping ${ip})`, family });
  });
}

/** netexec's UDP echo on the server's PodIP of the family comes back. */
export function podToPodUdp(kc: KubeConfig, peers: readonly PodPeer[], family: IPFamily): Promise<Verdict> {
  return perPeer('pod → pod UDP', family, peers, async ({ client, server }, object) => {
    const ip = ipOr(server, family, object);
    if (typeof ip !== 'string') return ip;
    return checkUdpEcho({ kc, client }, ip, NETEXEC_UDP_PORT, { object: `${object} (udp port ${NETEXEC_UDP_PORT})`, family });
  });
}

/** hostNetwork pod → hostNetwork pod on the server node's address of the family. */
export function hostNetworkHttp(kc: KubeConfig, peers: readonly PodPeer[], family: IPFamily): Promise<Verdict> {
  return perPeer('hostNetwork pod → hostNetwork pod HTTP', family, peers, async ({ client, server }) => {
    const object = `${podLabel(client)} (hostNetwork) → ${podLabel(server)} (hostNetwork)`;
    const ip = ipOr(server, family, object);
    if (typeof ip !== 'string') return ip;
    const url = urlFor(ip, FLEET_HOST_HTTP_PORT, '/hostname');
    // A host-network netexec answers the node's hostname, which kind sets to the node name.
    return checkHttp({ kc, client }, url, { object: `${object} (${url})`, family, expectBody: [server.spec!.nodeName!, server.metadata!.name!] });
  });
}

export interface BlobServer {
  pod: V1Pod;
  port: number;
  path: string;
  served: ServedBlob;
}

/** A large HTTP transfer from the server's PodIP of the family arrives whole. */
export async function bulkTransfer(kc: KubeConfig, client: V1Pod, blob: BlobServer, family: IPFamily): Promise<Verdict> {
  const object = `${podLabel(client)} → ${podLabel(blob.pod)}`;
  const ip = ipOr(blob.pod, family, object);
  if (typeof ip !== 'string') return ip;
  const url = urlFor(ip, blob.port, blob.path);
  return checkDownload({ kc, client }, url, blob.served, { object: `${object} (${url})`, family });
}

// ------------------------------------------------------------------ outside → pod

/**
 * A client outside the cluster, routed to the pod CIDRs through the nodes, GETs
 * /clientip on each server's PodIP of the family: every pod answers and sees the
 * client's own address (nothing NATs traffic coming in to a pod).
 */
export async function outsideToPod(outside: OutsideClient, servers: readonly V1Pod[], family: IPFamily): Promise<Verdict> {
  const source = outside.addressOf(family);
  const parts = servers.map(async (server): Promise<Verdict> => {
    const object = `${outside.name} → ${podLabel(server)}`;
    const ip = ipOr(server, family, object);
    if (typeof ip !== 'string') return ip;
    if (!source) return verdict(false, { object, family, expected: `a ${family} address on the outside container`, seen: 'none' });
    const url = urlFor(ip, NETEXEC_HTTP_PORT, '/clientip');
    return retryVerdict(async () => clientIpVerdict({ object: `${object} (${url})`, family, result: await outside.httpGet(url, { timeoutS: 3 }), expectedIp: source, source: "the outside container's address" }), {
      attempts: 3,
      delayMs: 1_000,
    });
  });
  return combine(await Promise.all(parts), `outside container → pod (routed to the pod CIDRs; ${servers.length} pod${servers.length === 1 ? '' : 's'})`, family);
}

// ------------------------------------------------------------------ pod → Service

/** The Service's ClusterIP of the family, or a failed Verdict naming the Service. */
export function clusterIpOr(svc: V1Service, family: IPFamily): string | Verdict {
  const ip = serviceIPsOf(svc, family)[0];
  if (ip) return ip;
  return verdict(false, {
    object: `Service ${serviceName(svc)}`,
    family,
    expected: `a ${family} ClusterIP`,
    seen: `clusterIPs [${(svc.spec?.clusterIPs ?? []).join(', ')}] (ipFamilyPolicy ${svc.spec?.ipFamilyPolicy ?? 'unset'})`,
  });
}

/** HTTP to the Service's ClusterIP of the family reaches one of `backends` (any answer when none are meant to exist). */
export async function clusterIpHttp(kc: KubeConfig, client: V1Pod, svc: V1Service, family: IPFamily, backends: readonly V1Pod[]): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  const url = urlFor(ip, NETEXEC_HTTP_PORT, '/hostname');
  const object = `${podLabel(client)} → Service ${serviceName(svc)} ClusterIP (${url}; backends ${backends.length ? backends.map(podLabel).join(', ') : 'none'})`;
  const expectBody = backends.length ? backends.map((b) => b.metadata!.name!) : undefined;
  return checkHttp({ kc, client }, url, { object, family, expectBody });
}

/** netexec's UDP echo through the Service's ClusterIP of the family comes back. */
export async function clusterIpUdp(kc: KubeConfig, client: V1Pod, svc: V1Service, family: IPFamily): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  const object = `${podLabel(client)} → Service ${serviceName(svc)} ClusterIP ${ip} udp port ${NETEXEC_UDP_PORT}`;
  return checkUdpEcho({ kc, client }, ip, NETEXEC_UDP_PORT, { object, family });
}

/** The Service name's A/AAAA answers of the family equal its ClusterIPs of it; `intended` is what the Service was created to have. */
export function serviceDns(kc: KubeConfig, client: V1Pod, svc: V1Service, domain: string, family: IPFamily, intended: readonly IPFamily[]): Promise<Verdict> {
  return checkServiceDns({ kc, client }, svc, fqdnOf(svc, domain), family, intended);
}

/** A SingleStack Service answers its own family, and NOERROR-empty (not NXDOMAIN, not another IP) for the other. */
export async function singleStackDns(kc: KubeConfig, client: V1Pod, svc: V1Service, domain: string, family: IPFamily): Promise<Verdict> {
  const fqdn = fqdnOf(svc, domain);
  const own = await checkServiceDns({ kc, client }, svc, fqdn, family, [family]);
  const other = await checkServiceDns({ kc, client }, svc, fqdn, otherFamily(family), [family], 3);
  return combine([own, other], `Service ${serviceName(svc)} ${recordType(family)}-only`, family);
}

/** The PTR of the Service's ClusterIP of the family names its FQDN. */
export async function clusterIpPtr(kc: KubeConfig, client: V1Pod, svc: V1Service, domain: string, family: IPFamily): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  return checkPtr({ kc, client }, svc, ip, fqdnOf(svc, domain));
}

/** curl -4/-6 by the Service's name reaches one of `backends` over that family. */
export function serviceByName(kc: KubeConfig, client: V1Pod, svc: V1Service, domain: string, family: IPFamily, backends: readonly V1Pod[]): Promise<Verdict> {
  const url = urlFor(fqdnOf(svc, domain), NETEXEC_HTTP_PORT, '/hostname');
  const object = `${podLabel(client)} → Service ${serviceName(svc)} by name (${url}, ${recordType(family)} only)`;
  return checkHttp({ kc, client }, url, { object, family, byName: true, expectBody: backends.map((b) => b.metadata!.name!) });
}

/** A headless Service's records of the family equal its pods' IPs of the family. */
export function headlessDns(kc: KubeConfig, client: V1Pod, svc: V1Service, domain: string, family: IPFamily, intended: readonly IPFamily[], pods: readonly V1Pod[]): Promise<Verdict> {
  const endpoints = pods.map((p) => ({ pod: `${p.metadata!.namespace!}/${p.metadata!.name!}`, ips: podIPs(p) }));
  return checkHeadlessDns({ kc, client }, svc, fqdnOf(svc, domain), family, intended, endpoints);
}

// ------------------------------------------------------------------ every backend, internalTrafficPolicy

/** Requests per ITP round: enough that a remote backend (half the picks under Cluster policy) shows up. */
const ITP_REQUESTS = 6;

/** Names of the pods that are endpoints of the family (those with an IP of it). */
function namesOfFamily(pods: readonly V1Pod[], family: IPFamily): string[] {
  return pods.filter((p) => podIpOf(p, family)).map((p) => p.metadata!.name!);
}

/**
 * Requests to the Service's ClusterIP of the family, each on a new connection (HTTP
 * /hostname or UDP `hostname`), in rounds until every backend of the family has
 * answered: every ready endpoint is reachable through the ClusterIP, not just one.
 */
export async function clusterIpEveryBackend(kc: KubeConfig, client: V1Pod, svc: V1Service, family: IPFamily, backends: readonly V1Pod[], proto: 'http' | 'udp'): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  const from = podRunner(kc, client);
  const names = namesOfFamily(backends, family);
  const target = proto === 'http' ? urlFor(ip, NETEXEC_HTTP_PORT, '/hostname') : `udp ${ip} port ${NETEXEC_UDP_PORT} "hostname"`;
  const object = `${podLabel(client)} → Service ${serviceName(svc)} ClusterIP (${target})`;
  const take = async () =>
    proto === 'http'
      ? (await httpBurst(from, target, SPREAD_REQUESTS, SPREAD_TIMEOUT_S)).map(httpSample)
      : (await udpBurst(from, ip, NETEXEC_UDP_PORT, 'hostname', SPREAD_REQUESTS, SPREAD_TIMEOUT_S)).map(udpSample);
  return sampleUntil(take, (samples) => everyBackendVerdict({ object, family, backends: names, samples }), SPREAD_ROUNDS);
}

/**
 * internalTrafficPolicy Local, from each client: requests to the ClusterIP of the family
 * are answered only by `members` on the client's own node; a client on a node without
 * one gets no answer. Each round is judged alone (retried while kube-proxy syncs).
 */
export async function internalLocalOnly(kc: KubeConfig, clients: readonly V1Pod[], svc: V1Service, family: IPFamily, members: readonly V1Pod[]): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  const url = urlFor(ip, NETEXEC_HTTP_PORT, '/hostname');
  const parts: Verdict[] = [];
  for (const client of clients) {
    const node = client.spec!.nodeName!;
    const local = namesOfFamily(members.filter((m) => m.spec?.nodeName === node), family);
    const object = `${podLabel(client)} → Service ${serviceName(svc)} ClusterIP (${url}, internalTrafficPolicy ${svc.spec?.internalTrafficPolicy ?? 'unset'})`;
    const from = podRunner(kc, client);
    parts.push(
      await retryVerdict(async () => {
        const samples = (await httpBurst(from, url, ITP_REQUESTS, SPREAD_TIMEOUT_S)).map(httpSample);
        return localOnlyVerdict({ object, family, node, local, backends: namesOfFamily(members, family), samples });
      }, { attempts: 3 }),
    );
  }
  return combine(parts, `Service ${serviceName(svc)} internalTrafficPolicy Local (${clients.length} client node${clients.length === 1 ? '' : 's'})`, family);
}
