/**
 * The host-network suite's own pods, declared for the run's start (lib/probes/plans.ts): the
 * e2e globalSetup creates them beside the probe fleet, the files wait for them.
 */
import type { PodPlan } from '../../lib/probes/plans.ts';
import { NETEXEC_HTTP_PORT } from '../../lib/probes/pods.ts';
import { HOSTPORT } from './common.ts';

/** The node pod-to-host.test.ts publishes its hostPort on: the second worker (the first when alone). */
export function hostPortNode(workers: readonly string[]): string {
  return workers[1] ?? workers[0]!;
}

/** pod-to-host.test.ts: netexec's 8080 published as hostPort HOSTPORT (its clients are the fleet's pods). */
export const POD_TO_HOST_PODS: PodPlan = {
  label: 'host-network',
  suite: 'host-network',
  selfTestOnly: false,
  pods: ({ workers }) => [{ name: 'hostport', node: hostPortNode(workers), ports: [{ containerPort: NETEXEC_HTTP_PORT, hostPort: HOSTPORT, protocol: 'TCP' }] }],
};
