/**
 * The host-network suite's own pods, declared for the run's start (lib/probes/plans.ts): the
 * e2e globalSetup creates them beside the probe fleet, the files wait for them.
 */
import type { PodPlan } from '../../lib/probes/plans.ts';
import { NETEXEC_HTTP_PORT, twoWorkers } from '../../lib/probes/pods.ts';
import { FAULT_CLIENT_HTTP_PORT, FAULT_CLIENT_UDP_PORT, FAULT_EP_HTTP_PORT, FAULT_EP_UDP_PORT, FAULT_HOSTPORT, hostNetworkEndpoint, HOSTPORT, ROLE_LABEL } from './common.ts';

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

/**
 * faults.test.ts: its own clients and servers (its drops match their IPs and ports): a
 * hostNetwork client and a pod client on w0; on w1 the NodePort Service's backend, the
 * hostNetwork endpoint, a pod beside the hostPort pod, and the hostPort pod.
 */
export const HOST_NETWORK_FAULTS_PODS: PodPlan = {
  label: 'host-network-faults',
  suite: 'host-network',
  selfTestOnly: true,
  pods: ({ workers }) => {
    const [w0, w1] = twoWorkers(workers);
    return [
      // The faults drop packets to backend, client, hostep's and hostport's ports, and ICMP from client: hclient and near may take the shell (lib/k8s/pod-shell.ts).
      { ...hostNetworkEndpoint('hclient', w0, FAULT_CLIENT_HTTP_PORT, FAULT_CLIENT_UDP_PORT, {}), shell: true },
      { name: 'backend', node: w1, labels: { [ROLE_LABEL]: 'backend' } },
      hostNetworkEndpoint('hostep', w1, FAULT_EP_HTTP_PORT, FAULT_EP_UDP_PORT, { [ROLE_LABEL]: 'hostep' }),
      { name: 'client', node: w0 },
      { name: 'near', node: w1, shell: true },
      { name: 'hostport', node: w1, ports: [{ containerPort: NETEXEC_HTTP_PORT, hostPort: FAULT_HOSTPORT, protocol: 'TCP' }] },
    ];
  },
};
