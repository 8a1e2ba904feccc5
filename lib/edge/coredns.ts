import type { KubeConfig } from '@kubernetes/client-node';
import { clients, updateOnConflict } from '../k8s/client.ts';
import { restartDeployment } from '../k8s/rollout.ts';
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
 * Every Corefile change rolls CoreDNS, and a fault test waits for the replaced pods to be
 * gone: kubeadm's 5 s lameduck and 10 s readiness period made each roll ~10 s. 2 s still
 * outlasts kube-proxy's usual update (~1 s); a slower one is covered by that wait.
 */
const LAMEDUCK_S = 2;
const READINESS_PERIOD_S = 1;

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
    `        lameduck ${LAMEDUCK_S}s`,
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
  const where = { name: 'coredns', namespace: 'kube-system' };
  if ((await core.readNamespacedConfigMap(where)).data?.Corefile === corefile) return;
  await updateOnConflict(
    () => core.readNamespacedConfigMap(where),
    (cm) => {
      cm.data = { ...(cm.data ?? {}), Corefile: corefile };
    },
    (cm) => core.replaceNamespacedConfigMap({ ...where, body: cm }),
  );
  await restartDeployment(kc, 'kube-system', 'coredns', (tpl) => {
    for (const c of tpl.spec?.containers ?? []) if (c.readinessProbe) c.readinessProbe.periodSeconds = READINESS_PERIOD_S;
  });
}

export async function readCorefile(kc: KubeConfig): Promise<string> {
  const cm = await clients(kc).core.readNamespacedConfigMap({ name: 'coredns', namespace: 'kube-system' });
  return cm.data?.Corefile ?? '';
}
