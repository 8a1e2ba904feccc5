/**
 * The services suite's own pods, declared for the run's start (lib/probes/plans.ts): the e2e
 * globalSetup creates them beside the probe fleet, the files make their Services while the
 * pods finish. Their clients are the run's probe fleet.
 */
import type { IPFamily } from '../../lib/net/family.ts';
import type { PodPlan } from '../../lib/probes/plans.ts';
import { twoWorkers, type ProbePodSpec } from '../../lib/probes/pods.ts';
import { ROLE_LABEL } from './common.ts';
import { HAIRPIN } from './edge-common.ts';

export const AFFINITY_BACKEND = { [ROLE_LABEL]: 'affinity-backend' };

/** affinity.test.ts: four backends over the first two workers (its client is the fleet's pod on the first). */
export const AFFINITY_PODS: PodPlan = {
  label: 'services',
  suite: 'services',
  selfTestOnly: false,
  pods: ({ workers }) => {
    const [w0, w1] = twoWorkers(workers);
    return [w0, w1, w0, w1].map((node, i) => ({ name: `backend-${i}`, node, labels: AFFINITY_BACKEND }));
  },
};

export const fam = (f: IPFamily): string => f.toLowerCase();
export const churnLabel = (f: IPFamily): Record<string, string> => ({ 'v6e2e.io/churn': fam(f) });
export const udpLabel = (f: IPFamily): Record<string, string> => ({ 'v6e2e.io/udp': fam(f) });

/**
 * churn.test.ts, per family: the victim beside the client (the fleet's pod on the first worker),
 * the survivor on the other (traffic has to cross nodes to move), and the UDP server to replace.
 */
export const CHURN_PODS: PodPlan = {
  label: 'services-churn',
  suite: 'services',
  selfTestOnly: false,
  pods: ({ workers, families }) => {
    const [n0, n1] = twoWorkers(workers);
    return families.flatMap((f): ProbePodSpec[] => [
      { name: `victim-${fam(f)}`, node: n0, labels: churnLabel(f) },
      { name: `survivor-${fam(f)}`, node: n1, labels: churnLabel(f) },
      { name: `udp-${fam(f)}`, node: n0, labels: udpLabel(f) },
    ]);
  },
};

/** hairpin.test.ts: the pod that reaches itself through its Service, on the first worker. */
export const HAIRPIN_PODS: PodPlan = {
  label: 'services-hairpin',
  suite: 'services',
  selfTestOnly: false,
  pods: ({ workers }) => [{ name: 'hairpin', node: workers[0]!, labels: HAIRPIN }],
};

/**
 * faults.test.ts: its own client (its faults drop on its pods' IPs), four affinity backends,
 * and per family the stale-slice endpoints (no labels: the EndpointSlice names them by IP)
 * and the UDP server the replacement fault replaces.
 */
export const SERVICES_FAULTS_PODS: PodPlan = {
  label: 'services-faults',
  suite: 'services',
  selfTestOnly: true,
  pods: ({ workers, families }) => {
    const [n0, n1] = twoWorkers(workers);
    return [
      // Its one packet fault drops datagrams to a UDP server: the client may take the shell (lib/k8s/pod-shell.ts).
      { name: 'client', node: n0, shell: true },
      ...[n0, n1, n0, n1].map((node, i) => ({ name: `backend-${i}`, node, labels: AFFINITY_BACKEND })),
      ...families.flatMap((f): ProbePodSpec[] => [
        { name: `stale-victim-${fam(f)}`, node: n0 },
        { name: `stale-survivor-${fam(f)}`, node: n1 },
        { name: `udp-${fam(f)}`, node: n0, labels: udpLabel(f) },
      ]),
    ];
  },
};

/** edge-faults.test.ts: the pod that reaches itself through its Service, and a client, on the first worker. */
export const EDGE_FAULTS_PODS: PodPlan = {
  label: 'services-edge-faults',
  suite: 'services',
  selfTestOnly: true,
  pods: ({ workers }) => [
    // Its fault drops only packets from its IP to its IP, which the API server's path never carries: it may take the shell (lib/k8s/pod-shell.ts).
    { name: 'hairpin', node: workers[0]!, labels: HAIRPIN, shell: true },
    // Its faults drop its own packets to the Services: exec.
    { name: 'client', node: workers[0]! },
  ],
};
