/**
 * The host-network scenarios: for each behaviour one function — probes, judgement and
 * retry policy — called by the suite's check and by the fault test that seeds a fault for
 * it. HTTP, UDP and ICMP are judged by the connectivity verdicts (checkHttp, checkUdpEcho,
 * checkPing); what is new here (node addresses per family, hostNetwork EndpointSlices) by
 * lib/checks/host-network.ts. Each returns one Verdict over all its probes, with `attempts`
 * the most any probe needed.
 */
import type { KubeConfig, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { nodeHostIPs, showIps } from '../../lib/checks/address-families.ts';
import { checkHttp, checkPing, checkUdpEcho, serviceIPsOf, serviceName } from '../../lib/checks/connectivity.ts';
import { hostIpOf, hostNetworkSliceVerdict, missingHostIp, nodeAddressesOf, nodeHostIpOf } from '../../lib/checks/host-network.ts';
import { all, retryVerdict, verdict, type Verdict } from '../../lib/checks/verdict.ts';
import { serviceSlices } from '../../lib/k8s/endpoints.ts';
import { urlFor, type IPFamily } from '../../lib/net/family.ts';
import { NETEXEC_HTTP_PORT, podLabel } from '../../lib/probes/pods.ts';
import { ipOr } from './common.ts';

/** All parts must pass; the combined verdict carries the most attempts any part needed. */
function joined(parts: readonly Verdict[], object: string, family: IPFamily): Verdict {
  return { ...all([...parts], object, family), attempts: Math.max(1, ...parts.map((p) => p.attempts ?? 1)) };
}

/** `hostNetwork pod ns/x on w1`: how messages name a client that dials from the node's own stack. */
export function hostLabel(pod: V1Pod): string {
  return `hostNetwork ${podLabel(pod)}`;
}

function portOf(svc: V1Service, protocol: 'TCP' | 'UDP'): { port: number; nodePort?: number } {
  const p = svc.spec?.ports?.find((x) => (x.protocol ?? 'TCP') === protocol);
  if (!p) throw new Error(`Service ${serviceName(svc)} has no ${protocol} port`);
  return { port: p.port, nodePort: p.nodePort };
}

/** The Service's ClusterIP of the family, or a failed Verdict naming the Service. */
function clusterIpOr(svc: V1Service, family: IPFamily): string | Verdict {
  const ip = serviceIPsOf(svc, family)[0];
  if (ip) return ip;
  return verdict(false, { object: `Service ${serviceName(svc)}`, family, expected: `a ${family} ClusterIP`, seen: `clusterIPs [${(svc.spec?.clusterIPs ?? []).join(', ')}] (ipFamilyPolicy ${svc.spec?.ipFamilyPolicy ?? 'unset'})` });
}

/** What a netexec `/hostname` may answer for these backends: pod names, and node names for hostNetwork ones (kind sets the host name to the node name). */
function hostnamesOf(backends: readonly V1Pod[]): string[] {
  return backends.flatMap((b) => (b.spec?.hostNetwork ? [b.spec.nodeName!, b.metadata!.name!] : [b.metadata!.name!]));
}

// ------------------------------------------------------------------ client → Service ClusterIP

/** HTTP `/hostname` to the Service's ClusterIP of the family reaches one of `backends`. */
export async function clusterIpHttp(kc: KubeConfig, client: V1Pod, svc: V1Service, family: IPFamily, backends: readonly V1Pod[]): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  const url = urlFor(ip, portOf(svc, 'TCP').port, '/hostname');
  const who = client.spec?.hostNetwork ? hostLabel(client) : podLabel(client);
  return checkHttp({ kc, client }, url, { object: `${who} → Service ${serviceName(svc)} ClusterIP (${url})`, family, expectBody: hostnamesOf(backends) });
}

/** netexec's UDP echo through the Service's ClusterIP of the family comes back. */
export async function clusterIpUdp(kc: KubeConfig, client: V1Pod, svc: V1Service, family: IPFamily): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  const { port } = portOf(svc, 'UDP');
  const who = client.spec?.hostNetwork ? hostLabel(client) : podLabel(client);
  return checkUdpEcho({ kc, client }, ip, port, { object: `${who} → Service ${serviceName(svc)} ClusterIP ${ip} udp port ${port}`, family });
}

// ------------------------------------------------------------------ node → NodePort

/** Each target node's host IP of the family, or a failure naming the node. */
function nodeTargets(nodes: readonly V1Node[], family: IPFamily, object: string): { node: string; ip: string }[] | Verdict {
  const out: { node: string; ip: string }[] = [];
  for (const n of nodes) {
    const ip = nodeHostIpOf(n, family);
    if (!ip) return verdict(false, { object, family, expected: `Node ${n.metadata?.name ?? '?'} to have a ${family} host IP`, seen: `host IPs ${showIps(nodeHostIPs(n))}` });
    out.push({ node: n.metadata!.name!, ip });
  }
  return out;
}

/** HTTP `/hostname` on `<node host IP of the family>:<nodePort>` of every target node reaches one of `backends`. */
export async function nodePortHttp(kc: KubeConfig, client: V1Pod, svc: V1Service, family: IPFamily, nodes: readonly V1Node[], backends: readonly V1Pod[]): Promise<Verdict> {
  const object = `${hostLabel(client)} → Service ${serviceName(svc)} NodePort ${portOf(svc, 'TCP').nodePort} on ${nodes.length} nodes`;
  const targets = nodeTargets(nodes, family, object);
  if (!Array.isArray(targets)) return targets;
  const parts = await Promise.all(
    targets.map(({ node, ip }) => {
      const url = urlFor(ip, portOf(svc, 'TCP').nodePort!, '/hostname');
      return checkHttp({ kc, client }, url, { object: `${hostLabel(client)} → Service ${serviceName(svc)} NodePort on ${node} (${url})`, family, expectBody: hostnamesOf(backends) });
    }),
  );
  return joined(parts, object, family);
}

/** netexec's UDP echo on `<node host IP of the family>:<udp nodePort>` of every target node comes back. */
export async function nodePortUdp(kc: KubeConfig, client: V1Pod, svc: V1Service, family: IPFamily, nodes: readonly V1Node[]): Promise<Verdict> {
  const { nodePort } = portOf(svc, 'UDP');
  const object = `${hostLabel(client)} → Service ${serviceName(svc)} udp NodePort ${nodePort} on ${nodes.length} nodes`;
  const targets = nodeTargets(nodes, family, object);
  if (!Array.isArray(targets)) return targets;
  const parts = await Promise.all(
    targets.map(({ node, ip }) => checkUdpEcho({ kc, client }, ip, nodePort!, { object: `${hostLabel(client)} → Service ${serviceName(svc)} udp NodePort on ${node} (${ip} port ${nodePort})`, family })),
  );
  return joined(parts, object, family);
}

// ------------------------------------------------------------------ hostNetwork endpoints

/**
 * The Service's EndpointSlice of the family lists every hostNetwork endpoint pod at its
 * node's host IP of that family. Polled: the EndpointSlice controller writes a moment
 * after the pods turn Ready.
 */
export async function hostEndpointSlices(kc: KubeConfig, svc: V1Service, family: IPFamily, endpoints: readonly V1Pod[], nodes: readonly V1Node[]): Promise<Verdict> {
  const eps = endpoints.map((p) => ({ pod: `${p.metadata!.namespace!}/${p.metadata!.name!}`, node: nodes.find((n) => n.metadata?.name === p.spec?.nodeName) ?? { metadata: { name: p.spec?.nodeName ?? '?' } } }));
  const ns = svc.metadata!.namespace!;
  const name = svc.metadata!.name!;
  return retryVerdict(async () => hostNetworkSliceVerdict({ service: `${ns}/${name}`, family, slices: await serviceSlices(kc, ns, name), endpoints: eps }), { attempts: 5, delayMs: 1000 });
}

// ------------------------------------------------------------------ host → pod

/** A hostNetwork client and the ordinary pod it dials. */
export interface HostPeer {
  client: V1Pod;
  server: V1Pod;
}

/** From the node's own stack, HTTP `/hostname` on the server's PodIP of the family reaches that pod. */
export async function hostToPodHttp(kc: KubeConfig, peers: readonly HostPeer[], family: IPFamily, what: string): Promise<Verdict> {
  const parts = await Promise.all(
    peers.map(async ({ client, server }) => {
      const object = `${hostLabel(client)} → ${podLabel(server)}`;
      const ip = ipOr(server, family, object);
      if (typeof ip !== 'string') return ip;
      const url = urlFor(ip, NETEXEC_HTTP_PORT, '/hostname');
      return checkHttp({ kc, client }, url, { object: `${object} (${url})`, family, expectBody: [server.metadata!.name!] });
    }),
  );
  return joined(parts, `host → pod ${what} (${peers.length} pair${peers.length === 1 ? '' : 's'})`, family);
}

// ------------------------------------------------------------------ pod → host

/**
 * Every client GETs `/hostname` on `<the hostPort pod's node address of the family>:<hostPort>`
 * and must reach the hostPort pod itself (the CNI's portmap DNAT, hairpinned for a client on that node).
 */
export async function hostPortHttp(kc: KubeConfig, clients: readonly V1Pod[], server: V1Pod, hostPort: number, family: IPFamily): Promise<Verdict> {
  const object = `hostPort ${hostPort} of ${podLabel(server)} from ${clients.length} client${clients.length === 1 ? '' : 's'}`;
  const ip = hostIpOf(server, family);
  if (!ip) return missingHostIp(server, family, object);
  const url = urlFor(ip, hostPort, '/hostname');
  const parts = await Promise.all(
    clients.map((client) => checkHttp({ kc, client }, url, { object: `${podLabel(client)} → hostPort of ${podLabel(server)} (${url})`, family, expectBody: [server.metadata!.name!] })),
  );
  return joined(parts, object, family);
}

/** ICMP(v6) echo from the client pod to every InternalIP of the family of every node: every request answered. */
export async function podToNodesPing(kc: KubeConfig, client: V1Pod, nodes: readonly V1Node[], family: IPFamily): Promise<Verdict> {
  const { targets, missing } = nodeAddressesOf(nodes, family);
  const pings = await Promise.all(
    targets.map(({ node, address }) => checkPing({ kc, client }, address, { object: `${podLabel(client)} → Node ${node} ${address} (ping)`, family })),
  );
  return joined([...missing, ...pings], `${podLabel(client)} → ${targets.length} node addresses (ICMP echo)`, family);
}
