/**
 * A Service whose endpoints are hostNetwork pods (netexec on host ports), per family:
 * reached from an ordinary pod through its ClusterIP over HTTP and UDP, and its
 * EndpointSlice of the family lists each endpoint at its node's address of that family.
 * Upstream: "Granular Checks: Services should function for service endpoints using hostNetwork".
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { createService } from '../../lib/k8s/services.ts';
import { startProbePods, workerNodes, type ProbePodSpec } from '../../lib/probes/pods.ts';
import { expectOk, FAMILIES, HOST_EP_HTTP_PORT, HOST_EP_UDP_PORT, hostNetworkEndpoint, listNodes, MAX_NODES, ROLE_LABEL, skipWithoutFamily, suiteNamespace } from './common.ts';
import { clusterIpHttp, clusterIpUdp, hostEndpointSlices } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let client: V1Pod;
/** hostNetwork netexec pods, one per sampled node: the Service's only endpoints. */
let endpoints: V1Pod[] = [];
let svc: V1Service;
let nodes: V1Node[] = [];

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h);
  const sampled = (await workerNodes(h.kc)).slice(0, MAX_NODES);
  const specs: ProbePodSpec[] = [
    { name: 'client', node: sampled[0]! },
    ...sampled.map((node, i) => hostNetworkEndpoint(`hostep-${i}`, node, HOST_EP_HTTP_PORT, HOST_EP_UDP_PORT, { [ROLE_LABEL]: 'hostep' })),
  ];
  const ports = [
    { name: 'http', port: 80, targetPort: HOST_EP_HTTP_PORT, protocol: 'TCP' },
    { name: 'udp', port: 81, targetPort: HOST_EP_UDP_PORT, protocol: 'UDP' },
  ];
  const [pods, created, listed] = await Promise.all([
    startProbePods(h.kc, ns.name, specs, 180_000),
    createService(h.kc, ns.name, { name: 'hostep', selector: { [ROLE_LABEL]: 'hostep' }, families: h.families.families, ports }),
    listNodes(h),
  ]);
  [client, ...endpoints] = pods as [V1Pod, ...V1Pod[]];
  svc = created;
  nodes = listed;
  await waitForEndpoints(h.kc, ns.name, 'hostep', h.families.families, endpoints.length);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('hostnetwork endpoints', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `host-network/hostnetwork-endpoints/${idFamily(f)}-clusterip-http`, family: f, title: `[${f}] pod → ClusterIP of a Service with hostNetwork endpoints: HTTP reaches one of them` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await clusterIpHttp(h.kc, client, svc, f, endpoints));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `host-network/hostnetwork-endpoints/${idFamily(f)}-clusterip-udp`, family: f, title: `[${f}] pod → ClusterIP of a Service with hostNetwork endpoints: UDP echo comes back` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await clusterIpUdp(h.kc, client, svc, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `host-network/hostnetwork-endpoints/${idFamily(f)}-endpointslice-lists-node-address`,
      family: f,
      title: `[${f}] the ${f} EndpointSlice lists each hostNetwork endpoint at its node's ${f} address`,
      timing: 'the EndpointSlice controller writes a moment after the pods turn Ready',
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await hostEndpointSlices(h.kc, svc, f, endpoints, nodes));
    },
  );
});
