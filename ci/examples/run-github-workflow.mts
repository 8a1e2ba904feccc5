/**
 * Runs the README's GitHub Actions workflow on this machine, step by step, the
 * way a runner would: a fresh checkout, every `run:` step in bash with
 * `${{ matrix.profile }}` filled in and $GITHUB_STEP_SUMMARY set, `if: always()`
 * steps after a failure, artifacts uploaded and downloaded through a local
 * directory. The workflow is read from README.md, so what runs is what users copy.
 *
 *   npx tsx ci/examples/run-github-workflow.mts [--profiles ipv6,dual] [--work /tmp/gha]
 *
 * `uses:` steps are stood in for: checkout = `git clone` of this repo's HEAD,
 * setup-node/setup-go = the machine's node and go (checked), upload/download-artifact
 * = copies. Where `sudo` is missing and we are root, a shim drops its options.
 * Exit 0 when every job succeeded; the last lines list each step with its exit code.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { ciExamples } from '../../lib/cli/ci-examples.ts';

const REPO = path.resolve(import.meta.dirname, '..', '..');

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Job {
  needs?: string;
  strategy?: { matrix: { profile: string[] } };
  steps: Step[];
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const work = path.resolve(flag('--work') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-gha-')));
const artifacts = path.join(work, 'artifacts');
fs.mkdirSync(artifacts, { recursive: true });
const wf = YAML.parse(ciExamples(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8')).githubActions) as { jobs: Record<string, Job> };
const onlyProfiles = flag('--profiles')?.split(',');

// sudo shim for root without sudo: `sudo --preserve-env=… cmd` → `cmd`
const shimDir = path.join(work, 'shim');
fs.mkdirSync(shimDir, { recursive: true });
if (spawnSync('sh', ['-c', 'command -v sudo']).status !== 0 && process.getuid?.() === 0) {
  fs.writeFileSync(path.join(shimDir, 'sudo'), '#!/bin/sh\nwhile [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n', { mode: 0o755 });
}

const log: string[] = [];
function record(line: string): void {
  log.push(line);
  process.stderr.write(`[gha] ${line}\n`);
}

function runJob(jobName: string, job: Job, matrix: Record<string, string>): boolean {
  const id = [jobName, ...Object.values(matrix)].join('-');
  const dir = path.join(work, id);
  const summary = path.join(work, `${id}.step-summary.md`);
  fs.rmSync(dir, { recursive: true, force: true });
  const expand = (s: string) => s.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_m, k: string) => matrix[k] ?? '');
  let failed = false;
  for (const step of job.steps) {
    if (failed && step.if !== 'always()') continue;
    const started = Date.now();
    let code = 0;
    const title = step.name ? expand(step.name) : step.uses ?? (step.run ?? '').split('\n')[0];
    if (step.uses?.startsWith('actions/checkout')) {
      code = spawnSync('git', ['clone', '--quiet', REPO, dir], { stdio: 'inherit' }).status ?? 1;
    } else if (step.uses?.startsWith('actions/setup-node')) {
      code = Number(process.versions.node.split('.')[0]) >= 20 ? 0 : 1;
    } else if (step.uses?.startsWith('actions/setup-go')) {
      code = spawnSync('go', ['version'], { stdio: 'ignore' }).status ?? 1;
    } else if (step.uses?.startsWith('actions/upload-artifact')) {
      const from = path.join(dir, expand(step.with?.path ?? ''));
      const to = path.join(artifacts, expand(step.with?.name ?? 'artifact'));
      if (fs.existsSync(from)) fs.cpSync(from, to, { recursive: true });
      else code = step.with?.['if-no-files-found'] === 'error' ? 1 : 0;
    } else if (step.uses?.startsWith('actions/download-artifact')) {
      const into = path.join(dir, step.with?.path ?? '.');
      const pattern = new RegExp(`^${(step.with?.pattern ?? '*').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      for (const name of fs.readdirSync(artifacts).filter((n) => pattern.test(n))) fs.cpSync(path.join(artifacts, name), path.join(into, name), { recursive: true });
    } else if (step.run) {
      const r = spawnSync('bash', ['-eo', 'pipefail', '-c', expand(step.run)], {
        cwd: dir,
        stdio: 'inherit',
        env: { ...process.env, CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, PATH: `${shimDir}:${process.env.PATH ?? ''}` },
      });
      code = r.status ?? 1;
    } else {
      record(`${id}: "${title}": no stand-in for ${step.uses}; skipped`);
      continue;
    }
    record(`${id}: ${code === 0 ? 'ok  ' : 'FAIL'} (${code}) ${title} [${Math.round((Date.now() - started) / 1000)}s]`);
    if (code !== 0) failed = true;
  }
  return !failed;
}

let ok = true;
for (const [name, job] of Object.entries(wf.jobs)) {
  const profiles = job.strategy?.matrix.profile.filter((p) => !onlyProfiles || onlyProfiles.includes(p));
  for (const m of profiles ? profiles.map((profile) => ({ profile })) : [{}]) ok = runJob(name, job, m) && ok;
}
process.stderr.write(`\n[gha] work dir: ${work}\n${log.map((l) => `[gha] ${l}`).join('\n')}\n[gha] workflow ${ok ? 'succeeded' : 'failed'}\n`);
process.exit(ok ? 0 : 1);
