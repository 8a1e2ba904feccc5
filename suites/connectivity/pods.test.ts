/**
 * Pod → pod paths, per family: across nodes (a ring of at most MAX_NODE_PAIRS node
 * pairs, client on the first node of each pair, server on the second), HTTP to the
 * server's PodIP of that family, source address preserved, host network to host
 * network, UDP, and a 128 KiB transfer.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { runProbe } from '../../lib/probes/exec.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import { nodePairs, startProbePods, workerNodes, type NodePair, type ProbePodSpec } from '../../lib/probes/pods.ts';
import { expectOk, FAMILIES, MAX_NODE_PAIRS, skipWithoutFamily, suiteNamespace } from './common.ts';
import { bulkTransfer, hostNetworkHttp, peersOf, podToPodHttp, podToPodPing, podToPodSource, podToPodUdp, type BlobServer } from './scenarios.ts';

const BLOB_PORT = 8090;
const BLOB_PATH = '/tmp/v6e2e-blob';
/** Well above a 64 KiB TCP window and many MTUs: a broken PMTUD or offload stalls here. */
const BLOB_BYTES = 128 * 1024;

let h: Harness;
let ns: TestNamespace;
let pairs: NodePair[];
/** The fleet's netexec pods and its hostNetwork ones, by sampled node. */
const echo = new Map<string, V1Pod>();
const host = new Map<string, V1Pod>();
let blob: BlobServer;
let blobClient: V1Pod;
/** A second netexec pod on the first sampled node: the same-node pair is echo-0 → twin. */
let twin: V1Pod;

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h);
  pairs = nodePairs(await workerNodes(h.kc), MAX_NODE_PAIRS);
  const nodes = [...new Set(pairs.flatMap((p) => [p.from, p.to]))];
  // Pod-to-pod peers (echo on each node, a twin beside the first) and the hostNetwork
  // servers are the run's probe fleet; the blob server is this file's.
  const specs: ProbePodSpec[] = [{
    name: 'blob',
    node: pairs[0]!.to,
    command: ['sh', '-c', `head -c ${BLOB_BYTES} /dev/urandom > ${BLOB_PATH} && exec /agnhost test-webserver --port ${BLOB_PORT}`],
    readinessProbe: { httpGet: { path: BLOB_PATH, port: BLOB_PORT }, periodSeconds: 1 },
  }];
  const [pods, shared] = await Promise.all([startProbePods(h.kc, ns.name, specs, 180_000), fleet(h.kc, h.env.runId)]);
  const byName = new Map(pods.map((p) => [p.metadata!.name!, p]));
  for (const node of nodes) {
    echo.set(node, shared.on(node));
    host.set(node, shared.hostOn(node));
  }
  twin = shared.twin;
  blobClient = echo.get(pairs[0]!.from)!;
  const sum = await runProbe(h.kc, ns.name, 'blob', BLOB_PATH, ['sh', '-c', `wc -c < ${BLOB_PATH}; sha256sum ${BLOB_PATH} | cut -d' ' -f1`]);
  const [bytes, sha256] = sum.stdout.trim().split('\n');
  if (!sum.ok || Number(bytes) !== BLOB_BYTES || !sha256) throw new Error(`blob server did not prepare ${BLOB_BYTES} bytes: ${sum.stdout} ${sum.stderr}`);
  blob = { pod: byName.get('blob')!, port: BLOB_PORT, path: BLOB_PATH, served: { bytes: Number(bytes), sha256: sha256.trim() } };
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('pod to pod', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/pod-to-pod/${idFamily(f)}-pod-pod-across-nodes-http-to-the-server-podip-reaches-that-pod`, family: f, title: `[${f}] pod → pod across nodes: HTTP to the server PodIP reaches that pod` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await podToPodHttp(h.kc, peersOf(pairs, echo), f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/pod-to-pod/${idFamily(f)}-pod-pod-same-node-http`, family: f, title: `[${f}] pod → pod on the same node: HTTP to the server PodIP reaches that pod` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await podToPodHttp(h.kc, [{ client: echo.get(twin.spec!.nodeName!)!, server: twin }], f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/pod-to-pod/${idFamily(f)}-pod-pod-across-nodes-keeps-the-client-pod-address-as-source`, family: f, title: `[${f}] pod → pod across nodes keeps the client pod address as source` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await podToPodSource(h.kc, peersOf(pairs, echo), f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/pod-to-pod/${idFamily(f)}-udp-pod-pod-across-nodes-netexec-echo-comes-back`, family: f, title: `[${f}] UDP pod → pod across nodes: netexec echo comes back` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await podToPodUdp(h.kc, peersOf(pairs, echo), f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/pod-to-pod/${idFamily(f)}-icmp-echo`, family: f, title: `[${f}] ICMP${f === 'IPv6' ? 'v6' : ''} echo pod → pod across nodes: every request answered` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await podToPodPing(h.kc, peersOf(pairs, echo), f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/pod-to-pod/${idFamily(f)}-hostnetwork-pod-hostnetwork-pod-across-nodes-node-addresses`, family: f, title: `[${f}] hostNetwork pod → hostNetwork pod across nodes (node addresses)` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await hostNetworkHttp(h.kc, peersOf(pairs, host), f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `connectivity/pod-to-pod/${idFamily(f)}-128-kib-http-transfer-pod-pod-across-nodes-arrives-whole`, family: f, title: `[${f}] 128 KiB HTTP transfer pod → pod across nodes arrives whole` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await bulkTransfer(h.kc, blobClient, blob, f));
    },
  );
});
