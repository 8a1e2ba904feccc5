/**
 * Fault tests: seed a real fault on the cluster, run the very check the suite relies on,
 * and require it to fail with a message that names the object, the family and what was
 * seen. (kindnet enforces no NetworkPolicy, so the faults are seeded in Services and
 * servers instead.)
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkHttp, checkServiceDns, recordType, serviceIPsOf } from '../../lib/checks/connectivity.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { applyObjects, type TestNamespace } from '../../lib/k8s/apply.ts';
import { urlFor } from '../../lib/net/family.ts';
import { clusterDomain } from '../../lib/probes/dns.ts';
import { NETEXEC_HTTP_PORT, nodePairs, podIpOf, podLabel, startProbePods, workerNodes } from '../../lib/probes/pods.ts';
import { createService, FAMILIES, fqdnOf, MAX_NODE_PAIRS, serviceManifest, skipWithoutFamily, suiteNamespace } from './common.ts';

let h: Harness;
let ns: TestNamespace;
let client: V1Pod;
let v4only: V1Pod;
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
    ],
    180_000,
  );
  [client, v4only] = pods as [V1Pod, V1Pod];
  domain = await clusterDomain(h.kc, ns.name, 'client');
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

const point = () => ({ kc: h.kc, client });

describe('connectivity faults', () => {
  test.for(FAMILIES)('fault: [%s] Service whose selector matches nothing: pod → ClusterIP fails naming the Service', async (family, ctx) => {
    skipWithoutFamily(ctx, h, family);
    const name = `nobody-${family.toLowerCase()}`;
    const svc = await createService(h.kc, ns.name, { name, selector: { 'v6e2e.io/role': 'nobody' }, families: h.families.families });
    const ip = serviceIPsOf(svc, family)[0];
    expect(ip, `Service ${name} got no ${family} ClusterIP`).toBeDefined();
    const url = urlFor(ip!, NETEXEC_HTTP_PORT, '/hostname');
    const v = await checkHttp(point(), url, { object: `${podLabel(client)} → Service ${ns.name}/${name} ClusterIP (${url})`, family, attempts: 1 });
    await ctx.annotate(v.message, 'fault message');
    expect(v.ok).toBe(false);
    expect(v.message).toContain(`Service ${ns.name}/${name}`);
    expect(v.message).toContain(`[${family}]`);
    expect(v.message).toMatch(/expected HTTP 2xx, saw (connection refused|timeout)/);
  });

  test('fault: [IPv6] server listening on IPv4 only (socat TCP4-LISTEN): pod → pod over IPv6 fails naming the pod', async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const ip = podIpOf(v4only, 'IPv6')!;
    const url = urlFor(ip, NETEXEC_HTTP_PORT, '/hostname');
    const object = `${podLabel(client)} → ${podLabel(v4only)} (${url})`;
    const v = await checkHttp(point(), url, { object, family: 'IPv6', expectBody: ['v4only'], attempts: 1 });
    await ctx.annotate(v.message, 'fault message');
    expect(v.ok).toBe(false);
    expect(v.message).toContain(`pod ${ns.name}/v4only on ${v4only.spec!.nodeName!}`);
    expect(v.message).toContain('[IPv6]');
    expect(v.message).toContain('saw connection refused');
    // The fault is the family, not the server: where the cluster has IPv4, the same check passes over it.
    const ip4 = podIpOf(v4only, 'IPv4');
    if (ip4) {
      const url4 = urlFor(ip4, NETEXEC_HTTP_PORT, '/hostname');
      const v4 = await checkHttp(point(), url4, { object: `${podLabel(client)} → ${podLabel(v4only)} (${url4})`, family: 'IPv4', expectBody: ['v4only'] });
      expect(v4.message).toMatch(/expected HTTP 2xx with body "v4only", saw HTTP 200/);
      expect(v4.ok).toBe(true);
    }
  });

  test('fault: [dual] Service downgraded to SingleStack: the DNS check of the dropped family fails', async (ctx) => {
    if (h.families.families.length < 2) ctx.skip(`cluster is ${h.families.stack}: downgrading needs a dual-stack Service`);
    const [primary, secondary] = h.families.families as [typeof h.families.primary, typeof h.families.primary];
    const name = 'downgraded';
    const created = await createService(h.kc, ns.name, { name, selector: { 'v6e2e.io/role': 'nobody' }, families: [primary, secondary] });
    const fqdn = fqdnOf(created, domain);
    const before = await checkServiceDns(point(), created, fqdn, secondary, [primary, secondary]);
    expect(before.message).toMatch(/saw NOERROR, (A|AAAA) \{/);
    expect(before.ok).toBe(true);

    // The seeded fault: ipFamilyPolicy SingleStack (server-side apply; the API server trims the secondary family).
    const body: V1Service = serviceManifest(ns.name, { name, selector: { 'v6e2e.io/role': 'nobody' }, families: [primary] });
    await applyObjects(h.kc, [{ ...body, apiVersion: 'v1', kind: 'Service' }]);
    const core = h.kc.makeApiClient(CoreV1Api);
    const after = await core.readNamespacedService({ name, namespace: ns.name });
    expect(after.spec?.ipFamilyPolicy).toBe('SingleStack');
    expect(serviceIPsOf(after, secondary)).toEqual([]);
    // No waiting for DNS: the check fails on the Service itself. CoreDNS may still serve the old
    // record from its cache for up to the kubernetes plugin's TTL; the message then shows it with its TTL.
    const type = recordType(secondary);
    const v = await checkServiceDns(point(), after, fqdn, secondary, [primary, secondary], 1);
    await ctx.annotate(v.message, 'fault message');
    expect(v.ok).toBe(false);
    expect(v.message).toContain(`Service ${ns.name}/${name} ${type} ${fqdn} [${secondary}]`);
    expect(v.message).toContain(`expected ${type} answers = the Service's ${secondary} ClusterIP`);
    expect(v.message).toContain('ipFamilyPolicy SingleStack');
    expect(v.message).toMatch(new RegExp(`DNS: NOERROR, (no ${type} answers|${type} \\{[^}]+\\} \\(TTL \\d+s\\))`));
  });
});
