/** A pod's network interface as its own kernel reports it (the MTU the path is judged against). */
import type { KubeConfig } from '@kubernetes/client-node';
import { runSingleProbe } from './exec.ts';

/** The MTU of `dev` inside the pod (sysfs), or undefined when it cannot be read. */
export async function interfaceMtu(kc: KubeConfig, ns: string, pod: string, dev = 'eth0'): Promise<number | undefined> {
  const r = await runSingleProbe(kc, ns, pod, `${dev} mtu`, ['cat', `/sys/class/net/${dev}/mtu`]);
  const n = Number(r.stdout.trim());
  return r.ok && Number.isInteger(n) && n > 0 ? n : undefined;
}
