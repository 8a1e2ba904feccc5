/**
 * `--profile all --parallel N`: one `v6e2e run` process per profile, at most N
 * at a time (lib/cli/parallel.ts). The lab is set up once here first, so the
 * children find it up to date instead of building it side by side. Each child
 * writes its own report dir; its summary.json is how it reports back.
 */
import path from 'node:path';
import type { ClusterVariant } from '../cluster/variant.ts';
import { variantArgv } from '../cluster/variant.ts';
import type { Profile } from '../profiles.ts';
import { workersPerProfile } from '../harness/schedule.ts';
import type { ProfileOutcome } from '../report/outcome.ts';
import type { RunArgs } from './args.ts';
import { guardCleanup } from './cleanup.ts';
import { summaryWrittenIn, type ReportDeps } from './run-reports.ts';
import { REPO_ROOT } from './vitest-run.ts';

export interface ProfileRun {
  profile: Profile;
  variant: ClusterVariant;
  /** The variant's label (`ipv6-nft-flannel`): report rows, per-profile report dirs, output prefixes. */
  label: string;
  name: string;
  reportDir: string;
}

/** A profile's outcome, with the exit code of its process when it ran in one (--parallel). */
export type ParallelOutcome = ProfileOutcome & { exitCode?: number | null };

interface ChildResult {
  exitCode: number | null;
  signal?: string | null;
  error?: string;
  notStarted?: boolean;
}

/** How one child ended, as the run's verdict needs it. */
export function childOutcome(p: ProfileRun, r: ChildResult | undefined): ParallelOutcome {
  const code = r?.exitCode ?? null;
  const summary = summaryWrittenIn(p.reportDir);
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
}

export async function runProfilesInParallel(plan: readonly ProfileRun[], args: RunArgs, deps: ReportDeps): Promise<ParallelOutcome[]> {
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
    const sleeping = new KeptClusters(plan.length, progress);
    // Reused clusters of profiles that wait for a free slot sleep until their run wakes them.
    await sleeping.pauseQueued(plan.slice(parallel).map((p) => p.name));
    const pool = runPool(jobs, {
      parallel,
      line: (l) => deps.log(l),
      onStart: (j) => progress.info(`${j.label}: started`),
      onEnd: (r) => {
        progress.info(`${r.label}: exit ${r.exitCode ?? r.signal ?? '?'} after ${Math.round(r.seconds)}s`);
        const p = plan.find((x) => x.label === r.label);
        if (p) sleeping.ended(p.name);
      },
    });
    // Ctrl-C / SIGTERM: pass it on once and wait while every child deletes its cluster.
    const guard = guardCleanup(async () => {
      sleeping.stop();
      await pool.stop('SIGINT');
      await sleeping.unpauseAll();
    }, {
      abandoned: () => `clusters may be left: ${plan.map((p) => p.name).join(', ')} (v6e2e down --name <n>)`,
    });
    try {
      const results = await pool.done;
      await sleeping.wakeAll();
      return plan.map((p, i) => childOutcome(p, results[i]));
    } finally {
      guard.dispose();
    }
  });
}

/**
 * Clusters no child is using sleep while other profiles run: paused, their idle control
 * planes take no CPU from the runs still going (lib/cluster/pause.ts). A finished child's
 * kept cluster sleeps until the end; a queued child's reused cluster until its run wakes
 * it (runOnLabCluster). Every paused one is woken, settled, before the parallel run
 * returns, whatever happened (without waiting to settle on Ctrl-C).
 */
class KeptClusters {
  private endedCount = 0;
  private stopping = false;
  private readonly paused: Promise<string | undefined>[] = [];
  private unpaused: Promise<{ name: string; wokeAtMs: number }[]> | undefined;

  constructor(
    private readonly total: number,
    private readonly progress: ReportDeps['progress'],
  ) {}

  /** Pauses the existing clusters of profiles not started yet (--reuse); their runs wake them. Done before any job starts. */
  async pauseQueued(names: readonly string[]): Promise<void> {
    for (const name of names) this.pause(name, 'waits for its turn');
    await Promise.all(this.paused);
  }

  /** A child ended: its cluster, if it is still there, sleeps when more profiles are still to end. */
  ended(name: string): void {
    this.endedCount++;
    if (this.endedCount < this.total) this.pause(name, 'kept, paused while the other profiles run');
  }

  /** Ctrl-C: nothing is paused any more. */
  stop(): void {
    this.stopping = true;
  }

  private pause(name: string, why: string): void {
    if (this.stopping) return;
    this.paused.push(
      (async () => {
        const { clusterExists } = await import('../cluster/kind.ts');
        if (!(await clusterExists(name).catch(() => false))) return undefined;
        const { pauseCluster } = await import('../cluster/pause.ts');
        try {
          await pauseCluster(name);
          this.progress.info(`${name}: ${why}`);
        } catch (e) {
          // Not pausing only costs time: say so and go on. Some nodes may be paused: it is woken all the same.
          this.progress.info(`${name}: not paused (${(e as Error).message.split('\n')[0]})`);
        }
        return name;
      })(),
    );
  }

  /** Unpauses every paused cluster, once: the end of the run and a Ctrl-C share it, whichever comes first. */
  unpauseAll(): Promise<{ name: string; wokeAtMs: number }[]> {
    this.stopping = true;
    this.unpaused ??= (async () => {
      // A queued cluster is paused twice (waiting, then kept after its run): wake it once.
      const names = [...new Set((await Promise.all(this.paused)).filter((n): n is string => n !== undefined))];
      const { unpauseCluster } = await import('../cluster/pause.ts');
      const woken = await Promise.all(names.map(async (name) => ({ name, wokeAtMs: await unpauseCluster(name) })));
      return woken.filter((w): w is { name: string; wokeAtMs: number } => w.wokeAtMs !== undefined);
    })();
    return this.unpaused;
  }

  /** Unpauses every paused cluster and waits until each is usable again. */
  async wakeAll(): Promise<void> {
    const woken = await this.unpauseAll();
    if (!woken.length) return;
    const { settleCluster } = await import('../cluster/pause.ts');
    await this.progress.step(`wake kept clusters ${woken.map((w) => w.name).join(', ')}`, () => Promise.all(woken.map((w) => settleCluster(w.name, w.wokeAtMs))));
  }
}

/** The `v6e2e run` command line of one profile of a parallel run: same selection, its own cluster and report dir, no HTML. */
export function childRunArgv(args: RunArgs, p: ProfileRun): string[] {
  const argv = ['run', '--profile', p.profile, '--name', p.name, '--report-dir', p.reportDir, '--no-html', ...variantArgv(args.variant)];
  if (args.reuse) argv.push('--reuse');
  if (args.keep) argv.push('--keep');
  if (args.selfTest) argv.push('--self-test');
  // Profiles at once share the machine: unless told, each runs its part of the default workers.
  argv.push('--concurrency', String(args.concurrency ?? workersPerProfile(args.parallel, args.selfTest)));
  if (args.suites.length > 0) argv.push('--suite', args.suites.join(','));
  if (args.dns64Mode !== undefined) argv.push('--dns64-mode', args.dns64Mode);
  if (args.nat64Prefix !== undefined) argv.push('--nat64-prefix', args.nat64Prefix);
  if (args.nat64Target !== undefined) argv.push('--nat64-target', args.nat64Target);
  if (args.gate !== undefined) argv.push('--gate', path.resolve(args.gate));
  if (args.shard !== undefined) argv.push('--shard', args.shard);
  return argv;
}
