/**
 * The guestbook suite's workloads, declared for the run's start (lib/probes/plans.ts): the
 * app's Deployments and Services and the redis-cli pod, applied beside the probe fleet
 * while the workers load; the files wait for the rollouts.
 */
import type { PodPlan } from '../../lib/probes/plans.ts';
import { guestbookObjects, REDIS_CLIENT } from './common.ts';

/** guestbook.test.ts: the app as the fixtures have it. */
export const GUESTBOOK: PodPlan = {
  label: 'guestbook',
  suite: 'guestbook',
  selfTestOnly: false,
  pods: () => [REDIS_CLIENT],
  objects: () => guestbookObjects(),
};

/** faults.test.ts: the leader bound to 0.0.0.0; only worth deploying where the fault can show (IPv6). */
export const GUESTBOOK_FAULTS: PodPlan = {
  label: 'guestbook-faults',
  suite: 'guestbook',
  selfTestOnly: true,
  pods: ({ families }) => (families.includes('IPv6') ? [REDIS_CLIENT] : []),
  objects: ({ families }) => (families.includes('IPv6') ? guestbookObjects('ipv4-only-leader') : []),
};
