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
import { afterAll, beforeAll, describe } from 'vitest';
import { describeTimeline, ingressPoints, lbCaseSkipReason, lbMatrix } from '../../lib/checks/loadbalancer.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { check, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { deleteServices } from '../../lib/k8s/services.ts';
import { fleet, fleetPodSelector, type Fleet } from '../../lib/probes/fleet.ts';
import { report } from '../nodeport/common.ts';
import { ingressAllocation, lbServiceName } from './scenarios.ts';

let h: Harness;
/** The Services are made in the fleet's namespace over its first pod: allocation needs no pod of this file's. */
let probes: Fleet;
const made: string[] = [];

beforeAll(async () => {
  h = await harness();
  probes = await fleet(h.kc, h.env.runId);
}, 300_000);

afterAll(async () => {
  if (probes) await deleteServices(h.kc, probes.namespace, made);
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
      made.push(lbServiceName(c));
      const { verdict, timeline: t, families } = await ingressAllocation(h, probes.namespace, c, fleetPodSelector(probes.pods[0]!));
      await report(ctx, 'time to first ingress', `${c.label}: ${describeTimeline(t, families)}`, {
        service: `${probes.namespace}/${lbServiceName(c)}`,
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
