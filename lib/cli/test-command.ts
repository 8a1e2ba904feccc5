/**
 * `v6e2e test`: the unit project, then either the e2e project against a given
 * cluster (V6E2E_KUBECONFIG / V6E2E_CONTEXT) or the lab matrix below. Ends with
 * one line CI systems read: `checks: N passed, N failed, N skipped`, after a
 * line per failed check (a CI log is often cut to its tail).
 */
import { E2E_PROJECTS } from '../harness/schedule.ts';
import path from 'node:path';
import { HTML_DIR } from '../report/html.ts';
import { readSummaries } from '../report/summary.ts';
import { UsageError } from '../util/errors.ts';
import { DEFAULT_VARIANT_FLAGS, variantLabel, variantOf, type VariantFlags } from '../cluster/variant.ts';
import type { Profile, Suite } from '../profiles.ts';
import { nameForPrefix, parseParallel, parseProfiles, runClusterName, type RunArgs } from './args.ts';
import { guardCleanup } from './cleanup.ts';
import { ensureWritableDir, finishGuard, runCommand, timestamp, type RunDeps } from './run.ts';
import { runVitest, withEnv, type FailedTest, type Tally, type VitestOutcome } from './vitest-run.ts';

export async function testCommand(vitestArgs: string[], deps: RunDeps): Promise<number> {
  const { parseCLI } = await import('vitest/node');
  let parsed: ReturnType<typeof parseCLI>;
  try {
    parsed = parseCLI(['vitest', ...vitestArgs]);
  } catch (err) {
    throw new UsageError(`bad vitest arguments: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { filter, options } = parsed;
  const results: Results = { tally: { passed: 0, failed: 0, skipped: 0 }, failures: [] };
  // The plain closing lines CI systems read, whatever happened before them.
  const close = (code: number) => {
    const { tally, failures } = results;
    for (const line of failureLines(failures)) deps.log(line);
    deps.log(`checks: ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
    return code;
  };
  const unit = await deps.progress.step('unit tests', () => runVitest('unit', filter, { extra: { ...options, passWithNoTests: true } }), (o) => o.failed);
  addOutcome(results, 'unit', unit);
  if (unit.failed) return close(1);
  if (process.env.V6E2E_KUBECONFIG || process.env.V6E2E_CONTEXT) {
    const e2e = await deps.progress.step('e2e tests', () => runVitest(E2E_PROJECTS, filter, { extra: { ...options, passWithNoTests: true } }), (o) => o.failed);
    addOutcome(results, 'e2e', e2e);
    return close(e2e.failed ? 1 : 0);
  }
  return close(await labMatrix(deps, results));
}

/** Every check counted so far, and the failed ones named by their step or profile. */
interface Results {
  tally: Tally;
  failures: FailedTest[];
}

function addTally(into: Tally, more: Tally): void {
  into.passed += more.passed;
  into.failed += more.failed;
  into.skipped += more.skipped;
}

/** A vitest run's tests, its failures named under the step they came from. */
function addOutcome(into: Results, step: string, outcome: VitestOutcome): void {
  addTally(into.tally, outcome.counts);
  into.failures.push(...outcome.failures.map((f) => ({ ...f, name: `${step}: ${f.name}` })));
}

/**
 * `failed checks (N):` and a line per failure, its message's lines joined with ⏎ and cut to
 * fit a log line (an assertion's first line alone, "expected no failure, got:", said nothing);
 * none when nothing failed.
 */
export function failureLines(failures: readonly FailedTest[], width = 480): string[] {
  if (failures.length === 0) return [];
  const cut = (text: string) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
  const oneLine = (message: string) => message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ⏎ ');
  return [`failed checks (${failures.length}):`, ...failures.map((f) => cut(`  ✘ ${f.name}${f.message ? ` — ${oneLine(f.message)}` : ''}`))];
}

/** Adds a finished run's checks, one profile or several (flaky ones count as passed here; summary.md says they were flaky). */
function addRunTally(into: Results, reportDir: string): void {
  try {
    for (const s of readSummaries(reportDir)) {
      const t = s.totals;
      addTally(into.tally, { passed: t.passed + t.flaky, failed: t.failed, skipped: t.skipped });
      for (const c of s.checks) if (c.status === 'failed') into.failures.push({ name: `${s.profile}: ${c.id}`, message: c.message ?? '' });
    }
  } catch {
    into.tally.failed++; // no summary: the run broke before reporting, which is a failure to count
    into.failures.push({ name: reportDir, message: 'the run wrote no summary (it broke before reporting)' });
  }
}

/** Edge variant every IPv6-capable profile is also tested with: DNS64 in the upstream resolver, a network-specific prefix. */
export const EDGE_VARIANT = { dns64Mode: 'upstream', nat64Prefix: 'fd00:64:ff9b::/96' } as const;

/** Cluster name prefix of `v6e2e test`'s lab clusters: `v6e2e-test-<profile>`. */
export const TEST_CLUSTER_PREFIX = 'v6e2e-test';

/**
 * Implementation variants the matrix also judges, each on its own cluster: a second
 * kube-proxy mode and a second CNI together on an IPv6-only and a dual-stack
 * cluster. (The seeds' addressing plan runs by hand: README "Variants".)
 */
export const TEST_VARIANTS: readonly { profiles: Profile[]; flags: VariantFlags; suites?: Suite[] }[] = [
  // What kube-proxy's mode and the CNI change (DNS64, record DNS and the guestbook app do not depend on them).
  // Not mtu yet: on IPv6-only Flannel its path-MTU check finds a real mismatch (pods get MTU 1450, the
  // IPv6 VXLAN path carries 1430), and its fragment faults hook eth0, where Flannel's packets are tunnelled.
  // dual carries both families through Flannel and nftables; IPv6-only Flannel runs by hand
  // (`run --profile ipv6 --kube-proxy-mode nftables --cni flannel --self-test`), for CI's time.
  {
    profiles: ['dual'],
    flags: { kubeProxyMode: 'nftables', cni: 'flannel', addressing: {} },
    suites: ['address-families', 'connectivity', 'services', 'host-network', 'nat64', 'nodeport', 'loadbalancer'],
  },
];

/** A V6E2E_* variable parsed like its flag; a bad value is a usage error naming the variable. */
function fromEnv<T>(variable: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(`${variable}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The profiles `v6e2e test` runs unless V6E2E_TEST_PROFILES says (`all` adds ipv4). ipv4, the
 * control profile whose IPv6 checks all skip, still builds and is interrupted in the interrupt
 * acceptance; its full run is left to hand runs: on a slow 2-core machine (3x this project's
 * usual) the whole matrix was heading for ~90 min, CI's limit.
 */
export const DEFAULT_TEST_PROFILES = 'ipv6,dual-v6,dual';

/** What every step of the lab matrix shares. */
interface Matrix {
  deps: RunDeps;
  results: Results;
  /** reports/test-<timestamp>: one directory per step under it. */
  base: string;
  profiles: Profile[];
  parallel: number;
  /** Every lab cluster the matrix may make, for the cleanup: the profiles' first, then the variants'. */
  names: string[];
  /** The profiles' clusters (steps 1–5 use them), then the variants' (step 7). */
  profileNames: string[];
  variantNames: string[];
  variantRuns: typeof TEST_VARIANTS;
  /** The `run` arguments each profile run starts from. */
  common: RunArgs;
}

/** One step of the matrix; true when it failed (the others still run). */
type MatrixStep = (m: Matrix) => Promise<boolean>;

/**
 * The end-to-end part of `v6e2e test` without a given cluster, over the
 * profiles of V6E2E_TEST_PROFILES (default DEFAULT_TEST_PROFILES), V6E2E_TEST_PARALLEL at a time
 * (default 2):
 *
 *   1. `run --profile <all> --parallel N`: every suite on a fresh lab cluster per
 *      profile, one report (reports/test-<timestamp>/all, with HTML);
 *   2. the report acceptance (vitest project `report`): a second --profile run
 *      over those clusters with a seeded fault, its HTML report checked in
 *      headless Chromium;
 *   3. dns64 and nat64 again on the first IPv6-capable profile with the edge variant;
 *   4. the `package` project: npm pack, installed into a prefix, run from elsewhere
 *      against the first test cluster (V6E2E_TEST_PACKAGE=0 leaves it out);
 *   5. the `lifecycle` project deletes each profile's cluster and checks nothing is left
 *      (those steps 3 and 4 do not use right after step 2, the others after step 4);
 *   6. each of TEST_VARIANTS, every suite or the ones it names (V6E2E_TEST_VARIANTS=0
 *      leaves them out), then the lifecycle of its clusters;
 *   7. side by side in one vitest run: the `interrupt` project, SIGINT at each step of a run
 *      (V6E2E_TEST_INTERRUPT=0 leaves it out), and the `kubernetes-src` project, a Kubernetes
 *      tree built and judged, patched and not, on clusters of its own
 *      (V6E2E_TEST_KUBERNETES_SRC=0 leaves it out).
 */
async function labMatrix(deps: RunDeps, results: Results): Promise<number> {
  const m = planMatrix(deps, results);
  const guard = guardCleanup(async () => {
    const kind = await import('../cluster/kind.ts');
    for (const name of m.names) if (await kind.clusterExists(name)) await kind.down({ name, progress: deps.progress });
  });
  let failed = false;
  try {
    const mainDir = ensureWritableDir(path.join(m.base, 'all'));
    const steps: MatrixStep[] = [
      (x) => profileRun(x, { ...x.common, reportDir: mainDir }, mainDir),
      (x) => reportAcceptance(x, mainDir),
      // Clusters go as soon as no later step needs them: on 2 cores an idle cluster takes
      // about a seventh of the machine (kubelets, containerd, control plane, speakers) from
      // the steps still running; beside the variants they slowed them by half.
      (x) => {
        const needed = stillNeeded(x);
        return lifecycles(x, x.profileNames.filter((n) => !needed.includes(n)));
      },
      edgeVariantRuns,
      packageAcceptance,
      (x) => lifecycles(x, stillNeeded(x)),
      implementationVariantRuns,
      (x) => lifecycles(x, x.variantNames),
      interruptAndKubernetesSrc,
    ];
    // Every step runs whatever the ones before it did: one report of everything that broke.
    for (const step of steps) if (await step(m)) failed = true;
  } finally {
    await finishGuard(guard);
  }
  deps.log(`v6e2e: reports in ${m.base} (HTML: ${path.join(m.base, 'all', HTML_DIR, 'index.html')})`);
  return failed ? 1 : 0;
}

/** Profiles, parallelism and cluster names from the environment; creates the report base directory. */
function planMatrix(deps: RunDeps, results: Results): Matrix {
  const profilesText = process.env.V6E2E_TEST_PROFILES ?? DEFAULT_TEST_PROFILES;
  const profiles = fromEnv('V6E2E_TEST_PROFILES', () => parseProfiles(profilesText));
  const parallel = fromEnv('V6E2E_TEST_PARALLEL', () => parseParallel(process.env.V6E2E_TEST_PARALLEL ?? '2'));
  const base = ensureWritableDir(path.join('reports', `test-${timestamp()}`));
  const profileNames = profiles.map((p) => runClusterName(nameForPrefix(TEST_CLUSTER_PREFIX, profiles), p, profiles.length));
  const variantRuns = process.env.V6E2E_TEST_VARIANTS === '0' ? [] : TEST_VARIANTS;
  const variantNames: string[] = [];
  for (const v of variantRuns) {
    const labels = v.profiles.map((p) => variantLabel(variantOf(p, v.flags)));
    variantNames.push(...labels.map((l) => runClusterName(nameForPrefix(TEST_CLUSTER_PREFIX, labels), l, labels.length)));
  }
  const names = [...profileNames, ...variantNames];
  // The project's own tests always run the harness self-tests: every check proves it can fail.
  const common: RunArgs = {
    command: 'run', profiles, name: nameForPrefix(TEST_CLUSTER_PREFIX, profiles), reuse: true, keep: true, suites: [], selfTest: true, html: true, parallel,
    variant: DEFAULT_VARIANT_FLAGS,
  };
  return { deps, results, base, profiles, parallel, names, profileNames, variantNames, variantRuns, common };
}

/** A `v6e2e run` whose checks count into the tally. */
async function profileRun(m: Matrix, args: RunArgs, reportDir: string): Promise<boolean> {
  const code = await runCommand(args, m.deps);
  addRunTally(m.results, reportDir);
  return code !== 0;
}

/** A vitest project run as one progress step, its tests counted into the tally. */
async function projectStep(m: Matrix, title: string, env: Partial<Record<string, string>>, project: string | readonly string[]): Promise<boolean> {
  const outcome = await m.deps.progress.step(title, () => withEnv(env, () => runVitest(project, [])), (o) => o.failed);
  addOutcome(m.results, typeof project === 'string' ? project : project.join('+'), outcome);
  return outcome.failed;
}

function reportAcceptance(m: Matrix, mainDir: string): Promise<boolean> {
  return projectStep(
    m,
    'report acceptance: seeded-fault run, its HTML report in headless Chromium',
    {
      V6E2E_ACCEPTANCE_NAME: TEST_CLUSTER_PREFIX,
      V6E2E_ACCEPTANCE_PROFILES: m.profiles.join(','),
      V6E2E_ACCEPTANCE_MAIN_REPORT: mainDir,
      V6E2E_REPORT_DIR: path.join(m.base, 'report-acceptance'),
    },
    'report',
  );
}

/** One IPv6-capable profile is enough to hold the upstream-DNS64 edge in CI's time; the others run it by hand. */
function edgeVariantProfiles(m: Matrix): Profile[] {
  return m.profiles.filter((p) => p !== 'ipv4').slice(0, 1);
}

/** The profile clusters the steps after the report acceptance use: the edge variant's and the package's. */
function stillNeeded(m: Matrix): string[] {
  const wanted = new Set<Profile>([...edgeVariantProfiles(m), ...(process.env.V6E2E_TEST_PACKAGE === '0' ? [] : m.profiles.slice(0, 1))]);
  return m.profiles.flatMap((p, i) => (wanted.has(p) ? [m.profileNames[i]!] : []));
}

async function edgeVariantRuns(m: Matrix): Promise<boolean> {
  let failed = false;
  for (const profile of edgeVariantProfiles(m)) {
    const variantDir = ensureWritableDir(path.join(m.base, `${profile}-upstream-nsp`));
    const args: RunArgs = {
      ...m.common, profiles: [profile], name: nameForPrefix(TEST_CLUSTER_PREFIX, [profile]), html: false, suites: ['dns64', 'nat64'], ...EDGE_VARIANT, reportDir: variantDir,
    };
    if (await profileRun(m, args, variantDir)) failed = true;
  }
  return failed;
}

/** Each of TEST_VARIANTS on clusters of its own. */
async function implementationVariantRuns(m: Matrix): Promise<boolean> {
  let failed = false;
  for (const v of m.variantRuns) {
    const labels = v.profiles.map((p) => variantLabel(variantOf(p, v.flags)));
    const dir = ensureWritableDir(path.join(m.base, labels.join('+')));
    const args: RunArgs = {
      ...m.common, profiles: v.profiles, variant: v.flags, suites: v.suites ?? [], name: nameForPrefix(TEST_CLUSTER_PREFIX, labels), parallel: Math.min(m.parallel, labels.length), reportDir: dir,
    };
    if (await profileRun(m, args, dir)) failed = true;
  }
  return failed;
}

/** The packed package installed into a prefix, run from an unrelated directory against the first test cluster. */
async function packageAcceptance(m: Matrix): Promise<boolean> {
  if (process.env.V6E2E_TEST_PACKAGE === '0') return false;
  const { kubeconfigPathFor } = await import('../cluster/kind.ts');
  const first = runClusterName(nameForPrefix(TEST_CLUSTER_PREFIX, m.profiles), m.profiles[0]!, m.profiles.length);
  return projectStep(
    m,
    'package acceptance: npm pack, install into a prefix, run from elsewhere',
    { V6E2E_PACKAGE_KUBECONFIG: kubeconfigPathFor(first), V6E2E_PACKAGE_CONTEXT: `kind-${first}`, V6E2E_REPORT_DIR: path.join(m.base, 'package') },
    'package',
  );
}

/**
 * Kept clusters go once no later step needs them: the steps after make their own, and
 * on 2 cores idle control planes beside them would double their time.
 */
async function lifecycles(m: Matrix, names: readonly string[]): Promise<boolean> {
  if (names.length === 0) return false;
  // Cluster names are DNS labels: a comma cannot be part of one.
  const env = { V6E2E_LIFECYCLE_CLUSTER: names.join(','), V6E2E_REPORT_DIR: path.join(m.base, `${names.join('+')}-lifecycle`) };
  return projectStep(m, `lifecycle: down ${names.join(', ')} at once leaves nothing`, env, 'lifecycle');
}

/**
 * Ctrl-C at each step of a run on a cluster of its own (the reuse case needs a kept
 * cluster: V6E2E_INTERRUPT_REUSE when run by hand), and a Kubernetes tree assembled
 * offline, built and judged unpatched and with two IPv6-breaking patches. One vitest
 * instance runs both side by side: the tree's Go builds leave the cores the interrupted
 * runs' cluster creations wait on (lib/cluster/engine-lock.ts keeps the shared kind
 * network right while both create and delete clusters).
 */
function interruptAndKubernetesSrc(m: Matrix): Promise<boolean> {
  const projects = [
    ...(process.env.V6E2E_TEST_INTERRUPT === '0' ? [] : ['interrupt']),
    ...(process.env.V6E2E_TEST_KUBERNETES_SRC === '0' ? [] : ['kubernetes-src']),
  ];
  if (projects.length === 0) return Promise.resolve(false);
  const titles: Record<string, string> = {
    interrupt: 'interrupt acceptance: SIGINT at each step exits 130 and leaves nothing',
    'kubernetes-src': '--kubernetes-src acceptance: a local Kubernetes tree, unpatched and with two IPv6-breaking patches',
  };
  return projectStep(m, projects.map((p) => titles[p]).join('; side by side with '), { V6E2E_REPORT_DIR: path.join(m.base, projects.join('+')) }, projects);
}
