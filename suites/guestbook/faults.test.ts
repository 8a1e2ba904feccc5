/**
 * Guestbook fault: the leader variant bound to 0.0.0.0 only (fixtures/guestbook/faults/).
 * The IPv6 check must fail naming redis-leader and the address it listens on; where the
 * cluster has IPv4, the IPv4 check of the same deployment passes (the fault is the family).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkComponents, checkWriteRead, type GuestbookEnv } from '../../lib/checks/guestbook.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { createNamespace, type TestNamespace } from '../../lib/k8s/apply.ts';
import { deployGuestbook, skipWithoutFamily } from './common.ts';

let h: Harness;
let ns: TestNamespace;
let env: GuestbookEnv | undefined;

beforeAll(async () => {
  h = await harness();
  // Only worth deploying where the fault can show.
  if (!h.has('IPv6')) return;
  ns = await createNamespace(h.kc, { suite: 'guestbook-faults', runId: h.env.runId });
  env = await deployGuestbook(h, ns.name, 'ipv4-only-leader');
}, 420_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('guestbook faults', () => {
  test('fault: [IPv6] redis-leader bound to 0.0.0.0 only: the IPv6 check names redis-leader and 0.0.0.0:6379', async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const v = await checkComponents(env!, 'IPv6');
    await ctx.annotate(v.message, 'fault message');
    expect(v.ok).toBe(false);
    expect(v.message).toContain('redis-leader (Deployment');
    expect(v.message).toContain('[IPv6]');
    expect(v.message).toMatch(/pod \S+\/redis-leader-\S+ on \S+ listening on 0\.0\.0\.0:6379 \(redis bind "0\.0\.0\.0"\)/);
    expect(v.message).toMatch(/redis-leader via Service \S+\/redis-leader \[[0-9a-f:]+\]:6379 from pod \S+ on \S+ \[IPv6\]: expected PING → PONG, saw connection refused/);
    // Nothing else is wrong: the frontend and followers pass the same IPv6 check.
    expect(v.message).not.toContain('frontend (Deployment');
    expect(v.message).not.toContain('redis-follower (Deployment');

    if (!h.has('IPv4')) {
      // IPv6-only: the frontend reaches the leader only over IPv6, so writes fail too, saying where the leader listens.
      const w = await checkWriteRead(env!, 'IPv6');
      await ctx.annotate(w.message, 'fault message');
      expect(w.ok).toBe(false);
      expect(w.message).toContain('0.0.0.0:6379');
    }
  });

  test('fault: [IPv4] the IPv4-only leader still passes the IPv4 check (the fault is family-specific)', async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv4');
    if (!env) ctx.skip('fault deployment needs IPv6');
    const v = await checkComponents(env!, 'IPv4');
    expect(v.message).toMatch(/sub-checks pass/);
    expect(v.ok).toBe(true);
  });
});
