/**
 * Pod → pod paths, per family: across nodes (a ring of at most MAX_NODE_PAIRS node
 * pairs, client on the first node of each pair, server on the second), HTTP to the
 * server's PodIP of that family, source address preserved, host network to host
 * network, UDP, and a 128 KiB transfer.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, test, type TestContext } from 'vitest';
import { checkClientIp, checkDownload, checkHttp, checkUdpEcho, type ServedBlob } from '../../lib/checks/connectivity.ts';
import { assertOk, type Verdict } from '../../lib/checks/verdict.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { runProbe } from '../../lib/probes/exec.ts';
import { NETEXEC_HTTP_PORT, NETEXEC_UDP_PORT, nodePairs, podLabel, startProbePods, workerNodes, type NodePair, type ProbePodSpec } from '../../lib/probes/pods.ts';
import { type IPFamily, urlFor } from '../../lib/net/family.ts';
import { expectAllOk, FAMILIES, HOST_HTTP_PORT, HOST_UDP_PORT, ipOr, MAX_NODE_PAIRS, podToPodHttp, skipWithoutFamily, suiteNamespace } from './common.ts';

const BLOB_PORT = 8090;
const BLOB_PATH = '/tmp/v6e2e-blob';
/** Well above a 64 KiB TCP window and many MTUs: a broken PMTUD or offload stalls here. */
const BLOB_BYTES = 128 * 1024;

let h: Harness;
let ns: TestNamespace;
let pairs: NodePair[];
/** netexec pods, one per sampled node, and host-network twins. */
const echo = new Map<string, V1Pod>();
const host = new Map<string, V1Pod>();
let blob: V1Pod;
let blobClient: V1Pod;
let served: ServedBlob;

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h);
  pairs = nodePairs(await workerNodes(h.kc), MAX_NODE_PAIRS);
  const nodes = [...new Set(pairs.flatMap((p) => [p.from, p.to]))];
  const specs: ProbePodSpec[] = [];
  nodes.forEach((node, i) => {
    specs.push({ name: `echo-${i}`, node });
    specs.push({ name: `host-${i}`, node, hostNetwork: true, httpPort: HOST_HTTP_PORT, udpPort: HOST_UDP_PORT });
  });
  specs.push({
    name: 'blob',
    node: pairs[0]!.to,
    command: ['sh', '-c', `head -c ${BLOB_BYTES} /dev/urandom > ${BLOB_PATH} && exec /agnhost test-webserver --port ${BLOB_PORT}`],
    readinessProbe: { httpGet: { path: BLOB_PATH, port: BLOB_PORT }, periodSeconds: 1 },
  });
  const pods = await startProbePods(h.kc, ns.name, specs, 180_000);
  const byName = new Map(pods.map((p) => [p.metadata!.name!, p]));
  nodes.forEach((node, i) => {
    echo.set(node, byName.get(`echo-${i}`)!);
    host.set(node, byName.get(`host-${i}`)!);
  });
  blob = byName.get('blob')!;
  blobClient = echo.get(pairs[0]!.from)!;
  const sum = await runProbe(h.kc, ns.name, 'blob', BLOB_PATH, ['sh', '-c', `wc -c < ${BLOB_PATH}; sha256sum ${BLOB_PATH} | cut -d' ' -f1`]);
  const [bytes, sha256] = sum.stdout.trim().split('\n');
  if (!sum.ok || Number(bytes) !== BLOB_BYTES || !sha256) throw new Error(`blob server did not prepare ${BLOB_BYTES} bytes: ${sum.stdout} ${sum.stderr}`);
  served = { bytes: Number(bytes), sha256: sha256.trim() };
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

/** One verdict per sampled pair, judged together so the failure lists every broken pair. */
async function perPair(ctx: TestContext, family: IPFamily, what: string, fn: (pair: NodePair) => Promise<Verdict>): Promise<void> {
  const verdicts: Verdict[] = [];
  for (const pair of pairs) verdicts.push(await fn(pair));
  await expectAllOk(ctx, verdicts, `${what} (${pairs.length} node pair${pairs.length === 1 ? '' : 's'})`, family);
}

describe('pod to pod', () => {
  test.for(FAMILIES)('[%s] pod → pod across nodes: HTTP to the server PodIP reaches that pod', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    await expectAllOk(ctx, await podToPodHttp(h, pairs, echo, family), `pod → pod HTTP (${pairs.length} node pair${pairs.length === 1 ? '' : 's'})`, family);
  });

  test.for(FAMILIES)('[%s] pod → pod across nodes keeps the client pod address as source', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    await perPair(ctx, family, 'pod → pod source address', async ({ from, to }) => {
      const client = echo.get(from)!;
      const server = echo.get(to)!;
      const object = `${podLabel(client)} → ${podLabel(server)}`;
      const ip = ipOr(server, family, object);
      if (typeof ip !== 'string') return ip;
      const own = ipOr(client, family, object);
      if (typeof own !== 'string') return own;
      const url = urlFor(ip, NETEXEC_HTTP_PORT, '/clientip');
      return checkClientIp({ kc: h.kc, client }, url, { object: `${object} (${url})`, family, expectedIp: own });
    });
  });

  test.for(FAMILIES)('[%s] UDP pod → pod across nodes: netexec echo comes back', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    await perPair(ctx, family, 'pod → pod UDP', async ({ from, to }) => {
      const client = echo.get(from)!;
      const server = echo.get(to)!;
      const object = `${podLabel(client)} → ${podLabel(server)}`;
      const ip = ipOr(server, family, object);
      if (typeof ip !== 'string') return ip;
      return checkUdpEcho({ kc: h.kc, client }, ip, NETEXEC_UDP_PORT, { object: `${object} (udp port ${NETEXEC_UDP_PORT})`, family });
    });
  });

  test.for(FAMILIES)('[%s] hostNetwork pod → hostNetwork pod across nodes (node addresses)', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    await perPair(ctx, family, 'hostNetwork pod → hostNetwork pod HTTP', async ({ from, to }) => {
      const client = host.get(from)!;
      const server = host.get(to)!;
      const object = `${podLabel(client)} (hostNetwork) → ${podLabel(server)} (hostNetwork)`;
      const ip = ipOr(server, family, object);
      if (typeof ip !== 'string') return ip;
      const url = urlFor(ip, HOST_HTTP_PORT, '/hostname');
      // A host-network netexec answers the node's hostname, which kind sets to the node name.
      return checkHttp({ kc: h.kc, client }, url, { object: `${object} (${url})`, family, expectBody: [to, server.metadata!.name!] });
    });
  });

  test.for(FAMILIES)('[%s] 128 KiB HTTP transfer pod → pod across nodes arrives whole', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    const object = `${podLabel(blobClient)} → ${podLabel(blob)}`;
    const ip = ipOr(blob, family, object);
    if (typeof ip !== 'string') return assertOk(ip);
    const url = urlFor(ip, BLOB_PORT, BLOB_PATH);
    await expectAllOk(ctx, await checkDownload({ kc: h.kc, client: blobClient }, url, served, { object: `${object} (${url})`, family }));
  });
});
