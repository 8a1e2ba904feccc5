/**
 * CNI fault tests (flannel clusters only): flannel's IPv6 VXLAN device removed on one
 * worker. Its routes to the other nodes' pod subnets go with it, so the pod → pod
 * scenario of the check (podToPodHttp, scenarios.ts) must fail for IPv6 on the pairs that touch that
 * node, naming it — and IPv4 (on dual-stack) keeps working. flanneld does not recreate
 * a deleted device while it runs: the restore deletes the node's flannel pod, the
 * DaemonSet starts a new one, which recreates the device and its routes.
 *
 * Disruptive (serial): the device and the flannel pod carry every pod's IPv6 traffic of that node.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { FLANNEL_DAEMONSET, FLANNEL_NS } from '../../lib/cluster/flannel.ts';
import { dockerExec } from '../../lib/edge/docker.ts';
import { check } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitFor } from '../../lib/k8s/wait.ts';
import { nodePairs, startProbePods, workerNodes, type NodePair } from '../../lib/probes/pods.ts';
import { report } from '../../lib/harness/annotate.ts';
import { MAX_NODE_PAIRS, skipWithoutFamily, suiteNamespace } from './common.ts';
import { peersOf, podToPodHttp } from './scenarios.ts';

/** flannel's VXLAN device for IPv6 (vxlan backend, VNI 1). */
const V6_DEVICE = 'flannel-v6.1';

let h: Harness;
let ns: TestNamespace;
let pairs: NodePair[] = [];
const echo = new Map<string, V1Pod>();
let flannel = false;

beforeAll(async () => {
  h = await harness();
  flannel = await h.api.apps.readNamespacedDaemonSet({ name: FLANNEL_DAEMONSET, namespace: FLANNEL_NS }).then(() => true, () => false);
  if (!flannel) return;
  ns = await suiteNamespace(h, 'cni-faults');
  pairs = nodePairs(await workerNodes(h.kc), MAX_NODE_PAIRS);
  const nodes = [...new Set(pairs.flatMap((p) => [p.from, p.to]))];
  const pods = await startProbePods(h.kc, ns.name, nodes.map((node, i) => ({ name: `echo-${i}`, node })), 180_000);
  nodes.forEach((node, i) => echo.set(node, pods[i]!));
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

async function flannelPodOn(node: string): Promise<V1Pod | undefined> {
  const pods = await h.api.core.listNamespacedPod({ namespace: FLANNEL_NS, fieldSelector: `spec.nodeName=${node}` });
  return pods.items.find((p) => p.metadata?.deletionTimestamp === undefined);
}

describe('CNI faults', () => {
  check(
    {
      id: 'connectivity/cni-faults/fault-ipv6-flannel-s-vxlan-device-flannel-v6-1-removed-on-one-node-cross-node-ipv6-pod-traffic-of-that-node-fails-naming-it',
      family: 'IPv6',
      kind: 'fault',
      disruptive: true,
      title: `fault: [IPv6] flannel's VXLAN device ${V6_DEVICE} removed on one node: cross-node IPv6 pod traffic of that node fails, naming it`,
    },
    async (ctx) => {
      if (!flannel) ctx.skip(`no DaemonSet ${FLANNEL_NS}/${FLANNEL_DAEMONSET}: the cluster's CNI is not flannel`);
      skipWithoutFamily(ctx, h, 'IPv6');
      if (!h.kindCluster) ctx.skip('not a kind cluster: the fault is seeded with docker exec on a node container');
      const peers = peersOf(pairs, echo);
      const victim = pairs[0]!.to;
      // A pod label is followed by " → " or " (": the trailing space keeps worker from matching worker2.
      const onVictim = `on ${victim} `;
      expectNoFault(await podToPodHttp(h.kc, peers, 'IPv6'));

      const old = await flannelPodOn(victim);
      await dockerExec(victim, ['ip', 'link', 'del', V6_DEVICE]);
      try {
        const v = await podToPodHttp(h.kc, peers, 'IPv6');
        await report(ctx, 'fault message', v.message, { victim, device: V6_DEVICE });
        expectFault(v, { object: new RegExp(onVictim), family: 'IPv6', expected: ['HTTP 2xx'] });
        // Every failing pair touches the victim: pairs that do not, still pass.
        for (const f of v.failures) {
          expect(f.object, `failure of a pair that does not touch ${victim}`).toContain(onVictim);
          expect(f.family).toBe('IPv6');
        }
        // The other family rides its own VXLAN device and is untouched.
        if (h.has('IPv4')) expectNoFault(await podToPodHttp(h.kc, peers, 'IPv4'));
      } finally {
        if (old?.metadata?.name) await h.api.core.deleteNamespacedPod({ name: old.metadata.name, namespace: FLANNEL_NS });
        await waitFor(`a new flannel pod Ready on ${victim}`, async () => {
          const p = await flannelPodOn(victim);
          const ready = p && p.metadata?.uid !== old?.metadata?.uid && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          return ready || undefined;
        }, { timeoutMs: 120_000, intervalMs: 1000 });
      }
      await waitFor('cross-node IPv6 pod traffic back after flannel restarted', async () => (await podToPodHttp(h.kc, peers, 'IPv6')).ok || undefined, {
        timeoutMs: 90_000,
        intervalMs: 2000,
      });
    },
  );
});
