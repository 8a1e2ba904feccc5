/**
 * Node address preference, as NodePort users meet it: every node's first InternalIP
 * has the cluster's primary family; pods' status.hostIPs (and a hostNetwork pod's
 * podIPs) list that family first; and a pod that reads its status.hostIP through the
 * downward API and calls a NodePort on it gets an answer — the exact failure of an
 * IPv6 cluster whose nodes rank an IPv4 address first (kOps IPv6 talk, k/k#120720).
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { assertOk } from '../../lib/checks/verdict.ts';
import { check } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { plannedPods } from '../../lib/probes/plans.ts';
import { ADDRESS_PREFERENCE_PODS, addressPreferenceService } from './plans.ts';
import { downwardHostIp, hostNetworkPodIPs, nodeAddressPreference, podHostIPsOrder, reportDownwardHostIp, reportNodeHostIPs } from './scenarios.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';

let h: Harness;
let ns: TestNamespace;
let nodes: V1Node[] = [];
let echo: V1Pod[] = [];
let hostnet: V1Pod[] = [];
let np: V1Service;

beforeAll(async () => {
  h = await harness();
  const planned = await plannedPods(h, ADDRESS_PREFERENCE_PODS);
  ns = planned.ns;
  nodes = (await h.api.core.listNode({})).items;
  const pods = planned.pods;
  const names = nodes.map((n) => n.metadata!.name!);
  echo = pods.slice(0, names.length);
  hostnet = pods.slice(names.length);
  // The plan made the Service with the pods: read it once it has its endpoints.
  const { name } = addressPreferenceService(h.families.families);
  await waitForEndpoints(h.kc, ns.name, name, h.families.families, echo.length);
  np = await h.api.core.readNamespacedService({ name, namespace: ns.name });
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('node address preference', () => {
  check(
    { id: 'nodeport/node-address-preference/dual-every-node-s-first-internalip-has-the-cluster-s-primary-family', family: 'dual', title: "[dual] every node's first InternalIP has the cluster's primary family" },
    async (ctx) => {
      await reportNodeHostIPs(ctx, nodes);
      assertOk(nodeAddressPreference(nodes, h.families.primary));
    },
  );

  check(
    {
      id: 'nodeport/node-address-preference/dual-status-hostips-lists-the-primary-family-first-every-pod-hostnetwork-or-not',
      family: 'dual',
      title: '[dual] status.hostIPs lists the primary family first (every pod, hostNetwork or not)',
    },
    () => assertOk(podHostIPsOrder([...echo, ...hostnet], nodes, h.families.families)),
  );

  check(
    { id: 'nodeport/node-address-preference/dual-hostnetwork-pods-get-the-node-s-host-ips-primary-family-first', family: 'dual', title: "[dual] hostNetwork pods get the node's host IPs, primary family first" },
    () => assertOk(hostNetworkPodIPs(hostnet, nodes, h.families.families)),
  );

  check(
    {
      id: 'nodeport/node-address-preference/dual-pod-nodeport-on-its-own-status-hostip-downward-api-env-host-ip-answers',
      family: 'dual',
      title: '[dual] pod → NodePort on its own status.hostIP (downward API env $HOST_IP) answers',
    },
    async (ctx) => {
      const v = await downwardHostIp(h.kc, echo, np, h.families.primary);
      await reportDownwardHostIp(ctx, v.records);
      assertOk(v);
    },
  );
});
