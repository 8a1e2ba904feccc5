/**
 * The nodeport suite's own pods, declared for the run's start (lib/probes/plans.ts): the
 * e2e globalSetup creates them beside the probe fleet, the file waits for them.
 */
import type { IPFamily } from '../../lib/net/family.ts';
import type { PodPlan } from '../../lib/probes/plans.ts';
import { SERVER, serviceManifest, type ServiceShape } from './common.ts';

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
  // The Service comes up with the pods: the file only reads it.
  objects: ({ families, namespace }) => [serviceManifest(namespace, addressPreferenceService(families))],
};

/** address-preference.test.ts's NodePort Service over its echo pods. */
export function addressPreferenceService(families: readonly IPFamily[]): ServiceShape {
  return { name: 'np', type: 'NodePort', selector: SERVER, families };
}

/** The every-backend fault's two backends, on two workers behind `np-spread`. */
export const SPREAD = { 'v6e2e.io/role': 'spread' };

/** faults.test.ts: the NodePort backend, the every-backend fault's two backends, and its client. */
export const NODEPORT_FAULTS_PODS: PodPlan = {
  label: 'nodeport-faults',
  suite: 'nodeport',
  selfTestOnly: true,
  pods: ({ workers, tail }) => [
    { name: `server-0-${tail}`, node: workers[0], labels: SERVER },
    { name: `spread-0-${tail}`, node: workers[0], labels: SPREAD },
    { name: `spread-1-${tail}`, node: workers[1] ?? workers[0], labels: SPREAD },
    // The faults drop by NodePort or by a backend's IP, never the client's: it may take the shell (lib/k8s/pod-shell.ts).
    { name: `client-${tail}`, node: workers[0], shell: true },
  ],
};
