import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUITES, type Suite } from '../profiles.ts';
import { FLEET_ECHO_SELECTOR, FLEET_HOST_HTTP_PORT, FLEET_HOST_SELECTOR, FLEET_SUITES, fleetNamespace, fleetPodSelector, fleetSpecs, fleetTail, runUsesFleet } from './fleet.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const FLEET_MODULE = path.join(ROOT, 'lib', 'probes', 'fleet.ts');

/** Does a suite's folder reach lib/probes/fleet.ts through its relative imports? */
function suiteReachesFleet(suite: Suite): boolean {
  const dir = path.join(ROOT, 'suites', suite);
  const todo = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
  const seen = new Set<string>();
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (file === FLEET_MODULE) return true;
    // Only the suites' own modules are followed: lib/ reaching the fleet does not make a suite use it.
    if (seen.has(file) || !file.startsWith(path.join(ROOT, 'suites'))) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+\.ts)'/g)) todo.push(path.resolve(path.dirname(file), m[1]!));
  }
  return false;
}

describe('probe fleet', () => {
  it('names one namespace per run, the same in every worker, a valid DNS label', () => {
    const a = fleetNamespace('ipv6-20261204-020000-abc');
    expect(a).toBe(fleetNamespace('ipv6-20261204-020000-abc'));
    expect(a).not.toBe(fleetNamespace('ipv6-20261204-020000-abd'));
    expect(a).toMatch(/^v6e2e-fleet-[0-9a-f]{10}$/);
    expect(fleetTail(a)).toBe(a.slice('v6e2e-fleet-'.length, 'v6e2e-fleet-'.length + 6));
  });

  it('runs an echo pod and a hostNetwork pod on each sampled node and a twin beside the first', () => {
    const specs = fleetSpecs(['w1', 'w2', 'w3'], 'abc123');
    expect(specs.map((s) => [s.name, s.node, s.hostNetwork ?? false])).toEqual([
      ['echo-0-abc123', 'w1', false],
      ['echo-1-abc123', 'w2', false],
      ['echo-2-abc123', 'w3', false],
      ['twin-abc123', 'w1', false],
      ['host-0-abc123', 'w1', true],
      ['host-1-abc123', 'w2', true],
      ['host-2-abc123', 'w3', true],
    ]);
  });

  it('labels echo and host pods apart, so a Service selects one kind and never the twin', () => {
    const specs = fleetSpecs(['w1', 'w2'], 't');
    const selected = (sel: Record<string, string>) =>
      specs.filter((s) => Object.entries(sel).every(([k, v]) => s.labels?.[k] === v)).map((s) => s.name);
    expect(selected(FLEET_ECHO_SELECTOR)).toEqual(['echo-0-t', 'echo-1-t']);
    expect(selected(FLEET_HOST_SELECTOR)).toEqual(['host-0-t', 'host-1-t']);
    expect(specs.find((s) => s.name === 'host-0-t')?.args).toContain(`--http-port=${FLEET_HOST_HTTP_PORT}`);
    for (const name of ['echo-1-t', 'twin-t', 'host-0-t']) expect(selected(fleetPodSelector({ metadata: { name } }))).toEqual([name]);
  });

  it('FLEET_SUITES are exactly the suites whose files import the fleet', () => {
    expect(SUITES.filter(suiteReachesFleet)).toEqual([...FLEET_SUITES]);
  });

  it('a run uses the fleet when one of its suites does, or when its suites are unknown', () => {
    expect(runUsesFleet(null)).toBe(true);
    expect(runUsesFleet(['dns'])).toBe(false);
    expect(runUsesFleet(['dns', 'guestbook'])).toBe(true);
  });
});
