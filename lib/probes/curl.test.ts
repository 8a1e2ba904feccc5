import { describe, expect, test } from 'vitest';
import { curlCommand, parseCurlResult, STATUS_MARK } from './curl.ts';

describe('curl status marker', () => {
  test('extra flags go before the timeouts; the url and the marker format stay last', () => {
    const cmd = curlCommand('http://svc.ns:80/', 5, ['-6', '--resolve', 'svc.ns:80:fd00::1']);
    expect(cmd).toEqual([
      'curl', '-sS', '-g', '-6', '--resolve', 'svc.ns:80:fd00::1',
      '--connect-timeout', '5', '--max-time', '10', '-w', `${STATUS_MARK}%{http_code}`, 'http://svc.ns:80/',
    ]);
  });

  test('the last marker is curl’s: a body that contains the marker text keeps it', () => {
    const base = { from: 'p', target: 'u', command: [], stderr: '' };
    const r = parseCurlResult({ ...base, ok: true, exitCode: 0, stdout: `a${STATUS_MARK}999 b${STATUS_MARK}204` });
    expect(r).toMatchObject({ ok: true, status: 204, body: `a${STATUS_MARK}999 b` });
    // No marker though the exec said exit 0 (curl never ran, or its output was lost): a probe that
    // could not run, never an HTTP answer.
    const lost = parseCurlResult({ ...base, ok: true, exitCode: 0, stdout: 'sh: curl: not found' });
    expect(lost).toMatchObject({ ok: false, status: undefined, exitCode: -1, outputLost: true, body: 'sh: curl: not found' });
    expect(lost.stderr).toContain('sh: curl: not found');
    expect(parseCurlResult({ ...base, ok: true, exitCode: 0, stdout: '' })).toMatchObject({ ok: false, exitCode: -1, outputLost: true });
    // The mark without a status code (cut short, or 000) under exit 0: garbled, asked again.
    expect(parseCurlResult({ ...base, ok: true, exitCode: 0, stdout: STATUS_MARK })).toMatchObject({ ok: false, exitCode: -1, outputLost: true });
    expect(parseCurlResult({ ...base, ok: true, exitCode: 0, stdout: `${STATUS_MARK}000` })).toMatchObject({ ok: false, exitCode: -1, outputLost: true });
    // A failed curl keeps its own exit code and message.
    expect(parseCurlResult({ ...base, ok: false, exitCode: 28, stdout: '', stderr: 'curl: (28) timeout' })).toMatchObject({ exitCode: 28 });
  });
});
