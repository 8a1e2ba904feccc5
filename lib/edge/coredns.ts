import type { KubeConfig } from '@kubernetes/client-node';
import { clients } from '../k8s/client.ts';
import { waitFor } from '../k8s/wait.ts';
import { hostPort } from '../net/family.ts';
import type { Pref64 } from '../net/rfc6052.ts';
import type { Dns64Mode } from './dns.ts';

export interface CorefileOptions {
  /** The lab's upstream resolver (an address the pods' CoreDNS can reach). */
  upstream: string;
  mode: Dns64Mode;
  pref64: Pref64;
  /** Whether CoreDNS' dns64 also answers queries that arrive over IPv4 (plugin option allow_ipv4). */
  allowIPv4?: boolean;
}

/**
 * Cluster names are served by a server block of their own, without dns64, so a
 * Service with only an A record is never given a synthesized AAAA. Everything
 * else goes to the lab's upstream, never to the node's resolv.conf (the
 * Internet is out of bounds and IPv6-only pods could not reach Docker's
 * IPv4 resolver anyway).
 */
export function renderCorefile(o: CorefileOptions): string {
  const dns64 =
    o.mode === 'coredns'
      ? ['    dns64 {', `        prefix ${o.pref64.cidr}`, ...(o.allowIPv4 ? ['        allow_ipv4'] : []), '    }']
      : [];
  return [
    'cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {',
    '    errors',
    '    kubernetes cluster.local in-addr.arpa ip6.arpa {',
    '        pods insecure',
    '        fallthrough in-addr.arpa ip6.arpa',
    '        ttl 30',
    '    }',
    '    cache 30',
    '    loadbalance',
    '}',
    '.:53 {',
    '    errors',
    '    health {',
    '        lameduck 5s',
    '    }',
    '    ready',
    '    prometheus :9153',
    ...dns64,
    `    forward . ${hostPort(o.upstream, 53)}`,
    '    cache 5',
    '    loop',
    '    reload',
    '    loadbalance',
    '}',
    '',
  ].join('\n');
}

/** Replaces kube-system/coredns' Corefile and restarts CoreDNS, waiting for the rollout. */
export async function applyCorefile(kc: KubeConfig, corefile: string): Promise<void> {
  const { core } = clients(kc);
  const cm = await core.readNamespacedConfigMap({ name: 'coredns', namespace: 'kube-system' });
  if (cm.data?.Corefile === corefile) return;
  cm.data = { ...(cm.data ?? {}), Corefile: corefile };
  await core.replaceNamespacedConfigMap({ name: 'coredns', namespace: 'kube-system', body: cm });
  await restartDeployment(kc, 'kube-system', 'coredns');
}

export async function readCorefile(kc: KubeConfig): Promise<string> {
  const cm = await clients(kc).core.readNamespacedConfigMap({ name: 'coredns', namespace: 'kube-system' });
  return cm.data?.Corefile ?? '';
}

/** `kubectl rollout restart` equivalent, then waits until every replica is updated and available. */
export async function restartDeployment(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  const { apps } = clients(kc);
  const d = await apps.readNamespacedDeployment({ name, namespace });
  const tpl = d.spec!.template;
  tpl.metadata = { ...(tpl.metadata ?? {}), annotations: { ...(tpl.metadata?.annotations ?? {}), 'v6e2e.io/restartedAt': new Date().toISOString() } };
  const updated = await apps.replaceNamespacedDeployment({ name, namespace, body: d });
  const generation = updated.metadata?.generation ?? 0;
  await waitFor(
    `deployment ${namespace}/${name} rolled out`,
    async () => {
      const s = await apps.readNamespacedDeployment({ name, namespace });
      const want = s.spec?.replicas ?? 1;
      const st = s.status ?? {};
      return (st.observedGeneration ?? 0) >= generation && st.updatedReplicas === want && st.availableReplicas === want && (st.replicas ?? 0) === want
        ? s
        : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
}
