/**
 * `v6e2e run`: get a cluster (or several profiles' clusters, in turn or in
 * parallel processes), run vitest in-process against it with the run's settings
 * (lib/harness/settings.ts), write the reports, always clean up what we created.
 *
 * By concern: inputs (run-inputs.ts), the cluster under test (run-cluster.ts),
 * reports (run-reports.ts), parallel profiles (run-parallel.ts).
 */
import { E2E_PROJECTS } from '../harness/schedule.ts';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { variantLabel, variantOf } from '../cluster/variant.ts';
import { settings as makeSettings, type RunSettings } from '../harness/settings.ts';
import { loadKubeConfig, type KubeTarget } from '../k8s/client.ts';
import type { ClusterFamilies } from '../k8s/families.ts';
import type { Profile, Suite } from '../profiles.ts';
import { kubernetesBuildOf } from '../report/environment.ts';
import { assertGateMatches, readGate, type Gate } from '../report/gate.ts';
import { decideRunExit, type ProfileOutcome } from '../report/outcome.ts';
import { UsageError } from '../util/errors.ts';
import type { Progress } from '../util/progress.ts';
import { runClusterName, type RunArgs } from './args.ts';
import { guardCleanup, type CleanupGuard } from './cleanup.ts';
import type { CollectedChecks } from './list-checks.ts';
import type { NodesReady } from '../cluster/kind.ts';
import { assertReusedVariant, existingClusterFacts, inspectCluster, labClusterFacts, sweepNamespaces, sweepRunContainers, type Inspected } from './run-cluster.ts';
import { ensureReadableFile, ensureWritableDir, resolveSuites, timestamp } from './run-inputs.ts';
import { runProfilesInParallel, type ParallelOutcome, type ProfileRun } from './run-parallel.ts';
import { clearReportOutputs, combineProfiles, htmlReport } from './run-reports.ts';
import { runVitest, type VitestOutcome } from './vitest-run.ts';

export { REPO_ROOT, VITEST_CONFIG } from './vitest-run.ts';
export { ensureReadableFile, ensureWritableDir, resolveSuites, timestamp } from './run-inputs.ts';

export interface RunDeps {
  progress: Progress;
  log: (line: string) => void;
}

/** What every profile of one `run` shares, fixed before any cluster exists. */
interface RunPlan {
  args: RunArgs;
  runId: string;
  gate: Gate | undefined;
  gateFile: string | undefined;
  suites: Suite[];
  filters: string[];
  /** Every declared check id, once the first profile's vitest collected them (gate files only). */
  collected?: string[];
}

export async function runCommand(args: RunArgs, deps: RunDeps): Promise<number> {
  const gateFile = args.gate !== undefined ? ensureReadableFile(args.gate, '--gate') : undefined;
  if (args.history !== undefined && !fs.existsSync(args.history)) {
    throw new UsageError(`--history ${path.resolve(args.history)} does not exist; pass a previous report directory (or drop --history)`);
  }
  const suites = resolveSuites(args.suites);
  const plan: RunPlan = {
    args,
    runId: `${timestamp()}-${randomBytes(3).toString('hex')}`,
    gate: gateFile !== undefined ? readGate(gateFile) : undefined,
    gateFile,
    suites,
    filters: args.suites.length > 0 ? suites.map((s) => `suites/${s}/`) : [],
  };
  // vitest's modules take seconds to load: from here on (the input is valid) they load while
  // the lab and cluster steps wait on their child processes.
  void import('vitest/node').catch(() => undefined);
  const existing = args.kubeconfig !== undefined || args.context !== undefined;
  const outcomes = existing ? await runOnExistingCluster(plan, deps) : await runOnLabClusters(plan, deps);
  if (outcomes === 2) return 2;
  // Without the collected list, a pattern for a suite this run did not select is not a typo.
  const verdict = decideRunExit(outcomes, { gate: plan.gate, collectedIds: plan.collected, unmatchedIsWarning: plan.collected === undefined && plan.filters.length > 0 });
  for (const line of verdict.lines) deps.log(line);
  return verdict.code;
}

/** The settings of one profile's vitest run. */
function profileSettings(plan: RunPlan, over: Partial<RunSettings>): RunSettings {
  const { args } = plan;
  return makeSettings({
    runId: plan.runId,
    gateFile: plan.gateFile ?? null,
    selfTest: args.selfTest,
    workers: args.concurrency ?? null,
    suites: [...plan.suites],
    dns64Mode: args.dns64Mode ?? null,
    nat64Prefix: args.nat64Prefix ?? null,
    nat64Target: args.nat64Target ?? null,
    ...over,
  });
}

/**
 * The suites on one cluster. With a gate file, the same vitest instance first
 * collects the declared checks and refuses (exit 2) a pattern matching none,
 * before any test runs; the first profile's collection serves the others.
 */
async function runSuites(
  plan: RunPlan,
  s: RunSettings,
  label: string,
  deps: RunDeps,
  cluster: { kc: KubeConfig; families: ClusterFamilies; podsStarted?: Promise<void> | undefined },
): Promise<VitestOutcome> {
  const { args } = plan;
  // The run's probes come up while vitest loads (suites/setup/run-probes.ts); the globalSetup leaves them to this.
  const runProbes = import('../../suites/setup/run-probes.ts');
  const { podsStarted } = cluster;
  const probesStarted = runProbes
    .then(async (m) => {
      if (!podsStarted) return m.startRunProbes(cluster.kc, s, { sharded: args.shard !== undefined, families: cluster.families.families });
      await Promise.all([podsStarted, m.startOutsideClients(cluster.kc, s)]);
    })
    .catch(() => undefined);
  // The workers take the families detected here instead of each listing the cluster again.
  const settings: RunSettings = { ...s, runProbesStarted: true, families: cluster.families };
  const gate = plan.gate;
  const beforeTests =
    gate && plan.collected === undefined
      ? (c: CollectedChecks) => {
          if (c.errors.length > 0) {
            deps.log('v6e2e: warning: some suites did not load while listing checks; the gate file is checked after the run');
            return;
          }
          // A --suite selection collects only its suites: a pattern for another one is not a typo, so it waits for the run's verdict (a warning).
          if (plan.filters.length > 0) return;
          plan.collected = c.checks.map((x) => x.id);
          assertGateMatches(gate, plan.collected, 'the suites');
        }
      : undefined;
  const shard = args.shard !== undefined ? { shard: args.shard } : {};
  try {
    return await deps.progress.step(`e2e suites (${plan.suites.join(', ')}) on ${label}${args.shard !== undefined ? `, shard ${args.shard}` : ''}`, () =>
      runVitest(E2E_PROJECTS, plan.filters, { extra: shard, settings, ...(beforeTests ? { beforeTests } : {}) }),
      (o) => o.failed,
    );
  } finally {
    // Its creations end before the deletion starts, or they could outlive it.
    await probesStarted;
    await runProbes
      .then((m) => m.deleteRunProbes(cluster.kc, s))
      .catch((err: unknown) => deps.log(`v6e2e: could not remove the probes of run ${s.runId}: ${err instanceof Error ? err.message : String(err)}`));
  }
}

function profileOutcome(profile: string, reportDir: string, o: VitestOutcome): ProfileOutcome {
  return { profile, reportDir, vitestFailed: o.failed, ...(o.summary ? { summary: o.summary } : {}) };
}

/** `--kubeconfig/--context`: a cluster that is not ours; only the namespaces this run labelled are swept (unless --keep). */
async function runOnExistingCluster(plan: RunPlan, deps: RunDeps): Promise<ProfileOutcome[]> {
  const { args } = plan;
  const target: KubeTarget = {};
  if (args.kubeconfig !== undefined) target.kubeconfig = args.kubeconfig;
  if (args.context !== undefined) target.context = args.context;
  const kc = loadKubeConfig(target);
  const explicitReportDir = args.reportDir !== undefined ? ensureWritableDir(args.reportDir) : undefined;
  const guard = guardCleanup(async () => {
    if (!args.keep) await sweepNamespaces(kc, plan.runId, deps.log, (l) => deps.progress.info(l));
  });
  try {
    const label = `${args.kubeconfig ? path.resolve(args.kubeconfig) : 'default kubeconfig'}${args.context ? ` (${args.context})` : ''}`;
    const seen = await deps.progress.step(`inspect cluster ${label}`, () => inspectCluster(kc, label));
    const profile = chooseProfile(args.profiles[0], seen, deps);
    const reportDir = explicitReportDir ?? ensureWritableDir(path.join('reports', `${timestamp()}-${profile}`));
    clearReportOutputs(reportDir);
    const s = profileSettings(plan, {
      kubeconfig: target.kubeconfig ? path.resolve(target.kubeconfig) : null,
      context: kc.getCurrentContext(),
      profile,
      reportDir,
      kubernetesVersion: seen.version,
      cluster: await existingClusterFacts(kc),
    });
    const result = profileOutcome(profile, reportDir, await runSuites(plan, s, profile, deps, { kc, families: seen.families }));
    if (args.html) await htmlReport(reportDir, s, args.history, result.summary ? [result.summary] : [], deps);
    deps.log(`v6e2e: report in ${reportDir}`);
    return [result];
  } finally {
    await finishGuard(guard);
  }
}

function chooseProfile(asked: Profile | undefined, seen: Inspected, deps: RunDeps): Profile {
  const { families, version } = seen;
  for (const w of families.warnings) deps.progress.info(`warning: ${w}`);
  if (asked && asked !== families.stack) {
    deps.progress.info(`warning: --profile ${asked} but the cluster looks ${families.stack} (${families.evidence.at(-1) ?? ''})`);
  }
  deps.progress.info(`cluster: ${families.stack}, Kubernetes ${version}`);
  return asked ?? families.stack;
}

/** Lab clusters, one per profile: in turn in this process, or in parallel child processes. Returns 2 when a child refused its input. */
async function runOnLabClusters(plan: RunPlan, deps: RunDeps): Promise<ParallelOutcome[] | 2> {
  const { args } = plan;
  const profiles: Profile[] = args.profiles.length > 0 ? args.profiles : ['ipv6'];
  const multi = profiles.length > 1;
  const variants = profiles.map((profile) => variantOf(profile, args.variant));
  const explicit = args.reportDir !== undefined ? ensureWritableDir(args.reportDir) : undefined;
  const base = explicit ?? ensureWritableDir(path.join('reports', `${timestamp()}-${multi ? 'all' : variantLabel(variants[0]!)}`));
  const runs: ProfileRun[] = variants.map((variant) => {
    const label = variantLabel(variant);
    return { profile: variant.profile, variant, label, name: runClusterName(args.name, label, profiles.length), reportDir: multi ? ensureWritableDir(path.join(base, label)) : base };
  });
  const outcomes: ParallelOutcome[] = [];
  if (multi && args.parallel > 1) outcomes.push(...(await runProfilesInParallel(runs, args, deps)));
  else for (const p of runs) outcomes.push(await runOnLabCluster(plan, p, multi, deps));
  if (multi) {
    const exit2 = outcomes.filter((o) => o.exitCode === 2);
    if (exit2.length > 0) {
      deps.log(`v6e2e: ${exit2.map((o) => o.profile).join(', ')}: bad input or unusable environment (exit 2; the lines above say why)`);
      return 2;
    }
    const html = args.html ? { settings: profileSettings(plan, { reportDir: base }), history: args.history } : undefined;
    await combineProfiles(base, outcomes, html, deps);
  }
  deps.log(`v6e2e: report in ${base}`);
  return outcomes;
}

/** Gets the profile's cluster (created, or reused with --reuse); the guard deletes what this run created. */
async function runOnLabCluster(plan: RunPlan, p: ProfileRun, multi: boolean, deps: RunDeps): Promise<ParallelOutcome> {
  const { args } = plan;
  const { progress } = deps;
  const kind = await import('../cluster/kind.ts');
  let created = false;
  let pendingUp: Promise<unknown> | undefined;
  let clusterKc: KubeConfig | undefined;
  // A cluster this run creates gets its probe pods once its nodes are Ready (kind.up's onNodesReady).
  let podsStarted: Promise<void> | undefined;
  const podsGivenUp = new AbortController();
  const startPods = ({ handle, labResolver }: NodesReady) => {
    const kc = loadKubeConfig({ kubeconfig: handle.kubeconfigPath, context: handle.context });
    const s = { runId: plan.runId, suites: plan.suites, selfTest: args.selfTest };
    podsStarted = import('../../suites/setup/run-probes.ts')
      .then((m) => m.startClusterProbes(kc, s, { sharded: args.shard !== undefined, edge: { labResolver }, signal: podsGivenUp.signal }))
      .catch(() => undefined);
  };
  const guard = guardCleanup(
    async () => {
      podsGivenUp.abort(); // a failed creation leaves no wave waiting on a deleted cluster
      await pendingUp?.catch(() => undefined); // up() deletes a half-made cluster itself
      if (created && !args.keep) await kind.down({ name: p.name, progress });
      else if (clusterKc && !args.keep) {
        await sweepNamespaces(clusterKc, plan.runId, deps.log, (l) => progress.info(l));
        await sweepRunContainers(plan.runId, deps.log, (l) => progress.info(l));
      }
    },
    { abandoned: () => (created && !args.keep ? `cluster ${p.name} was not deleted: v6e2e down --name ${p.name}` : undefined) },
  );
  try {
    const edge = { name: p.name, progress, pref64: args.nat64Prefix, dns64Mode: args.dns64Mode, loadBalancers: plan.suites.includes('loadbalancer') };
    let handle: Awaited<ReturnType<typeof kind.up>>;
    if (args.reuse && (await kind.clusterExists(p.name))) {
      // A parallel run pauses the clusters of the profiles that wait (run-parallel.ts); kind's export execs into a node.
      const pause = await import('../cluster/pause.ts');
      if ((await pause.pausedNodes(p.name)).length) await progress.step(`wake paused cluster ${p.name}`, () => pause.wakeCluster(p.name));
      handle = await progress.step(`reuse cluster ${p.name}`, () => kind.exportKubeconfig(p.name, progress));
      await kind.ensureEdge(handle, edge);
    } else {
      const up = kind.up({ variant: p.variant, ...edge, onNodesReady: startPods });
      pendingUp = up;
      handle = await up;
      created = true;
    }
    const kc = loadKubeConfig({ kubeconfig: handle.kubeconfigPath, context: handle.context });
    clusterKc = kc;
    const seen = await progress.step(`inspect kind cluster ${p.name}`, () => inspectCluster(kc, `kind cluster ${p.name}`));
    await assertLabCluster(kc, p, seen, created, deps);
    clearReportOutputs(p.reportDir);
    const s = profileSettings(plan, {
      kubeconfig: handle.kubeconfigPath,
      context: handle.context,
      profile: p.profile,
      variant: p.label,
      reportDir: p.reportDir,
      kubernetesVersion: seen.version,
      build: kubernetesBuildOf(p.variant.kubernetes),
      cluster: labClusterFacts(p.variant),
    });
    const result = profileOutcome(p.label, p.reportDir, await runSuites(plan, s, p.label, deps, { kc, families: seen.families, podsStarted }));
    if (args.html && !multi) await htmlReport(p.reportDir, s, args.history, result.summary ? [result.summary] : [], deps);
    return result;
  } finally {
    await finishGuard(guard);
  }
}

/** A created cluster of another stack only warns; a reused one must be what was asked for. */
async function assertLabCluster(kc: KubeConfig, p: ProfileRun, seen: Inspected, created: boolean, deps: RunDeps): Promise<void> {
  const { families, version } = seen;
  for (const w of families.warnings) deps.progress.info(`warning: ${w}`);
  if (families.stack !== p.profile) {
    const msg = `cluster ${p.name} is ${families.stack}, not ${p.profile}`;
    if (!created) throw new UsageError(`${msg}; delete it (v6e2e down --name ${p.name}) or pick another --name`);
    deps.progress.info(`warning: ${msg} (${families.evidence.at(-1) ?? ''})`);
  }
  if (!created) await assertReusedVariant(kc, p.name, p.variant, version);
}

export async function finishGuard(guard: CleanupGuard): Promise<void> {
  try {
    await guard.run();
  } finally {
    guard.dispose();
  }
}
