import { describe, expect, test } from 'vitest';
import { burstCommand, parseBurst } from './burst.ts';

describe('httpBurst parsing', () => {
  const base = { from: 'ns/c', target: 'http://x/', command: [], stderr: 'curl: (7) Failed to connect' };

  test('one result per request, each with its own status and exit code', () => {
    const out = 'server-0\n@@v6e2e-status=200\n@@v6e2e-exit=0\n\n@@v6e2e-status=000\n@@v6e2e-exit=7\nserver-1\n@@v6e2e-status=200\n@@v6e2e-exit=0\n';
    const rs = parseBurst(out, base);
    expect(rs.map((r) => [r.ok, r.exitCode, r.status, r.body.trim()])).toEqual([
      [true, 0, 200, 'server-0'],
      [false, 7, undefined, ''],
      [true, 0, 200, 'server-1'],
    ]);
  });

  test('the loop runs curl with its arguments as positional parameters', () => {
    const cmd = burstCommand('http://[fd00::1]:8080/hostname', 3, 2, 0.5);
    expect(cmd.slice(0, 2)).toEqual(['sh', '-c']);
    expect(cmd.slice(3, 7)).toEqual(['sh', '3', '0.5', 'curl']);
    expect(cmd.at(-1)).toBe('http://[fd00::1]:8080/hostname');
  });
});
