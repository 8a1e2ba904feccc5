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
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  checkIngressFamilies,
  describeTimeline,
  expectedFamilies,
  ingressPoints,
  lbCaseSkipReason,
  lbMatrix,
  poolHint,
  watchIngress,
  type LbCase,
  type PoolInfo,
} from '../../lib/checks/loadbalancer.ts';
import { all, assertOk, verdict } from '../../lib/checks/verdict.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import { startProbePods, workerNodes } from '../../lib/probes/pods.ts';
import { createService, listPools, report, SERVER, suiteNamespace, tailOf } from '../nodeport/common.ts';

/** How long a family may stay pending before the check calls it. MetalLB normally allocates in about a second. */
const INGRESS_TIMEOUT_MS = 20_000;

let h: Harness;
let ns: TestNamespace;
let servers: V1Pod[] = [];
let pools: PoolInfo[] = [];


beforeAll(async () => {
  h = await harness();
  ns = await suiteNamespace(h, 'loadbalancer');
  const workers = await workerNodes(h.kc);
  const tail = tailOf(ns);
  servers = await startProbePods(h.kc, ns.name, [{ name: `server-0-${tail}`, node: workers[0], labels: SERVER }], 180_000);
  pools = await listPools(h.kc);
}, 300_000);

afterAll(async () => {
  await ns?.cleanup();
});

const serviceName = (c: LbCase) => `lb-${c.label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

describe('LoadBalancer ingress per ipFamilyPolicy × family order', () => {
  test.for(lbMatrix().map((c) => [c.tag, c.label, c] as const))('[%s] LoadBalancer %s: ingress IPs have exactly the Service’s ipFamilies; time to first ingress per family', async ([, , c], ctx) => {
    const why = lbCaseSkipReason(c, h.families.families, h.families.stack);
    if (why) ctx.skip(why);
    if (servers.length === 0) ctx.skip('no backend pod');
    const name = serviceName(c);
    const startedAt = Date.now();
    const svc = await createService(h.kc, ns.name, { name, type: 'LoadBalancer', selector: SERVER, families: c.request, policy: c.policy });
    const want = expectedFamilies(c, h.families.families);
    const got = (svc.spec?.ipFamilies ?? []) as IPFamily[];
    const specOk = verdict(got.join(',') === want.join(','), {
      object: `Service ${ns.name}/${name} (ipFamilyPolicy ${c.policy}, asked for [${c.request.join(', ')}])`,
      family: c.tag,
      expected: `spec.ipFamilies [${want.join(', ')}] on a ${h.families.stack} cluster`,
      seen: `spec.ipFamilies [${got.join(', ')}]`,
    });
    const t = await watchIngress(h.kc, ns.name, name, { startedAt, families: got, timeoutMs: INGRESS_TIMEOUT_MS });
    const ingress = checkIngressFamilies(t, poolHint(pools, got));
    await report(ctx, 'time to first ingress', `${c.label}: ${describeTimeline(t, got)}`, {
      service: `${ns.name}/${name}`,
      policy: c.policy,
      ipFamilies: got,
      firstIngressMs: t.firstSeenMs,
      resolutionMs: t.intervalMs,
      waitedMs: t.waitedMs,
      ingress: ingressPoints(t.service),
    });
    assertOk(all([specOk, ingress], `${ns.name}/${name}`, c.tag));
  });
});
