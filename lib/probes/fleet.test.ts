import { describe, expect, it } from 'vitest';
import { fleetNamespace, fleetSpecs } from './fleet.ts';

describe('probe fleet', () => {
  it('names one namespace per run, the same in every worker, a valid DNS label', () => {
    const a = fleetNamespace('ipv6-20261204-020000-abc');
    expect(a).toBe(fleetNamespace('ipv6-20261204-020000-abc'));
    expect(a).not.toBe(fleetNamespace('ipv6-20261204-020000-abd'));
    expect(a).toMatch(/^v6e2e-fleet-[0-9a-f]{10}$/);
  });

  it('runs an echo pod on each sampled node and a twin beside the first', () => {
    expect(fleetSpecs(['w1', 'w2', 'w3']).map((s) => [s.name, s.node])).toEqual([
      ['echo-0', 'w1'],
      ['echo-1', 'w2'],
      ['echo-2', 'w3'],
      ['twin', 'w1'],
    ]);
  });
});
