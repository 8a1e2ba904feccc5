/**
 * Waiting for Deployments to roll out, and finding their pods.
 */
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Deployment, type V1Pod, type V1PodTemplateSpec } from '@kubernetes/client-node';
import { updateOnConflict } from './client.ts';
import { waitFor } from './wait.ts';

/** True when the latest spec is observed and every replica is updated, ready and available, with no old ones left. */
export function deploymentRolledOut(d: V1Deployment): boolean {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    (s.updatedReplicas ?? 0) === want &&
    (s.readyReplicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want
  );
}

export async function waitForDeployment(kc: KubeConfig, ns: string, name: string, timeoutMs = 180_000): Promise<V1Deployment> {
  const apps = kc.makeApiClient(AppsV1Api);
  return waitFor(`Deployment ${ns}/${name} rolled out`, () => apps.readNamespacedDeployment({ name, namespace: ns }), {
    timeoutMs,
    intervalMs: 1_000,
    until: deploymentRolledOut,
    describe: (d) => {
      const s = d.status ?? {};
      return `replicas ${s.replicas ?? 0}, updated ${s.updatedReplicas ?? 0}, ready ${s.readyReplicas ?? 0}, available ${s.availableReplicas ?? 0} of ${d.spec?.replicas ?? 1}`;
    },
  });
}

/**
 * `kubectl rollout restart` equivalent: applies `change` to the pod template and stamps
 * it, then waits until every replica is a new one and no old one is left terminating. A
 * terminating pod may still answer (CoreDNS's lameduck serves a few seconds more) to a
 * node whose kube-proxy has not dropped it yet: a probe right after the rollout saw the
 * old Corefile's answers.
 */
export async function restartDeployment(
  kc: KubeConfig,
  ns: string,
  name: string,
  change: (template: V1PodTemplateSpec) => void = () => undefined,
): Promise<V1Deployment> {
  const apps = kc.makeApiClient(AppsV1Api);
  await updateOnConflict(
    () => apps.readNamespacedDeployment({ name, namespace: ns }),
    (d) => {
      const tpl = d.spec!.template;
      change(tpl);
      tpl.metadata = { ...(tpl.metadata ?? {}), annotations: { ...(tpl.metadata?.annotations ?? {}), 'v6e2e.io/restartedAt': new Date().toISOString() } };
    },
    (d) => apps.replaceNamespacedDeployment({ name, namespace: ns, body: d }),
  );
  const d = await waitForDeployment(kc, ns, name);
  await waitNoneTerminating(kc, ns, d.spec?.selector?.matchLabels ?? {}, `Deployment ${ns}/${name}'s replaced pods`);
  return d;
}

/** Waits until no pod matching the labels is terminating (the pod objects are gone). */
export async function waitNoneTerminating(kc: KubeConfig, ns: string, labels: Record<string, string>, what: string, timeoutMs = 90_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(`${what} gone`, () => core.listNamespacedPod({ namespace: ns, labelSelector: selectorOf(labels) }), {
    timeoutMs,
    intervalMs: 1_000,
    until: (l) => terminating(l.items).length === 0,
    describe: (l) => `still terminating: ${terminating(l.items).join(', ')}`,
  });
}

/** Names of the pods being deleted (a deletionTimestamp, still there). */
export function terminating(pods: readonly V1Pod[]): string[] {
  return pods.filter((p) => p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '?');
}

function selectorOf(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Running, not-terminating pods matching the labels, by name. */
export async function podsMatching(kc: KubeConfig, ns: string, labels: Record<string, string>): Promise<V1Pod[]> {
  const list = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns, labelSelector: selectorOf(labels) });
  return list.items
    .filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}
