/**
 * The mtu suite's own pods, declared for the run's start (lib/probes/plans.ts): the e2e
 * globalSetup creates them beside the probe fleet, the file waits for them.
 */
import type { PodPlan } from '../../lib/probes/plans.ts';
import { nodePairs } from '../../lib/probes/pods.ts';
import { SERVER } from './common.ts';

/** faults.test.ts: a client and a server on two workers (its faults drop the client's packets on the server's node). */
export const MTU_FAULTS_PODS: PodPlan = {
  label: 'mtu-faults',
  suite: 'mtu',
  selfTestOnly: true,
  pods: ({ workers }) => {
    const [pair] = nodePairs(workers, 2);
    return [
      { name: 'client', node: pair!.from },
      { name: 'server', node: pair!.to, labels: SERVER },
    ];
  },
};
