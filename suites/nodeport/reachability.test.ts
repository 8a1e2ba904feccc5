/**
 * NodePort reachability per family: the Service answers on every node address of each
 * family in its ipFamilies, from outside the cluster (a container on kind's Docker
 * network) and from a pod. Each probe records the address's family and rank in the
 * node's status.addresses; what a non-primary address should do follows from kube-proxy's
 * nodePortAddresses (read from kube-system/kube-proxy; rules in lib/checks/nodeport.ts).
 * On lab clusters the pod probes also dial each node's address on the lab's alternate
 * network (lib/edge/alt-network.ts): a local address that is no host IP, which iptables'
 * default serves and nftables' default `primary` refuses.
 *
 * UDP (netexec's hostname datagram) is judged on the same addresses by the same rules,
 * and through every served node address every backend answers (not just one).
 *
 * externalTrafficPolicy Local: the backend sees the outside client's own address (no
 * SNAT; for IPv6 the container's address on the kind network) and only nodes with a
 * local endpoint answer.
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, type TestContext } from 'vitest';
import type { KubeProxyNodePorts } from '../../lib/checks/nodeport.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { altAddresses } from '../../lib/edge/alt-network.ts';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { allSettledOrThrow } from '../../lib/util/settle.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import type { OutsideClient } from '../../lib/probes/outside.ts';
import {
  createService,
  FAMILIES,
  outsideClient,
  reachabilityPods,
  readKubeProxy,
  requireOutside,
  skipWithoutFamily,
} from './common.ts';
import { fromOutside, fromPod, localPolicyAnswers, nodeAddresses, nodePortAnswers, nodePortEveryBackend, nodePortUdpAnswers, podTargets, reportLocalPolicy, reportNodePortProbes } from './scenarios.ts';
import { deleteServices, NETEXEC_UDP } from '../../lib/k8s/services.ts';
import { outsideRunner, podRunner } from '../../lib/probes/spread.ts';
import { expectOk } from '../../lib/harness/check.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';

let h: Harness;
/** The probe fleet's namespace: this file's Services are there, over the fleet's pods. */
let ns: string;
let nodes: V1Node[] = [];
/** Per node: addresses on the lab's alternate network (none outside the lab). */
const alt = new Map<string, string[]>();
let proxy: KubeProxyNodePorts;
let outside: OutsideClient | string | undefined;
let client: V1Pod;
let servers: V1Pod[] = [];
let local: V1Pod;
let np: V1Service;
let npLocal: V1Service;
/** The same backends as `np`, netexec's UDP port only. */
let npUdp: V1Service;
/** This file's Services in the fleet's namespace. */
const SERVICES = { np: 'np-reach', local: 'np-reach-local', udp: 'np-reach-udp' } as const;

beforeAll(async () => {
  h = await harness();
  const families = h.families.families;
  // Everything starts together; each job settles before a failure is thrown, so afterAll
  // finds what was made to delete.
  await allSettledOrThrow([
    outsideClient(h, 'plain').then((o) => (outside = o)),
    readKubeProxy(h).then((p) => (proxy = p)),
    h.api.core.listNode({}).then((l) => (nodes = l.items)),
    h.kindCluster
      ? altAddresses(h.kindCluster).then((m) => {
          for (const [node, a] of m) alt.set(node, [a.IPv4, a.IPv6].filter((x): x is string => x !== undefined));
        })
      : Promise.resolve(),
    reachabilityPods(h).then(async (pods) => {
      ({ namespace: ns, client, servers, local } = pods);
      [np, npLocal, npUdp] = await Promise.all([
        createService(h.kc, ns, { name: SERVICES.np, type: 'NodePort', selector: pods.server, families }),
        createService(h.kc, ns, { name: SERVICES.local, type: 'NodePort', selector: pods.localSelector, families, externalTrafficPolicy: 'Local' }),
        createService(h.kc, ns, { name: SERVICES.udp, type: 'NodePort', selector: pods.server, families, ports: [NETEXEC_UDP] }),
      ]);
      await Promise.all([
        waitForEndpoints(h.kc, ns, SERVICES.np, families, servers.length),
        waitForEndpoints(h.kc, ns, SERVICES.udp, families, servers.length),
        waitForEndpoints(h.kc, ns, SERVICES.local, families, 1),
      ]);
    }),
  ]);
}, 300_000);

afterAll(async () => {
  if (ns) await deleteServices(h.kc, ns, Object.values(SERVICES));
});

const backends = () => servers.map((p) => p.metadata!.name!);

function requireServiceFamily(ctx: TestContext, svc: V1Service, family: IPFamily): void {
  if (!(svc.spec?.ipFamilies ?? []).includes(family)) ctx.skip(`Service ${ns}/${svc.metadata!.name} has ipFamilies [${svc.spec?.ipFamilies?.join(', ')}]: no ${family}`);
}

// Each block's checks run concurrently: they only probe this file's Services. A NodePort that
// does not answer costs its checks their timeouts and retries, which then overlap.
describe.concurrent('NodePort reachability', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `nodeport/nodeport-reachability/${idFamily(f)}-nodeport-answers-on-every-node-address-of-that-family-from-outside-the-cluster-kind-network`,
      family: f,
      title: `[${f}] NodePort answers on every node address of that family from outside the cluster (kind network)`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      requireServiceFamily(ctx, np, family);
      const c = fromOutside(requireOutside(ctx, outside, family));
      const v = await nodePortAnswers({ svc: np, family, targets: nodeAddresses(nodes, family), proxy, client: c, backends: backends() });
      await reportNodePortProbes(ctx, family, 'outside', proxy, v.probes);
      assertOk(v);
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `nodeport/nodeport-reachability/${idFamily(f)}-nodeport-answers-on-every-node-address-of-that-family-from-a-pod`,
      family: f,
      title: `[${f}] NodePort answers on every node address of that family from a pod`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      requireServiceFamily(ctx, np, family);
      const v = await nodePortAnswers({ svc: np, family, targets: podTargets(nodes, alt, family), proxy, client: fromPod(h.kc, client), backends: backends() });
      await reportNodePortProbes(ctx, family, 'a pod', proxy, v.probes);
      assertOk(v);
    },
  );
});

describe.concurrent('NodePort UDP and every backend', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `nodeport/nodeport-reachability/${idFamily(f)}-udp-nodeport-answers-on-every-node-address-of-that-family-from-outside-the-cluster-kind-network`,
      family: f,
      timing: 'kube-proxy syncs a new Service: an address expected to answer gets 4 tries',
      title: `[${f}] UDP NodePort: netexec answers on every node address of that family from outside the cluster (kind network)`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      requireServiceFamily(ctx, npUdp, family);
      const c = outsideRunner(requireOutside(ctx, outside, family));
      await expectOk(ctx, await nodePortUdpAnswers({ svc: npUdp, family, targets: nodeAddresses(nodes, family), proxy, client: c, backends: backends() }));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `nodeport/nodeport-reachability/${idFamily(f)}-udp-nodeport-answers-on-every-node-address-of-that-family-from-a-pod`,
      family: f,
      timing: 'kube-proxy syncs a new Service: an address expected to answer gets 4 tries',
      title: `[${f}] UDP NodePort: netexec answers on every node address of that family from a pod`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      requireServiceFamily(ctx, npUdp, family);
      await expectOk(ctx, await nodePortUdpAnswers({ svc: npUdp, family, targets: podTargets(nodes, alt, family), proxy, client: podRunner(h.kc, client), backends: backends() }));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `nodeport/nodeport-reachability/${idFamily(f)}-every-backend-answers-through-the-nodeport-on-every-node-address-from-a-pod`,
      family: f,
      timing: 'kube-proxy picks backends at random: rounds of requests until every backend has answered',
      title: `[${f}] NodePort: every backend answers through every node address of that family, from a pod (each request a new connection)`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      requireServiceFamily(ctx, np, family);
      await expectOk(ctx, await nodePortEveryBackend({ svc: np, family, targets: nodeAddresses(nodes, family), proxy, client: podRunner(h.kc, client), backends: backends() }));
    },
  );
});

describe.concurrent('externalTrafficPolicy Local', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `nodeport/externaltrafficpolicy-local/${idFamily(f)}-nodeport-with-externaltrafficpolicy-local-the-backend-sees-the-outside-client-s-own-address-and-only-nodes-with-a-local-endpoint-answer`,
      family: f,
      title: `[${f}] NodePort with externalTrafficPolicy Local: the backend sees the outside client's own address, and only nodes with a local endpoint answer`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      requireServiceFamily(ctx, npLocal, family);
      const c = requireOutside(ctx, outside, family);
      const targets = nodeAddresses(nodes, family);
      const v = await localPolicyAnswers({ svc: npLocal, family, targets, client: fromOutside(c), clientIp: c.addressOf(family)!, localNode: local.spec?.nodeName });
      await reportLocalPolicy(ctx, family, v.probes);
      assertOk(v);
    },
  );
});
