/**
 * JUnit XML from run summaries, for Prow/Spyglass, TestGrid and GitHub test
 * reporters. Written by the summary reporter (instead of vitest's junit
 * reporter) so flakiness and gating are visible and names are stable:
 *
 * - one `<testsuite name="v6e2e.<profile>.<suite>">` per profile and suite;
 * - testcase `name` = `[profile:<p>] <check id>`: the declared id, no title,
 *   timestamps or random parts, so TestGrid keeps one row per check across runs
 *   and renames, and profiles never collide when a job uploads several files;
 *   `classname` = the testsuite name; the title is the `title` property;
 * - a check that passed only after retries is a passing testcase with
 *   `<property name="flaky" value="true"/>` and `retries`: parsers that do not
 *   know the property (Spyglass, TestGrid) still count a pass, and the name stays
 *   the same (a `[flaky]` marker in the name would start a new TestGrid row);
 * - a failure that a gate file leaves out is still a `<failure>` (the check did
 *   fail) with `<property name="gating" value="false"/>`;
 * - every testcase carries `id`, `family` and `kind` properties.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CheckResult, RunSummary } from './summary.ts';

export const JUNIT_XML = 'junit.xml';

// XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates halves and U+FFFE/U+FFFF.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function xmlEscape(text: string): string {
  return text
    .replace(ANSI, '')
    .replace(INVALID_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function attr(name: string, value: string | number): string {
  return `${name}="${xmlEscape(String(value))}"`;
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

export function suiteName(profile: string, suite: string): string {
  return `v6e2e.${profile}.${suite}`;
}

export function testcaseName(profile: string, c: CheckResult): string {
  return `[profile:${profile}] ${c.id}`;
}

const MAX_FAILURE_CHARS = 20_000;

function testcase(profile: string, c: CheckResult, indent: string): string {
  const classname = suiteName(profile, c.suite);
  const props: [string, string][] = [
    ['id', c.id],
    ['family', c.family],
    ['kind', c.kind ?? 'check'],
  ];
  if (c.name) props.push(['title', c.name]);
  if (c.gating === false) props.push(['gating', 'false']);
  if (c.status === 'flaky') props.push(['flaky', 'true']);
  if (c.retries > 0) props.push(['retries', String(c.retries)]);
  if (c.timing) props.push(['timing', c.timing]);
  const lines = [`${indent}<testcase ${attr('classname', classname)} ${attr('name', testcaseName(profile, c))} ${attr('time', seconds(c.durationMs))}>`];
  lines.push(`${indent}  <properties>`);
  for (const [k, v] of props) lines.push(`${indent}    <property ${attr('name', k)} ${attr('value', v)}/>`);
  lines.push(`${indent}  </properties>`);
  const message = c.message ?? '';
  const first = message.split(/\r?\n/, 1)[0] ?? '';
  if (c.status === 'failed') {
    const body = message.length > MAX_FAILURE_CHARS ? `${message.slice(0, MAX_FAILURE_CHARS)}\n… (truncated)` : message;
    lines.push(`${indent}  <failure ${attr('message', first.slice(0, 1000))} ${attr('type', c.gating === false ? 'non-gating' : 'failure')}>${xmlEscape(body)}</failure>`);
  } else if (c.status === 'skipped') {
    lines.push(`${indent}  <skipped ${attr('message', first.slice(0, 1000))}/>`);
  } else if (c.status === 'flaky' && message) {
    // Where Spyglass shows output: why it needed a retry.
    lines.push(`${indent}  <system-out>${xmlEscape(message.slice(0, MAX_FAILURE_CHARS))}</system-out>`);
  }
  lines.push(`${indent}</testcase>`);
  return lines.join('\n');
}

/** One `<testsuites>` document for one or more runs (profiles). Deterministic for equal input. */
export function renderJunit(input: RunSummary | readonly RunSummary[]): string {
  const summaries: readonly RunSummary[] = Array.isArray(input) ? input : [input as RunSummary];
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  let time = 0;
  for (const s of summaries) {
    const bySuite = new Map<string, CheckResult[]>();
    for (const c of s.checks) {
      const list = bySuite.get(c.suite);
      if (list) list.push(c);
      else bySuite.set(c.suite, [c]);
    }
    for (const [suite, checks] of bySuite) {
      const f = checks.filter((c) => c.status === 'failed').length;
      const sk = checks.filter((c) => c.status === 'skipped').length;
      const t = checks.reduce((a, c) => a + c.durationMs, 0);
      tests += checks.length;
      failures += f;
      skipped += sk;
      time += t;
      suites.push(
        [
          `  <testsuite ${attr('name', suiteName(s.profile, suite))} ${attr('tests', checks.length)} ${attr('failures', f)} ${attr('errors', 0)} ${attr('skipped', sk)} ${attr('time', seconds(t))} ${attr('timestamp', s.startedAt.replace(/\.\d+Z$/, ''))}>`,
          '    <properties>',
          `      <property ${attr('name', 'profile')} ${attr('value', s.profile)}/>`,
          `      <property ${attr('name', 'kubernetesVersion')} ${attr('value', s.kubernetesVersion)}/>`,
          ...(s.gate ? [`      <property ${attr('name', 'gate')} ${attr('value', path.basename(s.gate))}/>`] : []),
          '    </properties>',
          ...checks.map((c) => testcase(s.profile, c, '    ')),
          '  </testsuite>',
        ].join('\n'),
      );
    }
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attr('name', 'v6e2e')} ${attr('tests', tests)} ${attr('failures', failures)} ${attr('errors', 0)} ${attr('skipped', skipped)} ${attr('time', seconds(time))}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

export function writeJunit(dir: string, summaries: RunSummary | readonly RunSummary[], file = JUNIT_XML): string {
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, file);
  fs.writeFileSync(out, renderJunit(summaries));
  return out;
}
