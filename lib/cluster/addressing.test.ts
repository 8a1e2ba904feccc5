import { describe, expect, test } from 'vitest';
import type { Profile } from '../profiles.ts';
import { UsageError } from '../util/errors.ts';
import {
  KIND_NETWORK_SUBNETS,
  addressingTag,
  assertOutsideNetwork,
  defaultAddressing,
  isCustomAddressing,
  parseAddressing,
  profileFamilies,
  type AddressingInput,
} from './addressing.ts';

/** The UsageError parseAddressing throws; asserts it is one line (the CLI prints it as is). */
function usageError(input: AddressingInput, profile: Profile, nodeCount = 3): string {
  try {
    parseAddressing(input, profile, nodeCount);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`no error for ${JSON.stringify(input)} (${profile})`);
}

const GUIDE: AddressingInput = { podSubnet: '2001:db8:42::/104', serviceSubnet: '2001:db8:43::/112', nodeCidrMaskIPv6: '120' };
const DUAL: AddressingInput = {
  podSubnet: '10.1.0.0/16,2001:db8:42::/104',
  serviceSubnet: '10.2.0.0/16,2001:db8:43::/112',
  nodeCidrMaskIPv4: '24',
  nodeCidrMaskIPv6: '120',
};
const DUAL_V6: AddressingInput = { ...DUAL, podSubnet: '2001:db8:42::/104,10.1.0.0/16', serviceSubnet: '2001:db8:43::/112,10.2.0.0/16' };

describe('defaults', () => {
  test('profile families, primary first', () => {
    expect(profileFamilies('ipv6')).toEqual(['IPv6']);
    expect(profileFamilies('ipv4')).toEqual(['IPv4']);
    expect(profileFamilies('dual')).toEqual(['IPv4', 'IPv6']);
    expect(profileFamilies('dual-v6')).toEqual(['IPv6', 'IPv4']);
  });
  test("kind v0.30's defaults per profile", () => {
    expect(defaultAddressing('ipv6')).toEqual({ podSubnets: ['fd00:10:244::/56'], serviceSubnets: ['fd00:10:96::/112'], nodeCidrMask: { IPv6: 64 } });
    expect(defaultAddressing('ipv4')).toEqual({ podSubnets: ['10.244.0.0/16'], serviceSubnets: ['10.96.0.0/16'], nodeCidrMask: { IPv4: 24 } });
    expect(defaultAddressing('dual')).toEqual({
      podSubnets: ['10.244.0.0/16', 'fd00:10:244::/56'],
      serviceSubnets: ['10.96.0.0/16', 'fd00:10:96::/112'],
      nodeCidrMask: { IPv4: 24, IPv6: 64 },
    });
    expect(defaultAddressing('dual-v6')).toEqual({
      podSubnets: ['fd00:10:244::/56', '10.244.0.0/16'],
      serviceSubnets: ['fd00:10:96::/112', '10.96.0.0/16'],
      nodeCidrMask: { IPv4: 24, IPv6: 64 },
    });
  });
  test('a fresh plan each call', () => {
    defaultAddressing('ipv6').podSubnets.push('x');
    expect(defaultAddressing('ipv6').podSubnets).toEqual(['fd00:10:244::/56']);
  });
  test('the kind docker network', () => {
    expect(KIND_NETWORK_SUBNETS).toEqual({ IPv6: 'fc00:f853:ccd:e793::/64', IPv4: '172.18.0.0/16' });
  });
});

describe('parseAddressing: valid plans', () => {
  test('undefined when no flag is set', () => {
    for (const p of ['ipv6', 'ipv4', 'dual', 'dual-v6'] as const) expect(parseAddressing({}, p, 3)).toBeUndefined();
  });
  test('the guide plan for ipv6, canonical values', () => {
    expect(parseAddressing(GUIDE, 'ipv6', 3)).toEqual({
      podSubnets: ['2001:db8:42::/104'],
      serviceSubnets: ['2001:db8:43::/112'],
      nodeCidrMask: { IPv6: 120 },
    });
    const sloppy = { podSubnet: ' 2001:DB8:42:0:0::/104', serviceSubnet: '2001:0db8:0043::0/112 ', nodeCidrMaskIPv6: ' 120' };
    expect(parseAddressing(sloppy, 'ipv6', 3)).toEqual(parseAddressing(GUIDE, 'ipv6', 3));
  });
  test('dual: IPv4 primary', () => {
    expect(parseAddressing({ ...DUAL, podSubnet: '10.1.0.0/16, 2001:db8:42::/104' }, 'dual', 3)).toEqual({
      podSubnets: ['10.1.0.0/16', '2001:db8:42::/104'],
      serviceSubnets: ['10.2.0.0/16', '2001:db8:43::/112'],
      nodeCidrMask: { IPv4: 24, IPv6: 120 },
    });
  });
  test('dual-v6: IPv6 primary', () => {
    expect(parseAddressing(DUAL_V6, 'dual-v6', 3)).toEqual({
      podSubnets: ['2001:db8:42::/104', '10.1.0.0/16'],
      serviceSubnets: ['2001:db8:43::/112', '10.2.0.0/16'],
      nodeCidrMask: { IPv4: 24, IPv6: 120 },
    });
  });
  test('unset parts take the defaults', () => {
    expect(parseAddressing({ serviceSubnet: '2001:db8:43::/112' }, 'ipv6', 3)).toEqual({
      podSubnets: ['fd00:10:244::/56'],
      serviceSubnets: ['2001:db8:43::/112'],
      nodeCidrMask: { IPv6: 64 },
    });
    expect(parseAddressing({ nodeCidrMaskIPv4: '26' }, 'dual', 3)).toEqual({
      ...defaultAddressing('dual'),
      nodeCidrMask: { IPv4: 26, IPv6: 64 },
    });
  });
  test('limits themselves are accepted', () => {
    // 16 bits between pod prefix and node mask; exactly enough node subnets.
    expect(parseAddressing({ podSubnet: '2001:db8:42::/104', nodeCidrMaskIPv6: '120' }, 'ipv6', 65536)?.nodeCidrMask).toEqual({ IPv6: 120 });
    expect(parseAddressing({ podSubnet: '2001:db8:42::/118', nodeCidrMaskIPv6: '120' }, 'ipv6', 4)?.podSubnets).toEqual(['2001:db8:42::/118']);
    expect(parseAddressing({ nodeCidrMaskIPv6: '72' }, 'ipv6', 3)?.nodeCidrMask).toEqual({ IPv6: 72 });
    // Service ranges of 2^20 addresses; the smallest ranges kubeadm takes.
    expect(parseAddressing({ serviceSubnet: '2001:db8:43::/108' }, 'ipv6', 3)).toBeDefined();
    expect(parseAddressing({ serviceSubnet: '10.0.0.0/12' }, 'ipv4', 3)).toBeDefined();
    expect(parseAddressing({ serviceSubnet: '10.2.0.0/28' }, 'ipv4', 3)).toBeDefined();
    expect(parseAddressing({ serviceSubnet: '2001:db8:43::/124' }, 'ipv6', 3)).toBeDefined();
    expect(parseAddressing({ podSubnet: '10.1.0.0/28', nodeCidrMaskIPv4: '30' }, 'ipv4', 3)).toBeDefined();
    expect(parseAddressing({ nodeCidrMaskIPv4: '32', podSubnet: '10.1.0.0/16' }, 'ipv4', 3)).toBeDefined();
  });
});

describe('parseAddressing: each rule refuses with a one-line message naming the value', () => {
  test('1: not a CIDR, host bits set', () => {
    expect(usageError({ podSubnet: '2001:db8:42::/129' }, 'ipv6')).toMatch(/^--pod-subnet 2001:db8:42::\/129: not a valid CIDR; give one IPv6 CIDR, e\.g\. /);
    expect(usageError({ podSubnet: '2001:db8:42::' }, 'ipv6')).toMatch(/^--pod-subnet 2001:db8:42::: missing \/prefix-length/);
    expect(usageError({ serviceSubnet: 'banana/16' }, 'ipv4')).toMatch(/^--service-subnet banana\/16: not a valid CIDR; give one IPv4 CIDR/);
    expect(usageError({ podSubnet: '10.1.0.0/16,' }, 'dual')).toMatch(/^--pod-subnet 10\.1\.0\.0\/16,: empty entry/);
    expect(usageError({ podSubnet: '' }, 'ipv6')).toMatch(/^--pod-subnet "": empty entry/);
    expect(usageError({ podSubnet: '10.244.1.0/16' }, 'ipv4')).toMatch(/^--pod-subnet 10\.244\.1\.0\/16: host bits are set .*; use 10\.244\.0\.0\/16$/);
    expect(usageError({ serviceSubnet: 'fd00:10:96::1/112' }, 'ipv6')).toMatch(/^--service-subnet fd00:10:96::1\/112: host bits .*; use fd00:10:96::\/112$/);
  });
  test('2: families of the profile, primary first', () => {
    expect(usageError({ podSubnet: '10.244.0.0/16' }, 'ipv6')).toBe(
      '--pod-subnet 10.244.0.0/16: profile ipv6 has no IPv4; give one IPv6 CIDR, e.g. 2001:db8:42::/104',
    );
    expect(usageError({ serviceSubnet: '10.2.0.0/16,2001:db8:43::/112' }, 'ipv4')).toMatch(
      /^--service-subnet 10\.2\.0\.0\/16,2001:db8:43::\/112: profile ipv4 has no IPv6; give one IPv4 CIDR/,
    );
    expect(usageError({ podSubnet: '2001:db8:42::/104,2001:db8:52::/104', nodeCidrMaskIPv6: '120' }, 'ipv6')).toMatch(
      /^--pod-subnet 2001:db8:42::\/104,2001:db8:52::\/104: IPv6 given twice/,
    );
    expect(usageError({ podSubnet: '10.1.0.0/16' }, 'dual')).toMatch(/^--pod-subnet 10\.1\.0\.0\/16: profile dual is dual-stack and needs an IPv6 CIDR too/);
    expect(usageError({ podSubnet: '2001:db8:42::/104,10.1.0.0/16' }, 'dual')).toMatch(
      /^--pod-subnet 2001:db8:42::\/104,10\.1\.0\.0\/16: profile dual is IPv4 primary, primary first; give an IPv4 then an IPv6 CIDR \(primary first\), e\.g\. 10\.1\.0\.0\/16,2001:db8:42::\/104$/,
    );
    expect(usageError({ serviceSubnet: '10.2.0.0/16,2001:db8:43::/112' }, 'dual-v6')).toMatch(
      /^--service-subnet 10\.2\.0\.0\/16,2001:db8:43::\/112: profile dual-v6 is IPv6 primary, primary first; .*e\.g\. 2001:db8:43::\/112,10\.2\.0\.0\/16$/,
    );
  });
  test('3: node mask for a family the profile lacks; whole numbers only', () => {
    expect(usageError({ nodeCidrMaskIPv4: '24' }, 'ipv6')).toMatch(/^--node-cidr-mask-ipv4 24: profile ipv6 has no IPv4; drop the flag/);
    expect(usageError({ nodeCidrMaskIPv6: '64' }, 'ipv4')).toMatch(/^--node-cidr-mask-ipv6 64: profile ipv4 has no IPv6/);
    for (const bad of ['12x', '24.5', '-1', '+24', '0x18']) {
      expect(usageError({ nodeCidrMaskIPv4: bad }, 'dual')).toBe(`--node-cidr-mask-ipv4 ${bad}: not a whole number; give a prefix length, e.g. 24`);
    }
    expect(usageError({ nodeCidrMaskIPv6: '' }, 'ipv6')).toMatch(/^--node-cidr-mask-ipv6 "": not a whole number/);
  });
  test('4: node mask longer than the pod prefix, within the address, at most 16 bits longer', () => {
    expect(usageError({ podSubnet: '2001:db8:42::/64', nodeCidrMaskIPv6: '64' }, 'ipv6')).toMatch(
      /^--node-cidr-mask-ipv6 64: the node mask \/64 must be longer than the \/64 of the IPv6 --pod-subnet 2001:db8:42::\/64; give --node-cidr-mask-ipv6 between 65 and 80$/,
    );
    // Pods /104 with the default IPv6 node mask /64: the guide's mask flag is needed too.
    expect(usageError({ podSubnet: '2001:db8:42::/104' }, 'ipv6')).toMatch(
      /^--pod-subnet 2001:db8:42::\/104: the default IPv6 node mask \/64 must be longer .*; also give --node-cidr-mask-ipv6 between 105 and 120$/,
    );
    expect(usageError({ nodeCidrMaskIPv6: '129' }, 'ipv6')).toMatch(/^--node-cidr-mask-ipv6 129: an IPv6 node mask is at most 128/);
    expect(usageError({ nodeCidrMaskIPv4: '33' }, 'dual-v6')).toMatch(/^--node-cidr-mask-ipv4 33: an IPv4 node mask is at most 32/);
    expect(usageError({ podSubnet: '2001:db8:42::/96', nodeCidrMaskIPv6: '120' }, 'ipv6')).toMatch(
      /^--node-cidr-mask-ipv6 120: the node mask \/120 is 24 bits longer than the \/96 of the IPv6 --pod-subnet 2001:db8:42::\/96; kubeadm allows at most 16; give --node-cidr-mask-ipv6 between 97 and 112, or a --pod-subnet of \/104 or longer$/,
    );
    // kubeadm applies the 16-bit limit to IPv4 too.
    expect(usageError({ podSubnet: '10.0.0.0/8', nodeCidrMaskIPv4: '28' }, 'ipv4')).toMatch(/^--node-cidr-mask-ipv4 28: .*20 bits longer .*at most 16/);
    expect(parseAddressing({ podSubnet: '11.0.0.0/8,fd00:10:244::/56' }, 'dual', 3)).toBeDefined();
    expect(usageError({ podSubnet: '12.0.0.0/7,fd00:10:244::/56' }, 'dual')).toMatch(
      /^--pod-subnet 12\.0\.0\.0\/7: the default IPv4 node mask \/24 is 17 bits longer .*; also give --node-cidr-mask-ipv4 between 8 and 23/,
    );
    expect(usageError({ podSubnet: '2001:db8::/40' }, 'ipv6')).toMatch(
      /^--pod-subnet 2001:db8::\/40: the default IPv6 node mask \/64 is 24 bits longer .*; also give --node-cidr-mask-ipv6 between 41 and 56/,
    );
  });
  test('5: enough node subnets for the nodes', () => {
    expect(usageError({ podSubnet: '2001:db8:42::/119', nodeCidrMaskIPv6: '120' }, 'ipv6', 3)).toMatch(
      /^--node-cidr-mask-ipv6 120: the IPv6 --pod-subnet 2001:db8:42::\/119 holds only 2 node subnets of \/120, and the cluster has 3 nodes; give --node-cidr-mask-ipv6 between 121 and 128, or a bigger --pod-subnet \(\/118 or shorter\)$/,
    );
    expect(usageError({ podSubnet: '10.1.0.0/23' }, 'ipv4', 3)).toMatch(
      /^--pod-subnet 10\.1\.0\.0\/23: .*holds only 2 node subnets of \/24, and the cluster has 3 nodes; give a bigger --pod-subnet \(\/22 or shorter\), or also --node-cidr-mask-ipv4 between 25 and 32$/,
    );
    expect(usageError({ nodeCidrMaskIPv4: '17' }, 'dual', 3)).toMatch(/^--node-cidr-mask-ipv4 17: .*10\.244\.0\.0\/16 holds only 2 node subnets of \/17, and the cluster has 3 nodes/);
    expect(usageError({ podSubnet: '2001:db8:42::/104', nodeCidrMaskIPv6: '120' }, 'ipv6', 65537)).toMatch(/65536 node subnets .* 65537 nodes/);
  });
  test('6: Service range size (kubeadm: at most 20 host bits, at least 10 addresses)', () => {
    expect(usageError({ serviceSubnet: '2001:db8:43::/107' }, 'ipv6')).toMatch(
      /^--service-subnet 2001:db8:43::\/107: too large, .* over 20 host bits; use \/108 or longer/,
    );
    expect(usageError({ serviceSubnet: '2001:db8:43::/64' }, 'ipv6')).toMatch(/^--service-subnet 2001:db8:43::\/64: too large/);
    expect(usageError({ serviceSubnet: '10.0.0.0/11' }, 'ipv4')).toMatch(/^--service-subnet 10\.0\.0\.0\/11: too large, .*; use \/12 or longer/);
    expect(usageError({ serviceSubnet: '10.2.0.0/29' }, 'ipv4')).toMatch(/^--service-subnet 10\.2\.0\.0\/29: too small, 8 addresses .* at least 10; use \/28 or shorter$/);
    expect(usageError({ serviceSubnet: '2001:db8:43::/125' }, 'ipv6')).toMatch(/^--service-subnet 2001:db8:43::\/125: too small.*; use \/124 or shorter$/);
    expect(usageError({ podSubnet: '10.1.0.0/29', nodeCidrMaskIPv4: '30' }, 'ipv4')).toMatch(/^--pod-subnet 10\.1\.0\.0\/29: too small, 8 addresses .* at least 14/);
  });
  test('7: pod and Service ranges do not overlap', () => {
    expect(usageError({ serviceSubnet: '10.244.0.0/20' }, 'ipv4')).toBe(
      '--service-subnet 10.244.0.0/20 overlaps the default pod subnet 10.244.0.0/16; give pod and Service ranges that do not overlap',
    );
    expect(usageError({ podSubnet: '10.96.0.0/12,fd00:10:244::/56', nodeCidrMaskIPv4: '28' }, 'dual')).toMatch(
      /^--pod-subnet 10\.96\.0\.0\/12 overlaps the default service subnet 10\.96\.0\.0\/16;/,
    );
    expect(usageError({ ...GUIDE, serviceSubnet: '2001:db8:42::/112' }, 'ipv6')).toMatch(
      /^--pod-subnet 2001:db8:42::\/104 overlaps --service-subnet 2001:db8:42::\/112;/,
    );
    expect(usageError({ ...DUAL_V6, serviceSubnet: '2001:db8:43::/112,10.1.0.0/24' }, 'dual-v6')).toMatch(
      /^--pod-subnet 10\.1\.0\.0\/16 overlaps --service-subnet 10\.1\.0\.0\/24;/,
    );
  });
  test('8: nor the kind docker network', () => {
    expect(usageError({ podSubnet: 'fc00:f853:ccd:e793::/104', nodeCidrMaskIPv6: '120' }, 'ipv6')).toMatch(
      /^--pod-subnet fc00:f853:ccd:e793::\/104 overlaps the kind Docker network fc00:f853:ccd:e793::\/64/,
    );
    expect(usageError({ serviceSubnet: '172.18.0.0/24' }, 'ipv4')).toMatch(/^--service-subnet 172\.18\.0\.0\/24 overlaps the kind Docker network 172\.18\.0\.0\/16/);
    expect(usageError({ podSubnet: '172.16.0.0/12', nodeCidrMaskIPv4: '28' }, 'ipv4')).toMatch(/^--pod-subnet 172\.16\.0\.0\/12 overlaps the kind Docker network 172\.18\.0\.0\/16/);
    expect(usageError({ ...DUAL, serviceSubnet: '10.2.0.0/16,fc00:f853:ccd:e793::/112' }, 'dual')).toMatch(/^--service-subnet fc00:f853:ccd:e793::\/112 overlaps the kind Docker network/);
  });
  test('9: a node mask alone applies to the default pod subnet, and says to give --pod-subnet too', () => {
    expect(usageError({ nodeCidrMaskIPv6: '120' }, 'ipv6')).toMatch(
      /^--node-cidr-mask-ipv6 120: .*64 bits longer than the \/56 of the default IPv6 pod subnet fd00:10:244::\/56; .*also give --pod-subnet with an IPv6 prefix of \/104 or longer$/,
    );
    expect(usageError({ nodeCidrMaskIPv4: '16' }, 'dual')).toMatch(
      /^--node-cidr-mask-ipv4 16: .*longer than the \/16 of the default IPv4 pod subnet 10\.244\.0\.0\/16; .*or also give --pod-subnet/,
    );
  });
  test('nodeCount must be a whole number', () => {
    expect(() => parseAddressing(GUIDE, 'ipv6', 0)).toThrow(RangeError);
  });
});

describe('isCustomAddressing / addressingTag', () => {
  const guide = parseAddressing(GUIDE, 'ipv6', 3)!;
  test('defaults are not custom, even when given explicitly', () => {
    for (const p of ['ipv6', 'ipv4', 'dual', 'dual-v6'] as const) expect(isCustomAddressing(defaultAddressing(p), p)).toBe(false);
    const explicit = parseAddressing({ podSubnet: 'fd00:10:244:0::/56', serviceSubnet: 'fd00:10:96::/112', nodeCidrMaskIPv6: '64' }, 'ipv6', 3)!;
    expect(explicit).toEqual(defaultAddressing('ipv6'));
    expect(isCustomAddressing(explicit, 'ipv6')).toBe(false);
  });
  test('any difference is custom', () => {
    expect(isCustomAddressing(guide, 'ipv6')).toBe(true);
    expect(isCustomAddressing(parseAddressing({ nodeCidrMaskIPv6: '65' }, 'ipv6', 3)!, 'ipv6')).toBe(true);
    // dual's defaults are dual-v6's in the other order: the order is part of the plan.
    expect(isCustomAddressing(defaultAddressing('dual'), 'dual-v6')).toBe(true);
  });
  test('tag: net + 4 hex, stable, canonical', () => {
    expect(addressingTag(guide)).toMatch(/^net[0-9a-f]{4}$/);
    expect(addressingTag(guide)).toBe(addressingTag(parseAddressing(GUIDE, 'ipv6', 3)!));
    expect(addressingTag(guide)).toBe(
      addressingTag({ podSubnets: ['2001:DB8:42:0::/104'], serviceSubnets: ['2001:db8:43::/112'], nodeCidrMask: { IPv6: 120 } }),
    );
    expect(addressingTag(parseAddressing(DUAL, 'dual', 3)!)).toBe(
      addressingTag({ ...parseAddressing(DUAL, 'dual', 3)!, nodeCidrMask: { IPv6: 120, IPv4: 24 } }),
    );
  });
  test('tag: different plans, different tags', () => {
    const tags = [
      addressingTag(guide),
      addressingTag(parseAddressing({ ...GUIDE, nodeCidrMaskIPv6: '116' }, 'ipv6', 3)!),
      addressingTag(parseAddressing(DUAL, 'dual', 3)!),
      addressingTag(parseAddressing(DUAL_V6, 'dual-v6', 3)!),
      addressingTag(defaultAddressing('ipv6')),
    ];
    expect(new Set(tags).size).toBe(tags.length);
  });
});

describe('assertOutsideNetwork', () => {
  test('a range inside the live kind network is refused, naming both', () => {
    const plan = defaultAddressing('dual');
    expect(() => assertOutsideNetwork(plan, 'kind', { IPv4: '10.244.0.0/24' })).toThrow(/the pod range 10\.244\.0\.0\/16 overlaps the Docker network kind \(10\.244\.0\.0\/24/);
    expect(() => assertOutsideNetwork(plan, 'kind', { IPv4: '172.22.0.0/16', IPv6: 'fc00:8866:27d0:bd7e::/64' })).not.toThrow();
  });
});
