/**
 * Pod objects per family: podIPs (upstream "should create pod, add ipv6 and ipv4 ip to pod
 * ips"), hostIPs (upstream "… to host ips", Kubernetes 1.29+), podIPs inside the node's
 * podCIDR of each family, and hostNetwork pods carrying their node's InternalIPs.
 *
 * Pod status is the kubelet's to write: faults that would need a different status are seeded
 * on deep copies of the live pods (said in each test name); faults that are a wrong pairing of
 * real objects (a pod against another node) use the live objects as they are.
 */
import { VersionApi, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  checkHostNetworkPodIPs,
  checkPodHostIPs,
  checkPodIPInNodeCIDR,
  checkPodIPs,
  firstInternalIPPerFamily,
  hostIPs,
  podCIDRs,
  podIPs,
  podRef,
} from '../../lib/checks/address-families.ts';
import { all, assertOk } from '../../lib/checks/verdict.ts';
import { harness } from '../../lib/harness/context.ts';
import { createNamespace, type TestNamespace } from '../../lib/k8s/apply.ts';
import { familyOf, familyOfCidr } from '../../lib/net/family.ts';
import { startProbePods, workerNodes } from '../../lib/probes/pods.ts';
import { expectCaught, FAMILIES, nodeNamed, requireDualStack, requireFamily, secondary, SUITE } from './common.ts';

const h = await harness();
let ns: TestNamespace | undefined;
let nodes: V1Node[] = [];
/** Ordinary probe pods, one per worker (up to two). */
let probes: V1Pod[] = [];
let hostPod: V1Pod;
let serverMinor = 0;

beforeAll(async () => {
  ns = await createNamespace(h.kc, { suite: SUITE, runId: h.env.runId });
  const workers = await workerNodes(h.kc);
  const targets = workers.slice(0, 2);
  expect(targets.length, 'no schedulable node for probe pods').toBeGreaterThan(0);
  const started = await startProbePods(h.kc, ns.name, [
    ...targets.map((node, i) => ({ name: `probe-${i}`, node })),
    // `pause` listens on nothing, so it cannot clash with host ports of other suites.
    { name: 'host-0', node: targets[0], hostNetwork: true, args: ['pause'] },
  ]);
  probes = started.slice(0, targets.length);
  hostPod = started[targets.length]!;
  nodes = (await h.api.core.listNode({})).items;
  const version = await h.kc.makeApiClient(VersionApi).getCode();
  serverMinor = Number.parseInt(version.minor, 10);
});

afterAll(async () => {
  await ns?.cleanup();
});

const cluster = () => h.families.families;
const nodeOf = (p: V1Pod) => nodeNamed(nodes, p.spec?.nodeName);
/** A node other than the pod's own (for "wrong node" faults). */
function otherNode(p: V1Pod): V1Node | undefined {
  return nodes.find((n) => n.metadata?.name !== p.spec?.nodeName);
}

describe('pods', () => {
  test('every probe pod has one podIP per cluster family, primary first, and podIP == podIPs[0] [dual]', () => {
    assertOk(all(probes.map((p) => checkPodIPs(p, cluster())), 'probe pods', 'dual'));
  });

  for (const f of FAMILIES) {
    test(`every probe pod has one ${f} podIP, inside its node's ${f} podCIDR [${f}]`, (ctx) => {
      requireFamily(h, ctx, f);
      assertOk(all(probes.map((p) => checkPodIPInNodeCIDR(p, nodeOf(p), f)), 'probe pods', f));
    });
  }

  test("every probe pod has status.hostIPs with its node's InternalIP per cluster family, primary first, and hostIP == hostIPs[0] [dual]", (ctx) => {
    // status.hostIPs is 1.28 alpha / 1.29 beta+; older servers do not fill it.
    if (serverMinor < 29 && probes.every((p) => hostIPs(p).length === 0)) ctx.skip(`API server 1.${serverMinor} predates status.hostIPs (1.29)`);
    assertOk(all([...probes, hostPod].map((p) => checkPodHostIPs(p, nodeOf(p), cluster())), 'probe pods', 'dual'));
  });

  test("a hostNetwork pod's podIPs equal its node's InternalIPs, in the node's order, and podIP == podIPs[0] [dual]", () => {
    assertOk(checkHostNetworkPodIPs(hostPod, nodeOf(hostPod)));
  });

  test('every running pod in kube-system has podIPs per cluster family in primary-first order (hostNetwork pods: their node’s InternalIPs) [dual]', async () => {
    const list = await h.api.core.listNamespacedPod({ namespace: 'kube-system', fieldSelector: 'status.phase=Running' });
    expect(list.items.length, 'no running pod in kube-system').toBeGreaterThan(0);
    const verdicts = list.items.map((p) => (p.spec?.hostNetwork ? checkHostNetworkPodIPs(p, nodeOf(p)) : checkPodIPs(p, cluster())));
    assertOk(all(verdicts, 'kube-system pods', 'dual'));
  });
});

describe('pods: faults', () => {
  test('fault: a probe pod with its podIPs order swapped (deep copy of the live pod) fails the order check, naming the pod [dual]', (ctx) => {
    requireDualStack(h, ctx);
    const p = structuredClone(probes[0]!);
    p.status!.podIPs = [...(p.status?.podIPs ?? [])].reverse();
    expectCaught(checkPodIPs(p, cluster()), {
      object: podRef(p),
      family: h.families.primary,
      mentions: [`podIPs[0] of ${h.families.primary}`, p.status!.podIPs[0]!.ip],
    });
  });

  test("fault: a probe pod whose status.podIP is another pod's IP (deep copy of the live pod) fails podIP == podIPs[0] [dual]", () => {
    const p = structuredClone(probes[0]!);
    const stranger = podIPs(probes[1] ?? hostPod)[0]!;
    p.status!.podIP = stranger;
    expectCaught(checkPodIPs(p, cluster()), { object: podRef(p), family: h.families.primary, mentions: ['podIP == podIPs[0]', stranger] });
  });

  for (const f of FAMILIES) {
    test(`fault: a probe pod checked against another node's ${f} podCIDR (live objects, wrong node) fails, naming the pod, ${f} and that CIDR [${f}]`, (ctx) => {
      requireFamily(h, ctx, f);
      const p = probes[0]!;
      const wrong = otherNode(p);
      if (!wrong) return ctx.skip('the cluster has one node: no other node to pair the pod with');
      const cidr = podCIDRs(wrong).find((c) => familyOfCidr(c) === f)!;
      expectCaught(checkPodIPInNodeCIDR(p, wrong, f), { object: podRef(p), family: f, mentions: [`Node ${wrong.metadata?.name}'s ${f} podCIDR ${cidr}`] });
    });
  }

  test("fault: a probe pod whose hostIPs are another node's addresses (deep copy of the live pod) fails the hostIPs check [dual]", (ctx) => {
    const p = structuredClone(probes[0]!);
    const wrong = otherNode(p);
    if (!wrong) return ctx.skip('the cluster has one node: no other node to take addresses from');
    const addrs = firstInternalIPPerFamily(wrong);
    p.status!.hostIPs = addrs.map((ip) => ({ ip }));
    p.status!.hostIP = addrs[0];
    expectCaught(checkPodHostIPs(p, nodeOf(p), cluster()), {
      object: podRef(p),
      family: familyOf(addrs[0]!),
      mentions: [`hostIPs[0] == the node's ${familyOf(addrs[0]!)} InternalIP`, addrs[0]!],
    });
  });

  test('fault: a probe pod whose hostIPs list the secondary family first (deep copy of the live pod) fails the order check [dual]', (ctx) => {
    requireDualStack(h, ctx);
    const p = structuredClone(probes[0]!);
    p.status!.hostIPs = [...(p.status?.hostIPs ?? [])].reverse();
    expectCaught(checkPodHostIPs(p, nodeOf(p), cluster()), { object: podRef(p), family: secondary(h), mentions: [`hostIPs[1] of ${secondary(h)}`] });
  });

  test("fault: a hostNetwork pod compared with another node's InternalIPs (live objects, wrong node) fails, naming the pod [dual]", (ctx) => {
    const wrong = otherNode(hostPod);
    if (!wrong) return ctx.skip('the cluster has one node: no other node to pair the pod with');
    expectCaught(checkHostNetworkPodIPs(hostPod, wrong), {
      object: podRef(hostPod),
      family: h.families.primary,
      mentions: [`podIPs[0] == Node ${wrong.metadata?.name}'s ${h.families.primary} InternalIP`],
    });
  });
});
