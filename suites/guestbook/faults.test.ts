/**
 * Guestbook fault: the leader variant bound to 0.0.0.0 only (fixtures/guestbook/faults/).
 * The IPv6 check's own scenario must fail naming redis-leader and the address it listens
 * on; where the cluster has IPv4, the IPv4 check of the same deployment passes (the
 * fault is the family).
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { GuestbookEnv } from '../../lib/checks/guestbook.ts';
import { check } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { expectFault, expectNoFault } from '../../lib/harness/fault.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { plannedPods } from '../../lib/probes/plans.ts';
import { guestbookReady, skipWithoutFamily } from './common.ts';
import { GUESTBOOK_FAULTS } from './plans.ts';
import { componentsAnswer, entryRoundTrip } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let env: GuestbookEnv | undefined;

beforeAll(async () => {
  h = await harness();
  // Only worth deploying where the fault can show.
  if (!h.has('IPv6')) return;
  const planned = await plannedPods(h, GUESTBOOK_FAULTS);
  ns = planned.ns;
  env = await guestbookReady(h, planned);
}, 420_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('guestbook faults', () => {
  check({
    id: 'guestbook/guestbook-faults/fault-ipv6-redis-leader-bound-to-0-0-0-0-only-the-ipv6-check-names-redis-leader-and-0-0-0-0-6379',
    family: 'IPv6',
    kind: 'fault',
    title: 'fault: [IPv6] redis-leader bound to 0.0.0.0 only: the IPv6 check names redis-leader and 0.0.0.0:6379',
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const v = await componentsAnswer(env!, 'IPv6');
    await ctx.annotate(v.message, 'fault message');
    const listening = expectFault(v, {
      object: `redis-leader (Deployment ${env!.ns}/redis-leader)`,
      family: 'IPv6',
      expected: ['every pod listening on port 6379 for IPv6'],
      seen: [`pod ${env!.ns}/redis-leader-`, 'listening on 0.0.0.0:6379 (redis bind "0.0.0.0")'],
    });
    // The pod is named with its node.
    expect(listening.seen).toMatch(/pod \S+\/redis-leader-\S+ on \S+ listening on 0\.0\.0\.0:6379/);
    expectFault(v, {
      object: /^redis-leader via Service \S+\/redis-leader \[[0-9a-f:]+\]:6379 from pod \S+ on \S+$/,
      family: 'IPv6',
      expected: ['PING → PONG'],
      seen: ['connection refused'],
    });
    // Nothing else is wrong: the frontend and followers listen for IPv6.
    const objects = v.failures.map((f) => f.object);
    expect(objects).not.toContain(`frontend (Deployment ${env!.ns}/frontend)`);
    expect(objects).not.toContain(`redis-follower (Deployment ${env!.ns}/redis-follower)`);

    if (!h.has('IPv4')) {
      // IPv6-only: the frontend reaches the leader only over IPv6, so writes fail too, saying where the leader listens.
      const w = await entryRoundTrip(env!, 'IPv6');
      await ctx.annotate(w.message, 'fault message');
      expectFault(w, { object: /^frontend write via Service /, family: 'IPv6', expected: ['SET accepted by redis-leader'], seen: ['redis-leader: ', '0.0.0.0:6379'] });
    }
  });

  check({
    id: 'guestbook/guestbook-faults/fault-ipv4-the-ipv4-only-leader-still-passes-the-ipv4-check-the-fault-is-family-specific',
    family: 'IPv4',
    kind: 'fault',
    title: 'fault: [IPv4] the IPv4-only leader still passes the IPv4 check (the fault is family-specific)',
  }, async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv4');
    if (!env) ctx.skip('fault deployment needs IPv6');
    expectNoFault(await componentsAnswer(env!, 'IPv4'));
  });
});
