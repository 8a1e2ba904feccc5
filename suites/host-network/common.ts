/**
 * Shared set-up of the host-network suite: its namespaces, the host ports its
 * hostNetwork and hostPort pods take on the nodes, and the per-family node rule a
 * fault test seeds and removes. The scenarios its checks and fault tests share are
 * in scenarios.ts.
 */
import type { V1Node } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { ip6tablesIn } from '../../lib/edge/docker.ts';
import { suiteNamespace as namespaceFor, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import type { ProbePodSpec } from '../../lib/probes/pods.ts';
import { dockerTry, type DockerResult } from '../../lib/util/docker.ts';
export { skipWithoutFamily } from '../../lib/harness/context.ts';
// The connectivity suite's assertion and "pod has no IP of the family" helper, shared rather than copied.
export { expectOk } from '../../lib/harness/check.ts';
export { ipOr } from '../../lib/checks/connectivity.ts';

export const SUITE = 'host-network';

/** Both families are always declared; tests for a family the cluster lacks are skipped. */
export const FAMILIES: readonly IPFamily[] = ['IPv4', 'IPv6'];

/** At most this many nodes are sampled for per-node paths, however large the cluster. */
export const MAX_NODES = 3;

/**
 * Host ports this suite's pods take on the nodes. All sit below the NodePort range
 * (30000-32767) and the nodes' ephemeral range (32768-60999), and apart from the
 * connectivity suite's hostNetwork netexec (28080/28081), which may be running on the
 * same nodes at the same time; nothing else on a kind node listens there. The check files
 * and the fault file use different ports so a leftover pod of one cannot answer for the other.
 */
export const HOST_EP_HTTP_PORT = 28280;
export const HOST_EP_UDP_PORT = 28281;
export const FAULT_EP_HTTP_PORT = 28282;
export const FAULT_EP_UDP_PORT = 28283;
export const HOSTPORT = 28290;
export const FAULT_HOSTPORT = 28291;

export const ROLE_LABEL = 'v6e2e.io/role';

export function suiteNamespace(h: Harness, suite: string = SUITE): Promise<TestNamespace> {
  return namespaceFor(h, suite);
}

/** A hostNetwork client that only dials: it takes no port on its node. */
export const SLEEPER = ['sleep', 'infinity'];

/**
 * A hostNetwork netexec endpoint whose UDP server listens on the node's host IPs, not the
 * wildcard: a wildcard socket answers a pod on the same node from the address the kernel
 * picks for the route back — with kindnet the pod's veth gateway (10.244.x.1, fd00:10:244:x::1),
 * not the node IP the pod dialled — so conntrack cannot undo the ClusterIP DNAT and the
 * client drops the reply. Bound sockets answer from the address they were reached on.
 */
export function hostNetworkEndpoint(name: string, node: string, httpPort: number, udpPort: number, labels: Record<string, string>): ProbePodSpec {
  return {
    name,
    node,
    hostNetwork: true,
    labels,
    args: ['netexec', `--http-port=${httpPort}`, `--udp-port=${udpPort}`, '--udp-listen-addresses=$(HOST_IPS)'],
    env: [{ name: 'HOST_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } }],
    readinessProbe: { httpGet: { path: '/healthz', port: httpPort }, periodSeconds: 1 },
  };
}

export async function listNodes(h: Harness): Promise<V1Node[]> {
  return (await h.api.core.listNode({})).items;
}

/** iptables or ip6tables (by family) in a kind node container, waiting for the xtables lock; non-zero exits are returned. */
export function xtablesIn(node: string, family: IPFamily, args: readonly string[]): Promise<DockerResult> {
  if (family === 'IPv6') return ip6tablesIn(node, args);
  return dockerTry(['exec', node, 'iptables', '-w', '5', ...args], { timeout: 30_000 });
}

/** `-p icmp --icmp-type echo-request` or its ICMPv6 twin: the match for echo requests of the family. */
export function echoRequestMatch(family: IPFamily): string[] {
  return family === 'IPv6' ? ['-p', 'ipv6-icmp', '--icmpv6-type', 'echo-request'] : ['-p', 'icmp', '--icmp-type', 'echo-request'];
}

export interface NodeRule {
  node: string;
  family: IPFamily;
  table: 'raw' | 'mangle' | 'filter';
  chain: string;
  /** The match, without the comment and target: DROP with a `v6e2e-fault-<namespace>` comment is appended. */
  match: string[];
}

/**
 * Seeds a DROP rule on a node for the length of `body` and removes it in `finally`. The
 * comment names the fault's namespace, so a leftover rule says whose it is.
 */
export async function withDropRule<T>(ns: TestNamespace, rule: NodeRule, body: () => Promise<T>): Promise<T> {
  return withDropRules(ns, [rule], body);
}

export async function withDropRules<T>(ns: TestNamespace, rules: readonly NodeRule[], body: () => Promise<T>): Promise<T> {
  const spec = (r: NodeRule) => [r.chain, ...r.match, '-m', 'comment', '--comment', `v6e2e-fault-${ns.name}`, '-j', 'DROP'];
  const seeded: NodeRule[] = [];
  try {
    for (const r of rules) {
      const res = await xtablesIn(r.node, r.family, ['-t', r.table, '-I', ...spec(r)]);
      expect(res.exitCode, `seeding ${r.family} ${r.table} ${r.chain} drop on ${r.node}: ${res.stderr}`).toBe(0);
      seeded.push(r);
    }
    return await body();
  } finally {
    for (const r of seeded) await xtablesIn(r.node, r.family, ['-t', r.table, '-D', ...spec(r)]);
  }
}
