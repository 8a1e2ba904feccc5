/**
 * Guestbook (Redis leader, two followers replicating by Service name, a frontend that
 * writes through the leader and reads from a follower), deployed per run from
 * fixtures/guestbook with ipFamilyPolicy PreferDualStack, checked per family.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import type { GuestbookEnv } from '../../lib/checks/guestbook.ts';
import { assertOk } from '../../lib/checks/verdict.ts';
import { check, checkEach, idFamily } from '../../lib/harness/check.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import type { TestNamespace } from '../../lib/k8s/apply.ts';
import { plannedPods } from '../../lib/probes/plans.ts';
import { guestbookReady, FAMILIES, skipWithoutFamily } from './common.ts';
import { GUESTBOOK } from './plans.ts';
import { componentsAnswer, entryRoundTrip, followersReplicate } from './scenarios.ts';

let h: Harness;
let ns: TestNamespace;
let env: GuestbookEnv;

beforeAll(async () => {
  h = await harness();
  const planned = await plannedPods(h, GUESTBOOK);
  ns = planned.ns;
  env = await guestbookReady(h, planned);
}, 420_000);

afterAll(async () => {
  await ns?.cleanup();
});

describe('guestbook', () => {
  checkEach(
    FAMILIES,
    (f) => ({
      id: `guestbook/guestbook/${idFamily(f)}-every-component-listens-for-the-family-and-answers-on-its-clusterip-of-that-family`,
      family: f,
      title: `[${f}] every component listens for the family and answers on its ClusterIP of that family`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      assertOk(await componentsAnswer(env, family));
    },
  );

  checkEach(
    FAMILIES,
    (f) => ({
      id: `guestbook/guestbook/${idFamily(f)}-entry-written-via-the-frontend-clusterip-reads-back-from-the-followers-clusterip-and-the-frontend`,
      family: f,
      title: `[${f}] entry written via the frontend ClusterIP reads back from the followers ClusterIP and the frontend`,
    }),
    async (family, ctx) => {
      skipWithoutFamily(ctx, h, family);
      assertOk(await entryRoundTrip(env, family));
    },
  );

  check({
    id: 'guestbook/guestbook/followers-replicate-from-redis-leader-by-service-name-master-link-status-up',
    family: 'none',
    title: 'followers replicate from redis-leader by Service name (master_link_status:up)',
  }, async () => {
    assertOk(await followersReplicate(env));
  });
});
