/**
 * The README's "Using v6e2e in CI" examples stay true to the CLI: every v6e2e
 * command in them parses (flags, profiles, suites), the files they name exist,
 * and each job reads its summary and uploads the very report dir it wrote.
 * (Running them is another matter: ci/examples/run-github-workflow.mts runs the
 * workflow's steps on this machine.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { readGate } from '../report/gate.ts';
import { parseArgs, type RunArgs } from './args.ts';
import { REPO_ROOT } from './vitest-run.ts';
import { ciExamples, shellWords, v6e2eCommands } from './ci-examples.ts';

const examples = ciExamples(fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: unknown;
  jobs: Record<string, { 'runs-on': string; needs?: string; strategy?: { matrix: { profile: string[] } }; steps: Step[] }>;
}

describe('README: GitHub Actions workflow', () => {
  const wf = YAML.parse(examples.githubActions) as Workflow;
  const e2e = wf.jobs.e2e!;
  const profiles = e2e.strategy?.matrix.profile ?? [];
  const expand = (text: string, profile: string) => text.replaceAll('${{ matrix.profile }}', profile);

  test('is a periodic workflow: an e2e job per profile, then a report job that needs them', () => {
    expect(wf.on).toMatchObject({ schedule: [{ cron: expect.any(String) }] });
    expect(profiles.length).toBeGreaterThan(0);
    expect(wf.jobs.report?.needs).toBe('e2e');
  });

  test.each(['ipv6', 'dual', 'dual-v6'])('the e2e job on %s: its v6e2e commands parse, and it summarises and uploads the dir it wrote', (profile) => {
    expect(profiles).toContain(profile);
    const commands = e2e.steps.flatMap((s) => (s.run ? v6e2eCommands(expand(s.run, profile)) : []));
    expect(commands.map((c) => c[0])).toEqual(['lab', 'run']);
    const run = parseArgs(commands[1] ?? []) as RunArgs;
    expect(run).toMatchObject({ command: 'run', profiles: [profile] });
    const reportDir = run.reportDir as string;
    expect(readGate(path.join(REPO_ROOT, run.gate as string)).rules.length).toBeGreaterThan(0);
    const summaryStep = e2e.steps.find((s) => s.name === 'job summary');
    expect(expand(summaryStep?.run ?? '', profile)).toContain(`${reportDir}/summary.md`);
    const upload = e2e.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(expand(String(upload?.with?.path), profile)).toBe(reportDir);
  });

  test('the report job merges what the e2e jobs uploaded, gates and renders HTML', () => {
    const steps = wf.jobs.report!.steps;
    const download = steps.find((s) => s.uses?.startsWith('actions/download-artifact'));
    const commands = steps.flatMap((s) => (s.run ? v6e2eCommands(s.run) : []));
    expect(commands).toHaveLength(1);
    const report = parseArgs(commands[0] ?? []);
    expect(report).toMatchObject({ command: 'report', html: true, out: 'merged', gate: 'ci/release-gate.txt' });
    expect(report.command === 'report' && report.dirs).toEqual([`${String(download?.with?.path)}/*`]);
    expect(steps.find((s) => s.name === 'job summary')?.run).toContain('merged/summary.md');
  });
});

describe('README: Prow periodic', () => {
  const prow = YAML.parse(examples.prow) as {
    periodics: { name: string; cron?: string; interval?: string; decorate: boolean; spec: { containers: { image: string; command: string[]; args: string[] }[] } }[];
  };

  test('a decorated periodic whose command runs lab setup, then the suites into $ARTIFACTS with the gate', () => {
    const job = prow.periodics[0]!;
    expect(job.decorate).toBe(true);
    expect(job.cron ?? job.interval).toBeTruthy();
    const c = job.spec.containers[0]!;
    expect(c.command).toEqual(['bash', '-c']);
    const commands = v6e2eCommands(c.args.join(' '));
    expect(commands.map((x) => x[0])).toEqual(['lab', 'run']);
    const run = parseArgs(commands[1] ?? []) as RunArgs;
    expect(run).toMatchObject({ command: 'run', profiles: ['ipv6'], reportDir: '${ARTIFACTS}', gate: 'ci/release-gate.txt' });
  });
});

describe('shell words of the examples', () => {
  test('quotes, operators and redirections split as a shell would for these lines', () => {
    expect(shellWords(`a "b c" 'd' e&&f >> "$G" || true`)).toEqual(['a', 'b c', 'd', 'e', '&&', 'f', '>>', '$G', '||', 'true']);
    expect(v6e2eCommands('sudo --preserve-env=PATH node bin/v6e2e.js lab setup && npx v6e2e report a/* --html')).toEqual([
      ['lab', 'setup'],
      ['report', 'a/*', '--html'],
    ]);
  });
});
