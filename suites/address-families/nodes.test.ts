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
 * Nodes are not ours to modify, so every fault here is seeded on a deep copy of a live Node,
 * judged among the other live nodes by the check's own scenario.
 */
import type { V1Node } from '@kubernetes/client-node';
import { beforeAll, describe, expect, type TestContext } from 'vitest';
import { checkDetectedStack, checkFamiliesAgree, checkPodCIDRsDisjoint, nodeRef, parseNodeIpamFlags, podCIDRs, type NodeIpamConfig } from '../../lib/checks/address-families.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { check, checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault } from '../../lib/harness/fault.ts';
import { familyOf, familyOfCidr, type IPFamily } from '../../lib/net/family.ts';
import { FAMILIES, requireDualStack, requireFamily, secondary, seedFirst } from './common.ts';
import { nodesFollowPodCIDRPlan, nodesHaveInternalIP, nodesHaveInternalIPsInOrder, nodesHavePodCIDR, nodesHavePodCIDRsInOrder } from './scenarios.ts';

let h: Harness;
let nodes: V1Node[] = [];
/** The allocator's plan, or why it could not be read. */
let ipam: NodeIpamConfig | string;

beforeAll(async () => {
  h = await harness();
  nodes = (await h.api.core.listNode({})).items;
  expect(nodes.length, 'the cluster has no nodes').toBeGreaterThan(0);
  const cm = (await h.api.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'component=kube-controller-manager' })).items[0];
  const container = cm?.spec?.containers[0];
  ipam = !cm || !container
    ? 'no kube-system pod labelled component=kube-controller-manager (a managed control plane): the node CIDR plan is not visible'
    : (parseNodeIpamFlags([...(container.command ?? []), ...(container.args ?? [])], `kube-system/${cm.metadata!.name} flags`) ??
      `kube-system/${cm.metadata!.name} does not allocate node CIDRs (--allocate-node-cidrs unset): the CNI assigns pod ranges`);
});

function requireIpam(ctx: TestContext): NodeIpamConfig {
  if (typeof ipam === 'string') ctx.skip(ipam);
  return ipam as NodeIpamConfig;
}

const cluster = () => h.families.families;
/** The index of `f` in the cluster's family order: where the ordered checks expect it. */
const slot = (f: IPFamily) => cluster().indexOf(f);

describe('nodes', () => {
  check(
    { id: 'address-families/nodes/the-families-detected-from-the-api-match-the-declared-profile-v6e2e-profile-dual', family: 'dual', title: 'the families detected from the API match the declared profile (V6E2E_PROFILE) [dual]' },
    (ctx) => {
      const profile = h.env.profile;
      if (!profile) return ctx.skip('V6E2E_PROFILE is not set: no declared profile to compare the detected families with');
      assertOk(checkDetectedStack(h.kc.getCurrentContext(), h.families, profile));
    },
  );

  check(
    { id: 'address-families/nodes/nodes-pods-and-services-agree-on-the-cluster-families-no-cross-layer-inconsistencies-dual', family: 'dual', title: 'nodes, pods and Services agree on the cluster families (no cross-layer inconsistencies) [dual]' },
    () => assertOk(checkFamiliesAgree(h.kc.getCurrentContext(), h.families)),
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `address-families/nodes/every-node-has-an-internalip-of-${idFamily(f)}-${idFamily(f)}`, family: f, title: `every node has an InternalIP of ${f} [${f}]` }),
    (f, ctx) => {
      requireFamily(h, ctx, f);
      assertOk(nodesHaveInternalIP(nodes, f));
    },
  );

  check(
    { id: 'address-families/nodes/every-node-has-exactly-one-internalip-per-cluster-family-the-first-of-the-primary-family-dual', family: 'dual', title: 'every node has exactly one InternalIP per cluster family, the first of the primary family [dual]' },
    () => assertOk(nodesHaveInternalIPsInOrder(nodes, cluster())),
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `address-families/nodes/every-node-has-a-${idFamily(f)}-podcidr-${idFamily(f)}`, family: f, title: `every node has a ${f} podCIDR [${f}]` }),
    (f, ctx) => {
      requireFamily(h, ctx, f);
      assertOk(nodesHavePodCIDR(nodes, f));
    },
  );

  check(
    {
      id: 'address-families/nodes/every-node-has-spec-podcidrs-one-per-cluster-family-in-primary-first-order-and-spec-podcidr-podcidrs-0-dual',
      family: 'dual',
      title: 'every node has spec.podCIDRs one per cluster family in primary-first order, and spec.podCIDR == podCIDRs[0] [dual]',
    },
    () => assertOk(nodesHavePodCIDRsInOrder(nodes, cluster())),
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `address-families/nodes/every-node-s-${idFamily(f)}-podcidr-has-the-controller-manager-s-node-mask-size-and-lies-inside-its-cluster-cidr-${idFamily(f)}`,
      family: f,
      title: `every node's ${f} podCIDR has the controller-manager's node mask size and lies inside its cluster CIDR [${f}]`,
    }),
    async (f, ctx) => {
      requireFamily(h, ctx, f);
      const cfg = requireIpam(ctx);
      await ctx.annotate(`${cfg.source}: cluster CIDRs ${cfg.clusterCidrs.join(', ')}, ${f} node mask /${cfg.masks[f]}; ${nodes.map((n) => `${n.metadata?.name} ${podCIDRs(n).join(' ')}`).join('; ')}`, 'node CIDR plan');
      assertOk(nodesFollowPodCIDRPlan(nodes, f, cfg));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `address-families/nodes/no-two-nodes-have-overlapping-${idFamily(f)}-podcidrs-${idFamily(f)}`, family: f, title: `no two nodes have overlapping ${f} podCIDRs [${f}]` }),
    (f, ctx) => {
      requireFamily(h, ctx, f);
      assertOk(checkPodCIDRsDisjoint(nodes, f));
    },
  );
});

describe('nodes: faults', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `address-families/nodes-faults/fault-a-node-without-its-${idFamily(f)}-internalip-deep-copy-of-a-live-node-fails-naming-the-node-and-${idFamily(f)}-${idFamily(f)}`,
      family: f,
      kind: 'fault',
      title: `fault: a node without its ${f} InternalIP (deep copy of a live node) fails, naming the node and ${f} [${f}]`,
    }),
    (f, ctx) => {
      requireFamily(h, ctx, f);
      const [n, fleet] = seedFirst(nodes, (n) => {
        n.status!.addresses = (n.status?.addresses ?? []).filter((a) => a.type !== 'InternalIP' || familyOf(a.address) !== f);
      });
      expectFault(nodesHaveInternalIP(fleet, f), { object: nodeRef(n), family: f, expected: [`an InternalIP of ${f}`] });
      expectFault(nodesHaveInternalIPsInOrder(fleet, cluster()), { object: nodeRef(n), family: f, expected: [`InternalIPs[${slot(f)}] of ${f}`] });
    },
  );

  check(
    {
      id: 'address-families/nodes-faults/fault-a-node-listing-its-secondary-family-internalip-first-deep-copy-of-a-live-node-fails-the-order-check-dual',
      family: 'dual',
      kind: 'fault',
      title: 'fault: a node listing its secondary-family InternalIP first (deep copy of a live node) fails the order check [dual]',
    },
    (ctx) => {
      requireDualStack(h, ctx);
      let moved = '';
      const [n, fleet] = seedFirst(nodes, (n) => {
        const addrs = n.status?.addresses ?? [];
        const sec = addrs.find((a) => a.type === 'InternalIP' && familyOf(a.address) === secondary(h))!;
        n.status!.addresses = [sec, ...addrs.filter((a) => a !== sec)];
        moved = sec.address;
      });
      const primary = h.families.primary;
      expectFault(nodesHaveInternalIPsInOrder(fleet, cluster()), { object: nodeRef(n), family: primary, expected: [`InternalIPs[0] of ${primary}`], seen: [moved] });
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `address-families/nodes-faults/fault-a-node-whose-podcidrs-lack-${idFamily(f)}-deep-copy-of-a-live-node-fails-naming-the-node-and-${idFamily(f)}-${idFamily(f)}`,
      family: f,
      kind: 'fault',
      title: `fault: a node whose podCIDRs lack ${f} (deep copy of a live node) fails, naming the node and ${f} [${f}]`,
    }),
    (f, ctx) => {
      requireFamily(h, ctx, f);
      const [n, fleet] = seedFirst(nodes, (n) => {
        n.spec!.podCIDRs = podCIDRs(n).filter((c) => familyOfCidr(c) !== f);
        n.spec!.podCIDR = n.spec!.podCIDRs[0];
      });
      expectFault(nodesHavePodCIDR(fleet, f), { object: nodeRef(n), family: f, expected: [`a podCIDR of ${f}`] });
      expectFault(nodesHavePodCIDRsInOrder(fleet, cluster()), { object: nodeRef(n), family: f, expected: [`podCIDRs[${slot(f)}] of ${f}`] });
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `address-families/nodes-faults/fault-a-node-whose-${idFamily(f)}-podcidr-is-one-bit-wider-than-the-node-mask-deep-copy-of-a-live-node-fails-the-plan-check-naming-the-node-${idFamily(f)}-and-both-sizes-${idFamily(f)}`,
      family: f,
      kind: 'fault',
      title: `fault: a node whose ${f} podCIDR is one bit wider than the node mask (deep copy of a live node) fails the plan check, naming the node, ${f} and both sizes [${f}]`,
    }),
    (f, ctx) => {
      requireFamily(h, ctx, f);
      const cfg = requireIpam(ctx);
      const mask = cfg.masks[f]!;
      const [n, fleet] = seedFirst(nodes, (n) => {
        const wider = `${podCIDRs(n).find((c) => familyOfCidr(c) === f)!.split('/')[0]}/${mask - 1}`;
        n.spec!.podCIDRs = podCIDRs(n).map((c) => (familyOfCidr(c) === f ? wider : c));
      });
      expectFault(nodesFollowPodCIDRPlan(fleet, f, cfg), { object: nodeRef(n), family: f, expected: [`size /${mask}`], seen: [`(/${mask - 1})`] });
    },
  );

  check(
    {
      id: 'address-families/nodes-faults/fault-a-node-whose-spec-podcidr-is-another-node-s-deep-copy-of-a-live-node-fails-podcidr-podcidrs-0-dual',
      family: 'dual',
      kind: 'fault',
      title: "fault: a node whose spec.podCIDR is another node's (deep copy of a live node) fails podCIDR == podCIDRs[0] [dual]",
    },
    (ctx) => {
      if (nodes.length < 2) return ctx.skip('the cluster has one node: no other node podCIDR to copy');
      const theirs = String(nodes[1]!.spec?.podCIDR);
      const [n, fleet] = seedFirst(nodes, (n) => {
        n.spec!.podCIDR = nodes[1]!.spec?.podCIDR;
      });
      expectFault(nodesHavePodCIDRsInOrder(fleet, cluster()), { object: nodeRef(n), family: h.families.primary, expected: ['podCIDR == podCIDRs[0]'], seen: [theirs] });
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `address-families/nodes-faults/fault-two-nodes-given-the-same-${idFamily(f)}-podcidr-deep-copies-of-live-nodes-fail-the-overlap-check-${idFamily(f)}`,
      family: f,
      kind: 'fault',
      title: `fault: two nodes given the same ${f} podCIDR (deep copies of live nodes) fail the overlap check [${f}]`,
    }),
    (f, ctx) => {
      requireFamily(h, ctx, f);
      if (nodes.length < 2) return ctx.skip('the cluster has one node: nothing to overlap with');
      const copies = structuredClone(nodes);
      const taken = podCIDRs(copies[0]!).find((c) => familyOfCidr(c) === f)!;
      copies[1]!.spec!.podCIDRs = podCIDRs(copies[1]!).map((c) => (familyOfCidr(c) === f ? taken : c));
      expectFault(checkPodCIDRsDisjoint(copies, f), { object: `Nodes [${copies.map((n) => n.metadata?.name).join(', ')}]`, family: f, seen: [`${taken} overlaps`] });
    },
  );
});
