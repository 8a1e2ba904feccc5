/**
 * The loadbalancer suite's own pods, declared for the run's start (lib/probes/plans.ts): the
 * e2e globalSetup creates them beside the probe fleet, the file waits for them.
 */
import type { PodPlan } from '../../lib/probes/plans.ts';
import { SERVER } from '../nodeport/common.ts';

/** The only endpoint of the health-check fault's ETP Local LoadBalancer. */
export const HC = { 'v6e2e.io/role': 'hc' };

/** faults.test.ts: the LoadBalancers' backend and the health-check fault's endpoint, on the first worker. */
export const LOADBALANCER_FAULTS_PODS: PodPlan = {
  label: 'loadbalancer-faults',
  suite: 'loadbalancer',
  selfTestOnly: true,
  pods: ({ workers, tail }) => [
    { name: `server-0-${tail}`, node: workers[0], labels: SERVER },
    { name: `hc-${tail}`, node: workers[0], labels: HC },
  ],
};
