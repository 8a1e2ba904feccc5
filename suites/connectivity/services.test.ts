/**
 * Pod → Service paths, per family: the ClusterIP of that family (HTTP and UDP), the
 * Service's DNS name (A/AAAA answers exactly its ClusterIPs, PTR back to its FQDN,
 * connecting by name over that family) and a headless Service's records. The Service
 * is RequireDualStack on a dual-stack cluster and SingleStack on a single-stack one.
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { checkHttp, checkPtr, checkServiceDns, checkHeadlessDns, checkUdpEcho, recordType, serviceIPsOf } from '../../lib/checks/connectivity.ts';
import { assertOk, verdict, type Verdict } from '../../lib/checks/verdict.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { otherFamily, urlFor, type IPFamily } from '../../lib/net/family.ts';
import { clusterDomain } from '../../lib/probes/dns.ts';
import { NETEXEC_HTTP_PORT, NETEXEC_UDP_PORT, nodePairs, podIPs, podLabel, startProbePods, workerNodes } from '../../lib/probes/pods.ts';
import { createService, expectAllOk, FAMILIES, fqdnOf, MAX_NODE_PAIRS, ROLE_LABEL, skipWithoutFamily, suiteNamespace } from './common.ts';

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

const point = () => ({ kc: h.kc, client });
const serverNames = () => servers.map((s) => s.metadata!.name!);

/** The Service's ClusterIP of the family, or a failed Verdict naming the Service. */
function clusterIpOr(svc: V1Service, family: IPFamily): string | Verdict {
  const ip = serviceIPsOf(svc, family)[0];
  if (ip) return ip;
  return verdict(false, {
    object: `Service ${ns.name}/${svc.metadata!.name!}`,
    family,
    expected: `a ${family} ClusterIP`,
    seen: `clusterIPs [${(svc.spec?.clusterIPs ?? []).join(', ')}] (ipFamilyPolicy ${svc.spec?.ipFamilyPolicy ?? 'unset'})`,
  });
}

describe('pod to ClusterIP', () => {
  test.for(FAMILIES)('[%s] pod → ClusterIP of that family reaches a backend (HTTP)', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    const ip = clusterIpOr(echo, family);
    if (typeof ip !== 'string') return assertOk(ip);
    const url = urlFor(ip, NETEXEC_HTTP_PORT, '/hostname');
    const object = `${podLabel(client)} → Service ${ns.name}/echo ClusterIP (${url}; backends ${servers.map(podLabel).join(', ')})`;
    await expectAllOk(ctx, await checkHttp(point(), url, { object, family, expectBody: serverNames() }));
  });

  test.for(FAMILIES)('[%s] UDP pod → ClusterIP of that family: netexec echo comes back', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    const ip = clusterIpOr(echo, family);
    if (typeof ip !== 'string') return assertOk(ip);
    const object = `${podLabel(client)} → Service ${ns.name}/echo ClusterIP ${ip} udp port ${NETEXEC_UDP_PORT}`;
    await expectAllOk(ctx, await checkUdpEcho(point(), ip, NETEXEC_UDP_PORT, { object, family }));
  });
});

describe('Service DNS', () => {
  test.for(FAMILIES)('[%s] Service name: A/AAAA answers for that family equal its ClusterIPs of that family', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    await expectAllOk(ctx, await checkServiceDns(point(), echo, fqdnOf(echo, domain), family, h.families.families));
  });

  test.for(FAMILIES)('[%s] SingleStack Service: answers only its own family, no record of the other', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    const svc = single.get(family)!;
    const fqdn = fqdnOf(svc, domain);
    const own = await checkServiceDns(point(), svc, fqdn, family, [family]);
    // The other family's query must come back NOERROR and empty (not the cluster's other ClusterIP, not NXDOMAIN).
    const other = await checkServiceDns(point(), svc, fqdn, otherFamily(family), [family], 3);
    await expectAllOk(ctx, [own, other], `Service ${ns.name}/${svc.metadata!.name!} ${recordType(family)}-only`, family);
  });

  test.for(FAMILIES)('[%s] PTR of the ClusterIP of that family resolves to the Service FQDN', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    const ip = clusterIpOr(echo, family);
    if (typeof ip !== 'string') return assertOk(ip);
    await expectAllOk(ctx, await checkPtr(point(), echo, ip, fqdnOf(echo, domain)));
  });

  test.for(FAMILIES)('[%s] pod → Service by DNS name, resolved to that family only (curl -4/-6)', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    const url = urlFor(fqdnOf(echo, domain), NETEXEC_HTTP_PORT, '/hostname');
    const object = `${podLabel(client)} → Service ${ns.name}/echo by name (${url}, ${recordType(family)} only)`;
    await expectAllOk(ctx, await checkHttp(point(), url, { object, family, byName: true, expectBody: serverNames() }));
  });

  test.for(FAMILIES)('[%s] headless Service: records of that family equal the pods’ IPs of that family', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    const pods = servers.map((p) => ({ pod: `${ns.name}/${p.metadata!.name!}`, ips: podIPs(p) }));
    await expectAllOk(ctx, await checkHeadlessDns(point(), headless, fqdnOf(headless, domain), family, h.families.families, pods));
  });
});
