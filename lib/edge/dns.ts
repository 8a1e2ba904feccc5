import type { Pref64 } from '../net/rfc6052.ts';

/** Where DNS64 synthesis happens: in CoreDNS (dns64 plugin) or in the upstream resolver (cloud-resolver model). */
export type Dns64Mode = 'coredns' | 'upstream';

export const LAB_ZONE = 'lab.test';

/** The names of the lab zone and what each one exercises. */
export interface LabZone {
  /** A only: DNS64 must synthesize its AAAA. */
  v4only: string;
  /** A and a real AAAA: DNS64 must not synthesize. */
  dual: string;
  /** AAAA only: the IPv6 world's origin, reached natively. */
  v6only: string;
  /** CNAME → v4only: synthesis must follow the chain. */
  alias: string;
}

export const ZONE_NAMES: LabZone = {
  v4only: `origin.${LAB_ZONE}`,
  dual: `dual.${LAB_ZONE}`,
  v6only: `v6only.${LAB_ZONE}`,
  alias: `alias.${LAB_ZONE}`,
};

/** A documentation-range address (RFC 3849) for a name that is only resolved, never dialled. */
export const DOC_AAAA = { dual: '2001:db8:64::10' };
/** RFC 7050: the only A records of ipv4only.arpa. */
export const IPV4ONLY_ARPA_A = ['192.0.0.170', '192.0.0.171'];

export function labZoneFile(originV4: string, origin6: string, nsV6: string): string {
  return [
    `$ORIGIN ${LAB_ZONE}.`,
    '$TTL 30',
    `@ IN SOA ns.${LAB_ZONE}. hostmaster.${LAB_ZONE}. 1 3600 600 86400 30`,
    `@ IN NS ns.${LAB_ZONE}.`,
    `ns IN AAAA ${nsV6}`,
    `origin IN A ${originV4}`,
    `dual IN A ${originV4}`,
    `dual IN AAAA ${DOC_AAAA.dual}`,
    `v6only IN AAAA ${origin6}`,
    `alias IN CNAME origin.${LAB_ZONE}.`,
    '',
  ].join('\n');
}

export function ipv4onlyArpaZoneFile(nsV6: string): string {
  return [
    '$ORIGIN ipv4only.arpa.',
    '$TTL 30',
    '@ IN SOA ns.ipv4only.arpa. hostmaster.ipv4only.arpa. 1 3600 600 86400 30',
    '@ IN NS ns.ipv4only.arpa.',
    `ns IN AAAA ${nsV6}`,
    ...IPV4ONLY_ARPA_A.map((a) => `@ IN A ${a}`),
    '',
  ].join('\n');
}

/**
 * unbound as the lab's upstream: authoritative for the lab zones through
 * auth-zone (local-data answers would bypass the dns64 module, see
 * lab-facts), DNS64 only in `upstream` mode, and never a query beyond the
 * lab: every address is on the do-not-query list, so unknown names fail fast
 * instead of reaching the Internet. (A forward-zone for "." would do that too
 * but makes the iterator skip the auth zones.)
 */
export function unboundConf(mode: Dns64Mode, pref64: Pref64): string {
  return [
    'server:',
    '  interface: 0.0.0.0',
    '  interface: ::0',
    '  access-control: 0.0.0.0/0 allow',
    '  access-control: ::/0 allow',
    '  username: ""',
    '  chroot: ""',
    '  directory: "/etc/unbound/lab"',
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 1',
    '  do-not-query-localhost: no',
    '  qname-minimisation: no',
    '  local-zone: "test." nodefault',
    '  do-not-query-address: 0.0.0.0/0',
    '  do-not-query-address: ::/0',
    `  module-config: "${mode === 'upstream' ? 'dns64 iterator' : 'iterator'}"`,
    ...(mode === 'upstream' ? [`  dns64-prefix: ${pref64.cidr}`] : []),
    '',
    ...['lab.test.', 'ipv4only.arpa.'].flatMap((zone) => [
      'auth-zone:',
      `  name: "${zone}"`,
      `  zonefile: "${zone}zone"`,
      '  for-upstream: yes',
      '  for-downstream: no',
      '',
    ]),
  ].join('\n');
}
