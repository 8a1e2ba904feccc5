import { describe, expect, test } from 'vitest';
import { parsePathLine } from './http-path.ts';

const SYNTH = '64:ff9b::6440:a0a';

describe('parsePathLine', () => {
  test('reads code, size, addresses and digest; the rest is the body', () => {
    const p = parsePathLine('@@v6e2e-path=200|17|fd00:10:244:1::5|64:ff9b::6440:a0a|abc123\n100.64.10.2:40000');
    expect(p).toEqual({ status: 200, bytes: 17, localIp: 'fd00:10:244:1::5', remoteIp: SYNTH, sha256: 'abc123', body: '100.64.10.2:40000' });
  });
  test('a failed curl leaves the addresses empty', () => {
    const p = parsePathLine('@@v6e2e-path=000|0|||e3b0c442\n');
    expect(p.status).toBeUndefined();
    expect(p.localIp).toBeUndefined();
    expect(p.remoteIp).toBeUndefined();
    expect(p.sha256).toBeUndefined();
  });
});
