/**
 * `--kubernetes-src` benchmark: how long a developer waits for a verdict on a
 * Kubernetes patch. On a tree (default: one assembled offline from the module
 * cache, as the acceptance does; or --tree DIR, which is restored afterwards):
 *   1. the first `lab setup --kubernetes-src` (compile in the tree, images, node image);
 *   2. the same again with the tree unchanged (must build nothing);
 *   3. a one-line kube-proxy change, then `run --profile dual --suite nodeport`
 *      from start to report (rebuild, node image, cluster, suite, delete);
 * Each step's sub-steps come from the run's own progress lines (▶/✔ with seconds).
 *   npx tsx bench/kubernetes-src.mts [--tree DIR]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { assembleKubernetesTree } from '../acceptance/support/kubernetes-tree.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const treeArg = argv.includes('--tree') ? argv[argv.indexOf('--tree') + 1] : undefined;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-bench-k8s-'));
const rows: { what: string; seconds: number; detail?: string }[] = [];

/** `✔ build kubernetes-src (312.4s)` lines of the steps worth showing. */
function substeps(stderr: string): string {
  // The step's own time is the last `(N.Ns)` of its line; titles may hold parentheses of their own.
  const wanted = /✔ (build kubernetes-src|image v6e2e\.local\/kubernetes-src\/[a-z-]+|node image|kind create cluster|wait for nodes|lab edge|e2e suites).*\(([\d.]+)s\)$/;
  return stderr.split('\n').flatMap((l) => {
    const m = wanted.exec(l);
    return m ? [`${m[1]!.replace(/^image v6e2e\.local\/kubernetes-src\//, 'image ')} ${m[2]}s`] : [];
  }).join(', ');
}

async function step(what: string, args: string[]): Promise<void> {
  const t = performance.now();
  const r = await execa('node', [path.join(REPO_ROOT, 'bin', 'v6e2e.js'), ...args], { cwd: REPO_ROOT, reject: false, env: { FORCE_COLOR: '0' } });
  const seconds = Number(((performance.now() - t) / 1000).toFixed(1));
  const row = { what: `${what} (exit ${r.exitCode})`, seconds, detail: substeps(r.stderr) };
  rows.push(row);
  console.log(JSON.stringify(row));
  if (r.exitCode !== 0 && r.exitCode !== 1) console.error(r.stderr.split('\n').slice(-20).join('\n'));
}

const tree = treeArg ? path.resolve(treeArg) : await assembleKubernetesTree(path.join(work, 'kubernetes'));
const file = path.join(tree, 'pkg', 'proxy', 'iptables', 'proxier.go');
const original = fs.readFileSync(file, 'utf8');
try {
  await step('first build from the tree: lab setup --kubernetes-src', ['lab', 'setup', '--kubernetes-src', tree]);
  await step('unchanged tree: lab setup --kubernetes-src', ['lab', 'setup', '--kubernetes-src', tree]);
  // One line of real code: a log message kube-proxy prints on every sync.
  const edited = original.replace('"Syncing iptables rules"', '"Syncing iptables rules (bench edit)"');
  if (edited === original) throw new Error(`${file}: the line this bench edits is not there`);
  fs.writeFileSync(file, edited);
  await step('one-line kube-proxy change → verdict: run --profile dual --suite nodeport', [
    'run', '--profile', 'dual', '--kubernetes-src', tree, '--suite', 'nodeport', '--no-html', '--report-dir', path.join(work, 'report'),
  ]);
} finally {
  fs.writeFileSync(file, original);
  fs.rmSync(work, { recursive: true, force: true });
}
console.log('\n| measurement | seconds | steps |\n|---|---:|---|');
for (const r of rows) console.log(`| ${r.what} | ${r.seconds} | ${r.detail ?? ''} |`);
