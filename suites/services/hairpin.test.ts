/**
 * Hairpin, per family: a pod that is the only endpoint of its Service dials that Service
 * — its ClusterIP (HTTP and UDP) and its NodePort on its own node and on another node —
 * and must get itself (netexec /hostname); through the ClusterIP it sees a masqueraded
 * source of the family, not its own IP. Upstream: "Networking Granular Checks: Services
 * should function for endpoint-Service: http/udp"; Cilium: pod-to-itself-via-service.
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { startPlanned } from '../../lib/probes/plans.ts';
import { edgeService, expectOk, FAMILIES, HAIRPIN, listNodes, skipWithoutFamily } from './edge-common.ts';
import { hairpinClusterIpHttp, hairpinClusterIpUdp, hairpinNodePortHttp, hairpinSource } from './edge-scenarios.ts';
import { HAIRPIN_PODS } from './plans.ts';

let h: Harness;
let ns: TestNamespace;
let pod: V1Pod;
let svc: V1Service;
let nodes: V1Node[];

beforeAll(async () => {
  h = await harness();
  const started = await startPlanned(h, HAIRPIN_PODS);
  ns = started.ns;
  // The Service while the planned pod (plans.ts) finishes: kube-proxy programs it meanwhile.
  svc = await edgeService(h, ns.name, 'hairpin', HAIRPIN);
  pod = (await started.ready()).pod('hairpin');
  await waitForEndpoints(h.kc, ns.name, 'hairpin', h.families.families, 1);
  nodes = await listNodes(h);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('hairpin', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `services/hairpin/${idFamily(f)}-clusterip-http-sole-endpoint-reaches-itself`, family: f, title: `[${f}] hairpin: the sole endpoint → its Service's ClusterIP (HTTP) answers itself` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await hairpinClusterIpHttp(h.kc, pod, svc, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/hairpin/${idFamily(f)}-nodeport-own-and-other-node-sole-endpoint-reaches-itself`,
      family: f,
      title: `[${f}] hairpin: the sole endpoint → its Service's NodePort on its own node and another node answers itself`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await hairpinNodePortHttp(h.kc, pod, svc, nodes, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `services/hairpin/${idFamily(f)}-clusterip-udp-sole-endpoint-reaches-itself`, family: f, title: `[${f}] hairpin: the sole endpoint → its Service's ClusterIP (UDP hostname) answers itself` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await hairpinClusterIpUdp(h.kc, pod, svc, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/hairpin/${idFamily(f)}-clusterip-source-masqueraded-same-family`,
      family: f,
      title: `[${f}] hairpin: via the ClusterIP the pod sees a masqueraded source of the family, not its own IP`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await hairpinSource(h.kc, pod, svc, f));
    },
  );
});
