/**
 * LoadBalancer address allocation for every ipFamilyPolicy × family order: the API
 * gives the Service the families the policy implies, and status.loadBalancer.ingress
 * holds exactly one IP of each of them (ipMode VIP/Proxy when set). The time from the
 * create call to each family's first ingress address is measured and reported (test
 * annotation, Allure attachment, and in the check's message).
 *
 * When a family stays pending, the message adds what the MetalLB pools explain
 * (MetalLB takes all of a Service's addresses from one IPAddressPool).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeTimeline, ingressPoints, lbCaseSkipReason, lbMatrix } from '../../lib/checks/loadbalancer.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { check, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { startProbePods, workerNodes } from '../../lib/probes/pods.ts';
import { report, SERVER, suiteNamespace, tailOf } from '../nodeport/common.ts';
import { ingressAllocation, lbServiceName } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let servers: V1Pod[] = [];

beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h, 'loadbalancer');
  const workers = await workerNodes(h.kc);
  const tail = tailOf(ns);
  servers = await startProbePods(h.kc, ns.name, [{ name: `server-0-${tail}`, node: workers[0], labels: SERVER }], 180_000);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('LoadBalancer ingress per ipFamilyPolicy × family order', () => {
  for (const c of lbMatrix()) {
    check({
      id: `loadbalancer/loadbalancer-ingress-per-ipfamilypolicy-family-order/${idFamily(c.tag)}-loadbalancer-${c.key}-ingress-ips-have-exactly-the-service-s-ipfamilies-time-to-first-ingress-per-family`,
      family: c.tag,
      title: `[${c.tag}] LoadBalancer ${c.label}: ingress IPs have exactly the Service’s ipFamilies; time to first ingress per family`,
    }, async (ctx) => {
      const why = lbCaseSkipReason(c, h.families.families, h.families.stack);
      if (why) ctx.skip(why);
      if (servers.length === 0) ctx.skip('no backend pod');
      const { verdict, timeline: t, families } = await ingressAllocation(h, ns.name, c);
      await report(ctx, 'time to first ingress', `${c.label}: ${describeTimeline(t, families)}`, {
        service: `${ns.name}/${lbServiceName(c)}`,
        policy: c.policy,
        ipFamilies: families,
        firstIngressMs: t.firstSeenMs,
        resolutionMs: t.intervalMs,
        waitedMs: t.waitedMs,
        ingress: ingressPoints(t.service),
      });
      assertOk(verdict);
    });
  }
});
