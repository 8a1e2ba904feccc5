/**
 * Cluster DNS records per family, asked from a pod on another node than the records'
 * pod: a named port's SRV record, pod records, hostname/subdomain records under a
 * headless Service, the kubelet-managed /etc/hosts, and partial names through the
 * search path.
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { clusterDomain } from '../../lib/probes/dns.ts';
import { plannedPods } from '../../lib/probes/plans.ts';
import { expectOk, FAMILIES, recordServices, skipWithoutFamily, SRV_PORT } from './common.ts';
import { RECORDS_PODS } from './plans.ts';
import { hostnameRecord, hostsFile, podRecord, searchPath, srvRecord } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let client: V1Pod;
/** spec.hostname `web`, spec.subdomain `sub`: selected by both Services. */
let web: V1Pod;
let echo: V1Service;
let sub: V1Service;
let domain: string;

beforeAll(async () => {
  h = await harness();
  const planned = await plannedPods(h, RECORDS_PODS);
  ns = planned.ns;
  [client, web] = [planned.pod('client'), planned.pod('web-pod')];
  // The plan made the Services with the pods: read them once they have endpoints.
  const ready = async (name: string) => {
    await waitForEndpoints(h.kc, ns.name, name, h.families.families, 1);
    return h.api.core.readNamespacedService({ name, namespace: ns.name });
  };
  const shapes = recordServices(h.families.families);
  [domain, echo, sub] = await Promise.all([clusterDomain(h.kc, ns.name, 'client'), ready(shapes.echo.name), ready(shapes.sub.name)]);
}, 240_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('SRV records', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `dns/srv/${idFamily(f)}-named-port-srv-names-the-service-and-port-and-its-target-answers-that-family`, family: f, title: `[${f}] SRV _http._tcp.<svc>: names the Service and port 8080; the target answers its ClusterIP of that family` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await srvRecord(h.kc, client, echo, SRV_PORT, domain, f));
    },
  );
});

describe('pod records', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `dns/pod-records/${idFamily(f)}-dashed-address-name-answers-the-pod-ip-of-that-family`, family: f, title: `[${f}] <dashed-ip>.<ns>.pod.<domain> answers the pod's IP of that family` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await podRecord(h.kc, client, web, domain, f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `dns/pod-records/${idFamily(f)}-hostname-subdomain-name-under-headless-service-answers-the-pod-ip-of-that-family`, family: f, title: `[${f}] <hostname>.<subdomain>.<ns>.svc.<domain> under the headless Service answers the pod's IP of that family` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await hostnameRecord(h.kc, client, web, sub, domain, f));
    },
  );
});

describe('pod resolver', () => {
  checkEach(
    FAMILIES,
    (f) => ({ id: `dns/pod-resolver/${idFamily(f)}-kubelet-managed-etc-hosts-maps-the-pod-ip-of-that-family-to-its-hostname`, family: f, title: `[${f}] kubelet-managed /etc/hosts maps the pod's IP of that family to its hostname` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await hostsFile(h.kc, [client, web], f));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({ id: `dns/pod-resolver/${idFamily(f)}-partial-service-names-resolve-through-the-search-path`, family: f, title: `[${f}] partial names <svc> and <svc>.<ns> resolve through the search path to the ClusterIP of that family` }),
    async (f, ctx) => {
      skipWithoutFamily(ctx, h, f);
      await expectOk(ctx, await searchPath(h.kc, client, echo, f));
    },
  );
});
