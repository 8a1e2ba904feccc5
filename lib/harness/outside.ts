/**
 * The outside client of a suite (lib/probes/outside.ts): a container on kind's network,
 * started for lab clusters only. Elsewhere the reason travels instead, and every check
 * that needs the client skips with it.
 */
import type { TestContext } from 'vitest';
import type { IPFamily } from '../net/family.ts';
import { startOutsideClient, type OutsideClient } from '../probes/outside.ts';
import type { Harness } from './context.ts';

/** The client, or why there is none (not a kind cluster). The caller stops it in afterAll. */
export async function outsideClient(h: Harness, capabilities: string[] = []): Promise<OutsideClient | string> {
  if (!h.kindCluster) return `context ${h.kc.getCurrentContext()} is not a kind cluster: no Docker network to put an outside client on`;
  return startOutsideClient({ cluster: h.kindCluster, labels: { 'v6e2e.io/run': h.env.runId.slice(0, 63) }, capabilities });
}

/** The client, or the running check is skipped with the reason (also when it has no address of `family`). */
export function requireOutside(ctx: TestContext, c: OutsideClient | string | undefined, family?: IPFamily): OutsideClient {
  if (c === undefined) ctx.skip('outside client not started');
  if (typeof c === 'string') ctx.skip(c);
  const client = c as OutsideClient;
  if (family && !client.addressOf(family)) ctx.skip(`outside container ${client.name} has no ${family} address on the ${client.network} network`);
  return client;
}
