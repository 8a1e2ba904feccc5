/**
 * Run benchmark on kept clusters: `run --reuse` of checks only versus with
 * `--self-test`, each `--repeat N` times (min/median/max), per profile; and for
 * the last run of each kind the test-body seconds per suite and per kind (check
 * or fault) from its summary.json. The clusters must exist (v6e2e up, or a kept
 * run); the bench never creates or deletes one.
 *   npx tsx bench/run.mts [--profiles ipv6,dual] [--repeat 3] [--name-prefix v6e2e]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parseProfiles } from '../lib/cli/args.ts';
import { readSummaries, type RunSummary } from '../lib/report/summary.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const opt = (flag: string, fallback: string): string => (argv.includes(flag) ? (argv[argv.indexOf(flag) + 1] ?? fallback) : fallback);
const profiles = parseProfiles(opt('--profiles', 'ipv6'));
const repeat = Math.max(1, Number(opt('--repeat', '3')));
const prefix = opt('--name-prefix', 'v6e2e');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-bench-run-'));

interface Row {
  what: string;
  seconds: number[];
  exit: number[];
  last?: RunSummary;
}

async function once(profile: string, selfTest: boolean, i: number): Promise<{ seconds: number; exit: number; summary?: RunSummary }> {
  const dir = path.join(work, `${profile}-${selfTest ? 'self' : 'checks'}-${i}`);
  const args = ['run', '--profile', profile, '--name', `${prefix}-${profile}`, '--reuse', '--keep', '--no-html', '--report-dir', dir, ...(selfTest ? ['--self-test'] : [])];
  const t = performance.now();
  const r = await execa('node', [path.join(REPO_ROOT, 'bin', 'v6e2e.js'), ...args], { cwd: REPO_ROOT, reject: false, env: { FORCE_COLOR: '0' } });
  const seconds = (performance.now() - t) / 1000;
  if (r.exitCode !== 0) console.error(r.stderr.split('\n').slice(-12).join('\n'));
  const summary = fs.existsSync(path.join(dir, 'summary.json')) ? readSummaries(dir)[0] : undefined;
  return { seconds, exit: r.exitCode ?? -1, ...(summary ? { summary } : {}) };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor((s.length - 1) / 2)]!, max: s.at(-1)! };
};

/** Test-body seconds per suite, split by kind: what the suites spend inside their checks. */
function bodies(s: RunSummary): string {
  const by = new Map<string, { check: number; fault: number }>();
  for (const c of s.checks) {
    const e = by.get(c.suite) ?? { check: 0, fault: 0 };
    e[c.kind === 'fault' ? 'fault' : 'check'] += c.durationMs / 1000;
    by.set(c.suite, e);
  }
  return [...by].map(([suite, e]) => `${suite} ${e.check.toFixed(0)}+${e.fault.toFixed(0)}s`).join(', ');
}

const rows: Row[] = [];
try {
  for (const profile of profiles) {
    for (const selfTest of [false, true]) {
      const row: Row = { what: `${profile}: run --reuse${selfTest ? ' --self-test' : ' (checks only)'}`, seconds: [], exit: [] };
      for (let i = 0; i < repeat; i++) {
        const r = await once(profile, selfTest, i);
        row.seconds.push(r.seconds);
        row.exit.push(r.exit);
        if (r.summary) row.last = r.summary;
        console.log(JSON.stringify({ what: row.what, run: i + 1, seconds: Number(r.seconds.toFixed(1)), exit: r.exit, totals: r.summary?.totals }));
      }
      rows.push(row);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
console.log('\n| measurement | runs | min s | median s | max s | exits | test bodies per suite (checks+faults) |\n|---|---:|---:|---:|---:|---|---|');
for (const r of rows) {
  const s = stats(r.seconds);
  console.log(`| ${r.what} | ${r.seconds.length} | ${s.min.toFixed(0)} | ${s.median.toFixed(0)} | ${s.max.toFixed(0)} | ${r.exit.join(',')} | ${r.last ? bodies(r.last) : ''} |`);
}
