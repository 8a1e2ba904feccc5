/**
 * The dns suite's own pods, declared for the run's start (lib/probes/plans.ts): the e2e
 * globalSetup creates them beside the probe fleet, the file waits for them.
 */
import type { PodPlan } from '../../lib/probes/plans.ts';
import { nodePairs } from '../../lib/probes/pods.ts';
import { SUBDOMAIN, WEB } from './common.ts';

/** records.test.ts: the asking client, and on another node the pod the records name (spec.hostname `web`, spec.subdomain). */
export const RECORDS_PODS: PodPlan = {
  label: 'dns-records',
  suite: 'dns',
  selfTestOnly: false,
  pods: ({ workers }) => {
    const [pair] = nodePairs(workers, 2);
    return [
      { name: 'client', node: pair!.from },
      { name: 'web-pod', node: pair!.to, labels: WEB, hostname: 'web', subdomain: SUBDOMAIN },
    ];
  },
};
