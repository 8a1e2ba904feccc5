/**
 * What an existing cluster runs, for the report's environment: the CNI (from
 * well-known DaemonSet names) and kube-proxy's mode (from its ConfigMap). Lab
 * clusters need none of this (lib/report/environment.ts knows them).
 */
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

const CNI_DAEMONSETS: [RegExp, string][] = [
  [/^kindnet/, 'kindnet'],
  [/^cilium$/, 'cilium'],
  [/^calico-node$/, 'calico'],
  [/^canal$/, 'canal'],
  [/flannel/, 'flannel'],
  [/^weave-net$/, 'weave'],
  [/^antrea-agent$/, 'antrea'],
  [/^kube-router$/, 'kube-router'],
  [/^aws-node$/, 'aws-vpc-cni'],
  [/^azure-cni/, 'azure-cni'],
  [/^kube-ovn-cni$/, 'kube-ovn'],
];

async function within<T>(ms: number, p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } catch {
    // Report facts only (environment.properties): one the API will not give stays unset; no check depends on it.
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Best effort, bounded (a few seconds): the CNI from well-known DaemonSet names
 * and kube-proxy's mode from its ConfigMap (`""` means iptables on Linux).
 * Unknown stays unset; never throws.
 */
export async function detectClusterEnvironment(kc: KubeConfig, timeoutMs = 5_000): Promise<{ cni?: string; kubeProxyMode?: string }> {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const [dss, cm] = await Promise.all([
    within(timeoutMs, apps.listDaemonSetForAllNamespaces({ limit: 200 })),
    within(timeoutMs, core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'kube-proxy' })),
  ]);
  const out: { cni?: string; kubeProxyMode?: string } = {};
  const names = (dss?.items ?? []).map((d) => d.metadata?.name ?? '');
  const cnis = [...new Set(names.flatMap((n) => CNI_DAEMONSETS.filter(([re]) => re.test(n)).map(([, c]) => c)))];
  if (cnis.length > 0) out.cni = cnis.join(', ');
  const conf = cm?.data?.['config.conf'];
  if (conf !== undefined) {
    const mode = /^mode:\s*["']?([A-Za-z]*)["']?\s*$/m.exec(conf)?.[1];
    out.kubeProxyMode = mode ? mode : 'iptables (default)';
  } else if (dss && !names.includes('kube-proxy')) {
    out.kubeProxyMode = 'none (no kube-proxy DaemonSet)';
  }
  return out;
}
