/**
 * Judgements for two Service edge cases, one family at a time:
 *
 * - Hairpin: a pod that is the only endpoint of its Service dials the Service (ClusterIP,
 *   NodePort) and must reach itself. kube-proxy masquerades such traffic (its endpoint
 *   chain marks `-s <endpoint IP>` for SNAT; NodePorts with externalTrafficPolicy Cluster
 *   are masqueraded anyway), so the pod sees a source of the family that is not its own
 *   IP — otherwise its kernel would get a packet from itself and drop it as martian.
 *   Which address that is (the node's, the CNI gateway's) is not guaranteed; only "not
 *   itself, same family" is judged.
 * - No endpoints: a Service whose selector matches no ready pod is REJECTed by kube-proxy
 *   (ICMP/ICMPv6 port unreachable), so a client sees "connection refused" at once; silence
 *   until its timeout means the Service is black-holed.
 *
 * Pure `…Verdict` functions (unit-tested) and the `check…` wrappers that probe and judge
 * under a retry policy, which both the checks and their fault tests call.
 */
import type { V1Node } from '@kubernetes/client-node';
import { familyOf, isIp, normalizeIp, type IPFamily } from '../net/family.ts';
import { agnhostConnect, type ConnectResult } from '../probes/connect.ts';
import { httpGet, type HttpResult } from '../probes/http.ts';
import { udpExchange } from '../probes/udp.ts';
import { type PeerCheck, type ProbePoint, udpVerdict } from './connectivity.ts';
import { clientIpOf, rankedAddresses } from './nodeport.ts';
import { clip, describeHttpOutcome, httpFailureKind, lastLine } from './text.ts';
import { retryVerdict, verdict, type Verdict } from './verdict.ts';

/** A rejected connection must be refused within this many seconds (the probe's connect timeout). */
export const REFUSE_WITHIN_S = 2;

/** kube-proxy applies a new Service within a sync (about a second): probes get this many tries, 1 s apart. */
const ATTEMPTS = 3;

function where(p: ProbePoint): { ns: string; pod: string } {
  return { ns: p.client.metadata!.namespace!, pod: p.client.metadata!.name! };
}

// ------------------------------------------------------------------ node targets

export interface NodeTarget {
  node: string;
  /** The node's first InternalIP (else ExternalIP) of the family. */
  address: string;
  /** The client pod's own node. */
  own: boolean;
}

/**
 * NodePort targets of the family for a client on `clientNode`: its own node's address,
 * then one other node's (when the cluster has one with an address of the family).
 */
export function nodeTargets(nodes: readonly V1Node[], clientNode: string, family: IPFamily): NodeTarget[] {
  const first = (n: V1Node) => {
    const ranked = rankedAddresses(n).filter((a) => a.family === family);
    return (ranked.find((a) => a.type === 'InternalIP') ?? ranked[0])?.address;
  };
  const out: NodeTarget[] = [];
  const own = nodes.find((n) => n.metadata?.name === clientNode);
  const ownIp = own && first(own);
  if (ownIp) out.push({ node: clientNode, address: ownIp, own: true });
  // A worker rather than the control plane, when there is one: the usual NodePort path.
  const isCp = (n: V1Node) => Object.keys(n.metadata?.labels ?? {}).includes('node-role.kubernetes.io/control-plane');
  for (const n of [...nodes.filter((n) => !isCp(n)), ...nodes.filter(isCp)]) {
    const ip = n.metadata?.name !== clientNode ? first(n) : undefined;
    if (ip) {
      out.push({ node: n.metadata!.name!, address: ip, own: false });
      break;
    }
  }
  return out;
}

// ------------------------------------------------------------------ hairpin

/**
 * netexec /clientip on the pod, reached through its own Service: the source it saw is of
 * the family and is not its own IP (kube-proxy masquerades hairpin traffic).
 */
export function hairpinSourceVerdict(c: PeerCheck & { result: HttpResult; ownIp: string }): Verdict {
  const own = normalizeIp(c.ownIp);
  const expected = `an ${c.family} source other than its own ${own} (hairpin traffic is masqueraded)`;
  if (!c.result.ok) return verdict(false, { ...c, expected, seen: describeHttpOutcome(c.result) });
  const body = c.result.body.trim();
  const ip = clientIpOf(body);
  if (!ip || !isIp(ip)) return verdict(false, { ...c, expected, seen: `a /clientip body that is not ip:port: "${clip(body)}"` });
  const seenIp = normalizeIp(ip);
  if (familyOf(seenIp) !== c.family) return verdict(false, { ...c, expected, seen: `source ${seenIp}, an ${familyOf(seenIp)} address` });
  if (seenIp === own) return verdict(false, { ...c, expected, seen: `source ${body}: its own IP (not masqueraded)` });
  return verdict(true, { ...c, expected, seen: `source ${body}` });
}

export async function checkHairpinSource(p: ProbePoint, url: string, c: PeerCheck & { ownIp: string }): Promise<Verdict> {
  const { ns, pod } = where(p);
  return retryVerdict(async () => hairpinSourceVerdict({ ...c, result: await httpGet(p.kc, ns, pod, url, { timeoutS: 3 }) }), { attempts: ATTEMPTS });
}

/** netexec's UDP `hostname` command through the Service: the reply is the pod's own name. */
export async function checkUdpHostname(p: ProbePoint, ip: string, port: number, c: PeerCheck & { hostname: string }): Promise<Verdict> {
  const { ns, pod } = where(p);
  return retryVerdict(async () => {
    const result = await udpExchange(p.kc, ns, pod, ip, port, 'hostname', 2);
    return udpVerdict({ object: c.object, family: c.family, result, expectReply: c.hostname });
  }, { attempts: ATTEMPTS });
}

// ------------------------------------------------------------------ no endpoints

function refusedExpectation(proto: 'TCP' | 'UDP', boundS: number): string {
  return `connection refused within ${boundS} s (${proto} rejected, not black-holed)`;
}

/**
 * A TCP connect (curl, --connect-timeout = the bound) to a Service without endpoints is
 * refused; a timeout means it was black-holed, an answer means something served it.
 */
export function tcpRejectedVerdict(c: PeerCheck & { result: HttpResult; boundS: number }): Verdict {
  const expected = refusedExpectation('TCP', c.boundS);
  const kind = httpFailureKind(c.result);
  const outcome = describeHttpOutcome(c.result);
  if (kind === 'connection refused') return verdict(true, { ...c, expected, seen: outcome });
  const said = lastLine(c.result.stderr || c.result.stdout);
  const seen = kind === 'timeout' ? `timeout after ${c.boundS} s: black-holed (curl exit ${c.result.exitCode}${said ? `: ${clip(said, 200)}` : ''})` : outcome;
  return verdict(false, { ...c, expected, seen });
}

/** A UDP datagram to a Service without endpoints draws an ICMP(v6) port unreachable, read as "connection refused". */
export function udpRejectedVerdict(c: PeerCheck & { result: ConnectResult }): Verdict {
  const expected = refusedExpectation('UDP', c.result.timeoutS);
  const r = c.result;
  const detail = clip(r.detail, 200);
  switch (r.outcome) {
    case 'refused':
      return verdict(true, { ...c, expected, seen: `connection refused (${detail})` });
    case 'timeout':
      return verdict(false, { ...c, expected, seen: `timeout after ${r.timeoutS} s: no reply and no ICMP error, black-holed (${detail})` });
    case 'connected':
      return verdict(false, { ...c, expected, seen: 'a UDP reply: something answers for a Service without endpoints' });
    case 'probe-failed':
      return verdict(false, { ...c, expected, seen: `probe could not run (${detail})` });
    default:
      return verdict(false, { ...c, expected, seen: `${r.outcome} error (agnhost connect exit ${r.exitCode}: ${detail})` });
  }
}

export async function checkTcpRejected(p: ProbePoint, url: string, c: PeerCheck & { boundS?: number }): Promise<Verdict> {
  const { ns, pod } = where(p);
  const boundS = c.boundS ?? REFUSE_WITHIN_S;
  return retryVerdict(async () => tcpRejectedVerdict({ object: c.object, family: c.family, boundS, result: await httpGet(p.kc, ns, pod, url, { timeoutS: boundS }) }), { attempts: ATTEMPTS });
}

export async function checkUdpRejected(p: ProbePoint, ip: string, port: number, c: PeerCheck & { boundS?: number }): Promise<Verdict> {
  const { ns, pod } = where(p);
  return retryVerdict(async () => {
    const result = await agnhostConnect(p.kc, ns, pod, ip, port, 'udp', c.boundS ?? REFUSE_WITHIN_S);
    return udpRejectedVerdict({ object: c.object, family: c.family, result });
  }, { attempts: ATTEMPTS });
}
