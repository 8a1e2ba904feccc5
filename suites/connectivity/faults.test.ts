/**
 * Fault tests: seed a real fault on the cluster, run the very scenario the suite's check
 * runs (scenarios.ts, same retry policy), and require a failure naming the object, the
 * family and what was seen. (kindnet enforces no NetworkPolicy, so the faults are seeded
 * in Services and servers instead, or as DROP rules on a node matching only this file's
 * pod IPs, tagged v6e2e-fault-<namespace>: lib/edge/node-rules.ts.)
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { recordType, serviceIPsOf } from '../../lib/checks/connectivity.ts';
import { check, checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import { applyObjects, type TestNamespace } from '../../lib/k8s/apply.ts';
import { clusterDomain } from '../../lib/probes/dns.ts';
import { familyOf, urlFor } from '../../lib/net/family.ts';
import { plannedPods } from '../../lib/probes/plans.ts';
import { NETEXEC_HTTP_PORT, podIPs } from '../../lib/probes/pods.ts';
import { createService, FAMILIES, fqdnOf, serviceManifest, skipWithoutFamily } from './common.ts';
import { CONNECTIVITY_FAULTS_PODS, PAIR } from './plans.ts';
import { clusterIpEveryBackend, clusterIpHttp, internalLocalOnly, podToPodHttp, podToPodPing, serviceDns } from './scenarios.ts';
import { droppedBy, echoRequestMatch, faultTag, withDrops, type NodeDrop } from '../../lib/edge/node-rules.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { podIpOf } from '../../lib/probes/pods.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import { TURN_TIMEOUT_MS, turnsBy } from '../../lib/harness/turns.ts';
import { retryLast } from '../../lib/util/retry.ts';

let h: Harness;
let ns: TestNamespace;
let client: V1Pod;
let v4only: V1Pod;
/** An ordinary netexec server on another node than the client (the ICMPv6 fault's target). */
let echo: V1Pod;
let domain: string;
/** A netexec pod on the client's node: the same-node target, and one of the two backends of `pair`. */
let twin: V1Pod;
/** A client on a node with neither the client nor echo (the control plane on a two-worker lab), when there is one. */
let far: V1Pod | undefined;
/** `twin` alone (same-node ClusterIP); echo + twin (every backend); echo + twin with internalTrafficPolicy Cluster. */
let twinSvc: V1Service;
let pairSvc: V1Service;
let itpCluster: V1Service;

beforeAll(async () => {
  h = await harness();
  const planned = await plannedPods(h, CONNECTIVITY_FAULTS_PODS);
  ns = planned.ns;
  const pods = planned.pods;
  [client, v4only, echo, twin] = pods as [V1Pod, V1Pod, V1Pod, V1Pod];
  far = pods[4];
  const families = h.families.families;
  twinSvc = await createService(h.kc, ns.name, { name: 'twin', selector: { 'v6e2e.io/role': 'twin' }, families });
  pairSvc = await createService(h.kc, ns.name, { name: 'pair', selector: PAIR, families });
  itpCluster = await createService(h.kc, ns.name, { name: 'itp-cluster', selector: PAIR, families, internalTrafficPolicy: 'Cluster' });
  await waitForEndpoints(h.kc, ns.name, 'twin', families, 1);
  for (const name of ['pair', 'itp-cluster']) await waitForEndpoints(h.kc, ns.name, name, families, 2);
  domain = await clusterDomain(h.kc, ns.name, 'client');
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

/**
 * twin's faults (its port dropped, all of its traffic dropped) and the scenarios that reach it
 * (every backend, the ITP ones) take turns per family; the other faults touch objects of their
 * own (Services, echo's ICMP, v4only) and run at once with them.
 */
const twinTurn = turnsBy<IPFamily>();

// Concurrent: each fault changes only its own Service or its own target's traffic (twinTurn orders twin's).
describe.concurrent('connectivity faults', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `connectivity/connectivity-faults/fault-${idFamily(f)}-service-whose-selector-matches-nothing-pod-clusterip-fails-naming-the-service`,
      family: f,
      kind: 'fault',
      title: `fault: [${f}] Service whose selector matches nothing: pod → ClusterIP fails naming the Service`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      const name = `nobody-${family.toLowerCase()}`;
      const svc = await createService(h.kc, ns.name, { name, selector: { 'v6e2e.io/role': 'nobody' }, families: h.families.families });
      // No backends: the check's scenario then expects any HTTP 2xx.
      const v = await clusterIpHttp(h.kc, client, svc, family, []);
      await ctx.annotate(v.message, 'fault message');
      const hit = expectFault(v, { object: new RegExp(` → Service ${ns.name}/${name} ClusterIP \\(`), family, expected: ['HTTP 2xx'] });
      expect(hit.expected).toBe('HTTP 2xx');
      expect(hit.seen).toMatch(/^(connection refused|timeout)/);
    },
    { familiesAtOnce: true },
  );

  check(
    {
      id: 'connectivity/connectivity-faults/fault-ipv6-server-listening-on-ipv4-only-socat-tcp4-listen-pod-pod-over-ipv6-fails-naming-the-pod',
      family: 'IPv6',
      kind: 'fault',
      title: 'fault: [IPv6] server listening on IPv4 only (socat TCP4-LISTEN): pod → pod over IPv6 fails naming the pod',
    },
    async (ctx) => {
      skipWithoutFamily(ctx, h, 'IPv6');
      const peers = [{ client, server: v4only }];
      const v = await podToPodHttp(h.kc, peers, 'IPv6');
      await ctx.annotate(v.message, 'fault message');
      expectFault(v, { object: new RegExp(` → pod ${ns.name}/v4only on ${v4only.spec!.nodeName!} \\(`), family: 'IPv6', expected: ['HTTP 2xx with body "v4only"'], seen: ['connection refused'] });
      // The fault is the family, not the server: where the cluster has IPv4, the same scenario passes over it.
      // Passing means HTTP 2xx with the body "v4only" from every peer (httpVerdict).
      if (h.has('IPv4')) expectNoFault(await podToPodHttp(h.kc, peers, 'IPv4'));
    },
  );

  check(
    {
      id: 'connectivity/connectivity-faults/fault-dual-service-downgraded-to-singlestack-the-dns-check-of-the-dropped-family-fails',
      family: 'dual',
      kind: 'fault',
      title: 'fault: [dual] Service downgraded to SingleStack: the DNS check of the dropped family fails',
    },
    async (ctx) => {
      if (h.families.families.length < 2) ctx.skip(`cluster is ${h.families.stack}: downgrading needs a dual-stack Service`);
      const [primary, secondary] = h.families.families as [typeof h.families.primary, typeof h.families.primary];
      const intended = [primary, secondary];
      const name = 'downgraded';
      const created = await createService(h.kc, ns.name, { name, selector: { 'v6e2e.io/role': 'nobody' }, families: intended });
      expectNoFault(await serviceDns(h.kc, client, created, domain, secondary, intended));

      // The seeded fault: ipFamilyPolicy SingleStack (server-side apply; the API server trims the secondary family).
      const body: V1Service = serviceManifest(ns.name, { name, selector: { 'v6e2e.io/role': 'nobody' }, families: [primary] });
      await applyObjects(h.kc, [{ ...body, apiVersion: 'v1', kind: 'Service' }]);
      const after = await h.kc.makeApiClient(CoreV1Api).readNamespacedService({ name, namespace: ns.name });
      expect(after.spec?.ipFamilyPolicy).toBe('SingleStack');
      expect(serviceIPsOf(after, secondary)).toEqual([]);
      // No waiting for DNS: the check fails on the Service itself. CoreDNS may still serve the old
      // record from its cache for up to the kubernetes plugin's TTL; the failure then shows it with its TTL.
      const type = recordType(secondary);
      const v = await serviceDns(h.kc, client, after, domain, secondary, intended);
      await ctx.annotate(v.message, 'fault message');
      const hit = expectFault(v, {
        object: `Service ${ns.name}/${name} ${type} ${fqdnOf(after, domain)}`,
        family: secondary,
        expected: [`${type} answers = the Service's ${secondary} ClusterIP`],
        seen: ['ipFamilyPolicy SingleStack'],
      });
      expect(hit.seen).toMatch(new RegExp(`DNS: NOERROR, (no ${type} answers|${type} \\{[^}]+\\} \\(TTL \\d+s\\))`));
    },
  );

  check(
    {
      id: 'connectivity/connectivity-faults/fault-ipv6-icmpv6-echo-dropped',
      family: 'IPv6',
      kind: 'fault',
      title: "fault: [IPv6] ICMPv6 echo requests to a server pod dropped on its node (ip6tables raw PREROUTING): the ICMP echo check fails naming the pod pair and IPv6",
    },
    async (ctx) => {
      skipWithoutFamily(ctx, h, 'IPv6');
      const peers = [{ client, server: echo }];
      expectNoFault(await podToPodPing(h.kc, peers, 'IPv6'));
      const node = echo.spec!.nodeName!;
      const ip = podIPs(echo).find((a) => familyOf(a) === 'IPv6')!;
      // raw PREROUTING sees the request before any CNI or kube-proxy rule, in either kube-proxy mode.
      const drop: NodeDrop = { node, family: 'IPv6', match: ['-d', `${ip}/128`, ...echoRequestMatch('IPv6')], tag: faultTag(ns.name) };
      await withDrops([drop], async () => {
        const v = await podToPodPing(h.kc, peers, 'IPv6');
        await ctx.annotate(v.message, 'fault message');
        expectFault(v, { object: new RegExp(` → pod ${ns.name}/echo on ${node} \\(ping `), family: 'IPv6', expected: ['ICMPv6 echo replies'], seen: ['0 of 3 ICMPv6 echo replies'] });
        // The fault is the family: ICMP echo over IPv4 to the same pod still works where the cluster has it.
        if (h.has('IPv4')) expectNoFault(await podToPodPing(h.kc, peers, 'IPv4'));
      });
      expectNoFault(await podToPodPing(h.kc, peers, 'IPv6'));
    },
  );

  /**
   * A DROP on twin's node for twin's IP of the family (only `tcpPort` when given), after
   * DNAT: the client shares the node, so before DNAT its packets still carry the ClusterIP.
   */
  function twinDrop(family: IPFamily, tcpPort?: number): NodeDrop {
    const ip = podIpOf(twin, family)!;
    const match = [`-d`, `${ip}/${family === 'IPv6' ? 128 : 32}`, ...(tcpPort ? ['-p', 'tcp', '--dport', String(tcpPort)] : [])];
    return { node: twin.spec!.nodeName!, family, match, tag: faultTag(ns.name), afterDnat: true };
  }

  checkEach(
    FAMILIES,
    (f) => ({
      id: `connectivity/connectivity-faults/fault-${idFamily(f)}-same-node-server-dropped-on-its-node-the-same-node-pod-and-clusterip-checks-fail-naming-it`,
      family: f,
      kind: 'fault',
      timeoutMs: TURN_TIMEOUT_MS,
      title: `fault: [${f}] HTTP to a pod on the client's own node dropped there (mangle FORWARD, that pod IP and port): the same-node pod → pod and pod → ClusterIP checks fail naming it`,
    }),
    (family, ctx) =>
      twinTurn(family)(async () => {
        skipWithoutFamily(ctx, h, family);
        const peers = [{ client, server: twin }];
        const node = twin.spec!.nodeName!;
        const scenarios = () => Promise.all([podToPodHttp(h.kc, peers, family), clusterIpHttp(h.kc, client, twinSvc, family, [twin])]);
        for (const v of await scenarios()) expectNoFault(v);
        const drop = twinDrop(family, NETEXEC_HTTP_PORT);
        await withDrops([drop], async () => {
          const [pp, cip] = await scenarios();
          await ctx.annotate(`${pp!.message}\n${cip!.message}`, 'fault message');
          expect(await droppedBy(drop), `the drop on ${node} counted no packets`).toBeGreaterThan(0);
          expectFault(pp!, { object: new RegExp(` → pod ${ns.name}/twin on ${node} \\(`), family, expected: ['HTTP 2xx with body "twin"'], seen: ['timeout'] });
          expectFault(cip!, { object: new RegExp(` → Service ${ns.name}/twin ClusterIP \\(.*backends pod ${ns.name}/twin on ${node}\\)`), family, expected: ['HTTP 2xx with body "twin"'], seen: ['timeout'] });
        });
        for (const v of await scenarios()) expectNoFault(v);
      }),
    { familiesAtOnce: true },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `connectivity/connectivity-faults/fault-${idFamily(f)}-one-backend-dropped-on-its-node-every-backend-answers-fails-naming-it`,
      family: f,
      kind: 'fault',
      timeoutMs: 300_000,
      title: `fault: [${f}] one of two backends unreachable (mangle FORWARD drop of its pod IP on its node): "every backend answers" (HTTP and UDP) fails naming that backend`,
    }),
    (family, ctx) =>
      twinTurn(family)(async () => {
        skipWithoutFamily(ctx, h, family);
        const backends = [echo, twin];
        expectNoFault(await clusterIpEveryBackend(h.kc, client, pairSvc, family, backends, 'http'));
        const drop = twinDrop(family);
        await withDrops([drop], async () => {
          for (const proto of ['http', 'udp'] as const) {
            const v = await clusterIpEveryBackend(h.kc, client, pairSvc, family, backends, proto);
            await ctx.annotate(v.message, `fault message (${proto})`);
            expectFault(v, { object: new RegExp(` → Service ${ns.name}/pair ClusterIP \\(`), family, expected: ['every backend answers: [echo, twin]'], seen: ['never answered: twin', 'echo ×'] });
          }
          expect(await droppedBy(drop), `the drop on ${drop.node} counted no packets`).toBeGreaterThan(0);
        });
        expectNoFault(await clusterIpEveryBackend(h.kc, client, pairSvc, family, backends, 'http'));
      }),
    { familiesAtOnce: true },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `connectivity/connectivity-faults/fault-${idFamily(f)}-clusterip-with-internaltrafficpolicy-cluster-judged-by-the-itp-local-scenario-fails-a-backend-elsewhere-answers`,
      family: f,
      kind: 'fault',
      timeoutMs: TURN_TIMEOUT_MS,
      title: `fault: [${f}] a ClusterIP Service without internalTrafficPolicy Local (Cluster): the ITP Local scenario fails, a backend on another node answers the client on a node without one`,
    }),
    (family, ctx) =>
      twinTurn(family)(async () => {
        skipWithoutFamily(ctx, h, family);
        if (!far) ctx.skip('no third node: no client on a node without an endpoint');
        // The fault shows as answers reaching far; none at all (a backend or far's kube-proxy not
        // there yet on a loaded machine) says nothing, so it is asked again, bounded, until they do.
        const v = await retryLast(() => internalLocalOnly(h.kc, [far!], itpCluster, family, [echo, twin]), { attempts: 4, delayMs: 5_000, until: (x) => !x.ok });
        await ctx.annotate(v.message, 'fault message');
        const farNode = far!.spec!.nodeName!;
        expectFault(v, {
          object: `pod ${ns.name}/far on ${farNode} → Service ${ns.name}/itp-cluster ClusterIP (${urlFor(serviceIPsOf(itpCluster, family)[0]!, NETEXEC_HTTP_PORT, '/hostname')}, internalTrafficPolicy Cluster)`,
          family,
          expected: [`no answer (internalTrafficPolicy Local, no endpoint on ${farNode}`],
          seen: ['requests: '],
        });
      }),
    { familiesAtOnce: true },
  );
});
