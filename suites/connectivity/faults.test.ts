/**
 * Fault tests: seed a real fault on the cluster, run the very scenario the suite's check
 * runs (scenarios.ts, same retry policy), and require a failure naming the object, the
 * family and what was seen. (kindnet enforces no NetworkPolicy, so the faults are seeded
 * in Services and servers instead.)
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
import { ip6tablesIn } from '../../lib/edge/docker.ts';
import { familyOf } from '../../lib/net/family.ts';
import { NETEXEC_HTTP_PORT, nodePairs, podIPs, startProbePods, workerNodes } from '../../lib/probes/pods.ts';
import { createService, FAMILIES, fqdnOf, MAX_NODE_PAIRS, serviceManifest, skipWithoutFamily, suiteNamespace } from './common.ts';
import { clusterIpHttp, podToPodHttp, podToPodPing, serviceDns } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let client: V1Pod;
let v4only: V1Pod;
/** An ordinary netexec server on another node than the client (the ICMPv6 fault's target). */
let echo: V1Pod;
let domain: string;

/**
 * An HTTP server that can only listen on IPv4: socat TCP4-LISTEN answering the pod's
 * hostname (netexec always listens on both families). It reads the request before
 * answering, so curl does not see a reset.
 */
const V4_ONLY_SERVER = [
  'sh',
  '-c',
  [
    "cat > /tmp/reply.sh <<'EOF'",
    'while IFS= read -r l; do l=$(printf %s "$l" | tr -d "\\r"); [ -z "$l" ] && break; done',
    'h=$(hostname)',
    'printf "HTTP/1.0 200 OK\\r\\nContent-Length: %s\\r\\n\\r\\n%s" "${#h}" "$h"',
    'EOF',
    `exec socat TCP4-LISTEN:${NETEXEC_HTTP_PORT},fork,reuseaddr SYSTEM:"sh /tmp/reply.sh"`,
  ].join('\n'),
];

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h, 'connectivity-faults');
  const pairs = nodePairs(await workerNodes(h.kc), MAX_NODE_PAIRS);
  const pods = await startProbePods(
    h.kc,
    ns.name,
    [
      { name: 'client', node: pairs[0]!.from },
      {
        name: 'v4only',
        node: pairs[0]!.to,
        command: V4_ONLY_SERVER,
        // kubelet would probe the primary PodIP, which on an IPv6 cluster this server never answers.
        readinessProbe: { exec: { command: ['nc', '-z', '127.0.0.1', String(NETEXEC_HTTP_PORT)] }, periodSeconds: 1 },
      },
      { name: 'echo', node: pairs[0]!.to },
    ],
    180_000,
  );
  [client, v4only, echo] = pods as [V1Pod, V1Pod, V1Pod];
  domain = await clusterDomain(h.kc, ns.name, 'client');
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('connectivity faults', () => {
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
      disruptive: true,
      title: "fault: [IPv6] ICMPv6 echo requests to a server pod dropped on its node (ip6tables raw PREROUTING): the ICMP echo check fails naming the pod pair and IPv6",
    },
    async (ctx) => {
      skipWithoutFamily(ctx, h, 'IPv6');
      const peers = [{ client, server: echo }];
      expectNoFault(await podToPodPing(h.kc, peers, 'IPv6'));
      const node = echo.spec!.nodeName!;
      const ip = podIPs(echo).find((a) => familyOf(a) === 'IPv6')!;
      // raw PREROUTING sees the request before any CNI or kube-proxy rule, in either kube-proxy mode.
      const rule = ['PREROUTING', '-d', `${ip}/128`, '-p', 'ipv6-icmp', '--icmpv6-type', 'echo-request', '-m', 'comment', '--comment', `v6e2e-fault-${ns.name}`, '-j', 'DROP'];
      const seeded = await ip6tablesIn(node, ['-t', 'raw', '-I', ...rule]);
      expect(seeded.exitCode, `seeding the drop rule on ${node}: ${seeded.stderr}`).toBe(0);
      try {
        const v = await podToPodPing(h.kc, peers, 'IPv6');
        await ctx.annotate(v.message, 'fault message');
        expectFault(v, { object: new RegExp(` → pod ${ns.name}/echo on ${node} \\(ping `), family: 'IPv6', expected: ['ICMPv6 echo replies'], seen: ['0 of 3 ICMPv6 echo replies'] });
        // The fault is the family: ICMP echo over IPv4 to the same pod still works where the cluster has it.
        if (h.has('IPv4')) expectNoFault(await podToPodPing(h.kc, peers, 'IPv4'));
      } finally {
        await ip6tablesIn(node, ['-t', 'raw', '-D', ...rule]);
      }
      expectNoFault(await podToPodPing(h.kc, peers, 'IPv6'));
    },
  );
});
