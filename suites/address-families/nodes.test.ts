/**
 * Node objects per family: InternalIPs (one per cluster family, primary first, as
 * upstream dual_stack.go "should have ipv4 and ipv6 internal node ip") and podCIDRs (one
 * per family, primary first, podCIDR == podCIDRs[0]; upstream's removed "should have ipv4
 * and ipv6 node podCIDRs").
 *
 * Each podCIDR against the plan it was cut from: the node mask and the cluster's pod
 * range are kube-controller-manager flags (--cluster-cidr, --node-cidr-mask-size-ipv6),
 * not API fields, so they are read from its pod's command line where the cluster shows
 * it (kubeadm's static pod in kube-system); elsewhere the check is skipped with why.
 *
 * Nodes are not ours to modify, so every fault here is seeded on a deep copy of a live Node.
 */
import type { V1Node } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  checkNodeInternalIP,
  checkNodeInternalIPOrder,
  checkNodePodCIDR,
  checkNodePodCIDRPlan,
  checkNodePodCIDRs,
  checkPodCIDRsDisjoint,
  nodeRef,
  parseNodeIpamFlags,
  podCIDRs,
  type NodeIpamConfig,
} from '../../lib/checks/address-families.ts';
import { all, assertOk, verdict } from '../../lib/checks/verdict.ts';
import { harness } from '../../lib/harness/context.ts';
import { createNamespace, type TestNamespace } from '../../lib/k8s/apply.ts';
import { familyOf, familyOfCidr } from '../../lib/net/family.ts';
import { expectCaught, FAMILIES, requireDualStack, requireFamily, secondary, SUITE } from './common.ts';

const h = await harness();
let ns: TestNamespace | undefined;
let nodes: V1Node[] = [];
/** The allocator's plan, or why it could not be read. */
let ipam: NodeIpamConfig | string;

beforeAll(async () => {
  ns = await createNamespace(h.kc, { suite: SUITE, runId: h.env.runId });
  nodes = (await h.api.core.listNode({})).items;
  expect(nodes.length, 'the cluster has no nodes').toBeGreaterThan(0);
  const cm = (await h.api.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'component=kube-controller-manager' })).items[0];
  const container = cm?.spec?.containers[0];
  ipam = !cm || !container
    ? 'no kube-system pod labelled component=kube-controller-manager (a managed control plane): the node CIDR plan is not visible'
    : (parseNodeIpamFlags([...(container.command ?? []), ...(container.args ?? [])], `kube-system/${cm.metadata!.name} flags`) ??
      `kube-system/${cm.metadata!.name} does not allocate node CIDRs (--allocate-node-cidrs unset): the CNI assigns pod ranges`);
});

function requireIpam(ctx: Parameters<typeof requireFamily>[1]): NodeIpamConfig {
  if (typeof ipam === 'string') ctx.skip(ipam);
  return ipam as NodeIpamConfig;
}

afterAll(async () => {
  await ns?.cleanup();
});

const cluster = () => h.families.families;
const copyOf = (n: V1Node) => structuredClone(n);

describe('nodes', () => {
  test('the families detected from the API match the declared profile (V6E2E_PROFILE) [dual]', (ctx) => {
    const profile = h.env.profile;
    if (!profile) ctx.skip('V6E2E_PROFILE is not set: no declared profile to compare the detected families with');
    assertOk(
      verdict(h.families.stack === profile, {
        object: `cluster ${h.kc.getCurrentContext()}`,
        family: 'dual',
        expected: `stack ${profile}`,
        seen: `stack ${h.families.stack} (${h.families.evidence.join('; ')})`,
      }),
    );
  });

  test('nodes, pods and Services agree on the cluster families (no cross-layer inconsistencies) [dual]', () => {
    assertOk(
      verdict(h.families.warnings.length === 0, {
        object: `cluster ${h.kc.getCurrentContext()}`,
        family: 'dual',
        expected: `no inconsistencies between node, pod and Service families (${h.families.stack})`,
        seen: h.families.warnings.length ? h.families.warnings.join('; ') : 'none',
      }),
    );
  });

  for (const f of FAMILIES) {
    test(`every node has an InternalIP of ${f} [${f}]`, (ctx) => {
      requireFamily(h, ctx, f);
      assertOk(all(nodes.map((n) => checkNodeInternalIP(n, f)), 'Nodes', f));
    });
  }

  test('every node has exactly one InternalIP per cluster family, the first of the primary family [dual]', () => {
    assertOk(all(nodes.map((n) => checkNodeInternalIPOrder(n, cluster())), 'Nodes', 'dual'));
  });

  for (const f of FAMILIES) {
    test(`every node has a ${f} podCIDR [${f}]`, (ctx) => {
      requireFamily(h, ctx, f);
      assertOk(all(nodes.map((n) => checkNodePodCIDR(n, f)), 'Nodes', f));
    });
  }

  test('every node has spec.podCIDRs one per cluster family in primary-first order, and spec.podCIDR == podCIDRs[0] [dual]', () => {
    assertOk(all(nodes.map((n) => checkNodePodCIDRs(n, cluster())), 'Nodes', 'dual'));
  });

  for (const f of FAMILIES) {
    test(`every node's ${f} podCIDR has the controller-manager's node mask size and lies inside its cluster CIDR [${f}]`, async (ctx) => {
      requireFamily(h, ctx, f);
      const cfg = requireIpam(ctx);
      await ctx.annotate(`${cfg.source}: cluster CIDRs ${cfg.clusterCidrs.join(', ')}, ${f} node mask /${cfg.masks[f]}; ${nodes.map((n) => `${n.metadata?.name} ${podCIDRs(n).join(' ')}`).join('; ')}`, 'node CIDR plan');
      assertOk(all(nodes.map((n) => checkNodePodCIDRPlan(n, f, cfg)), 'Nodes', f));
    });
  }

  for (const f of FAMILIES) {
    test(`no two nodes have overlapping ${f} podCIDRs [${f}]`, (ctx) => {
      requireFamily(h, ctx, f);
      assertOk(checkPodCIDRsDisjoint(nodes, f));
    });
  }
});

describe('nodes: faults', () => {
  for (const f of FAMILIES) {
    test(`fault: a node without its ${f} InternalIP (deep copy of a live node) fails, naming the node and ${f} [${f}]`, (ctx) => {
      requireFamily(h, ctx, f);
      const n = copyOf(nodes[0]!);
      n.status!.addresses = (n.status?.addresses ?? []).filter((a) => a.type !== 'InternalIP' || familyOf(a.address) !== f);
      expectCaught(checkNodeInternalIP(n, f), { object: nodeRef(n), family: f, mentions: [`an InternalIP of ${f}`] });
      expectCaught(checkNodeInternalIPOrder(n, cluster()), { object: nodeRef(n), family: f, mentions: ['InternalIPs['] });
    });
  }

  test('fault: a node listing its secondary-family InternalIP first (deep copy of a live node) fails the order check [dual]', (ctx) => {
    requireDualStack(h, ctx);
    const n = copyOf(nodes[0]!);
    const addrs = n.status?.addresses ?? [];
    const sec = addrs.find((a) => a.type === 'InternalIP' && familyOf(a.address) === secondary(h))!;
    n.status!.addresses = [sec, ...addrs.filter((a) => a !== sec)];
    expectCaught(checkNodeInternalIPOrder(n, cluster()), {
      object: nodeRef(n),
      family: h.families.primary,
      mentions: [`InternalIPs[0] of ${h.families.primary}`, sec.address],
    });
  });

  for (const f of FAMILIES) {
    test(`fault: a node whose podCIDRs lack ${f} (deep copy of a live node) fails, naming the node and ${f} [${f}]`, (ctx) => {
      requireFamily(h, ctx, f);
      const n = copyOf(nodes[0]!);
      n.spec!.podCIDRs = podCIDRs(n).filter((c) => familyOfCidr(c) !== f);
      n.spec!.podCIDR = n.spec!.podCIDRs[0];
      expectCaught(checkNodePodCIDR(n, f), { object: nodeRef(n), family: f, mentions: [`a podCIDR of ${f}`] });
      expectCaught(checkNodePodCIDRs(n, cluster()), { object: nodeRef(n), family: f, mentions: ['podCIDRs['] });
    });
  }

  for (const f of FAMILIES) {
    test(`fault: a node whose ${f} podCIDR is one bit wider than the node mask (deep copy of a live node) fails the plan check, naming the node, ${f} and both sizes [${f}]`, (ctx) => {
      requireFamily(h, ctx, f);
      const cfg = requireIpam(ctx);
      const n = copyOf(nodes[0]!);
      const mask = cfg.masks[f]!;
      const wider = `${podCIDRs(n).find((c) => familyOfCidr(c) === f)!.split('/')[0]}/${mask - 1}`;
      n.spec!.podCIDRs = podCIDRs(n).map((c) => (familyOfCidr(c) === f ? wider : c));
      expectCaught(checkNodePodCIDRPlan(n, f, cfg), { object: nodeRef(n), family: f, mentions: [`size /${mask}`, `(/${mask - 1})`] });
    });
  }

  test("fault: a node whose spec.podCIDR is another node's (deep copy of a live node) fails podCIDR == podCIDRs[0] [dual]", (ctx) => {
    if (nodes.length < 2) ctx.skip('the cluster has one node: no other node podCIDR to copy');
    const n = copyOf(nodes[0]!);
    n.spec!.podCIDR = nodes[1]!.spec?.podCIDR;
    expectCaught(checkNodePodCIDRs(n, cluster()), {
      object: nodeRef(n),
      family: h.families.primary,
      mentions: ['podCIDR == podCIDRs[0]', String(nodes[1]!.spec?.podCIDR)],
    });
  });

  for (const f of FAMILIES) {
    test(`fault: two nodes given the same ${f} podCIDR (deep copies of live nodes) fail the overlap check [${f}]`, (ctx) => {
      requireFamily(h, ctx, f);
      if (nodes.length < 2) ctx.skip('the cluster has one node: nothing to overlap with');
      const copies = nodes.map(copyOf);
      const taken = podCIDRs(copies[0]!).find((c) => familyOfCidr(c) === f)!;
      copies[1]!.spec!.podCIDRs = podCIDRs(copies[1]!).map((c) => (familyOfCidr(c) === f ? taken : c));
      expectCaught(checkPodCIDRsDisjoint(copies, f), { object: `Nodes [${copies.map((n) => n.metadata?.name).join(', ')}]`, family: f, mentions: [`${taken} overlaps`] });
    });
  }
});
