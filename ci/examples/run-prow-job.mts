/**
 * Runs the README's Prow periodic on this machine the way Prow's pod would: a
 * fresh checkout of this repo's HEAD (extra_refs), the container's command and
 * args as given, $ARTIFACTS set as the pod utilities set it. Then checks what
 * Spyglass and TestGrid read from the artifacts (junit.xml at the top) is there.
 *
 *   npx tsx ci/examples/run-prow-job.mts [--work /tmp/prow]
 *
 * The image is not used: this machine stands in for it (Node 20, Go, Docker).
 * Exit: the job's own exit code, or 1 when it passed but left no junit.xml.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { ciExamples } from '../../lib/cli/ci-examples.ts';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const i = process.argv.indexOf('--work');
const work = path.resolve(i > 0 ? (process.argv[i + 1] ?? '') : fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-prow-')));

const prow = YAML.parse(ciExamples(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8')).prow) as {
  periodics: { name: string; spec: { containers: { command: string[]; args?: string[] }[] } }[];
};
const job = prow.periodics[0];
const container = job?.spec.containers[0];
if (!job || !container) throw new Error('the README Prow example has no periodic with a container');

const src = path.join(work, 'src');
const artifacts = path.join(work, 'artifacts');
fs.rmSync(src, { recursive: true, force: true });
fs.mkdirSync(artifacts, { recursive: true });
const clone = spawnSync('git', ['clone', '--quiet', REPO, src], { stdio: 'inherit' });
if (clone.status !== 0) process.exit(clone.status ?? 1);

const [cmd, ...cmdArgs] = [...container.command, ...(container.args ?? [])];
const started = Date.now();
const r = spawnSync(cmd as string, cmdArgs, { cwd: src, stdio: 'inherit', env: { ...process.env, ARTIFACTS: artifacts, JOB_NAME: job.name, CI: 'true' } });
const seconds = Math.round((Date.now() - started) / 1000);
const junit = path.join(artifacts, 'junit.xml');
const hasJunit = fs.existsSync(junit);
process.stderr.write(
  `\n[prow] ${job.name}: exit ${r.status ?? r.signal} after ${seconds}s; artifacts ${artifacts}: ${fs.readdirSync(artifacts).join(', ') || '(none)'}\n` +
    `[prow] junit.xml at the top of $ARTIFACTS: ${hasJunit ? 'yes' : 'NO'}\n`,
);
process.exit(r.status !== 0 ? (r.status ?? 1) : hasJunit ? 0 : 1);
