/**
 * Pod → Service paths, per family: the ClusterIP of that family (HTTP and UDP), the
 * Service's DNS name (A/AAAA answers exactly its ClusterIPs, PTR back to its FQDN,
 * connecting by name over that family) and a headless Service's records. The Service
 * is RequireDualStack on a dual-stack cluster and SingleStack on a single-stack one.
 * Every backend of the family answers through the ClusterIP (HTTP and UDP, many new
 * connections), a backend on the client's own node is reached, and a Service with
 * internalTrafficPolicy Local answers only from the client node's endpoint (none on a
 * node without one).
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import { clusterDomain } from '../../lib/probes/dns.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import { startPlanned } from '../../lib/probes/plans.ts';
import { workerNodes } from '../../lib/probes/pods.ts';
import { createService, expectOk, FAMILIES, skipWithoutFamily } from './common.ts';
import { ITP, NEAR, SERVER, servicesLayout, SERVICES_PODS } from './plans.ts';
import { clusterIpEveryBackend, clusterIpHttp, clusterIpPtr, clusterIpUdp, headlessDns, internalLocalOnly, serviceByName, serviceDns, singleStackDns } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let client: V1Pod;
let servers: V1Pod[];
let domain: string;
/** RequireDualStack (dual) or SingleStack (single) over the cluster's families. */
let echo: V1Service;
let headless: V1Service;
/** One SingleStack Service per family the cluster has. */
const single = new Map<IPFamily, V1Service>();
/** A backend on the client's own node, alone behind `echo-near` (the same-node ClusterIP path). */
let near: V1Pod;
let echoNear: V1Service;
/** internalTrafficPolicy Local over `near` (client's node) and server-0 (another node). */
let itpLocal: V1Service;
let itpMembers: V1Pod[];
/** A client on a node with no ITP member, when the cluster has a third node. */
let far: V1Pod | undefined;

beforeAll(async () => {
  h = await harness();
  const families = h.families.families;
  // The pods are planned (plans.ts: started with the run); the Services are made while the
  // pods finish, so kube-proxy programs them meanwhile. The client is the probe fleet's pod on
  // clientNode (none of this file's selectors reach its namespace).
  const [started, nodeList, workers] = await Promise.all([startPlanned(h, SERVICES_PODS), h.api.core.listNode({}), workerNodes(h.kc)]);
  ns = started.ns;
  const { clientNode } = servicesLayout({ workers, nodes: nodeList.items.map((n) => n.metadata!.name!) });
  echo = await createService(h.kc, ns.name, { name: 'echo', selector: SERVER, families });
  headless = await createService(h.kc, ns.name, { name: 'echo-headless', selector: SERVER, families, headless: true });
  for (const f of families) single.set(f, await createService(h.kc, ns.name, { name: `echo-${f.toLowerCase()}`, selector: SERVER, families: [f] }));
  echoNear = await createService(h.kc, ns.name, { name: 'echo-near', selector: NEAR, families });
  itpLocal = await createService(h.kc, ns.name, { name: 'itp-local', selector: ITP, families, internalTrafficPolicy: 'Local' });
  const [shared, { pods }] = await Promise.all([fleet(h.kc, h.env.runId), started.ready()]);
  client = shared.on(clientNode);
  servers = pods.slice(0, 2);
  near = pods[2]!;
  far = pods[3];
  itpMembers = [near, servers[0]!];
  [domain] = await Promise.all([
    clusterDomain(h.kc, shared.namespace, client.metadata!.name!),
    ...['echo', 'echo-headless'].map((name) => waitForEndpoints(h.kc, ns.name, name, families, servers.length)),
    waitForEndpoints(h.kc, ns.name, 'echo-near', families, 1),
    waitForEndpoints(h.kc, ns.name, 'itp-local', families, itpMembers.length),
  ]);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

// Each block's checks run concurrently: they only probe, nothing here changes a Service or pod.
describe.concurrent('pod to ClusterIP', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/pod-to-clusterip/${idFamily(f)}-pod-clusterip-of-that-family-reaches-a-backend-http`, family: f, title: `[${f}] pod → ClusterIP of that family reaches a backend (HTTP)` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await clusterIpHttp(h.kc, client, echo, f, servers));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/pod-to-clusterip/${idFamily(f)}-udp-pod-clusterip-of-that-family-netexec-echo-comes-back`, family: f, title: `[${f}] UDP pod → ClusterIP of that family: netexec echo comes back` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await clusterIpUdp(h.kc, client, echo, f));
    },
  );
});

describe.concurrent('pod to ClusterIP: every backend, same node', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `connectivity/pod-to-clusterip/${idFamily(f)}-every-backend-answers-http`,
      family: f,
      timing: 'kube-proxy picks backends at random: rounds of requests until every backend has answered',
      title: `[${f}] pod → ClusterIP of that family: every backend answers (HTTP, each request a new connection)`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await clusterIpEveryBackend(h.kc, client, echo, f, servers, 'http'));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `connectivity/pod-to-clusterip/${idFamily(f)}-udp-every-backend-answers`,
      family: f,
      timing: 'kube-proxy picks backends at random: rounds of datagrams until every backend has answered',
      title: `[${f}] UDP pod → ClusterIP of that family: every backend answers (each datagram a new socket)`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await clusterIpEveryBackend(h.kc, client, echo, f, servers, 'udp'));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `connectivity/pod-to-clusterip/${idFamily(f)}-pod-clusterip-same-node-backend-http`,
      family: f,
      title: `[${f}] pod → ClusterIP of that family whose backend is on the client's own node (HTTP)`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await clusterIpHttp(h.kc, client, echoNear, f, [near]));
    },
  );
});

describe.concurrent('internalTrafficPolicy Local', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `connectivity/internaltrafficpolicy-local/${idFamily(f)}-only-the-client-node-s-endpoints-answer-none-on-a-node-without-one`,
      family: f,
      timing: 'kube-proxy syncs the policy: each client gets up to 3 rounds',
      title: `[${f}] ClusterIP with internalTrafficPolicy Local: only the client node's endpoint answers; a node without one gets no answer`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      if (!far) await ctx.annotate('no third node: the "no local endpoint" side is not probed', 'note');
      await expectOk(ctx, await internalLocalOnly(h.kc, far ? [client, far] : [client], itpLocal, f, itpMembers));
    },
  );
});

describe.concurrent('Service DNS', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `connectivity/service-dns/${idFamily(f)}-service-name-a-aaaa-answers-for-that-family-equal-its-clusterips-of-that-family`,
      family: f,
      title: `[${f}] Service name: A/AAAA answers for that family equal its ClusterIPs of that family`,
    }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await serviceDns(h.kc, client, echo, domain, f, h.families.families));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/service-dns/${idFamily(f)}-singlestack-service-answers-only-its-own-family-no-record-of-the-other`, family: f, title: `[${f}] SingleStack Service: answers only its own family, no record of the other` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await singleStackDns(h.kc, client, single.get(f)!, domain, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/service-dns/${idFamily(f)}-ptr-of-the-clusterip-of-that-family-resolves-to-the-service-fqdn`, family: f, title: `[${f}] PTR of the ClusterIP of that family resolves to the Service FQDN` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await clusterIpPtr(h.kc, client, echo, domain, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/service-dns/${idFamily(f)}-pod-service-by-dns-name-resolved-to-that-family-only-curl-4-6`, family: f, title: `[${f}] pod → Service by DNS name, resolved to that family only (curl -4/-6)` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await serviceByName(h.kc, client, echo, domain, f, servers));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/service-dns/${idFamily(f)}-headless-service-records-of-that-family-equal-the-pods-ips-of-that-family`, family: f, title: `[${f}] headless Service: records of that family equal the pods’ IPs of that family` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await headlessDns(h.kc, client, headless, domain, f, h.families.families, servers));
    },
  );
});
