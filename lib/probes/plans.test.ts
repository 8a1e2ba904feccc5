import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as connectivity from '../../suites/connectivity/plans.ts';
import * as dns from '../../suites/dns/plans.ts';
import * as guestbook from '../../suites/guestbook/plans.ts';
import * as hostNetwork from '../../suites/host-network/plans.ts';
import * as loadbalancer from '../../suites/loadbalancer/plans.ts';
import * as mtu from '../../suites/mtu/plans.ts';
import * as nodeport from '../../suites/nodeport/plans.ts';
import * as services from '../../suites/services/plans.ts';
import { PLANS } from '../../suites/setup/plans.ts';
import { isFaultFile, isSerialFile, waitsForRollouts } from '../harness/schedule.ts';
import { planNamespace, plansOfRun, planWaves, type PodPlan } from './plans.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MODULES = { connectivity, dns, guestbook, 'host-network': hostNetwork, loadbalancer, mtu, nodeport, services };
const isPlan = (v: unknown): v is PodPlan => typeof v === 'object' && v !== null && 'label' in v && 'pods' in v;
/** Every plan a suite's plans.ts exports, by its exported name. */
const EXPORTED = Object.entries(MODULES).flatMap(([suite, m]) => Object.entries(m).filter(([, v]) => isPlan(v)).map(([name, plan]) => ({ suite, name, plan: plan as PodPlan })));

/** The suite's test files that hand this plan to plannedPods or startPlanned. */
function filesUsing(suite: string, name: string): string[] {
  const dir = path.join(ROOT, 'suites', suite);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts') && new RegExp(`(plannedPods|startPlanned)\\(h, ${name}\\)`).test(readFileSync(path.join(dir, f), 'utf8')))
    .map((f) => `suites/${suite}/${f}`);
}

const cluster = { workers: ['w1', 'w2'], nodes: ['cp', 'w1', 'w2'], families: ['IPv4', 'IPv6'] as const, clusterDns: ['10.96.0.10', 'fd00:10:96::a'], labResolver: 'fc00:f853:ccd:e793::53', namespace: 'v6e2e-x-abc123', tail: 'abc123' };

describe('pod plans', () => {
  it('name one namespace per run and plan, the same everywhere, a valid DNS label', () => {
    const a = planNamespace('dual-20261205-190000-abc', 'connectivity-services');
    expect(a).toBe(planNamespace('dual-20261205-190000-abc', 'connectivity-services'));
    expect(a).not.toBe(planNamespace('dual-20261205-190000-abd', 'connectivity-services'));
    expect(a).toMatch(/^v6e2e-connectivity-services-[0-9a-f]{6}$/);
    for (const p of PLANS) expect(planNamespace('r', p.label).length).toBeLessThanOrEqual(63);
  });

  it('the registry holds every exported plan once, under unique labels', () => {
    expect(new Set(PLANS).size).toBe(PLANS.length);
    expect(new Set(PLANS.map((p) => p.label)).size).toBe(PLANS.length);
    expect([...PLANS].sort((a, b) => a.label.localeCompare(b.label))).toEqual(EXPORTED.map((e) => e.plan).sort((a, b) => a.label.localeCompare(b.label)));
  });

  it('each plan is used by exactly one file of its suite: a fault file for self-test-only plans, never a serial one', () => {
    for (const { suite, name, plan } of EXPORTED) {
      const files = filesUsing(suite, name);
      expect(files, `${name} is used by one file of suites/${suite}`).toHaveLength(1);
      expect(plan.suite).toBe(suite);
      // A serial file waits for the run's namespaces to go: a planned one of its own would never go first.
      expect(isSerialFile(files[0]!), `${files[0]} is a serial file`).toBe(false);
      expect(isFaultFile(files[0]!), `${name}.selfTestOnly matches ${files[0]}`).toBe(plan.selfTestOnly);
    }
  });

  it('the files of checks whose plan rolls out Deployments are the ones the sequencer starts last', () => {
    for (const { suite, name, plan } of EXPORTED) {
      if (plan.selfTestOnly) continue;
      const file = filesUsing(suite, name)[0]!;
      const deploys = (plan.objects?.(cluster) ?? []).some((o) => o.kind === 'Deployment');
      expect(waitsForRollouts(file) !== undefined, `${file} (${name}) ${deploys ? 'rolls out Deployments: list it in' : 'rolls out none: take it out of'} WAITS_FOR_ROLLOUTS (lib/harness/schedule.ts)`).toBe(deploys);
    }
  });

  it('plans pods with unique names on a two-worker cluster', () => {
    for (const p of PLANS) {
      const names = p.pods(cluster).map((s) => s.name);
      expect(new Set(names).size, p.label).toBe(names.length);
    }
  });

  it('a run starts its suites’ plans, fault-only ones only with --self-test', () => {
    const labels = (ps: PodPlan[]) => ps.map((p) => p.label);
    expect(labels(plansOfRun(PLANS, ['guestbook'], false))).toEqual(['guestbook']);
    expect(labels(plansOfRun(PLANS, ['guestbook'], true))).toEqual(['guestbook', 'guestbook-faults']);
    expect(plansOfRun(PLANS, null, true)).toHaveLength(PLANS.length);
  });

  it('a self-test run starts the fault files’ plans first, the files of checks’ in a second wave', () => {
    const labels = (ws: PodPlan[][]) => ws.map((w) => w.map((p) => p.label));
    expect(labels(planWaves(PLANS, ['guestbook'], true))).toEqual([['guestbook-faults'], ['guestbook']]);
    expect(labels(planWaves(PLANS, ['guestbook'], false))).toEqual([['guestbook']]);
    expect(labels(planWaves(PLANS, ['dns64'], true))).toEqual([]);
  });
});
