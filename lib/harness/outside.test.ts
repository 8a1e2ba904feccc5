import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUITES, type Suite } from '../profiles.ts';
import { OUTSIDE_ROLES, outsideRolesOf, runOutsideName, type OutsideRole } from './outside.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Does a file of the suite ask for the run's client of `role`? */
function suiteUses(suite: Suite, role: OutsideRole): boolean {
  const dir = path.join(ROOT, 'suites', suite);
  const call = new RegExp(`outsideClient\\(h, '${role}'\\)`);
  return readdirSync(dir).some((f) => f.endsWith('.ts') && call.test(readFileSync(path.join(dir, f), 'utf8')));
}

describe("a run's outside clients", () => {
  it('have one name per run, cluster and role, the same in every worker, within 63 characters', () => {
    const a = runOutsideName('v6e2e-dual', 'dual-20261206-031200-abc123', 'plain');
    expect(a).toBe(runOutsideName('v6e2e-dual', 'dual-20261206-031200-abc123', 'plain'));
    expect(a).not.toBe(runOutsideName('v6e2e-dual', 'dual-20261206-031200-abc124', 'plain'));
    expect(a).not.toBe(runOutsideName('v6e2e-dual', 'dual-20261206-031200-abc123', 'routed'));
    expect(a).toMatch(/^v6e2e-outside-v6e2e-dual-plain-[0-9a-f]{10}$/);
    expect(runOutsideName('x'.repeat(80), 'r', 'routed').length).toBeLessThanOrEqual(63);
  });

  it('each role lists exactly the suites whose files use it', () => {
    for (const role of Object.keys(OUTSIDE_ROLES) as OutsideRole[]) {
      expect(SUITES.filter((s) => suiteUses(s, role)), role).toEqual([...OUTSIDE_ROLES[role].suites]);
    }
  });

  it('a run starts the roles its suites use, every role when its suites are unknown', () => {
    expect(outsideRolesOf(null)).toEqual(['plain', 'routed']);
    expect(outsideRolesOf(['dns', 'guestbook'])).toEqual([]);
    expect(outsideRolesOf(['dns', 'loadbalancer'])).toEqual(['plain']);
    expect(outsideRolesOf(['connectivity', 'nodeport'])).toEqual(['plain', 'routed']);
  });
});
