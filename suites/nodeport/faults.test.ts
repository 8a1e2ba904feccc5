/**
 * Fault tests for the NodePort checks: seed the fault, run the very scenario the suite's
 * check runs (scenarios.ts, same retry policy), require a failure naming the node and
 * the family, and restore in finally.
 *
 * - IPv6 NodePort traffic dropped on one node: an ip6tables rule in the node's raw
 *   PREROUTING chain (before kube-proxy's DNAT in nat PREROUTING, so it matches the
 *   NodePort itself; INPUT would never see DNATed traffic to a pod). Its packet counter
 *   proves it really dropped the probe.
 * - The same with an nftables rule of our own table (a prerouting filter chain at
 *   priority raw, ahead of kube-proxy's nftables DNAT at dstnat): what a broken nftables
 *   ruleset looks like, caught by the same probes in either kube-proxy mode.
 *   Both go through nodePortAnswers, the scenario of the reachability checks, from the
 *   outside client as the "from outside the cluster" check probes.
 * - Per family, UDP to the UDP NodePort dropped on one node (raw PREROUTING, that port),
 *   and one of two backends dropped after DNAT on its node (mangle FORWARD, its pod IP):
 *   the UDP and every-backend checks name the node address / the missing backend.
 * - A node whose InternalIPs are ranked the other way round: kubelet owns Node status
 *   and rewrites it on its next status update, so the lab does not reorder a live Node;
 *   the fault is seeded on a deep copy of the live Node (said in the test name), put in
 *   the fleet the address-preference scenario judges.
 */
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { probeRecord, rankedAddresses, type KubeProxyNodePorts } from '../../lib/checks/nodeport.ts';
import { retryVerdict } from '../../lib/checks/verdict.ts';
import { nftIn } from '../../lib/edge/docker.ts';
import { check, checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { otherFamily } from '../../lib/net/family.ts';
import type { OutsideClient } from '../../lib/probes/outside.ts';
import { podIpOf, workerNodes } from '../../lib/probes/pods.ts';
import { startPlanned, type StartedPlan } from '../../lib/probes/plans.ts';
import { NODEPORT_FAULTS_PODS, SPREAD } from './plans.ts';
import {
  createService,
  nodePortOf,
  outsideClient,
  readKubeProxy,
  report,
  requireOutside,
  SERVER,
  skipWithoutFamily,
  tailOf,
} from './common.ts';
import { fromOutside, nodeAddresses, nodeAddressPreference, nodePortAnswers, nodePortEveryBackend, nodePortName, nodePortUdpAnswers } from './scenarios.ts';
import { droppedBy, faultTag, removeDrop, seedDrop, withDrops, type NodeDrop } from '../../lib/edge/node-rules.ts';
import { NETEXEC_UDP } from '../../lib/k8s/services.ts';
import { outsideRunner, podRunner } from '../../lib/probes/spread.ts';
import { FAMILIES } from './common.ts';
import { TURN_TIMEOUT_MS, turns } from '../../lib/harness/turns.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';

let h: Harness;
let ns: TestNamespace;
let nodes: V1Node[] = [];
let proxy: KubeProxyNodePorts;
let outside: OutsideClient | string | undefined;
let np: V1Service;
let backends: string[] = [];
let workers: string[] = [];
/** netexec's UDP port behind the same backend as `np`. */
let npUdp: V1Service;
/** Two backends on two workers behind `np-spread`, and a client pod: the every-backend fault. */
let spread: V1Pod[] = [];
let spreadClient: V1Pod;
let npSpread: V1Service;

beforeAll(async () => {
  h = await harness();
  // Independent steps side by side, and the Services made while their pods start.
  let started: StartedPlan;
  [started, outside, proxy, nodes, workers] = await Promise.all([
    startPlanned(h, NODEPORT_FAULTS_PODS),
    outsideClient(h, 'plain'),
    readKubeProxy(h),
    h.api.core.listNode({}).then((l) => l.items),
    workerNodes(h.kc),
  ]);
  ns = started.ns;
  const families = h.families.families;
  let pods: V1Pod[];
  [{ pods }, np, npUdp, npSpread] = await Promise.all([
    started.ready(),
    createService(h.kc, ns.name, { name: 'np', type: 'NodePort', selector: SERVER, families }),
    createService(h.kc, ns.name, { name: 'np-udp', type: 'NodePort', selector: SERVER, families, ports: [NETEXEC_UDP] }),
    createService(h.kc, ns.name, { name: 'np-spread', type: 'NodePort', selector: SPREAD, families }),
  ]);
  backends = pods.slice(0, 1).map((p) => p.metadata!.name!);
  spread = pods.slice(1, 3);
  spreadClient = pods[3]!;
  await Promise.all([
    waitForEndpoints(h.kc, ns.name, 'np', families, 1),
    waitForEndpoints(h.kc, ns.name, 'np-udp', families, 1),
    waitForEndpoints(h.kc, ns.name, 'np-spread', families, 2),
  ]);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

/** A fault that drops IPv6 NodePort traffic on one node: seed, count what it dropped, restore. */
interface DropFault {
  how: string;
  /** `how` as it appears in the check id. */
  idPart: string;
  seed(node: string, port: number, tag: string): Promise<void>;
  dropped(node: string, tag: string): Promise<number | undefined>;
  restore(node: string, port: number, tag: string): Promise<void>;
}

// Only this file's own NodePort: the allocator hands it to no other Service, and it lies below the
// nodes' ephemeral range, so no other test's traffic carries it as a port: isolated, not disruptive.
const portDrop = (node: string, port: number, tag: string): NodeDrop => ({ node, family: 'IPv6', match: ['-p', 'tcp', '--dport', String(port)], tag });

const IP6TABLES_RAW: DropFault = {
  how: 'ip6tables raw PREROUTING DROP',
  idPart: 'ip6tables-raw-prerouting-drop',
  seed: (node, port, tag) => seedDrop(portDrop(node, port, tag)),
  // The port does not change the tag's counter: the tag is this file's alone.
  dropped: (node, tag) => droppedBy(portDrop(node, 0, tag)),
  restore: (node, port, tag) => removeDrop(portDrop(node, port, tag)),
};

/** Our own inet table: a prerouting filter chain at raw priority (-300), before any DNAT. */
const NFT_TABLE: DropFault = {
  how: 'nft inet table, prerouting priority raw, drop',
  idPart: 'nft-inet-table-prerouting-priority-raw-drop',
  async seed(node, port, tag) {
    const script = `table inet ${tag} {\n chain pre {\n  type filter hook prerouting priority raw; policy accept;\n  meta nfproto ipv6 tcp dport ${port} counter drop\n }\n}\n`;
    const r = await nftIn(node, ['-f', '-'], script);
    if (r.exitCode !== 0) throw new Error(`nft -f on ${node}: ${r.stderr}`);
  },
  async dropped(node, tag) {
    const r = await nftIn(node, ['list', 'table', 'inet', tag]);
    if (r.exitCode !== 0) return undefined;
    const m = /counter packets (\d+)/.exec(r.stdout);
    return m ? Number(m[1]) : undefined;
  },
  async restore(node, _port, tag) {
    const r = await nftIn(node, ['delete', 'table', 'inet', tag]);
    if (r.exitCode !== 0) throw new Error(`restoring ${node}: nft delete table inet ${tag}: ${r.stderr}`);
  },
};

/** The two drops of np's NodePort on one node (iptables, nft) and their before/after probes take turns. */
const npTurn = turns();

// Concurrent: np, np-udp and np-spread each have their own port and backends (npTurn orders np's two faults).
describe.concurrent('NodePort faults', () => {
  for (const fault of [IP6TABLES_RAW, NFT_TABLE]) {
    check(
      {
        id: `nodeport/nodeport-faults/fault-ipv6-nodeport-traffic-dropped-on-one-node-${fault.idPart}-the-check-names-that-node-and-ipv6`,
        family: 'IPv6',
        kind: 'fault',
        timeoutMs: TURN_TIMEOUT_MS,
        title: `fault: [IPv6] NodePort traffic dropped on one node (${fault.how}): the check names that node and IPv6`,
      },
      (ctx) =>
        npTurn(async () => {
          skipWithoutFamily(ctx, h, 'IPv6');
          if (!h.kindCluster) ctx.skip('not a kind cluster: the fault is seeded with docker exec on a node container');
          const client = fromOutside(requireOutside(ctx, outside, 'IPv6'));
          const port = nodePortOf(np);
          const targets = nodeAddresses(nodes, 'IPv6');
          // A worker without the backend: the fault is on the node's NodePort, not on the endpoint.
          const victim = targets.find((a) => a.node === workers.at(-1)) ?? targets[0]!;
          const scenario = () => nodePortAnswers({ svc: np, family: 'IPv6', targets, proxy, client, backends });

          expectNoFault(await scenario());

          // nft table names: letters, digits and '_' only.
          const tag = `v6e2e_fault_${tailOf(ns)}`;
          await fault.seed(victim.node, port, tag);
          try {
            const v = await scenario();
            const dropped = await fault.dropped(victim.node, tag);
            await report(ctx, 'fault message', v.message, { victim: victim.node, fault: fault.how, droppedPackets: dropped, probes: v.probes.map(probeRecord) });
            // The rule really dropped the probe (not some other failure).
            expect(dropped, `${fault.how} on ${victim.node} counted no packets`).toBeGreaterThan(0);
            // Node names and IPv6 addresses hold no regex metacharacters.
            const onVictim = `${nodePortName(np)} on node ${victim.node} InternalIP ${victim.address} `;
            expectFault(v, { object: new RegExp(`^${onVictim}`), family: 'IPv6', expected: ['HTTP 2xx'], seen: ['timeout'] });
            // Only the victim is named.
            for (const f of v.failures) expect(f.object, 'a failure on another node than the victim').toContain(`on node ${victim.node} `);
          } finally {
            await fault.restore(victim.node, port, tag);
          }
          expect(await fault.dropped(victim.node, tag)).toBeUndefined();
          expectNoFault(await scenario());
        }),
    );
  }

  check(
    {
      id: 'nodeport/nodeport-faults/fault-dual-node-whose-internalip-order-is-swapped-seeded-on-a-deep-copy-of-the-live-node-kubelet-owns-live-node-status-the-check-names-the-node-and-the-primary-family',
      family: 'dual',
      kind: 'fault',
      title:
        'fault: [dual] node whose InternalIP order is swapped (seeded on a deep copy of the live Node; kubelet owns live Node status): the check names the node and the primary family',
    },
    async (ctx) => {
      const primary = h.families.primary;
      const live = nodes[0]!;
      const copy = structuredClone(live);
      const addrs = copy.status!.addresses!;
      const internal = addrs.filter((a) => a.type === 'InternalIP');
      const other = internal.find((a) => rankedAddresses(live).some((r) => r.address === a.address && r.family !== primary));
      let how: string;
      if (other) {
        // Dual-stack node: rank the other family's InternalIP first.
        copy.status!.addresses = [other, ...addrs.filter((a) => a !== other)];
        how = `moved ${other.address} in front`;
      } else {
        // Single-family node: an InternalIP of the other family (documentation range) ranked first, as on k/k#120720.
        const fake = otherFamily(primary) === 'IPv4' ? '192.0.2.10' : '2001:db8::10';
        copy.status!.addresses = [{ type: 'InternalIP', address: fake }, ...addrs];
        how = `prepended ${otherFamily(primary)} InternalIP ${fake}`;
      }
      expectNoFault(nodeAddressPreference(nodes, primary));
      const v = nodeAddressPreference(nodes.map((n) => (n === live ? copy : n)), primary);
      await report(ctx, 'fault message', `${how}: ${v.message}`);
      expectFault(v, {
        object: `Node ${live.metadata!.name}`,
        family: primary,
        expected: [`first InternalIP of the cluster's primary family ${primary}`],
        seen: [`(${otherFamily(primary)})`],
      });
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `nodeport/nodeport-faults/fault-${idFamily(f)}-udp-nodeport-dropped-on-one-node-the-udp-check-names-that-node-address-and-family`,
      family: f,
      kind: 'fault',
      title: `fault: [${f}] UDP to the NodePort dropped on one node (raw PREROUTING, that nodePort, udp): the UDP NodePort check names that node's address and ${f}`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      if (!h.kindCluster) ctx.skip('not a kind cluster: the fault is seeded with docker exec on a node container');
      const client = outsideRunner(requireOutside(ctx, outside, family));
      const port = nodePortOf(npUdp);
      const targets = nodeAddresses(nodes, family);
      // A worker without the backend: the fault is the node's NodePort, not the endpoint.
      const victim = targets.find((a) => a.node === workers.at(-1)) ?? targets[0]!;
      const scenario = () => nodePortUdpAnswers({ svc: npUdp, family, targets, proxy, client, backends });
      expectNoFault(await scenario());
      const drop = { node: victim.node, family, match: ['-p', 'udp', '--dport', String(port)], tag: faultTag(ns.name) };
      await withDrops([drop], async () => {
        const v = await scenario();
        await report(ctx, 'fault message', v.message, { victim: victim.node, droppedPackets: await droppedBy(drop) });
        expect(await droppedBy(drop), `the drop on ${victim.node} counted no packets`).toBeGreaterThan(0);
        expectFault(v, { object: new RegExp(`^${nodePortName(npUdp)}/udp on node ${victim.node} InternalIP ${victim.address} `), family, expected: [`UDP reply "${backends[0]}"`], seen: ['no reply'] });
        for (const f of v.failures) expect(f.object, 'a failure on another node than the victim').toContain(`on node ${victim.node} `);
      });
      expectNoFault(await scenario());
    },
    { familiesAtOnce: true },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `nodeport/nodeport-faults/fault-${idFamily(f)}-one-backend-dropped-on-its-node-every-backend-through-the-nodeport-fails-naming-it`,
      family: f,
      kind: 'fault',
      timeoutMs: 300_000,
      title: `fault: [${f}] one of two NodePort backends unreachable (mangle FORWARD drop of its pod IP on its node): "every backend answers" through the NodePort fails naming it`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      if (!h.kindCluster) ctx.skip('not a kind cluster: the fault is seeded with docker exec on a node container');
      const names = spread.map((p) => p.metadata!.name!);
      const targets = nodeAddresses(nodes, family);
      const scenario = () => nodePortEveryBackend({ svc: npSpread, family, targets, proxy, client: podRunner(h.kc, spreadClient), backends: names });
      // The baseline waits, bounded, for every node's kube-proxy to program the new Service, as
      // the check's timing retries do: refused connections end a round at once, and one node
      // refused all three rounds in a run's busy start.
      expectNoFault(await retryVerdict(scenario, { withinMs: 20_000, delayMs: 1_000 }));
      const victim = spread[1]!;
      const ip = podIpOf(victim, family)!;
      // After DNAT (mangle FORWARD): through its own node's address the packet is DNATed there, after raw PREROUTING.
      const drop = { node: victim.spec!.nodeName!, family, match: ['-d', `${ip}/${family === 'IPv6' ? 128 : 32}`], tag: faultTag(ns.name), afterDnat: true };
      await withDrops([drop], async () => {
        const v = await scenario();
        await report(ctx, 'fault message', v.message);
        expect(await droppedBy(drop), `the drop on ${drop.node} counted no packets`).toBeGreaterThan(0);
        expectFault(v, { object: new RegExp(`^${nodePortName(npSpread)} on node `), family, expected: [`every backend answers: [${names.join(', ')}]`], seen: [`never answered: ${victim.metadata!.name!}`] });
      });
      expectNoFault(await scenario());
    },
    { familiesAtOnce: true },
  );
});
