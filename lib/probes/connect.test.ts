import { expect, test } from 'vitest';
import { connectOutcome } from './connect.ts';

test('agnhost connect: exit 0 is connected; the fixed prefix names the error', () => {
  expect(connectOutcome({ exitCode: 0, stdout: '', stderr: '' })).toEqual({ outcome: 'connected', detail: '' });
  const refused = 'REFUSED: read udp 10.244.1.4:59501->10.96.104.153:8081: read: connection refused';
  expect(connectOutcome({ exitCode: 1, stdout: '', stderr: `${refused}\n` })).toEqual({ outcome: 'refused', detail: refused });
  expect(connectOutcome({ exitCode: 1, stdout: '', stderr: 'TIMEOUT: dial tcp: i/o timeout' }).outcome).toBe('timeout');
  expect(connectOutcome({ exitCode: 1, stdout: '', stderr: 'OTHER: no route to host' }).outcome).toBe('other');
});

test('an unprefixed error is unknown, an exec that did not run is probe-failed', () => {
  expect(connectOutcome({ exitCode: 2, stdout: '', stderr: 'flag provided but not defined' })).toEqual({ outcome: 'unknown', detail: 'flag provided but not defined' });
  expect(connectOutcome({ exitCode: -1, stdout: '', stderr: 'pod not found' })).toEqual({ outcome: 'probe-failed', detail: 'pod not found' });
});
