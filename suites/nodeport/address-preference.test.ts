/**
 * Node address preference, as NodePort users meet it: every node's first InternalIP
 * has the cluster's primary family; pods' status.hostIPs (and a hostNetwork pod's
 * podIPs) list that family first; and a pod that reads its status.hostIP through the
 * downward API and calls a NodePort on it gets an answer — the exact failure of an
 * IPv6 cluster whose nodes rank an IPv4 address first (kOps IPv6 talk, k/k#120720).
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  checkHostNetworkPod,
  checkNodeAddressPreference,
  checkPodHostIPs,
  downwardHostIpVerdict,
  hostIpNodePortScript,
  nodeHostIPs,
  splitHostIpOutput,
} from '../../lib/checks/nodeport.ts';
import { all, assertOk, type Verdict } from '../../lib/checks/verdict.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { runProbe } from '../../lib/probes/exec.ts';
import { parseCurlResult } from '../../lib/probes/outside.ts';
import { startProbePods } from '../../lib/probes/pods.ts';
import {
  createService,
  nodePortOf,
  podLabel,
  report,
  SERVER,
  suiteNamespace,
  tailOf,
  untilOk,
  waitReadyEndpoints,
} from './common.ts';

let h: Harness;
let ns: TestNamespace;
let nodes: V1Node[] = [];
let echo: V1Pod[] = [];
let hostnet: V1Pod[] = [];
let np: V1Service;


beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h, 'nodeport');
  nodes = (await h.api.core.listNode({})).items;
  const tail = tailOf(ns);
  const names = nodes.map((n) => n.metadata!.name!);
  const pods = await startProbePods(
    h.kc,
    ns.name,
    [
      // One netexec pod per node: Service backend, and the client that dials its own node.
      ...names.map((node, i) => ({
        name: `echo-${i}-${tail}`,
        node,
        labels: SERVER,
        env: [
          { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          { name: 'HOST_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } },
        ],
      })),
      ...names.map((node, i) => ({ name: `hostnet-${i}-${tail}`, node, hostNetwork: true, args: ['pause'] })),
    ],
    180_000,
  );
  echo = pods.slice(0, names.length);
  hostnet = pods.slice(names.length);
  np = await createService(h.kc, ns.name, { name: 'np', type: 'NodePort', selector: SERVER, families: h.families.families });
  await waitReadyEndpoints(h, ns.name, 'np', h.families.families, echo.length);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

const nodeOf = (p: V1Pod) => nodes.find((n) => n.metadata?.name === p.spec?.nodeName);

describe('node address preference', () => {
  test("[dual] every node's first InternalIP has the cluster's primary family", async (ctx) => {
    const primary = h.families.primary;
    await report(
      ctx,
      'node host IPs',
      nodes.map((n) => `${n.metadata!.name}: ${nodeHostIPs(n).join(', ')}`).join('; '),
      nodes.map((n) => ({ node: n.metadata!.name, addresses: n.status?.addresses, hostIPs: nodeHostIPs(n) })),
    );
    assertOk(all(nodes.map((n) => checkNodeAddressPreference(n, primary)), `${nodes.length} nodes`, primary));
  });

  test('[dual] status.hostIPs lists the primary family first (every pod, hostNetwork or not)', () => {
    const pods = [...echo, ...hostnet];
    assertOk(all(pods.map((p) => checkPodHostIPs(p, nodeOf(p), h.families.primary)), `${pods.length} pods`, h.families.primary));
  });

  test("[dual] hostNetwork pods get the node's host IPs, primary family first", () => {
    assertOk(all(hostnet.map((p) => checkHostNetworkPod(p, nodeOf(p), h.families.primary)), `${hostnet.length} hostNetwork pods`, h.families.primary));
  });

  test('[dual] pod → NodePort on its own status.hostIP (downward API env $HOST_IP) answers', async (ctx) => {
    const port = nodePortOf(np);
    const backends = echo.map((p) => p.metadata!.name!);
    const verdicts: Verdict[] = [];
    const seen: Record<string, unknown>[] = [];
    for (const p of echo) {
      const name = p.metadata!.name!;
      let hostIp: string | undefined;
      const v = await untilOk(async () => {
        const r = await runProbe(h.kc, ns.name, name, `$HOST_IP:${port}`, ['sh', '-c', hostIpNodePortScript(3), String(port)], 30_000);
        const split = splitHostIpOutput(r.stdout);
        hostIp = split.hostIp;
        const result = parseCurlResult({ ...r, stdout: split.rest });
        return downwardHostIpVerdict({ pod: podLabel(p), service: `Service ${ns.name}/np`, nodePort: port, primary: h.families.primary, hostIp, result, expectBody: backends });
      }, 3);
      seen.push({ pod: name, node: p.spec?.nodeName, hostIP: hostIp, ok: v.ok, seen: v.seen });
      verdicts.push(v);
    }
    await report(ctx, 'downward API hostIP → NodePort', seen.map((s) => `${s.node}: $HOST_IP ${s.hostIP} → ${s.ok ? 'ok' : 'failed'}`).join('; '), seen);
    assertOk(all(verdicts, `${echo.length} pods → NodePort ${port} on $HOST_IP`, h.families.primary));
  });
});
