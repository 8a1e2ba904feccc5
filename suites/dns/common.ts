/**
 * Shared set-up of the dns suite: the families, the one assertion (connectivity's), and
 * the objects both files create: a ClusterIP Service with named ports and a headless
 * Service named like the pods' subdomain.
 */
import type { KubeConfig, V1Service } from '@kubernetes/client-node';
import { createService, NETEXEC_HTTP, type ServiceShape } from '../../lib/k8s/services.ts';
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
export function recordServices(families: readonly IPFamily[]): { echo: ServiceShape; sub: ServiceShape } {
  return { echo: { name: 'echo', selector: WEB, families }, sub: { name: SUBDOMAIN, selector: WEB, families, headless: true } };
}

/** The recordServices, created. */
export async function createServices(kc: KubeConfig, ns: string, families: readonly IPFamily[]): Promise<{ echo: V1Service; sub: V1Service }> {
  const shapes = recordServices(families);
  const [echo, sub] = await Promise.all([createService(kc, ns, shapes.echo), createService(kc, ns, shapes.sub)]);
  return { echo, sub };
}
