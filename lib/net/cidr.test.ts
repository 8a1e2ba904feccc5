import { describe, expect, test } from 'vitest';
import { addressAt, carveRange, cidrContains, networkOf, sizeOf } from './cidr.ts';

describe('carveRange', () => {
  test('MetalLB-style pool at the top of the kind docker network', () => {
    expect(carveRange('172.18.0.0/16', 5, 50)).toBe('172.18.255.201-172.18.255.250');
    expect(carveRange('fc00:f853:ccd:e793::/64', 0, 16)).toBe('fc00:f853:ccd:e793:ffff:ffff:ffff:fff0-fc00:f853:ccd:e793:ffff:ffff:ffff:ffff');
    expect(carveRange('fc00:f853:ccd:e793::/64', 255, 1)).toBe('fc00:f853:ccd:e793:ffff:ffff:ffff:ff00-fc00:f853:ccd:e793:ffff:ffff:ffff:ff00');
  });
  test('host bits in the subnet argument do not matter', () => {
    expect(carveRange('172.18.0.2/16', 1, 2)).toBe('172.18.255.253-172.18.255.254');
  });
  test('small subnets: exactly fits, then does not', () => {
    expect(carveRange('192.168.10.0/29', 1, 6)).toBe('192.168.10.1-192.168.10.6');
    expect(() => carveRange('192.168.10.0/29', 1, 7)).toThrow(/does not fit/);
    expect(carveRange('192.168.10.0/31', 0, 2)).toBe('192.168.10.0-192.168.10.1');
  });
  test('never the IPv4 broadcast or the IPv6 subnet-router anycast address', () => {
    expect(() => carveRange('172.18.0.0/16', 0, 10)).toThrow(/broadcast/);
    expect(() => carveRange('fd00::/120', 0, 256)).toThrow(/does not fit/);
    expect(carveRange('fd00::/120', 0, 255)).toBe('fd00::1-fd00::ff');
  });
  test('bad arguments', () => {
    expect(() => carveRange('172.18.0.0/16', -1, 1)).toThrow(/offset/);
    expect(() => carveRange('172.18.0.0/16', 1, 0)).toThrow(/range size/);
    expect(() => carveRange('172.18.0.0/16', 1.5, 1)).toThrow(/offset/);
    expect(() => carveRange('172.18.0.1', 1, 1)).toThrow(/CIDR/);
  });
});

test('addressAt', () => {
  expect(addressAt('10.96.0.0/16', 1)).toBe('10.96.0.1');
  expect(addressAt('10.96.0.0/16', 10)).toBe('10.96.0.10');
  expect(addressAt('fd00:10:96::/112', 10)).toBe('fd00:10:96::a');
  expect(addressAt('fd00:10:96::/112', -1)).toBe('fd00:10:96::ffff');
  expect(() => addressAt('10.96.0.0/30', 4)).toThrow(/out of range/);
  expect(() => addressAt('10.96.0.0/30', -5)).toThrow(/out of range/);
});

test('networkOf / sizeOf / cidrContains', () => {
  expect(networkOf('10.244.1.7/24')).toBe('10.244.1.0/24');
  expect(networkOf('fd00:10:244:1::7/64')).toBe('fd00:10:244:1::/64');
  expect(sizeOf('10.96.0.0/16')).toBe(65536n);
  expect(sizeOf('fd00:10:244:1::/64')).toBe(2n ** 64n);
  expect(cidrContains('fd00:10:244::/56', 'fd00:10:244:1::/64')).toBe(true);
  expect(cidrContains('fd00:10:244::/56', 'fd00:10:244:100::/64')).toBe(false);
  expect(cidrContains('10.244.0.0/16', '10.244.3.0/24')).toBe(true);
  expect(cidrContains('10.244.0.0/16', 'fd00:10:244:1::/64')).toBe(false);
  expect(cidrContains('10.244.0.0/24', '10.244.0.0/16')).toBe(false);
});
