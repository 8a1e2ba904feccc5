/**
 * e2e globalSetup: reads what the CLI (or a user) put in the environment and hands it
 * to the test workers via provide/inject. It does not create or delete clusters: the
 * CLI owns the cluster's lifetime, so `--keep`, `--reuse` and Ctrl-C cleanup live in
 * one place.
 *
 * Idempotent: vitest may run a globalSetup once per project that inherits it; the
 * values are computed once per process and providing them again is harmless.
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
type WithCache = typeof globalThis & { [CACHE]?: E2EEnv };

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

export default function setup(project: TestProject): void {
  const g = globalThis as WithCache;
  g[CACHE] ??= readE2EEnv();
  project.provide('v6e2e', g[CACHE]);
}
