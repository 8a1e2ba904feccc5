/**
 * The mtu scenarios: probe, judgement (lib/checks/mtu.ts) and retry policy, called by the
 * suite's checks and by the fault tests, so a fault test proves the check's own path
 * catches its fault.
 */
import { randomBytes } from 'node:crypto';
import type { KubeConfig, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { internalIPs } from '../../lib/checks/address-families.ts';
import { serviceIPsOf, serviceName } from '../../lib/checks/connectivity.ts';
import { largeHttpVerdict, largeUdpVerdict, pathMtuVerdict, payloadOf, searchPathMtu } from '../../lib/checks/mtu.ts';
import { all, retryVerdict, verdict, type Verdict } from '../../lib/checks/verdict.ts';
import { familyOf, isIp, urlFor, type IPFamily } from '../../lib/net/family.ts';
import { httpDownload } from '../../lib/probes/http.ts';
import { interfaceMtu } from '../../lib/probes/link.ts';
import { parseTooBig, ping, pingOverhead } from '../../lib/probes/ping.ts';
import { podLabel } from '../../lib/probes/pods.ts';
import { udpExchange } from '../../lib/probes/udp.ts';
import { HTTP_BODY_BYTES, ipOr, PMTU_CEILING, PMTU_FLOOR, UDP_DATAGRAM_BYTES } from './common.ts';

/**
 * The Service is new: kube-proxy on the client's node may not have programmed it yet. In a
 * loaded CI run two attempts 1 s apart both found its ClusterIP unanswered (curl could not
 * connect, after 3 s each). Attempts go on for this long; a black hole's attempt takes ~10 s, so
 * its fault still sees two. (The UDP check runs after this one, on a programmed Service.)
 */
const PROGRAMMED_WITHIN = { withinMs: 20_000, delayMs: 2_000 } as const;

/** Where a Service is dialled: its ClusterIP of the family, and a NodePort on `node`'s address of the family. */
interface ServiceTarget {
  label: string;
  ip: string;
  port: number;
}

function targetsOf(svc: V1Service, node: V1Node, portName: string, family: IPFamily): ServiceTarget[] | Verdict {
  const object = `Service ${serviceName(svc)} port ${portName}`;
  const port = svc.spec?.ports?.find((p) => p.name === portName);
  const clusterIp = serviceIPsOf(svc, family)[0];
  const nodeIp = internalIPs(node).find((ip) => isIp(ip) && familyOf(ip) === family);
  if (!port || !clusterIp || !nodeIp || !port.nodePort) {
    return verdict(false, {
      object,
      family,
      expected: `a ${family} ClusterIP and a NodePort on node ${node.metadata!.name!}'s ${family} address`,
      seen: `clusterIPs [${(svc.spec?.clusterIPs ?? []).join(', ')}], node InternalIPs [${internalIPs(node).join(', ')}], nodePort ${port?.nodePort ?? 'none'}`,
    });
  }
  return [
    { label: `Service ${serviceName(svc)} ClusterIP`, ip: clusterIp, port: port.port },
    { label: `Service ${serviceName(svc)} NodePort on ${node.metadata!.name!}`, ip: nodeIp, port: port.nodePort },
  ];
}

/** All paths must pass; the verdict carries the most attempts any path needed. */
function combine(parts: readonly Verdict[], object: string, family: IPFamily): Verdict {
  return { ...all([...parts], object, family), attempts: Math.max(1, ...parts.map((p) => p.attempts ?? 1)) };
}

/**
 * An 8 KiB form body POSTed to netexec's /echo (which answers its `msg` field) through the
 * ClusterIP and a NodePort of the family comes back byte for byte: full-sized segments
 * cross the path both ways.
 */
export async function largeHttpThroughService(kc: KubeConfig, client: V1Pod, svc: V1Service, node: V1Node, family: IPFamily): Promise<Verdict> {
  const targets = targetsOf(svc, node, 'http', family);
  if (!Array.isArray(targets)) return targets;
  const msg = randomBytes(HTTP_BODY_BYTES / 2).toString('hex');
  const sent = payloadOf(msg);
  // The paths at once: under a black hole each one waits out its timeouts.
  const parts = await Promise.all(
    targets.map((t) => {
      const url = urlFor(t.ip, t.port, '/echo');
      const object = `${podLabel(client)} → ${t.label} (POST ${HTTP_BODY_BYTES}-byte body to ${url})`;
      return retryVerdict(async () => {
        const download = await httpDownload(kc, client.metadata!.namespace!, client.metadata!.name!, url, 10, `msg=${msg}`);
        return largeHttpVerdict({ object, family, download, sent });
      }, PROGRAMMED_WITHIN);
    }),
  );
  return combine(parts, `large HTTP body through Service ${serviceName(svc)}`, family);
}

/**
 * A 2000-byte datagram (fragmented on a 1500-byte MTU) to netexec's UDP echo through the
 * ClusterIP and a NodePort of the family comes back whole.
 */
export async function largeUdpThroughService(kc: KubeConfig, client: V1Pod, svc: V1Service, node: V1Node, family: IPFamily): Promise<Verdict> {
  const targets = targetsOf(svc, node, 'udp', family);
  if (!Array.isArray(targets)) return targets;
  const command = 'echo ';
  // netexec lower-cases and trims what it echoes: lower-case hex survives unchanged.
  const token = randomBytes(UDP_DATAGRAM_BYTES).toString('hex').slice(0, UDP_DATAGRAM_BYTES - command.length);
  const sent = payloadOf(token);
  const parts = await Promise.all(
    targets.map((t) => {
      const object = `${podLabel(client)} → ${t.label} (udp ${t.ip} port ${t.port}, ${UDP_DATAGRAM_BYTES}-byte datagram)`;
      return retryVerdict(async () => {
        const result = await udpExchange(kc, client.metadata!.namespace!, client.metadata!.name!, t.ip, t.port, `${command}${token}`, 2);
        return largeUdpVerdict({ object, family, result, sent, datagramBytes: UDP_DATAGRAM_BYTES });
      }, { attempts: 3 });
    }),
  );
  return combine(parts, `large UDP datagram through Service ${serviceName(svc)}`, family);
}

/**
 * Path MTU pod → pod across nodes: the largest echo of the family that passes with
 * fragmentation forbidden (bounded binary search), judged against both pods' interface MTU.
 */
export async function pathMtu(kc: KubeConfig, client: V1Pod, server: V1Pod, family: IPFamily): Promise<Verdict> {
  const object = `${podLabel(client)} → ${podLabel(server)}`;
  const ip = ipOr(server, family, object);
  if (typeof ip !== 'string') return ip;
  const ns = client.metadata!.namespace!;
  const name = client.metadata!.name!;
  const mtus = await Promise.all([interfaceMtu(kc, ns, name), interfaceMtu(kc, server.metadata!.namespace!, server.metadata!.name!)]);
  const known = mtus.filter((m): m is number => m !== undefined);
  const mtu = known.length === 2 ? Math.min(...known) : undefined;
  return retryVerdict(async () => {
    const search = await searchPathMtu(PMTU_FLOOR, PMTU_CEILING, async (size) => {
      // Two echoes, one reply enough: a single lost packet must not lower the MTU found.
      const r = await ping(kc, ns, name, ip, family, 2, { payload: size - pingOverhead(family), dontFragment: true, waitS: 1 });
      return { size, passed: r.received > 0, tooBig: parseTooBig(`${r.stdout}\n${r.stderr}`) };
    });
    return pathMtuVerdict({ object: `${object} (ping -M do ${ip})`, family, interfaceMtu: mtu, search });
  }, { attempts: 2 });
}
