/**
 * e2e globalSetup: reads what the CLI (or a user) put in the environment and hands it
 * to the test workers via provide/inject. It does not create or delete clusters: the
 * CLI owns the cluster's lifetime, so `--keep`, `--reuse` and Ctrl-C cleanup live in
 * one place.
 *
 * Idempotent: vitest may run a globalSetup once per project that inherits it; the
 * values are computed once per set of V6E2E_* variables and providing them again is
 * harmless. Keyed on the variables because one process may start vitest several
 * times with different ones (`run --gate` lists the checks, then runs them).
 */
import type { TestProject } from 'vitest/node';
import { isProfile, type Profile } from '../../lib/profiles.ts';

export interface E2EEnv {
  /** Path of the kubeconfig for the cluster under test; null when none was given. */
  kubeconfig: string | null;
  context: string | null;
  profile: Profile | null;
  reportDir: string | null;
  /** Labels everything this run creates (`v6e2e.io/run=<runId>`). */
  runId: string;
  dns64Mode: 'coredns' | 'upstream' | null;
  nat64Prefix: string | null;
  nat64Target: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    v6e2e: E2EEnv;
  }
}

const CACHE = Symbol.for('v6e2e.global-setup.env');
type WithCache = typeof globalThis & { [CACHE]?: { key: string; env: E2EEnv } };

function cacheKey(env: NodeJS.ProcessEnv): string {
  // The version is filled in below (fillKubernetesVersion); it must not change the key.
  const keys = Object.keys(env).filter((k) => k.startsWith('V6E2E_') && k !== 'V6E2E_KUBERNETES_VERSION');
  return JSON.stringify(keys.sort().map((k) => [k, env[k]]));
}

function nonEmpty(v: string | undefined): string | null {
  return v && v.trim() !== '' ? v : null;
}

export function readE2EEnv(env: NodeJS.ProcessEnv = process.env): E2EEnv {
  const profile = nonEmpty(env.V6E2E_PROFILE);
  if (profile !== null && !isProfile(profile)) {
    throw new Error(`V6E2E_PROFILE=${profile} is not a known profile (ipv6, dual, dual-v6, ipv4)`);
  }
  const dns64 = nonEmpty(env.V6E2E_DNS64_MODE);
  if (dns64 !== null && dns64 !== 'coredns' && dns64 !== 'upstream') {
    throw new Error(`V6E2E_DNS64_MODE=${dns64} must be coredns or upstream`);
  }
  return {
    kubeconfig: nonEmpty(env.V6E2E_KUBECONFIG),
    context: nonEmpty(env.V6E2E_CONTEXT),
    profile,
    reportDir: nonEmpty(env.V6E2E_REPORT_DIR),
    // A fixed fallback would let two ad-hoc runs share labels; time is unique enough here.
    runId: nonEmpty(env.V6E2E_RUN_ID) ?? `adhoc-${Date.now().toString(36)}`,
    dns64Mode: dns64,
    nat64Prefix: nonEmpty(env.V6E2E_NAT64_PREFIX),
    nat64Target: nonEmpty(env.V6E2E_NAT64_TARGET),
  };
}

/**
 * Runs without the CLI (plain `vitest run --project e2e`) do not know the
 * cluster's version; ask it (bounded), so summary.json and the HTML report's
 * environment say it. globalSetup runs in the main process, where the reporters
 * read the variable. Never fails the run.
 */
async function fillKubernetesVersion(env: E2EEnv): Promise<void> {
  if (process.env.V6E2E_KUBERNETES_VERSION || !env.kubeconfig) return;
  try {
    const { VersionApi } = await import('@kubernetes/client-node');
    const { loadKubeConfig } = await import('../../lib/k8s/client.ts');
    const kc = loadKubeConfig({ kubeconfig: env.kubeconfig, context: env.context ?? undefined });
    let timer: NodeJS.Timeout | undefined;
    const version = await Promise.race([
      kc.makeApiClient(VersionApi).getCode().then((v) => v.gitVersion),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 5_000))),
    ]).finally(() => clearTimeout(timer));
    if (version) process.env.V6E2E_KUBERNETES_VERSION = version;
  } catch {
    // unknown stays unknown; the suites report an unreachable cluster themselves
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const g = globalThis as WithCache;
  const key = cacheKey(process.env);
  if (g[CACHE]?.key !== key) g[CACHE] = { key, env: readE2EEnv() };
  const env = g[CACHE].env;
  await fillKubernetesVersion(env);
  project.provide('v6e2e', env);
}
