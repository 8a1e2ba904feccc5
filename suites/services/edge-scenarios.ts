/**
 * Scenarios for hairpin and no-endpoint Services, shared by checks and faults: for each
 * behaviour one function — probe, judgement (lib/checks/service-edges.ts) and retry
 * policy — that the check and the fault test seeding its fault both call.
 */
import type { KubeConfig, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { checkHttp, serviceName } from '../../lib/checks/connectivity.ts';
import { checkHairpinSource, checkTcpRejected, checkUdpHostname, checkUdpRejected, nodeTargets, REFUSE_WITHIN_S, type NodeTarget } from '../../lib/checks/service-edges.ts';
import { verdict, type Verdict } from '../../lib/checks/verdict.ts';
import { urlFor, type IPFamily } from '../../lib/net/family.ts';
import { NETEXEC_HTTP_PORT, NETEXEC_UDP_PORT, podLabel } from '../../lib/probes/pods.ts';
import { clusterIpOr, combine } from '../connectivity/scenarios.ts';
import { ipOr } from '../../lib/checks/connectivity.ts';

/** The Service's HTTP NodePort (netexec's 8080 port). */
export function httpNodePort(svc: V1Service): number | undefined {
  return svc.spec?.ports?.find((p) => p.port === NETEXEC_HTTP_PORT && p.protocol === 'TCP')?.nodePort;
}

function where(t: NodeTarget): string {
  return `${t.node} (${t.own ? "the client's own node" : 'another node'})`;
}

/** The NodePort targets of the family, or a failed Verdict saying why there are none. */
function nodePortTargets(svc: V1Service, nodes: readonly V1Node[], client: V1Pod, family: IPFamily): { port: number; targets: NodeTarget[] } | Verdict {
  const port = httpNodePort(svc);
  const targets = nodeTargets(nodes, client.spec!.nodeName!, family);
  if (port && targets.length) return { port, targets };
  return verdict(false, {
    object: `${podLabel(client)} → Service ${serviceName(svc)} NodePort`,
    family,
    expected: `an HTTP NodePort and a node address of the family`,
    seen: port ? `no node with a ${family} address (${nodes.length} nodes)` : `no nodePort on port ${NETEXEC_HTTP_PORT} (type ${svc.spec?.type ?? '?'})`,
  });
}

// ------------------------------------------------------------------ hairpin

/** The Service's sole endpoint GETs /hostname on the Service's ClusterIP of the family: it answers itself. */
export async function hairpinClusterIpHttp(kc: KubeConfig, pod: V1Pod, svc: V1Service, family: IPFamily): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  const url = urlFor(ip, NETEXEC_HTTP_PORT, '/hostname');
  const object = `${podLabel(pod)} → its own Service ${serviceName(svc)} ClusterIP (${url}; sole endpoint: itself)`;
  return checkHttp({ kc, client: pod }, url, { object, family, expectBody: [pod.metadata!.name!] });
}

/** The same through the NodePort, on its own node's address of the family and on another node's. */
export async function hairpinNodePortHttp(kc: KubeConfig, pod: V1Pod, svc: V1Service, nodes: readonly V1Node[], family: IPFamily): Promise<Verdict> {
  const np = nodePortTargets(svc, nodes, pod, family);
  if ('ok' in np) return np;
  const parts: Verdict[] = [];
  for (const t of np.targets) {
    const url = urlFor(t.address, np.port, '/hostname');
    const object = `${podLabel(pod)} → its own Service ${serviceName(svc)} NodePort ${np.port} on ${where(t)} (${url}; sole endpoint: itself)`;
    parts.push(await checkHttp({ kc, client: pod }, url, { object, family, expectBody: [pod.metadata!.name!] }));
  }
  return combine(parts, `${podLabel(pod)} → its own Service ${serviceName(svc)} NodePort ${np.port} (${np.targets.length} node address${np.targets.length === 1 ? '' : 'es'})`, family);
}

/** netexec's UDP `hostname` through the ClusterIP of the family: the reply is the pod's own name. */
export async function hairpinClusterIpUdp(kc: KubeConfig, pod: V1Pod, svc: V1Service, family: IPFamily): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  const object = `${podLabel(pod)} → its own Service ${serviceName(svc)} ClusterIP ${ip} udp port ${NETEXEC_UDP_PORT} (sole endpoint: itself)`;
  return checkUdpHostname({ kc, client: pod }, ip, NETEXEC_UDP_PORT, { object, family, hostname: pod.metadata!.name! });
}

/** /clientip through the ClusterIP of the family: the source is of the family and not the pod's own IP (masqueraded). */
export async function hairpinSource(kc: KubeConfig, pod: V1Pod, svc: V1Service, family: IPFamily): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  const url = urlFor(ip, NETEXEC_HTTP_PORT, '/clientip');
  const object = `${podLabel(pod)} → its own Service ${serviceName(svc)} ClusterIP (${url}; source seen by itself)`;
  const own = ipOr(pod, family, object);
  if (typeof own !== 'string') return own;
  return checkHairpinSource({ kc, client: pod }, url, { object, family, ownIp: own });
}

// ------------------------------------------------------------------ no endpoints

/** TCP to the ClusterIP of the family of a Service without endpoints: refused within 2 s. */
export async function noEndpointsClusterIpTcp(kc: KubeConfig, client: V1Pod, svc: V1Service, family: IPFamily): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  const url = urlFor(ip, NETEXEC_HTTP_PORT, '/');
  const object = `${podLabel(client)} → Service ${serviceName(svc)} ClusterIP (${url}; no endpoints)`;
  return checkTcpRejected({ kc, client }, url, { object, family, boundS: REFUSE_WITHIN_S });
}

/** TCP to the NodePort of a Service without endpoints, on the client's node and another node: refused within 2 s. */
export async function noEndpointsNodePortTcp(kc: KubeConfig, client: V1Pod, svc: V1Service, nodes: readonly V1Node[], family: IPFamily): Promise<Verdict> {
  const np = nodePortTargets(svc, nodes, client, family);
  if ('ok' in np) return np;
  const parts: Verdict[] = [];
  for (const t of np.targets) {
    const url = urlFor(t.address, np.port, '/');
    const object = `${podLabel(client)} → Service ${serviceName(svc)} NodePort ${np.port} on ${where(t)} (${url}; no endpoints)`;
    parts.push(await checkTcpRejected({ kc, client }, url, { object, family, boundS: REFUSE_WITHIN_S }));
  }
  return combine(parts, `${podLabel(client)} → Service ${serviceName(svc)} NodePort ${np.port} (${np.targets.length} node address${np.targets.length === 1 ? '' : 'es'}; no endpoints)`, family);
}

/** A UDP datagram to the ClusterIP of the family of a Service without endpoints: ICMP(v6) port unreachable, read as refused. */
export async function noEndpointsClusterIpUdp(kc: KubeConfig, client: V1Pod, svc: V1Service, family: IPFamily): Promise<Verdict> {
  const ip = clusterIpOr(svc, family);
  if (typeof ip !== 'string') return ip;
  const object = `${podLabel(client)} → Service ${serviceName(svc)} ClusterIP ${ip} udp port ${NETEXEC_UDP_PORT} (no endpoints)`;
  return checkUdpRejected({ kc, client }, ip, NETEXEC_UDP_PORT, { object, family, boundS: REFUSE_WITHIN_S });
}
