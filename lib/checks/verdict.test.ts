import { describe, expect, test } from 'vitest';
import { all, assertOk, CheckFailure, verdict } from './verdict.ts';

describe('verdict', () => {
  test('message names object, family, expected and seen', () => {
    const v = verdict(false, { object: 'Service ns/web', family: 'IPv6', expected: 'clusterIPs [IPv6, IPv4]', seen: 'clusterIPs [IPv4]' });
    expect(v.message).toBe('Service ns/web [IPv6]: expected clusterIPs [IPv6, IPv4], saw clusterIPs [IPv4]');
    expect(() => assertOk(v)).toThrow(CheckFailure);
  });
  test('all() passes only when every part passes and lists each failure', () => {
    const ok = verdict(true, { object: 'a', family: 'IPv4', expected: 'x', seen: 'x' });
    const bad = verdict(false, { object: 'b', family: 'IPv6', expected: 'y', seen: 'z' });
    expect(all([ok, ok], 'set', 'dual').ok).toBe(true);
    const v = all([ok, bad], 'set', 'dual');
    expect(v.ok).toBe(false);
    expect(v.message).toContain('b [IPv6]: expected y, saw z');
  });
});
