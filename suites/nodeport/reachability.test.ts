/**
 * NodePort reachability per family: the Service answers on every node address of each
 * family in its ipFamilies, from outside the cluster (a container on kind's Docker
 * network) and from a pod. Each probe records the address's family and rank in the
 * node's status.addresses; what a non-primary address should do follows from kube-proxy's
 * nodePortAddresses (read from kube-system/kube-proxy; rules in lib/checks/nodeport.ts).
 * On lab clusters the pod probes also dial each node's address on the lab's alternate
 * network (lib/edge/alt-network.ts): a local address that is no host IP, which iptables'
 * default serves and nftables' default `primary` refuses.
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
  localAddresses,
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
import { altAddresses } from '../../lib/edge/alt-network.ts';
import {
  createService,
  FAMILIES,
  nodePortOf,
  outsideClient,
  probeNodePort,
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
/** Per node: addresses on the lab's alternate network (none outside the lab). */
let alt = new Map<string, string[]>();
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
  if (h.kindCluster) {
    for (const [node, a] of await altAddresses(h.kindCluster)) alt.set(node, [a.IPv4, a.IPv6].filter((x): x is string => x !== undefined));
  }
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
/** Listed addresses plus the alternate-network ones (reachable from pods, not from the outside container). */
const podTargetsOf = (family: IPFamily): RankedAddress[] => [
  ...addressesOf(family),
  ...nodes.flatMap((n) => localAddresses(n, alt.get(n.metadata!.name!) ?? [])).filter((a) => a.family === family),
];

function requireServiceFamily(ctx: Parameters<typeof skipWithoutFamily>[0], svc: V1Service, family: IPFamily): void {
  if (!(svc.spec?.ipFamilies ?? []).includes(family)) ctx.skip(`Service ${ns.name}/${svc.metadata!.name} has ipFamilies [${svc.spec?.ipFamilies?.join(', ')}]: no ${family}`);
}

const probeAll = (targets: RankedAddress[], client: string, get: (url: string, timeoutS: number) => Promise<AddressProbe['result']>) =>
  probeNodePort({ targets, port: nodePortOf(np), proxy, client, get, backends: backends() });

async function judge(ctx: Parameters<typeof report>[0], family: IPFamily, probes: AddressProbe[], from: string): Promise<void> {
  const service = `Service ${ns.name}/np NodePort ${nodePortOf(np)}`;
  const line = `${describeKubeProxy(proxy)}; ${probes.map((p) => `${p.target.node} ${p.target.address} (${p.target.type === 'LocalAddress' ? 'local address, not listed' : `rank ${p.target.rank}, ${p.target.family} #${p.target.familyRank}`}${p.expect.reachable === false ? ', expected refused' : ''}) ${p.result.ok ? 'answered' : 'silent'}`).join('; ')}`;
  await report(ctx, `NodePort ${family} probes from ${from}`, line, { kubeProxy: proxy, probes: probes.map(probeRecord) });
  assertOk(checkAddressProbes(service, family, probes));
}

describe('NodePort reachability', () => {
  test.for(FAMILIES)('[%s] NodePort answers on every node address of that family from outside the cluster (kind network)', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    requireServiceFamily(ctx, np, family);
    const c = requireOutside(ctx, outside, family);
    const probes = await probeAll(addressesOf(family), `outside container ${c.name}`, (url, t) => c.httpGet(url, { timeoutS: t }));
    await judge(ctx, family, probes, 'outside');
  });

  test.for(FAMILIES)('[%s] NodePort answers on every node address of that family from a pod', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    requireServiceFamily(ctx, np, family);
    const probes = await probeAll(podTargetsOf(family), podLabel(client), (url, t) => httpGet(h.kc, ns.name, client.metadata!.name!, url, { timeoutS: t }));
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
