/**
 * The NodePort scenarios: for each behaviour one function — probe, judgement
 * (lib/checks/nodeport.ts) and retry policy — called by the suite's check and by the
 * fault test that seeds a fault for it, so the fault test proves that the check's own
 * path catches the fault. Probing scenarios also return their probes, for the report.
 */
import type { KubeConfig, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { TestContext } from 'vitest';
import {
  checkAddressProbes,
  checkLocalPolicy,
  checkNodeAddressPreference,
  describeKubeProxy,
  describeRank,
  downwardHostIpVerdict,
  expectedNodePortReachability,
  hostIpNodePortScript,
  localAddresses,
  nodeHostIPs,
  probeRecord,
  rankedAddresses,
  splitHostIpOutput,
  type AddressProbe,
  type KubeProxyNodePorts,
  type LocalPolicyProbe,
  type RankedAddress,
} from '../../lib/checks/nodeport.ts';
import { checkHostNetworkPodIPs, checkPodHostIPs, familyTag, podRef } from '../../lib/checks/address-families.ts';
import { all, verdict, type CheckFamily, type Verdict } from '../../lib/checks/verdict.ts';
import { urlFor, type IPFamily } from '../../lib/net/family.ts';
import { runSingleProbe } from '../../lib/probes/exec.ts';
import { httpGet, type HttpResult } from '../../lib/probes/http.ts';
import { parseCurlResult, type OutsideClient } from '../../lib/probes/outside.ts';
import { retry } from '../../lib/util/retry.ts';
import { everyBackendVerdict, httpSample, sampleUntil, SPREAD_REQUESTS, SPREAD_ROUNDS, SPREAD_TIMEOUT_S } from '../../lib/checks/backends.ts';
import { checkUdpAnswers, type UdpAddressProbe } from '../../lib/checks/udp-service.ts';
import { hostPort } from '../../lib/net/family.ts';
import { httpBurst, udpOnce, type ProbeRunner } from '../../lib/probes/spread.ts';
import { nodePortOf, podLabel, report } from './common.ts';

/** Per-probe timeout: a dropped or unserved port shows as a timeout this long. */
const PROBE_TIMEOUT_S = 3;
/** kube-proxy needs a sync period after a change: an address expected to answer gets this many tries, 1 s apart. */
const ANSWER_ATTEMPTS = 4;
/** The downward-API probe runs a whole script per try; fewer tries, each bounded by curl's own timeout. */
const HOST_IP_ATTEMPTS = 3;

/** Who dials: a name for messages, and one bounded GET. */
export interface HttpClient {
  label: string;
  get(url: string, timeoutS: number): Promise<HttpResult>;
}

export function fromOutside(c: OutsideClient): HttpClient {
  return { label: `outside container ${c.name}`, get: (url, timeoutS) => c.httpGet(url, { timeoutS }) };
}

export function fromPod(kc: KubeConfig, pod: V1Pod): HttpClient {
  return { label: podLabel(pod), get: (url, timeoutS) => httpGet(kc, pod.metadata!.namespace!, pod.metadata!.name!, url, { timeoutS }) };
}

/** GETs `url` until it answers, `attempts` times at most; returns the last result and how many tries it took. */
async function getCounted(client: HttpClient, url: string, attempts: number): Promise<{ result: HttpResult; attempts: number }> {
  const r = await retry(() => client.get(url, PROBE_TIMEOUT_S), { attempts });
  return { result: r.last, attempts: r.attempts };
}

/** `Service ns/np NodePort 30080`: the object NodePort verdicts name. */
export function nodePortName(svc: V1Service): string {
  return `Service ${svc.metadata!.namespace!}/${svc.metadata!.name!} NodePort ${nodePortOf(svc)}`;
}

/** Every InternalIP/ExternalIP of the family over the nodes, ranked as listed. */
export function nodeAddresses(nodes: readonly V1Node[], family: IPFamily): RankedAddress[] {
  return nodes.flatMap(rankedAddresses).filter((a) => a.family === family);
}

/** Listed addresses plus each node's `extra` ones (the lab's alternate network: reachable from pods, not from outside). */
export function podTargets(nodes: readonly V1Node[], extra: ReadonlyMap<string, readonly string[]>, family: IPFamily): RankedAddress[] {
  return [...nodeAddresses(nodes, family), ...nodes.flatMap((n) => localAddresses(n, extra.get(n.metadata!.name!) ?? [])).filter((a) => a.family === family)];
}

// ---------------------------------------------------------------- reachability

export interface NodePortVerdict extends Verdict {
  probes: AddressProbe[];
}

/** What a NodePort scenario probes: the Service's NodePort on `targets`, judged against kube-proxy's settings, from `client`. */
export interface NodePortPlan<C> {
  svc: V1Service;
  family: IPFamily;
  targets: readonly RankedAddress[];
  proxy: KubeProxyNodePorts;
  client: C;
  /** Names the answering pods may give (netexec /hostname). */
  backends: readonly string[];
}

/**
 * `GET /hostname` on every target address, each judged against kube-proxy's
 * nodePortAddresses: addresses expected to answer get ANSWER_ATTEMPTS tries,
 * expected-refused ones one try.
 */
export async function nodePortAnswers(o: NodePortPlan<HttpClient>): Promise<NodePortVerdict> {
  const port = nodePortOf(o.svc);
  const tried = await Promise.all(
    o.targets.map(async (target) => {
      const url = urlFor(target.address, port, '/hostname');
      const expect = expectedNodePortReachability(o.proxy, target);
      const { result, attempts } = await getCounted(o.client, url, expect.reachable === false ? 1 : ANSWER_ATTEMPTS);
      const probe: AddressProbe = { target, client: o.client.label, url, expect, result, expectBody: [...o.backends] };
      return { probe, attempts };
    }),
  );
  const probes = tried.map((t) => t.probe);
  const v = checkAddressProbes(nodePortName(o.svc), o.family, probes);
  return { ...v, attempts: Math.max(1, ...tried.map((t) => t.attempts)), probes };
}

/** One line per probe and the JSON records, for the report. */
export async function reportNodePortProbes(ctx: TestContext, family: IPFamily, from: string, proxy: KubeProxyNodePorts, probes: readonly AddressProbe[]): Promise<void> {
  const line = `${describeKubeProxy(proxy)}; ${probes
    .map(
      (p) =>
        `${p.target.node} ${p.target.address} (${p.target.type === 'LocalAddress' ? 'local address, not listed' : `rank ${p.target.rank}, ${p.target.family} #${p.target.familyRank}`}${p.expect.reachable === false ? ', expected refused' : ''}) ${p.result.ok ? 'answered' : 'silent'}`,
    )
    .join('; ')}`;
  await report(ctx, `NodePort ${family} probes from ${from}`, line, { kubeProxy: proxy, probes: probes.map(probeRecord) });
}

/**
 * UDP: netexec's `hostname` datagram to the NodePort on every target address, judged
 * like the HTTP probes against nodePortAddresses (answering addresses get
 * ANSWER_ATTEMPTS tries, each a new socket); the reply must name a backend.
 */
export async function nodePortUdpAnswers(o: NodePortPlan<ProbeRunner>): Promise<Verdict> {
  const port = nodePortOf(o.svc);
  const name = `${nodePortName(o.svc)}/udp`;
  const tried = await Promise.all(
    o.targets.map(async (target) => {
      const expect = expectedNodePortReachability(o.proxy, target);
      const { last: result, attempts } = await retry(() => udpOnce(o.client, target.address, port, 'hostname', PROBE_TIMEOUT_S), {
        attempts: expect.reachable === false ? 1 : ANSWER_ATTEMPTS,
        until: (r) => r.ok && o.backends.includes(r.reply),
      });
      const object = `${name} on node ${target.node} ${describeRank(target)} from ${o.client.label} (udp ${hostPort(target.address, port)})`;
      const probe: UdpAddressProbe = { object, family: target.family, expect, result, backends: o.backends };
      return { probe, attempts };
    }),
  );
  return { ...checkUdpAnswers(name, o.family, tried.map((t) => t.probe)), attempts: Math.max(1, ...tried.map((t) => t.attempts)) };
}

/**
 * Through the NodePort on every target address kube-proxy is expected to serve: rounds
 * of GET /hostname, each a new connection, until every backend has answered there.
 */
export async function nodePortEveryBackend(o: NodePortPlan<ProbeRunner>): Promise<Verdict> {
  const port = nodePortOf(o.svc);
  const served = o.targets.filter((t) => expectedNodePortReachability(o.proxy, t).reachable === true);
  if (served.length === 0) {
    return verdict(false, { object: nodePortName(o.svc), family: o.family, expected: `a ${o.family} node address kube-proxy serves NodePorts on`, seen: `none among ${o.targets.length} (${describeKubeProxy(o.proxy)})` });
  }
  const parts = await Promise.all(
    served.map((target) => {
      const url = urlFor(target.address, port, '/hostname');
      const object = `${nodePortName(o.svc)} on node ${target.node} ${describeRank(target)} from ${o.client.label} (${url})`;
      const take = async () => (await httpBurst(o.client, url, SPREAD_REQUESTS, SPREAD_TIMEOUT_S)).map(httpSample);
      return sampleUntil(take, (samples) => everyBackendVerdict({ object, family: target.family, backends: o.backends, samples }), SPREAD_ROUNDS);
    }),
  );
  return { ...all(parts, `${nodePortName(o.svc)} every backend (${served.length} node addresses)`, o.family), attempts: Math.max(1, ...parts.map((p) => p.attempts ?? 1)) };
}

export interface LocalPolicyVerdict extends Verdict {
  probes: LocalPolicyProbe[];
}

/**
 * externalTrafficPolicy Local: `GET /clientip` on every target; the node with the local
 * endpoint (ANSWER_ATTEMPTS tries) must answer with the client's own address, the others
 * (one try) must not answer.
 */
export async function localPolicyAnswers(o: {
  svc: V1Service;
  family: IPFamily;
  targets: readonly RankedAddress[];
  client: HttpClient;
  clientIp: string;
  localNode: string | undefined;
}): Promise<LocalPolicyVerdict> {
  const port = nodePortOf(o.svc);
  const tried = await Promise.all(
    o.targets.map(async (target) => {
      const url = urlFor(target.address, port, '/clientip');
      const hasLocalEndpoint = target.node === o.localNode;
      const { result, attempts } = await getCounted(o.client, url, hasLocalEndpoint ? ANSWER_ATTEMPTS : 1);
      const probe: LocalPolicyProbe = { target, client: o.client.label, clientIp: o.clientIp, url, hasLocalEndpoint, result };
      return { probe, attempts };
    }),
  );
  const probes = tried.map((t) => t.probe);
  const v = checkLocalPolicy(nodePortName(o.svc), o.family, probes);
  return { ...v, attempts: Math.max(1, ...tried.map((t) => t.attempts)), probes };
}

export async function reportLocalPolicy(ctx: TestContext, family: IPFamily, probes: readonly LocalPolicyProbe[]): Promise<void> {
  const clientIp = probes[0]?.clientIp;
  await report(
    ctx,
    `externalTrafficPolicy Local ${family}`,
    probes.map((p) => `${p.target.node} ${p.target.address}${p.hasLocalEndpoint ? ' (local endpoint)' : ''}: ${p.result.ok ? p.result.body.trim() : 'no answer'}`).join('; ') + `; client ${clientIp}`,
    probes.map((p) => ({ node: p.target.node, address: p.target.address, rank: p.target.rank, hasLocalEndpoint: p.hasLocalEndpoint, clientIp, status: p.result.status, body: p.result.body.trim() })),
  );
}

// ---------------------------------------------------------------- address preference (API objects)

const nodeOf = (nodes: readonly V1Node[], p: V1Pod) => nodes.find((n) => n.metadata?.name === p.spec?.nodeName);

/** Every node's first InternalIP has the cluster's primary family. */
export function nodeAddressPreference(nodes: readonly V1Node[], primary: IPFamily): Verdict {
  return all(nodes.map((n) => checkNodeAddressPreference(n, primary)), `${nodes.length} nodes`, primary);
}

export async function reportNodeHostIPs(ctx: TestContext, nodes: readonly V1Node[]): Promise<void> {
  await report(
    ctx,
    'node host IPs',
    nodes.map((n) => `${n.metadata!.name}: ${nodeHostIPs(n).join(', ')}`).join('; '),
    nodes.map((n) => ({ node: n.metadata!.name, addresses: n.status?.addresses, hostIPs: nodeHostIPs(n) })),
  );
}

/** A pod's node, or a failed verdict naming the node the pod claims (the same host-IP judgements as address-families). */
function onItsNode(p: V1Pod, nodes: readonly V1Node[], family: CheckFamily, judge: (n: V1Node) => Verdict): Verdict {
  const n = nodeOf(nodes, p);
  if (n) return judge(n);
  return verdict(false, { object: podRef(p), family, expected: `its node ${p.spec?.nodeName ?? '(unscheduled)'} in the node list`, seen: `nodes ${nodes.map((x) => x.metadata?.name).join(', ')}` });
}

/** Every pod's status.hostIPs lists the cluster's families in order (primary first) and equals its node's host IPs. */
export function podHostIPsOrder(pods: readonly V1Pod[], nodes: readonly V1Node[], families: readonly IPFamily[]): Verdict {
  const family = familyTag(families);
  return all(pods.map((p) => onItsNode(p, nodes, family, (n) => checkPodHostIPs(p, n, families))), `${pods.length} pods`, family);
}

/** Every hostNetwork pod's podIPs are its node's host IPs, in the node's order. */
export function hostNetworkPodIPs(pods: readonly V1Pod[], nodes: readonly V1Node[], families: readonly IPFamily[]): Verdict {
  const family = familyTag(families);
  return all(pods.map((p) => onItsNode(p, nodes, family, (n) => checkHostNetworkPodIPs(p, n, families))), `${pods.length} hostNetwork pods`, family);
}

// ---------------------------------------------------------------- downward API status.hostIP

export interface HostIpRecord {
  pod: string;
  node: string | undefined;
  hostIP: string | undefined;
  ok: boolean;
  seen: string;
}

export interface DownwardHostIpVerdict extends Verdict {
  records: HostIpRecord[];
}

/**
 * Each pod reads its $HOST_IP (downward API status.hostIP) and GETs the NodePort on it
 * (HOST_IP_ATTEMPTS tries); the address must be of the primary family and a backend
 * (one of `pods`, the Service's endpoints) must answer.
 */
export async function downwardHostIp(kc: KubeConfig, pods: readonly V1Pod[], svc: V1Service, primary: IPFamily): Promise<DownwardHostIpVerdict> {
  const port = nodePortOf(svc);
  const service = `Service ${svc.metadata!.namespace!}/${svc.metadata!.name!}`;
  const backends = pods.map((p) => p.metadata!.name!);
  const verdicts: Verdict[] = [];
  const records: HostIpRecord[] = [];
  let most = 1;
  for (const p of pods) {
    const name = p.metadata!.name!;
    let hostIp: string | undefined;
    const { last: v, attempts: n } = await retry(async () => {
      const r = await runSingleProbe(kc, p.metadata!.namespace!, name, `$HOST_IP:${port}`, ['sh', '-c', hostIpNodePortScript(3), String(port)], 6_000);
      const split = splitHostIpOutput(r.stdout);
      hostIp = split.hostIp;
      const result = parseCurlResult({ ...r, stdout: split.rest });
      return downwardHostIpVerdict({ pod: podLabel(p), service, nodePort: port, primary, hostIp, result, expectBody: backends });
    }, { attempts: HOST_IP_ATTEMPTS });
    most = Math.max(most, n);
    records.push({ pod: name, node: p.spec?.nodeName, hostIP: hostIp, ok: v.ok, seen: v.seen });
    verdicts.push(v);
  }
  return { ...all(verdicts, `${pods.length} pods → NodePort ${port} on $HOST_IP`, primary), attempts: most, records };
}

export async function reportDownwardHostIp(ctx: TestContext, records: readonly HostIpRecord[]): Promise<void> {
  await report(ctx, 'downward API hostIP → NodePort', records.map((s) => `${s.node}: $HOST_IP ${s.hostIP} → ${s.ok ? 'ok' : 'failed'}`).join('; '), records);
}
