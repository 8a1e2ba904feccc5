/**
 * Outside → pod, per family (Cilium's from-cidr-to-pod): a container on kind's Docker
 * network, given a route to each node's podCIDR through that node (what a router in
 * front of a cluster with routable pod addresses does), reaches every server pod by its
 * PodIP, and the pod sees the container's own address. The fault drops the outside
 * client's packets to one pod on that pod's node, and only that pod must fail.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { containerAddresses } from '../../lib/edge/docker.ts';
import { faultTag, withDrops } from '../../lib/edge/node-rules.ts';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { familyOfCidr, urlFor, type IPFamily } from '../../lib/net/family.ts';
import type { OutsideClient } from '../../lib/probes/outside.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import { NETEXEC_HTTP_PORT, podIpOf, podLabel } from '../../lib/probes/pods.ts';
import { outsideClient, requireOutside } from '../../lib/harness/outside.ts';
import { expectOk, FAMILIES, MAX_NODE_PAIRS, skipWithoutFamily, suiteNamespace } from './common.ts';
import { outsideToPod } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let servers: V1Pod[] = [];
let outside: OutsideClient | string | undefined;

/** Routes the outside container to every node's podCIDRs through that node's address of the family on its network. */
async function routeToPodCidrs(c: OutsideClient): Promise<void> {
  const nodes = (await h.api.core.listNode()).items;
  await Promise.all(
    nodes.map(async (node) => {
      const via = await containerAddresses(node.metadata!.name!, c.network);
      for (const cidr of node.spec?.podCIDRs ?? []) {
        const f: IPFamily = familyOfCidr(cidr);
        const gw = via[f];
        if (!gw) continue;
        const r = await c.exec(cidr, ['ip', f === 'IPv6' ? '-6' : '-4', 'route', 'replace', cidr, 'via', gw]);
        if (!r.ok) throw new Error(`outside container ${c.name}: route ${cidr} via ${gw} (${node.metadata!.name}): ${r.stderr}`);
      }
    }),
  );
}

beforeAll(async () => {
  h = await harness();
  // The servers are the run's probe fleet (its faults drop only this file's outside
  // client's packets to one of them). The routed client (NET_ADMIN) is given routes of its
  // own, as a router in front of the cluster would hold.
  const [namespace, shared, client] = await Promise.all([suiteNamespace(h, 'connectivity-outside'), fleet(h.kc, h.env.runId), outsideClient(h, 'routed')]);
  ns = namespace;
  servers = shared.pods.slice(0, MAX_NODE_PAIRS);
  outside = client;
  if (typeof outside !== 'string') await routeToPodCidrs(outside);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('outside to pod', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `connectivity/outside-to-pod/${idFamily(f)}-outside-client-routed-to-the-pod-cidrs-reaches-every-pod-keeping-its-source`,
      family: f,
      title: `[${f}] a client outside the cluster, routed to the pod CIDRs through the nodes, reaches every server pod's ${f} PodIP; the pod sees the client's own address`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await outsideToPod(requireOutside(ctx, outside, f), servers, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `connectivity/outside-to-pod/fault-${idFamily(f)}-outside-client-dropped-at-one-pod-s-node-only-that-pod-fails`,
      family: f,
      kind: 'fault',
      title: `fault: [${f}] the outside client's packets to one pod dropped on that pod's node (raw PREROUTING, its source and that PodIP only): only that pod fails, named with ${f}`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const c = requireOutside(ctx, outside, f);
      const victim = servers[0]!;
      const drop = { node: victim.spec!.nodeName!, family: f, match: ['-s', c.addressOf(f)!, '-d', podIpOf(victim, f)!, '-p', 'tcp', '--dport', String(NETEXEC_HTTP_PORT)], tag: faultTag(ns.name) };
      const v = await withDrops([drop], () => outsideToPod(c, servers, f));
      await ctx.annotate(v.message, 'fault message');
      const url = urlFor(podIpOf(victim, f)!, NETEXEC_HTTP_PORT, '/clientip');
      const hit = expectFault(v, { object: `${c.name} → ${podLabel(victim)} (${url})`, family: f, expected: ["the outside container's address"], seen: ['timeout'] });
      expect(v.failures).toHaveLength(1);
      expect(hit.object).toContain(victim.spec!.nodeName!);
      expectNoFault(await outsideToPod(c, servers, f));
    },
  );
});
