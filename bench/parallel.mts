/**
 * `run` with several profiles, one after another versus N at a time: wall time
 * of the whole `v6e2e run --profile <list> --parallel N` (fresh clusters,
 * created and deleted by the run). Usage:
 *   npx tsx bench/parallel.mts [--profiles all] [--suite address-families] [--parallel 1,2]
 * Prints one JSON line per measurement and a table at the end; the runs' own
 * exit codes are shown (a red run is still timed, and says so).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '..');
const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const profiles = flag('--profiles', 'all');
const suite = flag('--suite', 'address-families');
const levels = flag('--parallel', '1,2').split(',').map(Number);

const rows: { what: string; seconds: number; exit: number | null }[] = [];
for (const n of levels) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `v6e2e-bench-p${n}-`));
  const argv = [path.join(REPO, 'bin', 'v6e2e.js'), 'run', '--profile', profiles, '--suite', suite, '--name', `v6e2e-bench-p${n}`, '--report-dir', dir, '--no-html'];
  if (n > 1) argv.push('--parallel', String(n));
  const t = performance.now();
  const r = spawnSync(process.execPath, argv, { cwd: REPO, stdio: ['ignore', 'ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore'] });
  const row = { what: `run --profile ${profiles} --suite ${suite} --parallel ${n}`, seconds: Number(((performance.now() - t) / 1000).toFixed(1)), exit: r.status };
  rows.push(row);
  console.log(JSON.stringify(row));
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log('\n| measurement | seconds | exit |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.what} | ${r.seconds} | ${r.exit} |`);
