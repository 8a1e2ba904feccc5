import { describe, expect, test } from 'vitest';
import type { ProbeResult } from './exec.ts';
import { parseDownload } from './http.ts';

const exec = (stdout: string, exitCode: number, stderr = ''): ProbeResult => ({ ok: exitCode === 0, from: 'ns/client', target: 'http://[fd00::1]:8080/echo', command: [], exitCode, stdout, stderr });
const SUM = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('download results', () => {
  test('an answered download: status, size, sha256', () => {
    const d = parseDownload(exec(`@@v6e2e-download=200 8192 ${SUM}\n`, 0));
    expect(d).toMatchObject({ status: 200, bytes: 8192, sha256: SUM, result: { ok: true, exitCode: 0 } });
  });
  test('a stalled download: no status, nothing received, curl exit 28 kept for the verdict', () => {
    const d = parseDownload(exec(`@@v6e2e-download=000 0 ${SUM}\n`, 28, 'curl: (28) Operation timed out after 10001 milliseconds with 0 bytes received'));
    expect(d).toMatchObject({ status: undefined, bytes: 0, sha256: undefined, result: { ok: false, exitCode: 28 } });
  });
  test('an exec that printed no line fails', () => {
    expect(parseDownload(exec('', -1, 'exec failed')).result).toMatchObject({ ok: false, exitCode: -1 });
  });
});
