/**
 * The nodeport suite's own pods, declared for the run's start (lib/probes/plans.ts): the
 * e2e globalSetup creates them beside the probe fleet, the file waits for them.
 */
import type { PodPlan } from '../../lib/probes/plans.ts';
import { SERVER } from './common.ts';

/**
 * address-preference.test.ts, on every node (the control plane too: its address order counts):
 * a netexec pod reading its hostIP(s) through the downward API (Service backend, and the client
 * that dials its own node), and a hostNetwork pod whose podIPs are the node's.
 */
export const ADDRESS_PREFERENCE_PODS: PodPlan = {
  label: 'nodeport',
  suite: 'nodeport',
  selfTestOnly: false,
  pods: ({ nodes, tail }) => [
    ...nodes.map((node, i) => ({
      name: `echo-${i}-${tail}`,
      node,
      labels: SERVER,
      env: [
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'HOST_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } },
      ],
    })),
    ...nodes.map((node, i) => ({ name: `hostnet-${i}-${tail}`, node, hostNetwork: true, args: ['pause'] })),
  ],
};
