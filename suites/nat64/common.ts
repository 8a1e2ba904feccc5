/**
 * Shared set-up of the nat64 suite and its fault tests: one client pod pinned to each
 * worker (so a per-node fault shows up on exactly that node's pod), the prefix to
 * dial through, and the lab origin's URLs.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { TestContext } from 'vitest';
import type { Client } from '../../lib/checks/nat64.ts';
import type { EdgeInfo } from '../../lib/edge/index.ts';
import type { Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { urlFor } from '../../lib/net/family.ts';
import { embedIPv4 } from '../../lib/net/rfc6052.ts';
import { startProbePods, workerNodes } from '../../lib/probes/pods.ts';
import { configuredPrefix, resolverAddresses, resolverFor, suiteNamespace, type PrefixSource } from '../dns64/common.ts';
import { pref64Discovery } from '../dns64/scenarios.ts';

/** At most this many workers get a client pod. */
export const MAX_CLIENT_NODES = 3;

export interface Nat64Setup {
  ns: TestNamespace;
  clients: Client[];
  /** The prefix to dial through: the translator's, else the one DNS64 reveals (RFC 7050). */
  prefix?: PrefixSource;
}

export async function nat64Setup(h: Harness, suite: string): Promise<Nat64Setup> {
  const ns = await suiteNamespace(h, suite);
  const nodes = (await workerNodes(h.kc)).slice(0, MAX_CLIENT_NODES);
  const pods = await startProbePods(h.kc, ns.name, nodes.map((node, i) => ({ name: `client-${i}`, node })), 180_000);
  const clients = pods.map((pod: V1Pod) => ({ kc: h.kc, pod }));
  let prefix = configuredPrefix(h);
  if (!prefix) {
    const v6 = (await resolverAddresses(h)).IPv6;
    const found = v6 ? (await pref64Discovery(resolverFor(h, pods[0]!, v6))).prefixes : [];
    if (found.length === 1) prefix = { cidr: found[0]!, from: `discovered via ipv4only.arpa from ${v6!.label}` };
  }
  return { ns, clients, prefix };
}

export function labEdge(ctx: TestContext, h: Harness): EdgeInfo {
  if (!h.edge) ctx.skip('existing cluster: no lab edge; NAT64 is checked against --nat64-target instead');
  return h.edge!;
}

export function prefixOrSkip(ctx: TestContext, s: Nat64Setup): string {
  if (!s.prefix) ctx.skip('no Pref64: not configured (--nat64-prefix / EdgeInfo) and none discovered via ipv4only.arpa');
  return s.prefix!.cidr;
}

/** `http://[<Pref64 + origin IPv4>]:80/clientip`: the origin by its synthesized literal. */
export function synthesizedUrl(edge: EdgeInfo, pref64: string, path = '/clientip'): string {
  return urlFor(embedIPv4(pref64, edge.origin.ipv4), edge.origin.httpPort, path);
}
