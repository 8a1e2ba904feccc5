/**
 * Session affinity per family (issue 12 item 1; upstream [Feature:IPv6DualStack]
 * "should function for client IP based session affinity: http"): with ClientIP every
 * request of one client lands on one backend through the ClusterIP and a NodePort of the
 * family; switching it to None spreads them and back to ClientIP pins them again; a short
 * timeoutSeconds ends the pin. Four netexec backends, two on each of two workers.
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { NETEXEC_HTTP, NETEXEC_UDP } from '../../lib/k8s/services.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import { startPlanned } from '../../lib/probes/plans.ts';
import { twoWorkers, workerNodes } from '../../lib/probes/pods.ts';
import { createAffinityService, expectOk, FAMILIES, skipWithoutFamily, type Via } from './common.ts';
import { AFFINITY_BACKEND, AFFINITY_PODS } from './plans.ts';
import { AFFINITY_TIMEOUT_S, affinityPinned, affinityPinnedUdp, affinityTimeout, affinityToggle } from './scenarios.ts';


let h: Harness;
let ns: TestNamespace;
let client: V1Pod;
let pinned: V1Service;
/** One per family: each family's toggle check changes its own Service (they run at once). */
const toggled = new Map<IPFamily, V1Service>();
let expiring: V1Service;
/** The NodePort path dials the other worker's address (not the client's own node). */
let nodePortVia: Via;

beforeAll(async () => {
  h = await harness();
  const [started, workers] = await Promise.all([startPlanned(h, AFFINITY_PODS), workerNodes(h.kc)]);
  ns = started.ns;
  const [w0, w1] = twoWorkers(workers);
  const families = h.families.families;
  const shape = (name: string) => ({ name, selector: AFFINITY_BACKEND, families, ports: [NETEXEC_HTTP] });
  // The Services while the planned pods (plans.ts) finish: kube-proxy programs them meanwhile. The pinned one also
  // serves netexec's UDP echo: the UDP affinity check goes through it.
  pinned = await createAffinityService(h.kc, ns.name, { ...shape('pinned'), ports: [NETEXEC_HTTP, NETEXEC_UDP] }, { clientIP: true });
  for (const f of families) toggled.set(f, await createAffinityService(h.kc, ns.name, shape(`toggled-${f.toLowerCase()}`), { clientIP: true }));
  expiring = await createAffinityService(h.kc, ns.name, shape('expiring'), { clientIP: true, timeoutSeconds: AFFINITY_TIMEOUT_S });
  // The client is the probe fleet's pod on w0 (affinity is per Service and client IP: other
  // files' traffic from it goes to other Services); the backends are this file's.
  const [shared, , node] = await Promise.all([
    fleet(h.kc, h.env.runId),
    started.ready(),
    h.api.core.readNode({ name: w1 }),
  ]);
  client = shared.on(w0);
  nodePortVia = { path: 'NodePort', node };
  await Promise.all(['pinned', ...families.map((f) => `toggled-${f.toLowerCase()}`), 'expiring'].map((s) => waitForEndpoints(h.kc, ns.name, s, families, 4)));
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

// Concurrent: the only check that changes a Service, the toggle, has one Service per family.
describe.concurrent('session affinity', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/session-affinity/${idFamily(f)}-clusterip-clientip-pins-every-request-to-one-backend`,
      family: f,
      title: `[${f}] sessionAffinity ClientIP through the ClusterIP: every request of one client lands on one backend`,
      timing: 'kube-proxy programs a new Service within its sync period',
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await affinityPinned(h.kc, client, pinned, { path: 'ClusterIP' }, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/session-affinity/${idFamily(f)}-nodeport-clientip-pins-every-request-to-one-backend`,
      family: f,
      title: `[${f}] sessionAffinity ClientIP through a NodePort on a node address of the family: every request of one client lands on one backend`,
      timing: 'kube-proxy programs a new Service within its sync period',
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await affinityPinned(h.kc, client, pinned, nodePortVia, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/session-affinity/${idFamily(f)}-udp-clientip-pins-every-datagram-to-one-backend-clusterip-and-nodeport`,
      family: f,
      title: `[${f}] sessionAffinity ClientIP over UDP (a new socket per datagram) through the ClusterIP and a NodePort: every datagram of one client lands on one backend`,
      timing: 'kube-proxy programs a new Service within its sync period',
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await affinityPinnedUdp(h.kc, client, pinned, [{ path: 'ClusterIP' }, nodePortVia], f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/session-affinity/${idFamily(f)}-none-spreads-clientip-again-pins`,
      family: f,
      title: `[${f}] sessionAffinity switched ClientIP → None → ClientIP: pinned, spread over backends, pinned again (ClusterIP and NodePort)`,
      timing: 'kube-proxy applies an affinity change within its sync period',
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await affinityToggle(h.kc, client, toggled.get(f)!, [{ path: 'ClusterIP' }, nodePortVia], f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `services/session-affinity/${idFamily(f)}-clientip-timeout-seconds-honoured`,
      family: f,
      title: `[${f}] sessionAffinityConfig.clientIP.timeoutSeconds ${AFFINITY_TIMEOUT_S}: pinned within the timeout, balanced afresh after it (ClusterIP)`,
      timing: 'kube-proxy programs a new Service within its sync period',
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const v = await affinityTimeout(h.kc, client, expiring, { path: 'ClusterIP' }, f, AFFINITY_TIMEOUT_S);
      await ctx.annotate(v.seen, 'measured');
      await expectOk(ctx, v);
    },
  );
});
