/**
 * `v6e2e run`: get a cluster (or several profiles' clusters, in turn or in
 * parallel processes), run vitest in-process against it, write the reports,
 * always clean up what we created.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import { deleteRunNamespaces, RUN_LABEL } from '../k8s/apply.ts';
import { clients, describeApiError, loadKubeConfig, type KubeTarget } from '../k8s/client.ts';
import { detectClusterFamilies, type ClusterFamilies } from '../k8s/families.ts';
import { SUITES, type Profile, type Suite } from '../profiles.ts';
import { detectClusterEnvironment } from '../report/cluster-environment.ts';
import { environmentInfo, treeEnv } from '../report/environment.ts';
import { assertGateMatches, readGate, type Gate } from '../report/gate.ts';
import { environmentFromSummaries, generateHtml, HTML_DIR, ALLURE_RESULTS } from '../report/html.ts';
import { JUNIT_XML } from '../report/junit.ts';
import { decideRunExit, type ProfileOutcome } from '../report/outcome.ts';
import { readSummaryJson, SUMMARY_JSON, SUMMARY_MD, writeSummariesJson, writeSummaryMd, type RunSummary } from '../report/summary.ts';
import { EnvironmentError, RunBrokenError, UsageError } from '../util/errors.ts';
import { ensureWritable } from '../util/fs.ts';
import type { Progress } from '../util/progress.ts';
import { runClusterName, type RunArgs } from './args.ts';
import { variantArgv, variantLabel, variantOf, type ClusterVariant } from '../cluster/variant.ts';
import { guardCleanup, type CleanupGuard } from './cleanup.ts';
import { REPO_ROOT, runVitest, VITEST_CONFIG, withEnv, type VitestOutcome } from './vitest-run.ts';

export { REPO_ROOT, VITEST_CONFIG } from './vitest-run.ts';

// ---------------------------------------------------------------- checks

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

export function ensureWritableDir(dir: string): string {
  return ensureWritable(dir, 'report dir', 'pass --report-dir with a writable directory');
}

export function ensureReadableFile(file: string, flag: string): string {
  const abs = path.resolve(file);
  try {
    if (!fs.statSync(abs).isFile()) throw Object.assign(new Error('not a file'), { code: 'not a regular file' });
    fs.accessSync(abs, fs.constants.R_OK);
  } catch (err) {
    throw new UsageError(`cannot read ${flag} file ${abs} (${errCode(err)}); pass an existing, readable file`);
  }
  return abs;
}

/** `20261122-051000`: sorts by time, no characters a shell or Windows would mind. */
export function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Suites that have at least one test file. Explicitly requested but empty → usage error. */
export function resolveSuites(requested: readonly Suite[], root = REPO_ROOT): Suite[] {
  const hasTests = (s: Suite) => {
    try {
      return fs.readdirSync(path.join(root, 'suites', s), { recursive: true }).some((f) => String(f).endsWith('.test.ts'));
    } catch {
      return false;
    }
  };
  if (requested.length > 0) {
    const empty = requested.filter((s) => !hasTests(s));
    if (empty.length > 0) {
      const available = SUITES.filter(hasTests);
      throw new UsageError(
        `suite ${empty.join(', ')} has no tests yet (suites/${empty[0]}/ holds no *.test.ts); available: ${available.length > 0 ? available.join(', ') : 'none'}`,
      );
    }
    return [...requested];
  }
  const present = SUITES.filter(hasTests);
  if (present.length === 0) throw new RunBrokenError(`no e2e suites found under ${path.join(root, 'suites')}/<suite>/*.test.ts`);
  return present;
}

// ---------------------------------------------------------------- cluster

interface Target {
  label: string;
  kubeconfig: string | undefined;
  context: string | undefined;
}

async function kubernetesVersion(kc: KubeConfig): Promise<string> {
  try {
    return (await kc.makeApiClient(VersionApi).getCode()).gitVersion;
  } catch {
    return 'unknown';
  }
}

/** Talks to the cluster once before any test runs, so an unreachable one is a clear exit 2. */
async function inspectCluster(kc: KubeConfig, target: Target): Promise<{ families: ClusterFamilies; version: string }> {
  let families: ClusterFamilies;
  try {
    families = await detectClusterFamilies(clients(kc).core);
  } catch (err) {
    const server = kc.getCurrentCluster()?.server ?? '?';
    const why = err instanceof Error ? (err.message.split('\n', 1)[0] ?? '') : String(err);
    throw new EnvironmentError(
      `cannot read the cluster ${target.label} (context ${kc.getCurrentContext()}, server ${server}): ${why.slice(0, 200)}; check --kubeconfig/--context and that the cluster is up`,
    );
  }
  return { families, version: await kubernetesVersion(kc) };
}

// ---------------------------------------------------------------- run

export interface RunDeps {
  progress: Progress;
  log: (line: string) => void;
}

interface ProfileRun {
  profile: Profile;
  variant: ClusterVariant;
  /** The variant's label (`ipv6-nft-flannel`): report rows, per-profile report dirs, output prefixes. */
  label: string;
  name: string;
  reportDir: string;
}

export async function runCommand(args: RunArgs, deps: RunDeps): Promise<number> {
  const { progress } = deps;
  const runId = `${timestamp()}-${randomBytes(3).toString('hex')}`;
  const gateFile = args.gate !== undefined ? ensureReadableFile(args.gate, '--gate') : undefined;
  const gate = gateFile !== undefined ? readGate(gateFile) : undefined;
  if (args.history !== undefined && !fs.existsSync(args.history)) {
    throw new UsageError(`--history ${path.resolve(args.history)} does not exist; pass a previous report directory (or drop --history)`);
  }
  const existing = args.kubeconfig !== undefined || args.context !== undefined;
  const target: KubeTarget = {};
  if (args.kubeconfig !== undefined) target.kubeconfig = args.kubeconfig;
  if (args.context !== undefined) target.context = args.context;
  // Fail on bad input before a cluster costs minutes.
  const existingKc = existing ? loadKubeConfig(target) : undefined;
  const explicitReportDir = args.reportDir !== undefined ? ensureWritableDir(args.reportDir) : undefined;
  const suites = resolveSuites(args.suites);
  const filters = args.suites.length > 0 ? suites.map((s) => `suites/${s}/`) : [];
  // Gate patterns are checked against the collected check ids once the cluster is known
  // (suites read it while loading), before the suites run; again after the run.
  let collectedIds: string[] | undefined;
  let gateChecked = false;
  const checkGate = async (env: Partial<Record<string, string>>) => {
    if (!gate || gateChecked) return;
    gateChecked = true;
    collectedIds = await withEnv(env, () => validateGate(gate, deps));
  };

  const common = {
    V6E2E_RUN_ID: runId,
    V6E2E_DNS64_MODE: args.dns64Mode,
    V6E2E_NAT64_PREFIX: args.nat64Prefix,
    V6E2E_NAT64_TARGET: args.nat64Target,
    V6E2E_GATE: gateFile,
  };
  const finish = (outcomes: ProfileOutcome[]) => {
    // Without the collected list, a pattern for a suite this run did not select is not a typo.
    const verdict = decideRunExit(outcomes, { gate, collectedIds, unmatchedIsWarning: collectedIds === undefined && filters.length > 0 });
    for (const line of verdict.lines) deps.log(line);
    return verdict.code;
  };

  if (existingKc) {
    const kc = existingKc;
    // Not ours to delete; only the namespaces this run labelled are swept (unless --keep).
    const guard = guardCleanup(async () => {
      if (!args.keep) await sweepNamespaces(kc, runId, deps);
    });
    try {
      const label = `${args.kubeconfig ? path.resolve(args.kubeconfig) : 'default kubeconfig'}${args.context ? ` (${args.context})` : ''}`;
      const { families, version } = await progress.step(`inspect cluster ${label}`, () =>
        inspectCluster(kc, { label, kubeconfig: target.kubeconfig, context: target.context }),
      );
      for (const w of families.warnings) progress.info(`warning: ${w}`);
      const profile = args.profiles[0] ?? families.stack;
      if (args.profiles[0] && args.profiles[0] !== families.stack) {
        progress.info(`warning: --profile ${args.profiles[0]} but the cluster looks ${families.stack} (${families.evidence.at(-1) ?? ''})`);
      }
      progress.info(`cluster: ${families.stack}, Kubernetes ${version}`);
      const clusterEnv = await detectClusterEnvironment(kc);
      const reportDir = explicitReportDir ?? ensureWritableDir(path.join('reports', `${timestamp()}-${profile}`));
      clearReportOutputs(reportDir);
      const env = {
        ...common,
        V6E2E_KUBECONFIG: target.kubeconfig ? path.resolve(target.kubeconfig) : undefined,
        V6E2E_CONTEXT: kc.getCurrentContext(),
        V6E2E_PROFILE: profile,
        V6E2E_REPORT_DIR: reportDir,
        V6E2E_KUBERNETES_VERSION: version,
        V6E2E_CNI: clusterEnv.cni,
        V6E2E_KUBE_PROXY_MODE: clusterEnv.kubeProxyMode,
      };
      await checkGate(env);
      const outcome = await progress.step(`e2e suites (${suites.join(', ')}) on ${profile}${shardNote(args)}`, () =>
        withEnv(env, () => runVitest('e2e', filters, shardOption(args))),
      );
      const result = profileOutcome(profile, reportDir, outcome);
      if (args.html) await htmlReport(reportDir, env, args.history, result.summary ? [result.summary] : [], deps);
      deps.log(`v6e2e: report in ${reportDir}`);
      return finish([result]);
    } finally {
      await finishGuard(guard);
    }
  }

  const profiles: Profile[] = args.profiles.length > 0 ? args.profiles : ['ipv6'];
  const multi = profiles.length > 1;
  const variants = profiles.map((profile) => variantOf(profile, args.variant));
  const base = explicitReportDir ?? ensureWritableDir(path.join('reports', `${timestamp()}-${multi ? 'all' : variantLabel(variants[0]!)}`));
  const plan: ProfileRun[] = variants.map((variant) => {
    const label = variantLabel(variant);
    return {
      profile: variant.profile,
      variant,
      label,
      name: runClusterName(args.name, label, profiles.length),
      reportDir: multi ? ensureWritableDir(path.join(base, label)) : base,
    };
  });

  const outcomes: ParallelOutcome[] =
    multi && args.parallel > 1
      ? await runProfilesInParallel(plan, args, deps)
      : await runProfilesInTurn(plan, args, deps, { common, checkGate, runId, suites, filters });
  if (multi) {
    const exit2 = outcomes.filter((o) => o.exitCode === 2);
    if (exit2.length > 0) {
      deps.log(`v6e2e: ${exit2.map((o) => o.profile).join(', ')}: bad input or unusable environment (exit 2; the lines above say why)`);
      return 2;
    }
    await combineProfiles(base, outcomes, args, { ...common, V6E2E_REPORT_DIR: base }, deps);
  }
  deps.log(`v6e2e: report in ${base}`);
  return finish(outcomes);
}

interface InTurnContext {
  common: Partial<Record<string, string>>;
  checkGate: (env: Partial<Record<string, string>>) => Promise<void>;
  runId: string;
  suites: readonly Suite[];
  filters: string[];
}

/** Profiles one after another, in this process (vitest in-process). */
async function runProfilesInTurn(plan: readonly ProfileRun[], args: RunArgs, deps: RunDeps, ctx: InTurnContext): Promise<ParallelOutcome[]> {
  const { progress } = deps;
  const { common, checkGate, runId, suites, filters } = ctx;
  const multi = plan.length > 1;
  const kind = await import('../cluster/kind.ts');
  const outcomes: ParallelOutcome[] = [];
  for (const p of plan) {
    let created = false;
    let pendingUp: Promise<unknown> | undefined;
    let clusterKc: KubeConfig | undefined;
    const guard = guardCleanup(
      async () => {
        await pendingUp?.catch(() => undefined); // up() deletes a half-made cluster itself
        if (created && !args.keep) await kind.down({ name: p.name, progress });
        else if (clusterKc && !args.keep) await sweepNamespaces(clusterKc, runId, deps);
      },
      { abandoned: () => (created && !args.keep ? `cluster ${p.name} was not deleted: v6e2e down --name ${p.name}` : undefined) },
    );
    try {
      let handle: { kubeconfigPath: string; context: string };
      const edge = { name: p.name, progress, pref64: args.nat64Prefix, dns64Mode: args.dns64Mode };
      if (args.reuse && (await kind.clusterExists(p.name))) {
        const reused = await progress.step(`reuse cluster ${p.name}`, () => kind.exportKubeconfig(p.name, progress));
        await kind.ensureEdge(reused, edge);
        handle = reused;
      } else {
        const up = kind.up({ variant: p.variant, ...edge });
        pendingUp = up;
        handle = await up;
        created = true;
      }
      const kc = loadKubeConfig({ kubeconfig: handle.kubeconfigPath, context: handle.context });
      clusterKc = kc;
      const label = `kind cluster ${p.name}`;
      const { families, version } = await progress.step(`inspect ${label}`, () =>
        inspectCluster(kc, { label, kubeconfig: handle.kubeconfigPath, context: handle.context }),
      );
      for (const w of families.warnings) progress.info(`warning: ${w}`);
      if (families.stack !== p.profile) {
        const msg = `cluster ${p.name} is ${families.stack}, not ${p.profile}`;
        if (!created) throw new UsageError(`${msg}; delete it (v6e2e down --name ${p.name}) or pick another --name`);
        progress.info(`warning: ${msg} (${families.evidence.at(-1) ?? ''})`);
      }
      if (!created) await assertReusedVariant(kc, p, version);
      clearReportOutputs(p.reportDir);
      const env = {
        ...common,
        ...variantEnv(p),
        V6E2E_KUBECONFIG: handle.kubeconfigPath,
        V6E2E_CONTEXT: handle.context,
        V6E2E_REPORT_DIR: p.reportDir,
        V6E2E_KUBERNETES_VERSION: version,
      };
      await checkGate(env);
      const outcome = await progress.step(`e2e suites (${suites.join(', ')}) on ${p.label}${shardNote(args)}`, () =>
        withEnv(env, () => runVitest('e2e', filters, shardOption(args))),
      );
      const result = profileOutcome(p.label, p.reportDir, outcome);
      outcomes.push(result);
      if (args.html && !multi) await htmlReport(p.reportDir, env, args.history, result.summary ? [result.summary] : [], deps);
    } finally {
      await finishGuard(guard);
    }
  }
  return outcomes;
}

/** What the suites and reports learn of a lab cluster's variant. */
function variantEnv(p: ProfileRun): Record<string, string> {
  const a = p.variant.addressing;
  return {
    V6E2E_PROFILE: p.profile,
    V6E2E_VARIANT: p.label,
    V6E2E_CNI: p.variant.cni === 'flannel' ? 'flannel (vxlan)' : 'kindnet (v6e2e kindnetd-compatible)',
    V6E2E_KUBE_PROXY_MODE: p.variant.kubeProxyMode,
    V6E2E_POD_SUBNETS: a.podSubnets.join(','),
    V6E2E_SERVICE_SUBNETS: a.serviceSubnets.join(','),
    V6E2E_NODE_CIDR_MASKS: Object.entries(a.nodeCidrMask).map(([f, m]) => `${f}/${m}`).join(','),
    ...treeEnv(p.variant.kubernetes),
  };
}

/** A reused cluster must be the variant asked for: a report must never call an iptables cluster nftables. */
async function assertReusedVariant(kc: KubeConfig, p: ProfileRun, serverVersion: string): Promise<void> {
  const seen = await detectClusterEnvironment(kc);
  const mode = seen.kubeProxyMode?.startsWith('iptables') ? 'iptables' : seen.kubeProxyMode;
  const cni = seen.cni?.includes('flannel') ? 'flannel' : seen.cni?.includes('kindnet') ? 'kindnet' : seen.cni;
  const off: string[] = [];
  if (mode !== undefined && mode !== p.variant.kubeProxyMode) off.push(`kube-proxy mode ${mode}, not ${p.variant.kubeProxyMode}`);
  if (cni !== undefined && cni !== p.variant.cni) off.push(`CNI ${cni}, not ${p.variant.cni}`);
  const tree = p.variant.kubernetes;
  if (tree && serverVersion !== tree.stamp.gitVersion) off.push(`Kubernetes ${serverVersion}, not ${tree.stamp.gitVersion} built from ${tree.dir}`);
  if (off.length > 0) {
    throw new UsageError(`cluster ${p.name} runs ${off.join(' and ')}; delete it (v6e2e down --name ${p.name}) or give the flags it was made with`);
  }
}

/**
 * Refuses (exit 2) a gate pattern that matches no check before the suites run,
 * from the ids vitest collects (no test runs). When collection fails the check
 * happens after the run, against summary.json.
 */
async function validateGate(gate: Gate, deps: RunDeps): Promise<string[] | undefined> {
  const { collectCheckIds } = await import('./list-checks.ts');
  let collected: { ids: string[]; errors: string[] };
  try {
    // Every suite, not only the selected ones: one release gate serves runs of any --suite subset.
    collected = await deps.progress.step('check the gate file against the suites', () => collectCheckIds(REPO_ROOT, VITEST_CONFIG, []));
  } catch (err) {
    deps.log(`v6e2e: warning: could not list the checks (${err instanceof Error ? err.message : String(err)}); the gate file is checked after the run`);
    return undefined;
  }
  if (collected.errors.length > 0) {
    deps.log(`v6e2e: warning: some suites did not load while listing checks; the gate file is checked after the run`);
    return undefined;
  }
  assertGateMatches(gate, collected.ids, 'the suites');
  return collected.ids;
}

/** Files a run writes into its report dir: a stale summary.json must never stand in for a run that broke. */
export function clearReportOutputs(reportDir: string): void {
  for (const f of [SUMMARY_JSON, SUMMARY_MD, JUNIT_XML, ALLURE_RESULTS, HTML_DIR]) {
    fs.rmSync(path.join(reportDir, f), { recursive: true, force: true });
  }
}

/** The summary.json a run wrote, or undefined when it wrote none (decideRunExit then says the run broke). */
function tryReadSummary(reportDir: string): RunSummary | undefined {
  try {
    return readSummaryJson(reportDir);
  } catch {
    return undefined;
  }
}

function profileOutcome(profile: string, reportDir: string, outcome: VitestOutcome): ProfileOutcome {
  const summary = tryReadSummary(reportDir);
  return { profile, reportDir, vitestFailed: outcome.failed, ...(summary ? { summary } : {}) };
}

/** The HTML report of one profile's run or of several; a rendering failure warns, it never changes the verdict. */
async function htmlReport(
  reportDir: string,
  env: Partial<Record<string, string>>,
  history: string | undefined,
  summaries: readonly RunSummary[],
  deps: RunDeps,
): Promise<void> {
  const environment = { ...environmentInfo({ ...process.env, ...env }), ...environmentFromSummaries(summaries) };
  const of = summaries.length > 1 ? ` of ${summaries.length} profiles` : '';
  const r = await deps.progress.step(`HTML report${of} in ${path.join(reportDir, HTML_DIR)}`, () =>
    generateHtml({ reportDir, historyFrom: history, environment, name: `v6e2e ${summaries.map((s) => s.profile).join(', ')}`.trim(), log: deps.log }),
  );
  if (!r.ok) deps.log(`v6e2e: warning: no HTML report: ${r.reason}`);
}

export async function finishGuard(guard: CleanupGuard): Promise<void> {
  try {
    await guard.run();
  } finally {
    guard.dispose();
  }
}

/** Best effort: a failed sweep must not turn a green run red. */
async function sweepNamespaces(kc: KubeConfig, runId: string, deps: RunDeps): Promise<void> {
  try {
    const gone = await deleteRunNamespaces(kc, runId);
    if (gone.length > 0) deps.progress.info(`deleted ${gone.length} namespace(s) left by this run: ${gone.join(', ')}`);
  } catch (err) {
    deps.log(`v6e2e: could not sweep namespaces labelled ${RUN_LABEL}=${runId}: ${describeApiError(err)}`);
  }
}

/** A profile's outcome, with the exit code of its process when it ran in one (--parallel). */
type ParallelOutcome = ProfileOutcome & { exitCode?: number | null };

/**
 * `--profile all --parallel N`: one `v6e2e run` process per profile, at most N
 * at a time (lib/cli/parallel.ts). The lab is set up once here first, so the
 * children find it up to date instead of building it side by side.
 */
async function runProfilesInParallel(plan: readonly ProfileRun[], args: RunArgs, deps: RunDeps): Promise<ParallelOutcome[]> {
  const { progress } = deps;
  const { labSetup } = await import('../lab/index.ts');
  const tree = plan[0]?.variant.kubernetes;
  await progress.step('lab', () => labSetup({ progress, ...(tree ? { kubernetes: tree } : {}) }));
  const { runPool } = await import('./parallel.ts');
  const parallel = Math.min(args.parallel, plan.length);
  const jobs = plan.map((p) => ({
    label: p.label,
    command: process.execPath,
    args: [path.join(REPO_ROOT, 'bin', 'v6e2e.js'), ...childRunArgv(args, p)],
    cwd: process.cwd(),
  }));
  return progress.step(`${plan.length} profiles, ${parallel} at a time (${plan.map((p) => p.name).join(', ')})`, async () => {
    const pool = runPool(jobs, {
      parallel,
      line: (l) => deps.log(l),
      onStart: (j) => progress.info(`${j.label}: started`),
      onEnd: (r) => progress.info(`${r.label}: exit ${r.exitCode ?? r.signal ?? '?'} after ${Math.round(r.seconds)}s`),
    });
    // Ctrl-C / SIGTERM: pass it on once and wait while every child deletes its cluster.
    const guard = guardCleanup(() => pool.stop('SIGINT'), {
      abandoned: () => `clusters may be left: ${plan.map((p) => p.name).join(', ')} (v6e2e down --name <n>)`,
    });
    try {
      const results = await pool.done;
      return plan.map((p, i): ParallelOutcome => {
        const r = results[i];
        const code = r?.exitCode ?? null;
        const summary = tryReadSummary(p.reportDir);
        const broken =
          code === 3
            ? 'its run exited 3 (the run itself broke; see its lines above)'
            : code === null || code > 3
              ? `its process ${r?.error ?? (r?.notStarted ? 'never started' : `ended by ${r?.signal ?? `exit ${code}`}`)}`
              : undefined;
        return {
          profile: p.label,
          reportDir: p.reportDir,
          vitestFailed: code !== 0,
          exitCode: code,
          ...(summary ? { summary } : {}),
          ...(broken !== undefined && code !== 2 ? { broken } : {}),
        };
      });
    } finally {
      guard.dispose();
    }
  });
}

/** The `v6e2e run` command line of one profile of a parallel run: same selection, its own cluster and report dir, no HTML. */
export function childRunArgv(args: RunArgs, p: ProfileRun): string[] {
  const argv = ['run', '--profile', p.profile, '--name', p.name, '--report-dir', p.reportDir, '--no-html', ...variantArgv(args.variant)];
  if (args.reuse) argv.push('--reuse');
  if (args.keep) argv.push('--keep');
  if (args.suites.length > 0) argv.push('--suite', args.suites.join(','));
  if (args.dns64Mode !== undefined) argv.push('--dns64-mode', args.dns64Mode);
  if (args.nat64Prefix !== undefined) argv.push('--nat64-prefix', args.nat64Prefix);
  if (args.nat64Target !== undefined) argv.push('--nat64-target', args.nat64Target);
  if (args.gate !== undefined) argv.push('--gate', path.resolve(args.gate));
  if (args.shard !== undefined) argv.push('--shard', args.shard);
  return argv;
}

/** vitest's own sharding: it splits the selected test files, each shard writes a normal report dir. */
function shardOption(args: RunArgs): Record<string, unknown> {
  return args.shard !== undefined ? { shard: args.shard } : {};
}

function shardNote(args: RunArgs): string {
  return args.shard !== undefined ? `, shard ${args.shard}` : '';
}

/**
 * `--profile all`: one report at the top of the report dir, next to each
 * profile's own (<dir>/<profile>/junit.xml stays one JUnit file per profile):
 * summary.json (`{runs}`), summary.md, every profile's allure-results/ and one
 * HTML report over all of them.
 */
async function combineProfiles(
  base: string,
  outcomes: readonly ProfileOutcome[],
  args: RunArgs,
  env: Partial<Record<string, string>>,
  deps: RunDeps,
): Promise<void> {
  // A profile without a summary broke; its log says why, and the exit code is 3.
  const summaries = outcomes.flatMap((o) => (o.summary ? [o.summary] : []));
  if (summaries.length === 0) return;
  writeSummariesJson(base, summaries);
  writeSummaryMd(base, summaries);
  const { concatAllureResults } = await import('../report/merge.ts');
  fs.rmSync(path.join(base, ALLURE_RESULTS), { recursive: true, force: true });
  concatAllureResults(
    outcomes.map((o) => o.reportDir),
    base,
  );
  if (args.html) await htmlReport(base, env, args.history, summaries, deps);
}

