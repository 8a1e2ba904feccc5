import { describe, expect, test } from 'vitest';
import { renderJunit, testcaseName, xmlEscape } from './junit.ts';
import { tally, type CheckResult, type RunSummary } from './summary.ts';

const checks: CheckResult[] = [
  { id: 'af/services/ipv6-clusterip', suite: 'af', family: 'IPv6', status: 'passed', durationMs: 1500, retries: 0, name: 'services › [IPv6] clusterIP' },
  {
    id: 'cn/pods/ipv6-nodeport',
    suite: 'cn',
    family: 'IPv6',
    status: 'flaky',
    durationMs: 4200,
    retries: 1,
    name: 'pods › [IPv6] NodePort',
    timing: 'kube-proxy programs rules asynchronously',
    message: 'passed after 1 retries; earlier failure: connect timeout',
  },
  { id: 'cn/pods/ipv4-x', suite: 'cn', family: 'IPv4', status: 'failed', durationMs: 10, retries: 0, name: 'pods › [IPv4] <x> & "y"', message: 'expected 1\nsaw 2 \u001b[31mred\u001b[0m \u0007bell', gating: false },
  { id: 'cn/pods/ipv4-y', suite: 'cn', family: 'IPv4', status: 'skipped', durationMs: 0, retries: 0, message: 'cluster is ipv6: no IPv4' },
];
const run: RunSummary = { profile: 'dual', kubernetesVersion: 'v1.34.4', startedAt: '2026-11-22T10:00:00.123Z', durationMs: 9, totals: tally(checks), checks, gate: '/ci/gate.txt' };
const xml = renderJunit(run);

describe('junit.xml', () => {
  test('totals on the root, one testsuite per profile and suite', () => {
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="v6e2e" tests="4" failures="1" errors="0" skipped="1" time="5.710">/);
    expect(xml).toContain('<testsuite name="v6e2e.dual.af" tests="1" failures="0" errors="0" skipped="0" time="1.500" timestamp="2026-11-22T10:00:00">');
    expect(xml).toContain('<testsuite name="v6e2e.dual.cn" tests="3" failures="1" errors="0" skipped="1"');
    expect(xml).toContain('<property name="gate" value="gate.txt"/>');
  });
  test('names: profile and the declared id; the title is a property, nothing run-specific', () => {
    expect(xml).toContain('<testcase classname="v6e2e.dual.af" name="[profile:dual] af/services/ipv6-clusterip" time="1.500">');
    expect(xml).toContain('<property name="title" value="services › [IPv6] clusterIP"/>');
    expect(testcaseName('ipv6', checks[3] as CheckResult)).toBe('[profile:ipv6] cn/pods/ipv4-y');
  });
  test('flaky: a passing testcase with flaky/retries/timing properties and the earlier failure as output', () => {
    const tc = xml.slice(xml.indexOf('name="[profile:dual] cn/pods/ipv6-nodeport"'));
    const one = tc.slice(0, tc.indexOf('</testcase>'));
    expect(one).toContain('<property name="flaky" value="true"/>');
    expect(one).toContain('<property name="retries" value="1"/>');
    expect(one).toContain('<property name="timing" value="kube-proxy programs rules asynchronously"/>');
    expect(one).not.toContain('<failure');
    expect(one).toContain('<system-out>passed after 1 retries; earlier failure: connect timeout</system-out>');
  });
  test('a non-gating failure is still a failure, marked gating=false', () => {
    expect(xml).toContain('<property name="gating" value="false"/>');
    expect(xml).toContain('<failure message="expected 1" type="non-gating">expected 1\nsaw 2 red \uFFFDbell</failure>');
  });
  test('escaping: markup, quotes, ANSI colours and control characters', () => {
    expect(xml).toContain('<property name="title" value="pods › [IPv4] &lt;x&gt; &amp; &quot;y&quot;"/>');
    expect(xmlEscape("a'b")).toBe('a&apos;b');
  });
  test('skipped carries its reason', () => {
    expect(xml).toContain('<skipped message="cluster is ipv6: no IPv4"/>');
  });
  test('deterministic: same summary, same bytes', () => {
    expect(renderJunit(structuredClone(run))).toBe(xml);
  });
  test('several profiles in one document never share a testcase name', () => {
    const two = renderJunit([run, { ...run, profile: 'ipv6' }]);
    const names = Array.from(two.matchAll(/<testcase [^>]*name="([^"]+)"/g), (m) => m[1]);
    expect(names).toHaveLength(8);
    expect(new Set(names).size).toBe(8);
  });
});
