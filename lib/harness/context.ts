/**
 * What every e2e suite starts from: the cluster under test, its detected
 * families, and (for lab clusters) the edge. Memoized per worker, so suites
 * pay for detection once.
 */
import type { KubeConfig, V1Node } from '@kubernetes/client-node';
import { inject, type TestContext } from 'vitest';
import { kindClusterOf } from '../cluster/context.ts';
import { readEdgeInfo, type EdgeInfo } from '../edge/index.ts';
import { createNamespace, type TestNamespace } from '../k8s/apply.ts';
import { clients, loadKubeConfig, type Clients } from '../k8s/client.ts';
import { detectClusterFamilies, type ClusterFamilies } from '../k8s/families.ts';
import { IP_FAMILIES, type IPFamily } from '../net/family.ts';
import type { RunSettings } from './settings.ts';

export interface Harness {
  /** The run's settings (lib/harness/settings.ts), as globalSetup provided them. */
  env: RunSettings;
  kc: KubeConfig;
  api: Clients;
  families: ClusterFamilies;
  /** Set for clusters the lab created (kind context `kind-<name>`). */
  kindCluster?: string;
  edge?: EdgeInfo;
  has(family: IPFamily): boolean;
}

let cached: Promise<Harness> | undefined;

export function harness(): Promise<Harness> {
  cached ??= load();
  return cached;
}

async function load(): Promise<Harness> {
  const env = inject('v6e2e');
  if (!env.kubeconfig) {
    throw new Error('no cluster: run the suites through `v6e2e run` or set V6E2E_KUBECONFIG (and V6E2E_CONTEXT)');
  }
  const kc = loadKubeConfig({ kubeconfig: env.kubeconfig, context: env.context ?? undefined });
  const api = clients(kc);
  const families = env.families ?? (await detectClusterFamilies(api.core));
  const ctx = kc.getCurrentContext();
  const kindCluster = kindClusterOf(ctx);
  const edge = kindCluster ? await readEdgeInfo(kindCluster) : undefined;
  return { env, kc, api, families, kindCluster, edge, has: (f) => families.families.includes(f) };
}

/** The cluster's Nodes, as the API lists them now. */
export async function listNodes(h: Harness): Promise<V1Node[]> {
  return (await h.api.core.listNode({})).items;
}

/** The families every per-family check is declared for; a family the cluster lacks is skipped. */
export const FAMILIES: readonly IPFamily[] = IP_FAMILIES;

/** Reason string for checks skipped because the cluster lacks a family. */
export function missingFamily(h: Harness, family: IPFamily): string | undefined {
  return h.has(family) ? undefined : `cluster is ${h.families.stack}: no ${family}`;
}

/** Skips the running check, with the reason, when the cluster lacks `family`. */
export function skipWithoutFamily(ctx: TestContext, h: Harness, family: IPFamily): void {
  const why = missingFamily(h, family);
  if (why) ctx.skip(why);
}

/** A namespace of this run for one suite (labelled with the run id, swept after the run). */
export function suiteNamespace(h: Harness, suite: string): Promise<TestNamespace> {
  return createNamespace(h.kc, { suite, runId: h.env.runId });
}
