import { describe, expect, it } from 'vitest';
import { FLEET_ECHO_SELECTOR, FLEET_HOST_HTTP_PORT, FLEET_HOST_SELECTOR, fleetNamespace, fleetPodSelector, fleetSpecs } from './fleet.ts';

describe('probe fleet', () => {
  it('names one namespace per run, the same in every worker, a valid DNS label', () => {
    const a = fleetNamespace('ipv6-20261204-020000-abc');
    expect(a).toBe(fleetNamespace('ipv6-20261204-020000-abc'));
    expect(a).not.toBe(fleetNamespace('ipv6-20261204-020000-abd'));
    expect(a).toMatch(/^v6e2e-fleet-[0-9a-f]{10}$/);
  });

  it('runs an echo pod and a hostNetwork pod on each sampled node and a twin beside the first', () => {
    const specs = fleetSpecs(['w1', 'w2', 'w3']);
    expect(specs.map((s) => [s.name, s.node, s.hostNetwork ?? false])).toEqual([
      ['echo-0', 'w1', false],
      ['echo-1', 'w2', false],
      ['echo-2', 'w3', false],
      ['twin', 'w1', false],
      ['host-0', 'w1', true],
      ['host-1', 'w2', true],
      ['host-2', 'w3', true],
    ]);
  });

  it('labels echo and host pods apart, so a Service selects one kind and never the twin', () => {
    const specs = fleetSpecs(['w1', 'w2']);
    const selected = (sel: Record<string, string>) =>
      specs.filter((s) => Object.entries(sel).every(([k, v]) => s.labels?.[k] === v)).map((s) => s.name);
    expect(selected(FLEET_ECHO_SELECTOR)).toEqual(['echo-0', 'echo-1']);
    expect(selected(FLEET_HOST_SELECTOR)).toEqual(['host-0', 'host-1']);
    expect(specs.find((s) => s.name === 'host-0')?.args).toContain(`--http-port=${FLEET_HOST_HTTP_PORT}`);
    for (const name of ['echo-1', 'twin', 'host-0']) expect(selected(fleetPodSelector({ metadata: { name } }))).toEqual([name]);
  });
});
