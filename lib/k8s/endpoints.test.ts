import { describe, expect, test } from 'vitest';
import { readyAddresses } from './endpoints.ts';

describe('readyAddresses', () => {
  test('groups ready endpoint addresses by family, skipping not-ready ones', () => {
    const e = readyAddresses([
      { addressType: 'IPv4', endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true } }, { addresses: ['10.244.2.6'], conditions: { ready: false } }] },
      { addressType: 'IPv6', endpoints: [{ addresses: ['fd00:10:244:1::5'] }] },
    ]);
    expect(e).toEqual({ IPv4: ['10.244.1.5'], IPv6: ['fd00:10:244:1::5'] });
  });
});
