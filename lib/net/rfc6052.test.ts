import { Address6 } from 'ip-address';
import { describe, expect, test } from 'vitest';
import { embedIPv4, extractIPv4, isInPref64, parsePref64, WELL_KNOWN_PREF64 } from './rfc6052.ts';

/** RFC 6052 §2.4, Table 1 (all with IPv4 192.0.2.33), plus the well-known prefix example. */
const TABLE = [
  ['2001:db8::/32', '2001:db8:c000:221::'],
  ['2001:db8:100::/40', '2001:db8:1c0:2:21::'],
  ['2001:db8:122::/48', '2001:db8:122:c000:2:2100::'],
  ['2001:db8:122:300::/56', '2001:db8:122:3c0:0:221::'],
  ['2001:db8:122:344::/64', '2001:db8:122:344:c0:2:2100:0'],
  ['2001:db8:122:344::/96', '2001:db8:122:344::192.0.2.33'],
  ['64:ff9b::/96', '64:ff9b::192.0.2.33'],
] as const;

/** Compares addresses, not spellings (the RFC writes /96 results in dotted-quad form). */
function same(a: string, b: string): boolean {
  return new Address6(a).canonicalForm() === new Address6(b).canonicalForm();
}

describe('RFC 6052 §2.4 examples', () => {
  test.for(TABLE)('embed 192.0.2.33 in %s → %s', ([prefix, expected]) => {
    const got = embedIPv4(prefix, '192.0.2.33');
    expect(same(got, expected), `${got} vs ${expected}`).toBe(true);
    // And it agrees with ip-address's own implementation.
    expect(same(got, Address6.fromAddress4Nat64('192.0.2.33', prefix).correctForm())).toBe(true);
  });

  test.for(TABLE)('extract from %s ← %s', ([prefix, embedded]) => {
    expect(extractIPv4(prefix, embedded)).toBe('192.0.2.33');
  });

  test('output is in RFC 5952 form', () => {
    expect(embedIPv4(WELL_KNOWN_PREF64, '192.0.2.33')).toBe('64:ff9b::c000:221');
    expect(embedIPv4('2001:db8:122:344::/64', '192.0.2.33')).toBe('2001:db8:122:344:c0:2:2100:0');
  });
});

test('round trip over edge IPv4 values for every length', () => {
  for (const [prefix] of TABLE) {
    for (const v4 of ['0.0.0.0', '255.255.255.255', '100.64.10.10', '10.0.0.1', '192.0.0.170']) {
      const v6 = embedIPv4(prefix, v4);
      expect(extractIPv4(prefix, v6)).toBe(v4);
      expect(isInPref64(prefix, v6)).toBe(true);
      // the u octet (bits 64-71) stays zero
      expect(new Address6(v6).getBitsBase2(64, 72)).toBe('00000000');
    }
  }
});

describe('parsePref64', () => {
  test('normalizes', () => {
    expect(parsePref64('64:FF9B:0:0:0:0:0:0/96')).toMatchObject({ prefix: '64:ff9b::', length: 96, cidr: '64:ff9b::/96' });
  });
  test.for(['64:ff9b::/95', '2001:db8::/33', '2001:db8::/128', '2001:db8::/0', '64:ff9b::/16'])('rejects length of %s', (bad) => {
    expect(() => parsePref64(bad)).toThrow(/length must be one of \/32, \/40, \/48, \/56, \/64, \/96/);
  });
  test('rejects a non-zero u octet inside a /96 prefix', () => {
    // bits 64-71 are the first byte of the 5th group
    expect(() => parsePref64('2001:db8:122:344:100::/96')).toThrow(/"u" octet/);
  });
  test('rejects host bits after the prefix', () => {
    expect(() => parsePref64('64:ff9b::1/96')).toThrow(/bits set after the prefix length/);
    expect(() => parsePref64('2001:db8:1::/32')).toThrow(/bits set after/);
  });
  test.for(['', '64:ff9b::', '10.0.0.0/8', 'nonsense/96', 'fe80::%eth0/64'])('rejects %j', (bad) => {
    expect(() => parsePref64(bad)).toThrow(/NAT64 prefix/);
  });
});

describe('extractIPv4 rejections', () => {
  test('non-zero u octet', () => {
    // 2001:db8:c000:221:: with bit 64-71 = 0x01
    expect(() => extractIPv4('2001:db8::/32', '2001:db8:c000:221:100::')).toThrow(/"u" octet/);
    expect(() => extractIPv4('2001:db8:122:344::/64', '2001:db8:122:344:1c0:2:2100:0')).toThrow(/"u" octet/);
  });
  test('non-zero suffix (strict by default, tolerated on request)', () => {
    expect(() => extractIPv4('2001:db8::/32', '2001:db8:c000:221:0:1::')).toThrow(/suffix/);
    expect(extractIPv4('2001:db8::/32', '2001:db8:c000:221:0:1::', { strictSuffix: false })).toBe('192.0.2.33');
  });
  test('outside the prefix', () => {
    expect(() => extractIPv4(WELL_KNOWN_PREF64, 'fd00::c000:221')).toThrow(/inside 64:ff9b::\/96/);
    expect(isInPref64(WELL_KNOWN_PREF64, 'fd00::c000:221')).toBe(false);
  });
  test('bad inputs', () => {
    expect(() => embedIPv4(WELL_KNOWN_PREF64, 'fd00::1')).toThrow(/IPv4/);
    expect(() => embedIPv4(WELL_KNOWN_PREF64, '192.0.2.0/24')).toThrow(/IPv4/);
    expect(() => extractIPv4(WELL_KNOWN_PREF64, '192.0.2.33')).toThrow(/IPv6/);
    expect(() => embedIPv4('64:ff9b::/95', '192.0.2.33')).toThrow(/length/);
  });
});
