/**
 * Pod objects per family: podIPs (upstream "should create pod, add ipv6 and ipv4 ip to pod
 * ips"), hostIPs (upstream "… to host ips", Kubernetes 1.29+), podIPs inside the node's
 * podCIDR of each family, and hostNetwork pods carrying their node's InternalIPs.
 *
 * Pod status is the kubelet's to write: faults that would need a different status are seeded
 * on deep copies of the live pods (said in each test name); faults that are a wrong pairing of
 * real objects (a pod against another node) use the live objects as they are. Either way the
 * fault goes through the check's own scenario, among the other live probe pods.
 */
import { VersionApi, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { beforeAll, describe } from 'vitest';
import { nodeHostIPs, hostIPs, podCIDRs, podIPs, podRef } from '../../lib/checks/address-families.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { check, checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault } from '../../lib/harness/fault.ts';
import { familyOf, familyOfCidr } from '../../lib/net/family.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import { FAMILIES, nodeNamed, requireDualStack, requireFamily, secondary, seedFirst } from './common.ts';
import { hostNetworkPodIPs, kubeSystemPodIPs, probePodHostIPs, probePodIPs, probePodIPsInNodeCIDR, type PlacedPod } from './scenarios.ts';

let h: Harness;
let nodes: V1Node[] = [];
/** Ordinary probe pods, one per worker (up to two). */
let probes: V1Pod[] = [];
let hostPod: V1Pod;
let serverMinor = 0;

beforeAll(async () => {
  h = await harness();
  // The run's probe fleet: two of its ordinary pods and its hostNetwork pod on the first node.
  const shared = await fleet(h.kc, h.env.runId);
  probes = shared.pods.slice(0, 2);
  hostPod = shared.hosts[0]!;
  nodes = (await h.api.core.listNode({})).items;
  const version = await h.kc.makeApiClient(VersionApi).getCode();
  serverMinor = Number.parseInt(version.minor, 10);
});

const cluster = () => h.families.families;
const placed = (p: V1Pod): PlacedPod => ({ pod: p, node: nodeNamed(nodes, p.spec?.nodeName) });
/** Every pod the hostIPs check judges: the probe pods, then the hostNetwork pod. */
const hostIPPods = () => [...probes, hostPod].map(placed);
/** A node other than the pod's own (for "wrong node" faults). */
function otherNode(p: V1Pod): V1Node | undefined {
  return nodes.find((n) => n.metadata?.name !== p.spec?.nodeName);
}

describe('pods', () => {
  check(
    {
      id: 'address-families/pods/every-probe-pod-has-one-podip-per-cluster-family-primary-first-and-podip-podips-0-dual',
      family: 'dual',
      title: 'every probe pod has one podIP per cluster family, primary first, and podIP == podIPs[0] [dual]',
    },
    () => assertOk(probePodIPs(probes, cluster())),
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `address-families/pods/every-probe-pod-has-one-${idFamily(f)}-podip-inside-its-node-s-${idFamily(f)}-podcidr-${idFamily(f)}`,
      family: f,
      title: `every probe pod has one ${f} podIP, inside its node's ${f} podCIDR [${f}]`,
    }),
    (f, ctx) => {
      requireFamily(h, ctx, f);
      assertOk(probePodIPsInNodeCIDR(probes.map(placed), f));
    },
  );

  check(
    {
      id: 'address-families/pods/every-probe-pod-has-status-hostips-with-its-node-s-internalip-per-cluster-family-primary-first-and-hostip-hostips-0-dual',
      family: 'dual',
      title: "every probe pod has status.hostIPs with its node's InternalIP per cluster family, primary first, and hostIP == hostIPs[0] [dual]",
    },
    (ctx) => {
      // status.hostIPs is 1.28 alpha / 1.29 beta+; older servers do not fill it.
      if (serverMinor < 29 && probes.every((p) => hostIPs(p).length === 0)) return ctx.skip(`API server 1.${serverMinor} predates status.hostIPs (1.29)`);
      assertOk(probePodHostIPs(hostIPPods(), cluster()));
    },
  );

  check(
    {
      id: 'address-families/pods/a-hostnetwork-pod-s-podips-equal-its-node-s-internalips-in-the-node-s-order-and-podip-podips-0-dual',
      family: 'dual',
      title: "a hostNetwork pod's podIPs equal its node's InternalIPs, in the node's order, and podIP == podIPs[0] [dual]",
    },
    () => assertOk(hostNetworkPodIPs(placed(hostPod), cluster())),
  );

  check(
    {
      id: 'address-families/pods/every-running-pod-in-kube-system-has-podips-per-cluster-family-in-primary-first-order-hostnetwork-pods-their-node-s-internalips-dual',
      family: 'dual',
      title: 'every running pod in kube-system has podIPs per cluster family in primary-first order (hostNetwork pods: their node’s InternalIPs) [dual]',
    },
    async () => assertOk(await kubeSystemPodIPs(h, nodes)),
  );
});

describe('pods: faults', () => {
  check(
    {
      id: 'address-families/pods-faults/fault-a-probe-pod-with-its-podips-order-swapped-deep-copy-of-the-live-pod-fails-the-order-check-naming-the-pod-dual',
      family: 'dual',
      kind: 'fault',
      title: 'fault: a probe pod with its podIPs order swapped (deep copy of the live pod) fails the order check, naming the pod [dual]',
    },
    (ctx) => {
      requireDualStack(h, ctx);
      const [p, pods] = seedFirst(probes, (p) => {
        p.status!.podIPs = [...(p.status?.podIPs ?? [])].reverse();
      });
      const primary = h.families.primary;
      expectFault(probePodIPs(pods, cluster()), { object: podRef(p), family: primary, expected: [`podIPs[0] of ${primary}`], seen: [p.status!.podIPs![0]!.ip] });
    },
  );

  check(
    {
      id: 'address-families/pods-faults/fault-a-probe-pod-whose-status-podip-is-another-pod-s-ip-deep-copy-of-the-live-pod-fails-podip-podips-0-dual',
      family: 'dual',
      kind: 'fault',
      title: "fault: a probe pod whose status.podIP is another pod's IP (deep copy of the live pod) fails podIP == podIPs[0] [dual]",
    },
    () => {
      const stranger = podIPs(probes[1] ?? hostPod)[0]!;
      const [p, pods] = seedFirst(probes, (p) => {
        p.status!.podIP = stranger;
      });
      expectFault(probePodIPs(pods, cluster()), { object: podRef(p), family: h.families.primary, expected: ['podIP == podIPs[0]'], seen: [stranger] });
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `address-families/pods-faults/fault-a-probe-pod-checked-against-another-node-s-${idFamily(f)}-podcidr-live-objects-wrong-node-fails-naming-the-pod-${idFamily(f)}-and-that-cidr-${idFamily(f)}`,
      family: f,
      kind: 'fault',
      title: `fault: a probe pod checked against another node's ${f} podCIDR (live objects, wrong node) fails, naming the pod, ${f} and that CIDR [${f}]`,
    }),
    (f, ctx) => {
      requireFamily(h, ctx, f);
      const [p, ...rest] = probes;
      const wrong = otherNode(p!);
      if (!wrong) return ctx.skip('the cluster has one node: no other node to pair the pod with');
      const cidr = podCIDRs(wrong).find((c) => familyOfCidr(c) === f)!;
      const v = probePodIPsInNodeCIDR([{ pod: p!, node: wrong }, ...rest.map(placed)], f);
      expectFault(v, { object: podRef(p!), family: f, expected: [`Node ${wrong.metadata?.name}'s ${f} podCIDR ${cidr}`] });
    },
  );

  check(
    {
      id: 'address-families/pods-faults/fault-a-probe-pod-whose-hostips-are-another-node-s-addresses-deep-copy-of-the-live-pod-fails-the-hostips-check-dual',
      family: 'dual',
      kind: 'fault',
      title: "fault: a probe pod whose hostIPs are another node's addresses (deep copy of the live pod) fails the hostIPs check [dual]",
    },
    (ctx) => {
      const wrong = otherNode(probes[0]!);
      if (!wrong) return ctx.skip('the cluster has one node: no other node to take addresses from');
      const addrs = nodeHostIPs(wrong);
      const [{ pod }, pods] = seedFirst(hostIPPods(), ({ pod }) => {
        pod.status!.hostIPs = addrs.map((ip) => ({ ip }));
        pod.status!.hostIP = addrs[0];
      });
      const f = familyOf(addrs[0]!);
      expectFault(probePodHostIPs(pods, cluster()), { object: podRef(pod), family: f, expected: [`hostIPs[0] == the node's ${f} host IP`], seen: [addrs[0]!] });
    },
  );

  check(
    {
      id: 'address-families/pods-faults/fault-a-probe-pod-whose-hostips-list-the-secondary-family-first-deep-copy-of-the-live-pod-fails-the-order-check-dual',
      family: 'dual',
      kind: 'fault',
      title: 'fault: a probe pod whose hostIPs list the secondary family first (deep copy of the live pod) fails the order check [dual]',
    },
    (ctx) => {
      requireDualStack(h, ctx);
      const [{ pod }, pods] = seedFirst(hostIPPods(), ({ pod }) => {
        pod.status!.hostIPs = [...(pod.status?.hostIPs ?? [])].reverse();
      });
      const sec = secondary(h);
      expectFault(probePodHostIPs(pods, cluster()), { object: podRef(pod), family: sec, expected: [`hostIPs[1] of ${sec}`] });
    },
  );

  check(
    {
      id: 'address-families/pods-faults/fault-a-hostnetwork-pod-compared-with-another-node-s-internalips-live-objects-wrong-node-fails-naming-the-pod-dual',
      family: 'dual',
      kind: 'fault',
      title: "fault: a hostNetwork pod compared with another node's InternalIPs (live objects, wrong node) fails, naming the pod [dual]",
    },
    (ctx) => {
      const wrong = otherNode(hostPod);
      if (!wrong) return ctx.skip('the cluster has one node: no other node to pair the pod with');
      const primary = h.families.primary;
      expectFault(hostNetworkPodIPs({ pod: hostPod, node: wrong }, cluster()), {
        object: podRef(hostPod),
        family: primary,
        expected: [`podIPs[0] == Node ${wrong.metadata?.name}'s ${primary} host IP`],
      });
    },
  );
});
