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
import { plannedPods } from '../../lib/probes/plans.ts';
import { nodePairs, workerNodes, type NodePair } from '../../lib/probes/pods.ts';
import { expectOk, FAMILIES, MAX_NODE_PAIRS, skipWithoutFamily } from './common.ts';
import { BLOB_BYTES, BLOB_PATH, BLOB_PODS, BLOB_PORT } from './plans.ts';
import { bulkTransfer, hostNetworkHttp, peersOf, podToPodHttp, podToPodPing, podToPodSource, podToPodUdp, type BlobServer } from './scenarios.ts';

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
  pairs = nodePairs(await workerNodes(h.kc), MAX_NODE_PAIRS);
  const nodes = [...new Set(pairs.flatMap((p) => [p.from, p.to]))];
  // Pod-to-pod peers (echo on each node, a twin beside the first) and the hostNetwork
  // servers are the run's probe fleet; the blob server is this file's (plans.ts).
  const [planned, shared] = await Promise.all([plannedPods(h, BLOB_PODS), fleet(h.kc, h.env.runId)]);
  ns = planned.ns;
  for (const node of nodes) {
    echo.set(node, shared.on(node));
    host.set(node, shared.hostOn(node));
  }
  twin = shared.twin;
  blobClient = echo.get(pairs[0]!.from)!;
  const sum = await runProbe(h.kc, ns.name, 'blob', BLOB_PATH, ['sh', '-c', `wc -c < ${BLOB_PATH}; sha256sum ${BLOB_PATH} | cut -d' ' -f1`]);
  const [bytes, sha256] = sum.stdout.trim().split('\n');
  if (!sum.ok || Number(bytes) !== BLOB_BYTES || !sha256) throw new Error(`blob server did not prepare ${BLOB_BYTES} bytes: ${sum.stdout} ${sum.stderr}`);
  blob = { pod: planned.pod('blob'), port: BLOB_PORT, path: BLOB_PATH, served: { bytes: Number(bytes), sha256: sha256.trim() } };
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
