/**
 * Fault tests: each creates, in its own namespace, the real misconfiguration a check must
 * catch — a Service port without a name, a pod whose subdomain names no Service, a pod
 * that mounts its own /etc/hosts, a pod whose search list holds no cluster domain, a pod
 * whose resolver is not the cluster DNS — runs the very scenario the check runs, and
 * requires a failure naming the object, the family, what was expected and seen.
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { recordType } from '../../lib/checks/connectivity.ts';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { createService } from '../../lib/k8s/services.ts';
import { clusterDomain } from '../../lib/probes/dns.ts';
import { startPlanned, type PlannedPods } from '../../lib/probes/plans.ts';
import { createServices, FAMILIES, skipWithoutFamily, SRV_PORT, SUBDOMAIN, WEB } from './common.ts';
import { DNS_FAULTS_PODS, UNRELATED_SEARCH } from './plans.ts';
import { hostnameRecord, hostsFile, podRecord, searchPath, srvRecord } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let domain: string;
let planned: PlannedPods;
let echo: V1Service;
let sub: V1Service;
/** `echo`'s twin whose one port has no name: no SRV record can exist for it. */
let unnamed: V1Service;

const pod = (name: string): V1Pod => planned.pod(name);

beforeAll(async () => {
  h = await harness();
  const started = await startPlanned(h, DNS_FAULTS_PODS);
  ns = started.ns;
  // The Services do not need their pods Ready: they are made while the pods start.
  let services: { echo: V1Service; sub: V1Service };
  [planned, services, unnamed] = await Promise.all([
    started.ready(),
    createServices(h.kc, ns.name, h.families.families),
    createService(h.kc, ns.name, { name: 'unnamed', selector: WEB, families: h.families.families, ports: [{ port: SRV_PORT.port, targetPort: SRV_PORT.targetPort, protocol: 'TCP' }] }),
  ]);
  ({ echo, sub } = services);
  [domain] = await Promise.all([
    clusterDomain(h.kc, ns.name, 'client'),
    ...[echo, sub, unnamed].map((svc) => waitForEndpoints(h.kc, ns.name, svc.metadata!.name!, h.families.families, 1)),
  ]);
}, 240_000);

afterAll(async () => {
  await ns?.cleanup();
});

// Concurrent: each misconfiguration was made in beforeAll; the faults only read.
describe.concurrent('dns faults', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `dns/dns-faults/fault-${idFamily(f)}-service-port-without-a-name-the-srv-check-fails-naming-the-service`, family: f, kind: 'fault', title: `fault: [${f}] Service port without a name: the SRV check fails naming the Service` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const v = await srvRecord(h.kc, pod('client'), unnamed, SRV_PORT, domain, f);
      await ctx.annotate(v.message, 'fault message');
      expectFault(v, { object: `Service ${ns.name}/unnamed SRV _http._tcp.unnamed.${ns.name}.svc.${domain}`, family: f, expected: [`→ unnamed.${ns.name}.svc.${domain}:${SRV_PORT.port}`], seen: ['NXDOMAIN, no SRV answers'] });
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `dns/dns-faults/fault-${idFamily(f)}-pod-subdomain-not-matching-the-headless-service-the-hostname-record-is-missing`, family: f, kind: 'fault', title: `fault: [${f}] pod whose subdomain does not match the headless Service: its hostname record is missing` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const v = await hostnameRecord(h.kc, pod('client'), pod('stray'), sub, domain, f);
      await ctx.annotate(v.message, 'fault message');
      const type = recordType(f);
      expectFault(v, { object: new RegExp(`^pod ${ns.name}/stray on .* \\(hostname stray, subdomain elsewhere\\) under headless Service ${ns.name}/${SUBDOMAIN}$`), family: f, expected: [`${type} stray.${SUBDOMAIN}.${ns.name}.svc.${domain} = `], seen: ['NXDOMAIN'] });
      expectNoFault(await hostnameRecord(h.kc, pod('client'), pod('web-pod'), sub, domain, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `dns/dns-faults/fault-${idFamily(f)}-container-mounting-its-own-etc-hosts-the-hosts-check-fails-naming-the-pod`, family: f, kind: 'fault', title: `fault: [${f}] container mounting its own /etc/hosts (kubelet does not manage it): the /etc/hosts check fails naming the pod` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const v = await hostsFile(h.kc, [pod('own-hosts')], f);
      await ctx.annotate(v.message, 'fault message');
      expectFault(v, { object: new RegExp(`^pod ${ns.name}/own-hosts on .* /etc/hosts$`), family: f, expected: [`/etc/hosts maps the pod's ${f} IP`, 'to own-hosts'], seen: ['no line mapping'] });
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `dns/dns-faults/fault-${idFamily(f)}-search-list-without-the-cluster-domains-partial-names-fail`, family: f, kind: 'fault', title: `fault: [${f}] pod whose search list holds only ${UNRELATED_SEARCH} (dnsPolicy None): partial Service names fail` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      const v = await searchPath(h.kc, pod('no-search'), echo, f);
      await ctx.annotate(v.message, 'fault message');
      for (const partial of ['echo', `echo.${ns.name}`]) {
        expectFault(v, { object: new RegExp(`^pod ${ns.name}/no-search on .* partial name "${partial.replace(/\./g, '\\.')}" through its search path → Service ${ns.name}/echo$`), family: f, expected: [`${recordType(f)} ${partial} = `] });
      }
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `dns/dns-faults/fault-${idFamily(f)}-resolver-that-is-not-the-cluster-dns-the-pod-record-is-missing`, family: f, kind: 'fault', title: `fault: [${f}] pod whose resolver is not the cluster DNS (the lab's upstream): the pod record check fails` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      if (!planned.pods.some((p) => p.metadata?.name === 'off-cluster')) ctx.skip('no lab edge: no resolver outside the cluster DNS to point a pod at');
      const v = await podRecord(h.kc, pod('off-cluster'), pod('web-pod'), domain, f);
      await ctx.annotate(v.message, 'fault message');
      expectFault(v, { object: new RegExp(`^pod ${ns.name}/web-pod on .* record .*\\.${ns.name}\\.pod\\.${domain.replace(/\./g, '\\.')} \\(asked from pod ${ns.name}/off-cluster `), family: f, expected: [`${recordType(f)} `] });
      expectNoFault(await podRecord(h.kc, pod('client'), pod('web-pod'), domain, f));
    },
  );
});
