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
      return plan.map((p, i) => childOutcome(p, results[i]));
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
  if (args.selfTest) argv.push('--self-test');
  // Profiles at once share the machine: unless told, each runs its part of the default workers.
  argv.push('--concurrency', String(args.concurrency ?? workersPerProfile(args.parallel)));
  if (args.suites.length > 0) argv.push('--suite', args.suites.join(','));
  if (args.dns64Mode !== undefined) argv.push('--dns64-mode', args.dns64Mode);
  if (args.nat64Prefix !== undefined) argv.push('--nat64-prefix', args.nat64Prefix);
  if (args.nat64Target !== undefined) argv.push('--nat64-target', args.nat64Target);
  if (args.gate !== undefined) argv.push('--gate', path.resolve(args.gate));
  if (args.shard !== undefined) argv.push('--shard', args.shard);
  return argv;
}
