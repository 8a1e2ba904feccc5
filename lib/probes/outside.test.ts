import { describe, expect, test } from 'vitest';
import { curlCommand, outsideLabels, parseCurlResult } from './outside.ts';

describe('outside client helpers', () => {
  test('labels: probe role and cluster, for `v6e2e down`', () => {
    expect(outsideLabels('v6e2e-dev6', { 'v6e2e.io/run': 'r1' })).toEqual({ 'v6e2e.io/run': 'r1', 'io.v6e2e.lab': 'probe', 'io.v6e2e.lab.cluster': 'v6e2e-dev6' });
  });

  test('curl: -g for bracketed IPv6, bounded', () => {
    const cmd = curlCommand('http://[fd00::1]:30000/hostname', 3);
    expect(cmd).toContain('-g');
    expect(cmd.slice(cmd.indexOf('--connect-timeout'), cmd.indexOf('--connect-timeout') + 4)).toEqual(['--connect-timeout', '3', '--max-time', '6']);
  });

  test('parse status and body', () => {
    const base = { from: 'c', target: 'u', command: [], stderr: '' };
    const r = parseCurlResult({ ...base, ok: true, exitCode: 0, stdout: 'server-0\n@@v6e2e-status=200' });
    expect(r).toMatchObject({ ok: true, status: 200, body: 'server-0' });
    const t = parseCurlResult({ ...base, ok: false, exitCode: 28, stdout: '\n@@v6e2e-status=000' });
    expect(t).toMatchObject({ ok: false, status: undefined });
    expect(parseCurlResult({ ...base, ok: true, exitCode: 0, stdout: 'x\n@@v6e2e-status=503' }).ok).toBe(false);
  });
});
