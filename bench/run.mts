/**
 * Run benchmark on kept clusters: `run --reuse` of checks only versus with
 * `--self-test`, each `--repeat N` times (min/median/max), per profile; and for
 * the last run of each kind, per suite, its files' wall time and how much of it
 * was setup (wall minus test bodies) from summary.json, and where each run's CPU went
 * (bench/cpu.mts: the cluster's nodes, their pods, the runner). The clusters must exist
 * (v6e2e up, or a kept run); those runs never create or delete one. Each of them starts once
 * the previous run's namespaces are gone (settle; the wait is printed as settledS).
 * `--end-to-end` adds a warm-lab `run --profile <p>` per profile: cluster created,
 * judged and deleted, as a user's first command does; `--end-to-end-only` runs just
 * those (no kept cluster needed): N consecutive full runs per profile.
 *   npx tsx bench/run.mts [--profiles ipv6,dual] [--repeat 3] [--name-prefix v6e2e] [--end-to-end | --end-to-end-only] [--checks-only] [--concurrency N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parseProfiles } from '../lib/cli/args.ts';
import { kubeconfigPathFor } from '../lib/cluster/kind.ts';
import { isSerialFile } from '../lib/harness/schedule.ts';
import { RUN_LABEL } from '../lib/k8s/apply.ts';
import { loadKubeConfig } from '../lib/k8s/client.ts';
import { CoreV1Api } from '@kubernetes/client-node';
import { readSummaries, type RunSummary } from '../lib/report/summary.ts';
import { cpuSnapshot, cpuSpent, describeCpu } from './cpu.mts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const opt = (flag: string, fallback: string): string => (argv.includes(flag) ? (argv[argv.indexOf(flag) + 1] ?? fallback) : fallback);
const profiles = parseProfiles(opt('--profiles', 'ipv6'));
const repeat = Math.max(1, Number(opt('--repeat', '3')));
const prefix = opt('--name-prefix', 'v6e2e');
const endToEndOnly = argv.includes('--end-to-end-only');
const endToEnd = endToEndOnly || argv.includes('--end-to-end');
const checksOnly = argv.includes('--checks-only');
const concurrency = argv.includes('--concurrency') ? ['--concurrency', opt('--concurrency', '3')] : [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-bench-run-'));

interface Row {
  what: string;
  seconds: number[];
  exit: number[];
  last?: RunSummary;
}

type Mode = 'checks' | 'self-test' | 'end-to-end';

/**
 * A run deletes its namespaces without waiting: their pods go in the seconds after it ended
 * (about 5 CPU-seconds on a dual cluster). Each timed run on a kept cluster starts once the
 * previous run's are gone, so it is judged from the state a user's next run meets, not
 * while the last one's cleanup competes for the 2 cores. Returns the seconds waited.
 */
async function settle(cluster: string): Promise<number> {
  const core = loadKubeConfig({ kubeconfig: kubeconfigPathFor(cluster) }).makeApiClient(CoreV1Api);
  const t = performance.now();
  while (performance.now() - t < 120_000) {
    const left = (await core.listNamespace({ labelSelector: RUN_LABEL })).items;
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return (performance.now() - t) / 1000;
}

async function once(profile: string, mode: Mode, i: number): Promise<{ seconds: number; exit: number; summary?: RunSummary; cpu?: string; settledS?: number }> {
  const dir = path.join(work, `${profile}-${mode}-${i}`);
  const cluster = mode === 'end-to-end' ? ['--name', `v6e2e-bench-e2e-${profile}`] : ['--name', `${prefix}-${profile}`, '--reuse', '--keep'];
  const args = ['run', '--profile', profile, ...cluster, '--no-html', '--report-dir', dir, ...(mode === 'self-test' ? ['--self-test'] : []), ...concurrency];
  const settledS = mode === 'end-to-end' ? undefined : await settle(`${prefix}-${profile}`);
  // On a kept cluster only: an end-to-end run's cluster is made and gone within it.
  const before = mode === 'end-to-end' ? undefined : await cpuSnapshot();
  const t = performance.now();
  const r = await execa('node', [path.join(REPO_ROOT, 'bin', 'v6e2e.js'), ...args], { cwd: REPO_ROOT, reject: false, env: { FORCE_COLOR: '0' } });
  const seconds = (performance.now() - t) / 1000;
  const after = before ? await cpuSnapshot() : undefined;
  const spent = before && after ? cpuSpent(before, after) : undefined;
  if (r.exitCode !== 0) console.error(r.stderr.split('\n').slice(-12).join('\n'));
  const summary = fs.existsSync(path.join(dir, 'summary.json')) ? readSummaries(dir)[0] : undefined;
  return { seconds, exit: r.exitCode ?? -1, ...(summary ? { summary } : {}), ...(spent ? { cpu: describeCpu(spent, seconds) } : {}), ...(settledS !== undefined ? { settledS: Number(settledS.toFixed(1)) } : {}) };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor((s.length - 1) / 2)]!, max: s.at(-1)! };
};

/** When the last file of checks ended: a serial file's time before it is its wait at the barrier, not setup. */
function checksEndMs(s: RunSummary): number | undefined {
  const ends = (s.files ?? []).filter((f) => !isSerialFile(f.file) && f.endMs !== undefined).map((f) => f.endMs!);
  return ends.length > 0 ? Math.max(...ends) : undefined;
}

/**
 * Per suite: its files' wall seconds, and the share that was setup (wall minus the time
 * any test body ran; bodies running at once count once). Files run side by side, so
 * the walls overlap and do not add up to the run's. A serial file's wall starts at its
 * turn (`turnMs`: past its barrier and its locks) and ends at its `endMs`: vitest's file
 * duration also counts the time a queued serial file waited to be loaded (dns64's, 12 s
 * behind nat64's step on dual-v6). A serial file with no turn and no body ran nothing (a run
 * of checks skips the disruptive files whole): no wall, where counting from the end of the
 * files of checks had billed its suite up to 0.4 s of setup (dns64 31 % on ipv6).
 */
function bodies(s: RunSummary): string {
  const by = new Map<string, { wall: number; body: number }>();
  const checksEnd = checksEndMs(s);
  for (const f of s.files ?? []) {
    const e = by.get(f.suite) ?? { wall: 0, body: 0 };
    const ranNothing = isSerialFile(f.file) && f.turnMs === undefined && f.bodyMs === 0;
    const turn = f.turnMs ?? (isSerialFile(f.file) ? checksEnd : undefined);
    const fromTurn = turn !== undefined && f.startMs !== undefined && f.endMs !== undefined ? Math.max(0, f.endMs - Math.max(turn, f.startMs)) : undefined;
    e.wall += ranNothing ? 0 : (fromTurn ?? f.durationMs) / 1000;
    e.body += f.bodyMs / 1000;
    by.set(f.suite, e);
  }
  // A suite whose checks all skipped (dns64 and nat64 on ipv4) has no share to speak of.
  return [...by]
    .map(([suite, e]) => (e.body < 0.05 ? `${suite} ${e.wall.toFixed(0)}s (nothing ran)` : `${suite} ${e.wall.toFixed(0)}s (setup ${Math.round((100 * (e.wall - e.body)) / e.wall)}%)`))
    .join(', ');
}

/**
 * Where a run's suite time went, from the files' timeline (summary.json files[].startMs/endMs):
 * until the first file started, the concurrent files, the serial (disruptive) files from the
 * end of the concurrent ones (they start earlier, waiting at their barrier).
 */
function phases(s: RunSummary): { firstFileS: number; concurrentS: number; serialS: number } | undefined {
  const timed = (s.files ?? []).filter((f) => f.startMs !== undefined && f.endMs !== undefined);
  if (timed.length === 0) return undefined;
  const serial = timed.filter((f) => isSerialFile(f.file));
  const concurrent = timed.filter((f) => !serial.includes(f));
  const span = (fs: typeof timed) => (fs.length === 0 ? 0 : (Math.max(...fs.map((f) => f.endMs!)) - Math.min(...fs.map((f) => f.startMs!))) / 1000);
  const round = (x: number) => Number(x.toFixed(1));
  const checksEnd = checksEndMs(s);
  const serialS = serial.length === 0 ? 0 : checksEnd === undefined ? span(serial) : (Math.max(...serial.map((f) => f.endMs!)) - checksEnd) / 1000;
  return { firstFileS: round(Math.min(...timed.map((f) => f.startMs!)) / 1000), concurrentS: round(span(concurrent)), serialS: round(Math.max(0, serialS)) };
}

const rows: Row[] = [];
try {
  for (const profile of profiles) {
    const modes: Mode[] = endToEndOnly ? ['end-to-end'] : ['checks', ...(checksOnly ? [] : (['self-test'] as const)), ...(endToEnd ? (['end-to-end'] as const) : [])];
    for (const mode of modes) {
      const what = mode === 'end-to-end' ? `${profile}: run (warm lab, cluster created and deleted)` : `${profile}: run --reuse${mode === 'self-test' ? ' --self-test' : ' (checks only)'}`;
      const row: Row = { what, seconds: [], exit: [] };
      for (let i = 0; i < repeat; i++) {
        const r = await once(profile, mode, i);
        row.seconds.push(r.seconds);
        row.exit.push(r.exit);
        if (r.summary) row.last = r.summary;
        // Which checks needed a retry or failed: a slow run is often one timing check retried.
        const notClean = r.summary?.checks.filter((c) => c.status === 'flaky' || c.status === 'failed').map((c) => `${c.status}: ${c.id}`);
        console.log(JSON.stringify({ what: row.what, run: i + 1, seconds: Number(r.seconds.toFixed(1)), exit: r.exit, totals: r.summary?.totals, phases: r.summary ? phases(r.summary) : undefined, ...(r.settledS !== undefined ? { settledS: r.settledS } : {}), ...(r.cpu ? { cpu: r.cpu } : {}), ...(notClean?.length ? { notClean } : {}) }));
      }
      rows.push(row);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
console.log('\n| measurement | runs | min s | median s | max s | exits | per suite: wall time of its files (setup share), last run |\n|---|---:|---:|---:|---:|---|---|');
for (const r of rows) {
  const s = stats(r.seconds);
  console.log(`| ${r.what} | ${r.seconds.length} | ${s.min.toFixed(0)} | ${s.median.toFixed(0)} | ${s.max.toFixed(0)} | ${r.exit.join(',')} | ${r.last ? bodies(r.last) : ''} |`);
}
