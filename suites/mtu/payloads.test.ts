/**
 * Payloads larger than the MTU, per family: an 8 KiB HTTP body and a 2000-byte UDP
 * datagram through a Service's ClusterIP and NodePort arrive whole, and the path MTU
 * pod → pod across nodes (largest don't-fragment echo) equals the pod interface MTU.
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { fleet, fleetPodSelector, fleetService, type FleetService } from '../../lib/probes/fleet.ts';
import { nodePairs } from '../../lib/probes/pods.ts';
import { expectOk, FAMILIES, skipWithoutFamily } from './common.ts';
import { largeHttpThroughService, largeUdpThroughService, pathMtu } from './scenarios.ts';

/** The NodePort Service over the server alone, in the fleet's namespace (a Service selects only there). */
const SERVICE = 'mtu-big';

let h: Harness;
let service: FleetService | undefined;
/** Two of the run's fleet pods on two workers: nothing here changes what they see. */
let client: V1Pod;
let server: V1Pod;
let svc: V1Service;
/** The server's node: its address carries the NodePort probes, so they cross nodes too. */
let serverNode: V1Node;

beforeAll(async () => {
  h = await harness();
  const run = await fleet(h.kc, h.env.runId);
  const [pair] = nodePairs(run.nodes, 2);
  [client, server] = [run.on(pair!.from), run.on(pair!.to)];
  const families = h.families.families;
  service = await fleetService(h.kc, run, { name: SERVICE, type: 'NodePort', selector: fleetPodSelector(server), families }, 1);
  svc = service.svc;
  serverNode = await h.api.core.readNode({ name: server.spec!.nodeName! });
}, 240_000);

afterAll(async () => {
  await service?.remove();
});

describe('large payloads through Services', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `mtu/large-payloads/${idFamily(f)}-http-body-larger-than-the-mtu-through-clusterip-and-nodeport-arrives-whole`, family: f, title: `[${f}] 8 KiB HTTP body through ClusterIP and NodePort of that family: echoed back whole` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await largeHttpThroughService(h.kc, client, svc, serverNode, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `mtu/large-payloads/${idFamily(f)}-udp-datagram-larger-than-the-mtu-through-clusterip-and-nodeport-arrives-whole`, family: f, title: `[${f}] 2000-byte UDP datagram (fragmented) through ClusterIP and NodePort of that family: echoed back whole` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await largeUdpThroughService(h.kc, client, svc, serverNode, f));
    },
  );
});

describe('path MTU', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `mtu/path-mtu/${idFamily(f)}-pod-to-pod-across-nodes-path-mtu-equals-the-pod-interface-mtu`, family: f, title: `[${f}] pod → pod across nodes: path MTU (largest don't-fragment echo) equals the pod interface MTU` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const v = await pathMtu(h.kc, client, server, f);
      await ctx.annotate(v.seen, 'path MTU found');
      await expectOk(ctx, v);
    },
  );
});
