/**
 * Shared set-up of the dns suite: the families, the one assertion (connectivity's), and
 * the objects both files create: a ClusterIP Service with named ports and a headless
 * Service named like the pods' subdomain.
 */
import type { KubeConfig, V1Service } from '@kubernetes/client-node';
import { createService, NETEXEC_HTTP } from '../../lib/k8s/services.ts';
import type { IPFamily } from '../../lib/net/family.ts';
export { expectOk } from '../../lib/harness/check.ts';
export { ipOr } from '../../lib/checks/connectivity.ts';
export { FAMILIES } from '../../lib/harness/context.ts';
export { skipWithoutFamily } from '../../lib/harness/context.ts';

/** The named port whose SRV record is checked (`_http._tcp.<svc>…`). */
export const SRV_PORT = NETEXEC_HTTP;
/** The headless Service, and the subdomain of the pods it should name. */
export const SUBDOMAIN = 'sub';

export const WEB = { 'v6e2e.io/role': 'web' };

/** `echo` (ClusterIP, netexec's named ports) and `sub` (headless), both selecting the WEB pods. */
export async function createServices(kc: KubeConfig, ns: string, families: readonly IPFamily[]): Promise<{ echo: V1Service; sub: V1Service }> {
  const echo = await createService(kc, ns, { name: 'echo', selector: WEB, families });
  const sub = await createService(kc, ns, { name: SUBDOMAIN, selector: WEB, families, headless: true });
  return { echo, sub };
}
