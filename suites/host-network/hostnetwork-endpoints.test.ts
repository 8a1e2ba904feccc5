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
import { FLEET_HOST_HTTP_PORT, FLEET_HOST_SELECTOR, FLEET_HOST_UDP_PORT, fleet, fleetService, type FleetService } from '../../lib/probes/fleet.ts';
import { expectOk, FAMILIES, listNodes, skipWithoutFamily } from './common.ts';
import { clusterIpHttp, clusterIpUdp, hostEndpointSlices } from './scenarios.ts';

/** The Service over the fleet's hostNetwork pods, in the fleet's namespace (a Service selects only there). */
const SERVICE = 'hostnetwork-endpoints';

let h: Harness;
let service: FleetService | undefined;
let client: V1Pod;
/** The fleet's hostNetwork netexec pods, one per sampled node: the Service's only endpoints. */
let endpoints: V1Pod[] = [];
let svc: V1Service;
let nodes: V1Node[] = [];

beforeAll(async () => {
  h = await harness();
  const ports = [
    { name: 'http', port: 80, targetPort: FLEET_HOST_HTTP_PORT, protocol: 'TCP' },
    { name: 'udp', port: 81, targetPort: FLEET_HOST_UDP_PORT, protocol: 'UDP' },
  ];
  const [run, listed] = await Promise.all([fleet(h.kc, h.env.runId), listNodes(h)]);
  service = await fleetService(h.kc, run, { name: SERVICE, selector: FLEET_HOST_SELECTOR, families: h.families.families, ports }, run.hosts.length);
  svc = service.svc;
  [client, endpoints, nodes] = [run.pods[0]!, run.hosts, listed];
}, 300_000);

afterAll(async () => {
  await service?.remove();
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
