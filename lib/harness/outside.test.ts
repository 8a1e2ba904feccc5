import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUITES, type Suite } from '../profiles.ts';
import { OUTSIDE_SUITES, runOutsideName, runUsesOutsideClient } from './outside.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Does a file of the suite ask for the run's shared client (not a client of its own)? */
function suiteUsesShared(suite: Suite): boolean {
  const dir = path.join(ROOT, 'suites', suite);
  return readdirSync(dir).some((f) => f.endsWith('.ts') && /(?<![\w.])outsideClient\(/.test(readFileSync(path.join(dir, f), 'utf8')));
}

describe('the run shared outside client', () => {
  it('has one name per run and cluster, the same in every worker, within 63 characters', () => {
    const a = runOutsideName('v6e2e-dual', 'dual-20261206-031200-abc123');
    expect(a).toBe(runOutsideName('v6e2e-dual', 'dual-20261206-031200-abc123'));
    expect(a).not.toBe(runOutsideName('v6e2e-dual', 'dual-20261206-031200-abc124'));
    expect(a).toMatch(/^v6e2e-outside-v6e2e-dual-run-[0-9a-f]{10}$/);
    expect(runOutsideName('x'.repeat(80), 'r').length).toBeLessThanOrEqual(63);
  });

  it('OUTSIDE_SUITES are exactly the suites whose files use it', () => {
    expect(SUITES.filter(suiteUsesShared)).toEqual([...OUTSIDE_SUITES]);
  });

  it('a run uses it when one of its suites does, or when its suites are unknown', () => {
    expect(runUsesOutsideClient(null)).toBe(true);
    expect(runUsesOutsideClient(['dns', 'connectivity'])).toBe(false);
    expect(runUsesOutsideClient(['dns', 'loadbalancer'])).toBe(true);
  });
});
