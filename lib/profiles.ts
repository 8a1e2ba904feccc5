/**
 * Cluster profiles and test suites: the two vocabularies shared by the CLI, the lab
 * (which builds a kind cluster per profile) and the e2e suites.
 */

/**
 * - `ipv4`:    single-stack IPv4 (the control group)
 * - `ipv6`:    single-stack IPv6
 * - `dual`:    dual-stack, IPv4 primary (first service/pod CIDR is IPv4)
 * - `dual-v6`: dual-stack, IPv6 primary
 */
export type Profile = 'ipv6' | 'dual' | 'dual-v6' | 'ipv4';

/** Order matters: `--profile all` runs them in this order (the IPv6 ones first, they are the point). */
export const PROFILES: readonly Profile[] = ['ipv6', 'dual-v6', 'dual', 'ipv4'];

export function isProfile(value: string): value is Profile {
  return (PROFILES as readonly string[]).includes(value);
}

/** Each suite is a folder `suites/<name>/` holding `*.test.ts` files. */
export type Suite =
  | 'address-families'
  | 'connectivity'
  | 'services'
  | 'host-network'
  | 'mtu'
  | 'dns'
  | 'guestbook'
  | 'dns64'
  | 'nat64'
  | 'nodeport'
  | 'loadbalancer';

export const SUITES: readonly Suite[] = [
  'address-families',
  'connectivity',
  'services',
  'host-network',
  'mtu',
  'dns',
  'guestbook',
  'dns64',
  'nat64',
  'nodeport',
  'loadbalancer',
];

export function isSuite(value: string): value is Suite {
  return (SUITES as readonly string[]).includes(value);
}
