/**
 * Shared set-up of the nat64 suite and its fault tests: the clients are the run's probe
 * fleet, one pod pinned to each sampled worker (so a per-node fault shows up on exactly
 * that node's pod), the prefix to dial through, and the lab origin's URLs.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { TestContext } from 'vitest';
import type { Client, EgressSource } from '../../lib/checks/nat64.ts';
import type { EdgeInfo } from '../../lib/edge/index.ts';
import type { V6Origin } from '../../lib/edge/v6-world.ts';
import type { Harness } from '../../lib/harness/context.ts';
import { familyOf, isIp, urlFor } from '../../lib/net/family.ts';
import { embedIPv4 } from '../../lib/net/rfc6052.ts';
import { podIPs } from '../../lib/probes/pods.ts';
import { configuredPrefix, resolverAddresses, resolverFor, type PrefixSource } from '../dns64/common.ts';
import { pref64Discovery } from '../dns64/scenarios.ts';

export interface Nat64Setup {
  clients: Client[];
  /** The prefix to dial through: the translator's, else the one DNS64 reveals (RFC 7050). */
  prefix?: PrefixSource;
}

/** The clients (one pod per worker) and the prefix to dial through. */
export async function nat64Setup(h: Harness, pods: readonly V1Pod[]): Promise<Nat64Setup> {
  const clients = pods.map((pod: V1Pod) => ({ kc: h.kc, pod }));
  let prefix = configuredPrefix(h);
  if (!prefix) {
    const v6 = (await resolverAddresses(h)).IPv6;
    const found = v6 ? (await pref64Discovery(resolverFor(h, pods[0]!, v6))).prefixes : [];
    if (found.length === 1) prefix = { cidr: found[0]!, from: `discovered via ipv4only.arpa from ${v6!.label}` };
  }
  return { clients, prefix };
}

/** Each client's allowed native IPv6 sources: its own IPv6 and its node's IPv6 addresses (any type). */
export async function egressSources(h: Harness, clients: readonly Client[]): Promise<Map<string, EgressSource>> {
  const nodes = new Map((await h.api.core.listNode()).items.map((n) => [n.metadata!.name!, n]));
  const out = new Map<string, EgressSource>();
  for (const c of clients) {
    const node = c.pod.spec!.nodeName!;
    const v6 = (ips: readonly string[]) => ips.filter((ip) => isIp(ip) && familyOf(ip) === 'IPv6');
    out.set(c.pod.metadata!.name!, {
      podIPv6: v6(podIPs(c.pod))[0],
      node,
      nodeIPv6: v6((nodes.get(node)?.status?.addresses ?? []).map((a) => a.address)),
    });
  }
  return out;
}

/** The lab's IPv6 world, or a skip saying why there is none. */
export function v6World(ctx: TestContext, h: Harness): V6Origin {
  const edge = labEdge(ctx, h);
  if (!edge.origin6) ctx.skip(`edge file of ${edge.cluster} predates the IPv6 world: re-provision the edge (v6e2e up)`);
  return edge.origin6!;
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
