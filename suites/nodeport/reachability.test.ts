/**
 * NodePort reachability per family: the Service answers on every node address of each
 * family in its ipFamilies, from outside the cluster (a container on kind's Docker
 * network) and from a pod. Each probe records the address's family and rank in the
 * node's status.addresses; what a non-primary address should do follows from kube-proxy's
 * nodePortAddresses (read from kube-system/kube-proxy; rules in lib/checks/nodeport.ts).
 *
 * externalTrafficPolicy Local: the backend sees the outside client's own address (no
 * SNAT; for IPv6 the container's address on the kind network) and only nodes with a
 * local endpoint answer.
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  checkAddressProbes,
  checkLocalPolicy,
  describeKubeProxy,
  expectedNodePortReachability,
  probeRecord,
  rankedAddresses,
  type AddressProbe,
  type KubeProxyNodePorts,
  type LocalPolicyProbe,
  type RankedAddress,
} from '../../lib/checks/nodeport.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { urlFor, type IPFamily } from '../../lib/net/family.ts';
import { httpGet } from '../../lib/probes/http.ts';
import type { OutsideClient } from '../../lib/probes/outside.ts';
import {
  createService,
  FAMILIES,
  nodePortOf,
  outsideClient,
  podLabel,
  readKubeProxy,
  report,
  requireOutside,
  LOCAL,
  SERVER,
  skipWithoutFamily,
  startReachabilityPods,
  suiteNamespace,
  untilOk,
  waitReadyEndpoints,
} from './common.ts';

let h: Harness;
let ns: TestNamespace;
let nodes: V1Node[] = [];
let proxy: KubeProxyNodePorts;
let outside: OutsideClient | string | undefined;
let client: V1Pod;
let servers: V1Pod[] = [];
let local: V1Pod;
let np: V1Service;
let npLocal: V1Service;

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h, 'nodeport');
  [outside, proxy, nodes] = await Promise.all([outsideClient(h), readKubeProxy(h), h.api.core.listNode({}).then((l) => l.items)]);
  ({ client, servers, local } = await startReachabilityPods(h, ns));
  const families = h.families.families;
  np = await createService(h.kc, ns.name, { name: 'np', type: 'NodePort', selector: SERVER, families });
  npLocal = await createService(h.kc, ns.name, { name: 'np-local', type: 'NodePort', selector: LOCAL, families, externalTrafficPolicy: 'Local' });
  await waitReadyEndpoints(h, ns.name, 'np', families, servers.length);
  await waitReadyEndpoints(h, ns.name, 'np-local', families, 1);
}, 300_000);

afterAll(async () => {
  if (outside && typeof outside !== 'string') await outside.stop();
  await ns?.cleanup();
});

const backends = () => servers.map((p) => p.metadata!.name!);
const addressesOf = (family: IPFamily): RankedAddress[] => nodes.flatMap(rankedAddresses).filter((a) => a.family === family);

function requireServiceFamily(ctx: Parameters<typeof skipWithoutFamily>[0], svc: V1Service, family: IPFamily): void {
  if (!(svc.spec?.ipFamilies ?? []).includes(family)) ctx.skip(`Service ${ns.name}/${svc.metadata!.name} has ipFamilies [${svc.spec?.ipFamilies?.join(', ')}]: no ${family}`);
}

/** Probes every node address of the family; expected-silent addresses get one short attempt. */
async function probeAll(family: IPFamily, via: string, get: (url: string, timeoutS: number) => Promise<AddressProbe['result']>): Promise<AddressProbe[]> {
  const port = nodePortOf(np);
  return Promise.all(
    addressesOf(family).map(async (target) => {
      const url = urlFor(target.address, port, '/hostname');
      const expect = expectedNodePortReachability(proxy, target);
      const result = expect.reachable === false ? await get(url, 3) : await untilOk(() => get(url, 3), 4);
      return { target, client: via, url, expect, result, expectBody: backends() };
    }),
  );
}

async function judge(ctx: Parameters<typeof report>[0], family: IPFamily, probes: AddressProbe[], from: string): Promise<void> {
  const service = `Service ${ns.name}/np NodePort ${nodePortOf(np)}`;
  const line = `${describeKubeProxy(proxy)}; ${probes.map((p) => `${p.target.node} ${p.target.address} (rank ${p.target.rank}, ${p.target.family} #${p.target.familyRank}) ${p.result.ok ? 'answered' : 'silent'}`).join('; ')}`;
  await report(ctx, `NodePort ${family} probes from ${from}`, line, { kubeProxy: proxy, probes: probes.map(probeRecord) });
  assertOk(checkAddressProbes(service, family, probes));
}

describe('NodePort reachability', () => {
  test.for(FAMILIES)('[%s] NodePort answers on every node address of that family from outside the cluster (kind network)', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    requireServiceFamily(ctx, np, family);
    const c = requireOutside(ctx, outside, family);
    const probes = await probeAll(family, `outside container ${c.name}`, (url, t) => c.httpGet(url, { timeoutS: t }));
    await judge(ctx, family, probes, 'outside');
  });

  test.for(FAMILIES)('[%s] NodePort answers on every node address of that family from a pod', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    requireServiceFamily(ctx, np, family);
    const probes = await probeAll(family, podLabel(client), (url, t) => httpGet(h.kc, ns.name, client.metadata!.name!, url, { timeoutS: t }));
    await judge(ctx, family, probes, 'a pod');
  });
});

describe('externalTrafficPolicy Local', () => {
  test.for(FAMILIES)(
    "[%s] NodePort with externalTrafficPolicy Local: the backend sees the outside client's own address, and only nodes with a local endpoint answer",
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      requireServiceFamily(ctx, npLocal, family);
      const c = requireOutside(ctx, outside, family);
      const port = nodePortOf(npLocal);
      const clientIp = c.addressOf(family)!;
      const probes: LocalPolicyProbe[] = await Promise.all(
        addressesOf(family).map(async (target) => {
          const url = urlFor(target.address, port, '/clientip');
          const hasLocalEndpoint = target.node === local.spec?.nodeName;
          const result = hasLocalEndpoint ? await untilOk(() => c.httpGet(url, { timeoutS: 3 }), 4) : await c.httpGet(url, { timeoutS: 3 });
          return { target, client: `outside container ${c.name}`, clientIp, url, hasLocalEndpoint, result };
        }),
      );
      await report(
        ctx,
        `externalTrafficPolicy Local ${family}`,
        probes.map((p) => `${p.target.node} ${p.target.address}${p.hasLocalEndpoint ? ' (local endpoint)' : ''}: ${p.result.ok ? p.result.body.trim() : 'no answer'}`).join('; ') + `; client ${clientIp}`,
        probes.map((p) => ({ node: p.target.node, address: p.target.address, rank: p.target.rank, hasLocalEndpoint: p.hasLocalEndpoint, clientIp, status: p.result.status, body: p.result.body.trim() })),
      );
      assertOk(checkLocalPolicy(`Service ${ns.name}/np-local NodePort ${port}`, family, probes));
    },
  );
});
