/**
 * The dns suite's own pods, declared for the run's start (lib/probes/plans.ts): the e2e
 * globalSetup creates them beside the probe fleet, the file waits for them.
 */
import type { PodPlan } from '../../lib/probes/plans.ts';
import type { KubernetesObject } from '@kubernetes/client-node';
import { nodePairs, type ProbePodSpec } from '../../lib/probes/pods.ts';
import { serviceManifest } from '../../lib/k8s/services.ts';
import { recordServices, SUBDOMAIN, WEB } from './common.ts';

/** A search domain the lab's resolver serves, so the expanded names never leave the lab. */
export const UNRELATED_SEARCH = 'lab.test';
/** The ConfigMap the own-hosts pod mounts as its /etc/hosts. */
const OWN_HOSTS = 'own-hosts';

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
  // The Services come up with the pods: the file only reads them.
  objects: ({ families, namespace }) => Object.values(recordServices(families)).map((s) => serviceManifest(namespace, s)),
};

/**
 * faults.test.ts: its client, the records' pod, and one pod per misconfiguration: a subdomain
 * naming no Service, its own /etc/hosts (the ConfigMap below), a search list without the
 * cluster domain, and (on a lab cluster) a resolver that is not the cluster DNS.
 */
export const DNS_FAULTS_PODS: PodPlan = {
  label: 'dns-faults',
  suite: 'dns',
  selfTestOnly: true,
  pods: ({ workers, clusterDns, labResolver }) => {
    const [pair] = nodePairs(workers, 2);
    const misconfigured: ProbePodSpec[] = [
      { name: 'client', node: pair!.from },
      { name: 'web-pod', node: pair!.to, labels: WEB, hostname: 'web', subdomain: SUBDOMAIN },
      // Selected by the headless Service, but its subdomain names another Service.
      { name: 'stray', node: pair!.to, labels: WEB, hostname: 'stray', subdomain: 'elsewhere' },
      // A container that mounts /etc/hosts itself: kubelet then leaves the file alone.
      {
        name: 'own-hosts',
        node: pair!.from,
        volumes: [{ name: 'hosts', configMap: { name: OWN_HOSTS } }],
        volumeMounts: [{ name: 'hosts', mountPath: '/etc/hosts', subPath: 'hosts' }],
      },
      // The cluster DNS as resolver, but a search list with no cluster domain in it.
      { name: 'no-search', node: pair!.from, dnsPolicy: 'None', dnsConfig: { nameservers: [...clusterDns], searches: [UNRELATED_SEARCH], options: [{ name: 'ndots', value: '5' }] } },
      // A resolver that is not the cluster DNS (the lab's upstream, which knows no cluster zone).
      ...(labResolver ? [{ name: 'off-cluster', node: pair!.from, dnsPolicy: 'None' as const, dnsConfig: { nameservers: [labResolver] } }] : []),
    ];
    // These faults are objects and resolvers, no packet drops: every pod may take the shell (lib/k8s/pod-shell.ts).
    return misconfigured.map((s) => ({ ...s, shell: true }));
  },
  objects: () => [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: OWN_HOSTS }, data: { hosts: '127.0.0.1\tlocalhost\n' } } as KubernetesObject],
};
