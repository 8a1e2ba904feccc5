/**
 * The run contract: everything `v6e2e run` tells the vitest side (config, globalSetup,
 * workers, reporters) about one profile's run, as one typed value. The CLI encodes
 * it into one variable for the duration of the vitest run; `decodeSettings` reads it
 * back and validates it, once, in each process that needs it. No other module reads
 * V6E2E_* run variables.
 *
 * Without the CLI (plain `vitest run --project e2e`), the user-facing variables
 * V6E2E_KUBECONFIG, V6E2E_CONTEXT, V6E2E_PROFILE, V6E2E_REPORT_DIR,
 * V6E2E_SELF_TEST and V6E2E_CONCURRENCY are read instead.
 */
import { stackOf, type ClusterFamilies } from '../k8s/families.ts';
import { IP_FAMILIES, type IPFamily } from '../net/family.ts';
import { isProfile, isSuite, type Profile, type Suite } from '../profiles.ts';
import type { KubernetesBuild } from '../report/summary.ts';
import { UsageError } from '../util/errors.ts';

export type Dns64Mode = 'coredns' | 'upstream';

/** What the lab knows of a cluster's implementation (null: not a lab cluster, or unknown). */
export interface ClusterFacts {
  /** Human name of the CNI, e.g. `flannel (vxlan)`. */
  cni: string | null;
  kubeProxyMode: string | null;
  /** Primary family first. */
  podSubnets: string[];
  serviceSubnets: string[];
  /** Node podCIDR size per family, e.g. `{ IPv6: 64 }`. */
  nodeCidrMasks: Record<string, number>;
}

export interface RunSettings {
  /** Labels everything this run creates (`v6e2e.io/run=<runId>`). */
  runId: string;
  /** Path of the kubeconfig of the cluster under test; null when none was given. */
  kubeconfig: string | null;
  context: string | null;
  profile: Profile | null;
  /** The variant label (`ipv6-nft-flannel`): the report row. Null: the profile. */
  variant: string | null;
  reportDir: string | null;
  /** Gate file (validated by the CLI); null: every check gates. */
  gateFile: string | null;
  kubernetesVersion: string | null;
  /** Set when the cluster was built from a Kubernetes tree (--kubernetes-src). */
  build: KubernetesBuild | null;
  dns64Mode: Dns64Mode | null;
  nat64Prefix: string | null;
  nat64Target: string | null;
  cluster: ClusterFacts;
  /** Run the harness self-tests (kind `fault`); `v6e2e run` only with --self-test. */
  selfTest: boolean;
  /** Files of checks at once against the cluster (`--concurrency`); null: the default (lib/harness/schedule.ts). */
  workers: number | null;
  /** The suites this run selected; null: unknown (a plain vitest run), take it as every suite. */
  suites: Suite[] | null;
  /**
   * `v6e2e run` started the run's probes (fleet, planned pods, shared outside client) before
   * vitest and removes them after it (suites/setup/run-probes.ts); false: the globalSetup does both.
   */
  runProbesStarted: boolean;
  /**
   * The cluster's families as `v6e2e run` detected them before vitest; null: each worker
   * detects them (a plain vitest run). Detected again in each of 6–8 workers, it cost every
   * worker's first file three cluster-wide lists, ~0.6 s under the run's start.
   */
  families: ClusterFamilies | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Provided by suites/setup/global-setup.ts. */
    v6e2e: RunSettings;
  }
}

/** The one variable the CLI sets for a vitest run. */
export const SETTINGS_VAR = 'V6E2E_SETTINGS';

export const NO_CLUSTER_FACTS: ClusterFacts = { cni: null, kubeProxyMode: null, podSubnets: [], serviceSubnets: [], nodeCidrMasks: {} };

export function settings(partial: Partial<RunSettings> & Pick<RunSettings, 'runId'>): RunSettings {
  return {
    kubeconfig: null,
    context: null,
    profile: null,
    variant: null,
    reportDir: null,
    gateFile: null,
    kubernetesVersion: null,
    build: null,
    dns64Mode: null,
    nat64Prefix: null,
    nat64Target: null,
    cluster: NO_CLUSTER_FACTS,
    selfTest: false,
    workers: null,
    suites: null,
    runProbesStarted: false,
    families: null,
    ...partial,
  };
}

/** The environment a vitest run gets: one JSON-encoded value. */
export function encodeSettings(s: RunSettings): Record<string, string> {
  return { [SETTINGS_VAR]: JSON.stringify(s) };
}

function nonEmpty(v: string | undefined): string | null {
  return v && v.trim() !== '' ? v : null;
}

const str = (v: unknown): v is string => typeof v === 'string';
const strOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

const isIpFamily = (x: unknown): x is IPFamily => (IP_FAMILIES as readonly unknown[]).includes(x);
/** The stack is derived from the families (stackOf): a value that disagrees is refused. */
function isClusterFamilies(v: unknown): v is ClusterFamilies {
  if (v === null || typeof v !== 'object') return false;
  const f = v as Record<string, unknown>;
  const strings = (x: unknown) => Array.isArray(x) && x.every(str);
  const families = Array.isArray(f.families) && f.families.length > 0 && f.families.every(isIpFamily) ? (f.families as IPFamily[]) : undefined;
  return isIpFamily(f.primary) && families !== undefined && families[0] === f.primary && f.stack === stackOf(f.primary, families) && strings(f.evidence) && strings(f.warnings);
}

/** Validates a decoded value field by field; the error names the field. */
export function validateSettings(v: unknown): RunSettings {
  const bad = (field: string, want: string) => new UsageError(`${SETTINGS_VAR}: ${field} must be ${want}; it is set by v6e2e run, do not write it by hand`);
  if (v === null || typeof v !== 'object') throw bad('the value', 'a JSON object');
  const o = v as Record<string, unknown>;
  if (!str(o.runId) || o.runId === '') throw bad('runId', 'a non-empty string');
  for (const f of ['kubeconfig', 'context', 'variant', 'reportDir', 'gateFile', 'kubernetesVersion', 'nat64Prefix', 'nat64Target'] as const) {
    if (!strOrNull(o[f])) throw bad(f, 'a string or null');
  }
  if (o.profile !== null && !(str(o.profile) && isProfile(o.profile))) throw bad('profile', 'ipv6, dual, dual-v6, ipv4 or null');
  if (o.dns64Mode !== null && o.dns64Mode !== 'coredns' && o.dns64Mode !== 'upstream') throw bad('dns64Mode', 'coredns, upstream or null');
  if (typeof o.selfTest !== 'boolean') throw bad('selfTest', 'true or false');
  if (o.workers === undefined) o.workers = null; // encoded by a v6e2e from before the field existed
  if (o.workers !== null && !(Number.isInteger(o.workers) && (o.workers as number) >= 1)) throw bad('workers', 'a whole number ≥ 1 or null');
  if (o.suites === undefined) o.suites = null; // as for workers
  if (o.suites !== null && !(Array.isArray(o.suites) && o.suites.every((x) => str(x) && isSuite(x)))) throw bad('suites', 'a list of suite names or null');
  if (o.runProbesStarted === undefined) o.runProbesStarted = false; // as for workers
  if (typeof o.runProbesStarted !== 'boolean') throw bad('runProbesStarted', 'true or false');
  if (o.families === undefined) o.families = null; // as for workers
  if (o.families !== null && !isClusterFamilies(o.families)) throw bad('families', '{primary, families, stack, evidence, warnings} or null');
  const c = o.cluster as Record<string, unknown> | null | undefined;
  if (!c || typeof c !== 'object' || !strOrNull(c.cni) || !strOrNull(c.kubeProxyMode) || !Array.isArray(c.podSubnets) || !Array.isArray(c.serviceSubnets)) {
    throw bad('cluster', '{cni, kubeProxyMode, podSubnets, serviceSubnets, nodeCidrMasks}');
  }
  const b = o.build as Record<string, unknown> | null | undefined;
  if (b !== null && (!b || !str(b.src) || !str(b.commit) || !str(b.version) || (b.treeState !== 'clean' && b.treeState !== 'dirty'))) {
    throw bad('build', '{src, commit, version, treeState} or null');
  }
  return o as unknown as RunSettings;
}

/** The run's settings in this process: the CLI's value, or the user-facing variables of a plain vitest run. */
export function decodeSettings(env: NodeJS.ProcessEnv = process.env): RunSettings {
  const encoded = nonEmpty(env[SETTINGS_VAR]);
  if (encoded !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(encoded);
    } catch {
      throw new UsageError(`${SETTINGS_VAR} is not JSON; it is set by v6e2e run, do not write it by hand`);
    }
    return validateSettings(parsed);
  }
  const profile = nonEmpty(env.V6E2E_PROFILE);
  if (profile !== null && !isProfile(profile)) {
    throw new UsageError(`V6E2E_PROFILE=${profile} is not a known profile (ipv6, dual, dual-v6, ipv4)`);
  }
  return settings({
    // A fixed fallback would let two ad-hoc runs share labels; time is unique enough here.
    runId: `adhoc-${Date.now().toString(36)}`,
    kubeconfig: nonEmpty(env.V6E2E_KUBECONFIG),
    context: nonEmpty(env.V6E2E_CONTEXT),
    profile,
    reportDir: nonEmpty(env.V6E2E_REPORT_DIR),
    // A developer running vitest by hand is working on the harness: self-tests on unless V6E2E_SELF_TEST=0.
    selfTest: env.V6E2E_SELF_TEST !== '0',
    workers: workersFrom(nonEmpty(env.V6E2E_CONCURRENCY)),
  });
}

function workersFrom(v: string | null): number | null {
  if (v === null) return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`V6E2E_CONCURRENCY=${v} must be a whole number ≥ 1 (files of checks at once)`);
  return n;
}
