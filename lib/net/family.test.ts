import { describe, expect, test } from 'vitest';
import {
  familyOf,
  familyOfAny,
  familyOfCidr,
  hostPort,
  InvalidAddressError,
  isInCidr,
  normalizeIp,
  parseHostPort,
  sameFamily,
  urlFor,
} from './family.ts';

describe('familyOf', () => {
  test.for([
    ['10.244.1.5', 'IPv4'],
    ['172.18.0.2', 'IPv4'],
    ['fd00:10:244:1::5', 'IPv6'],
    ['fc00:f853:ccd:e793::2', 'IPv6'],
    ['::1', 'IPv6'],
    ['::', 'IPv6'],
    ['fe80::1%eth0', 'IPv6'],
    ['::ffff:10.1.2.3', 'IPv6'],
    ['64:ff9b::192.0.2.33', 'IPv6'],
  ] as const)('%s is %s', ([ip, fam]) => {
    expect(familyOf(ip)).toBe(fam);
  });

  test.for(['', 'garbage', '10.1.2', '999.1.1.1', '01.2.3.4', '10.1.2.3/24', 'fd00::/64', '[fd00::1]', ' 10.1.2.3', 'fd00::1::2'])(
    'rejects %j, naming the input',
    (bad) => {
      expect(() => familyOf(bad)).toThrow(InvalidAddressError);
      expect(() => familyOf(bad)).toThrow(JSON.stringify(bad));
    },
  );
});

describe('familyOfCidr', () => {
  test('both families', () => {
    expect(familyOfCidr('10.96.0.0/16')).toBe('IPv4');
    expect(familyOfCidr('fd00:10:96::/112')).toBe('IPv6');
  });
  test('a bare address is not a CIDR', () => {
    expect(() => familyOfCidr('10.96.0.1')).toThrow(/missing \/prefix-length/);
  });
  test('bad prefix lengths', () => {
    expect(() => familyOfCidr('10.0.0.0/33')).toThrow(InvalidAddressError);
    expect(() => familyOfCidr('fd00::/129')).toThrow(InvalidAddressError);
  });
});

describe('isInCidr (host-in-subnet)', () => {
  test('IPv4', () => {
    expect(isInCidr('10.244.1.5', '10.244.0.0/16')).toBe(true);
    expect(isInCidr('10.245.1.5', '10.244.0.0/16')).toBe(false);
    expect(isInCidr('10.96.0.1', '10.96.0.0/16')).toBe(true);
  });
  test('IPv6, including zero-compressed forms', () => {
    expect(isInCidr('fd00:10:244:1::5', 'fd00:10:244::/56')).toBe(true);
    expect(isInCidr('fd00:0010:0244:0001:0000:0000:0000:0005', 'fd00:10:244:1::/64')).toBe(true);
    expect(isInCidr('fd00:10:244:100::5', 'fd00:10:244::/56')).toBe(false);
    expect(isInCidr('fd00:10:96::a', 'fd00:10:96::/112')).toBe(true);
  });
  test('a CIDR with host bits set still defines the range', () => {
    expect(isInCidr('172.18.0.9', '172.18.0.2/16')).toBe(true);
  });
  test('cross-family is false, not an error', () => {
    expect(isInCidr('10.244.1.5', 'fd00:10:244::/56')).toBe(false);
    expect(isInCidr('::ffff:10.244.1.5', '10.244.0.0/16')).toBe(false);
  });
  test('garbage throws', () => {
    expect(() => isInCidr('nope', '10.0.0.0/8')).toThrow(/"nope"/);
    expect(() => isInCidr('10.0.0.1', 'nope/8')).toThrow(/"nope\/8"/);
  });
});

test('sameFamily accepts addresses and CIDRs', () => {
  expect(sameFamily('10.0.0.1', '10.96.0.0/16')).toBe(true);
  expect(sameFamily('fd00::1', '10.96.0.0/16')).toBe(false);
  expect(familyOfAny('fd00::/8')).toBe('IPv6');
});

test('normalizeIp gives RFC 5952 form', () => {
  expect(normalizeIp('FD00:0010:0244:0001:0000:0000:0000:0005')).toBe('fd00:10:244:1::5');
  expect(normalizeIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
  expect(normalizeIp('10.1.2.3')).toBe('10.1.2.3');
});

describe('hostPort / urlFor', () => {
  test('IPv6 gets brackets, IPv4 and names do not', () => {
    expect(hostPort('fd00:10:96::a', 53)).toBe('[fd00:10:96::a]:53');
    expect(hostPort('10.96.0.10', 53)).toBe('10.96.0.10:53');
    expect(hostPort('kube-dns.kube-system.svc.cluster.local', 53)).toBe('kube-dns.kube-system.svc.cluster.local:53');
  });
  test('zones: literal in host:port, %25-escaped in URLs (RFC 6874)', () => {
    expect(hostPort('fe80::1%eth0', 80)).toBe('[fe80::1%eth0]:80');
    expect(urlFor('fe80::1%eth0', 80, '/')).toBe('http://[fe80::1%25eth0]:80/');
  });
  test('urlFor', () => {
    expect(urlFor('fd00:10:244:1::5', 8080, '/healthz')).toBe('http://[fd00:10:244:1::5]:8080/healthz');
    expect(urlFor('10.244.1.5', 8080, 'echo?msg=hi')).toBe('http://10.244.1.5:8080/echo?msg=hi');
    expect(urlFor('fd00::1', 443, '/', 'https')).toBe('https://[fd00::1]:443/');
    // The URL parser agrees with what we built.
    expect(new URL(urlFor('fd00:10:244:1::5', 8080)).hostname).toBe('[fd00:10:244:1::5]');
  });
  test('rejects bad ports and hosts', () => {
    expect(() => hostPort('10.0.0.1', 0)).toThrow(/port/);
    expect(() => hostPort('10.0.0.1', 70000)).toThrow(/port/);
    expect(() => hostPort('10.0.0.1', 1.5)).toThrow(/port/);
    expect(() => hostPort('[fd00::1]', 80)).toThrow(InvalidAddressError);
    expect(() => hostPort('999.1.1.1', 80)).toThrow(InvalidAddressError);
    expect(() => urlFor('bad host', 80)).toThrow(InvalidAddressError);
  });
});

describe('parseHostPort', () => {
  test('valid forms', () => {
    expect(parseHostPort('[64:ff9b::c000:221]:80')).toEqual({ host: '64:ff9b::c000:221', port: 80, family: 'IPv6' });
    expect(parseHostPort('192.0.2.33:8080')).toEqual({ host: '192.0.2.33', port: 8080, family: 'IPv4' });
    expect(parseHostPort('origin.test:80')).toEqual({ host: 'origin.test', port: 80 });
  });
  test.for(['fd00::1:80', '[fd00::1]', '[fd00::1]80', '10.0.0.1', '10.0.0.1:', '10.0.0.1:0', '10.0.0.1:65536', '10.0.0.1:http', '1.2.3:80', '[10.0.0.1]:80', ':80', 'a b:80'])(
    'rejects %j',
    (bad) => {
      expect(() => parseHostPort(bad)).toThrow(InvalidAddressError);
    },
  );
});
