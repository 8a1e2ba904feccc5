/**
 * Pods reaching the nodes, per family: ICMP(v6) echo from a pod to every node's
 * InternalIP of the family (Cilium pod-to-host), and a pod's hostPort on its node's
 * address of the family from a pod on that node and from a pod on another node
 * (Cilium pod-to-hostport).
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import { plannedPods } from '../../lib/probes/plans.ts';
import { workerNodes } from '../../lib/probes/pods.ts';
import { expectOk, FAMILIES, HOSTPORT, listNodes, skipWithoutFamily } from './common.ts';
import { hostPortNode, POD_TO_HOST_PODS } from './plans.ts';
import { hostPortHttp, podToNodesPing } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let nodes: V1Node[] = [];
/** netexec with containerPort 8080 published as hostPort HOSTPORT on the second worker. */
let hostport: V1Pod;
let near: V1Pod;
let far: V1Pod | undefined;

beforeAll(async () => {
  h = await harness();
  const workers = await workerNodes(h.kc);
  const home = hostPortNode(workers);
  const away = workers.find((w) => w !== home);
  // The hostPort pod is this file's (plans.ts); the clients are the run's probe fleet.
  const [planned, shared, listed] = await Promise.all([plannedPods(h, POD_TO_HOST_PODS), fleet(h.kc, h.env.runId), listNodes(h)]);
  ns = planned.ns;
  hostport = planned.pod('hostport');
  near = shared.on(home);
  far = away ? shared.on(away) : undefined;
  nodes = listed;
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('pod to host', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `host-network/pod-to-host/${idFamily(f)}-icmp-echo-every-node`, family: f, title: `[${f}] ICMP${f === 'IPv6' ? 'v6' : ''} echo pod → every node's ${f} InternalIP: every request answered` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await podToNodesPing(h.kc, far ?? near, nodes, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `host-network/pod-to-host/${idFamily(f)}-hostport-same-node`, family: f, title: `[${f}] pod → hostPort on its own node's ${f} address reaches the hostPort pod` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await hostPortHttp(h.kc, [near], hostport, HOSTPORT, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `host-network/pod-to-host/${idFamily(f)}-hostport-other-node`, family: f, title: `[${f}] pod → hostPort on another node's ${f} address reaches the hostPort pod` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      if (!far) ctx.skip('one schedulable node: no other node to dial the hostPort from');
      await expectOk(ctx, await hostPortHttp(h.kc, [far!], hostport, HOSTPORT, f));
    },
  );
});
