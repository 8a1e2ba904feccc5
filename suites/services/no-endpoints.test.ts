/**
 * Services without endpoints are rejected, not black-holed, per family: a NodePort
 * Service whose selector matches no pod refuses TCP on its ClusterIP and on its NodePort
 * (the client's node and another node) within 2 s, and answers a UDP datagram to its
 * ClusterIP with an ICMP(v6) port unreachable. Upstream: "Services should be rejected
 * when no endpoints exist" (and, for the NodePort, "should be rejected for evicted pods
 * (no endpoints exist)").
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, suiteNamespace, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitFor } from '../../lib/k8s/wait.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import { edgeService, expectOk, FAMILIES, listNodes, NOBODY, skipWithoutFamily } from './edge-common.ts';
import { noEndpointsClusterIpTcp, noEndpointsClusterIpUdp, noEndpointsNodePortTcp } from './edge-scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let client: V1Pod;
let svc: V1Service;
let nodes: V1Node[];

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h, 'services');
  // The client is the run's probe fleet's: nothing of this file's selects it.
  const [made, shared, listed] = await Promise.all([edgeService(h, ns.name, 'no-endpoints', NOBODY), fleet(h.kc, h.env.runId), listNodes(h)]);
  svc = made;
  client = shared.pods[0]!;
  nodes = listed;
  // The fleet is usually Ready already, so give kube-proxy its sync (the client's start
  // used to): wait, bounded, for the ClusterIP's TCP reject of each family. Never fails
  // here: the checks judge.
  const families = h.families.families;
  await waitFor('kube-proxy rejects TCP to the no-endpoints ClusterIPs', async () => Promise.all(families.map((f) => noEndpointsClusterIpTcp(h.kc, client, svc, f))), {
    timeoutMs: 20_000,
    intervalMs: 1_000,
    until: (vs) => vs.every((v) => v.ok),
  }).catch(() => undefined);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('no endpoints', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `services/no-endpoints/${idFamily(f)}-clusterip-tcp-refused-within-2s`, family: f, title: `[${f}] Service without endpoints: TCP to its ClusterIP is refused within 2 s, not black-holed` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await noEndpointsClusterIpTcp(h.kc, client, svc, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/no-endpoints/${idFamily(f)}-nodeport-tcp-refused-within-2s`,
      family: f,
      title: `[${f}] Service without endpoints: TCP to its NodePort (own node, another node) is refused within 2 s, not black-holed`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await noEndpointsNodePortTcp(h.kc, client, svc, nodes, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/no-endpoints/${idFamily(f)}-clusterip-udp-port-unreachable`,
      family: f,
      title: `[${f}] Service without endpoints: UDP to its ClusterIP draws an ICMP${f === 'IPv6' ? 'v6' : ''} port unreachable within 2 s, not silence`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await noEndpointsClusterIpUdp(h.kc, client, svc, f));
    },
  );
});
