/**
 * Pod → Service paths, per family: the ClusterIP of that family (HTTP and UDP), the
 * Service's DNS name (A/AAAA answers exactly its ClusterIPs, PTR back to its FQDN,
 * connecting by name over that family) and a headless Service's records. The Service
 * is RequireDualStack on a dual-stack cluster and SingleStack on a single-stack one.
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import { clusterDomain } from '../../lib/probes/dns.ts';
import { nodePairs, startProbePods, workerNodes } from '../../lib/probes/pods.ts';
import { createService, expectOk, FAMILIES, MAX_NODE_PAIRS, ROLE_LABEL, skipWithoutFamily, suiteNamespace } from './common.ts';
import { clusterIpHttp, clusterIpPtr, clusterIpUdp, headlessDns, serviceByName, serviceDns, singleStackDns } from './scenarios.ts';

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

const SERVER = { [ROLE_LABEL]: 'server' };

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h);
  const families = h.families.families;
  const pairs = nodePairs(await workerNodes(h.kc), MAX_NODE_PAIRS);
  // Client on the first node; the two backends on the other sampled nodes (cross-node paths).
  const clientNode = pairs[0]!.from;
  const serverNodes = [pairs[0]!.to, pairs[1]?.to ?? pairs[0]!.to];
  const pods = await startProbePods(
    h.kc,
    ns.name,
    [
      { name: 'client', node: clientNode, labels: { [ROLE_LABEL]: 'client' } },
      { name: 'server-0', node: serverNodes[0], labels: SERVER },
      { name: 'server-1', node: serverNodes[1] === clientNode ? serverNodes[0] : serverNodes[1], labels: SERVER },
    ],
    180_000,
  );
  client = pods[0]!;
  servers = pods.slice(1);
  echo = await createService(h.kc, ns.name, { name: 'echo', selector: SERVER, families });
  headless = await createService(h.kc, ns.name, { name: 'echo-headless', selector: SERVER, families, headless: true });
  for (const f of families) single.set(f, await createService(h.kc, ns.name, { name: `echo-${f.toLowerCase()}`, selector: SERVER, families: [f] }));
  for (const name of ['echo', 'echo-headless']) await waitForEndpoints(h.kc, ns.name, name, families, servers.length);
  domain = await clusterDomain(h.kc, ns.name, 'client');
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('pod to ClusterIP', () => {
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

describe('Service DNS', () => {
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
