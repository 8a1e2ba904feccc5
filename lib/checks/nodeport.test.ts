import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import type { HttpResult } from '../probes/http.ts';
import {
  addressProbeVerdict,
  checkAddressProbes,
  checkLocalPolicy,
  checkNodeAddressPreference,
  clientIpOf,
  downwardHostIpVerdict,
  describeRank,
  expectedNodePortReachability,
  localAddresses,
  hostIpNodePortScript,
  nodeHostIPs,
  parseKubeProxyConfig,
  probeRecord,
  rankedAddresses,
  splitHostIpOutput,
  type AddressProbe,
  type KubeProxyNodePorts,
  type RankedAddress,
} from './nodeport.ts';
import { describeHttpOutcome } from './text.ts';

const node = (name: string, addresses: [string, string][]): V1Node => ({
  metadata: { name },
  status: { addresses: addresses.map(([type, address]) => ({ type, address })) },
});

const dual = node('w1', [
  ['InternalIP', '172.18.0.8'],
  ['InternalIP', 'fc00:f853:ccd:e793::8'],
  ['Hostname', 'w1'],
]);
const v6 = node('w6', [
  ['InternalIP', 'fc00:f853:ccd:e793:0:0:0:2'],
  ['Hostname', 'w6'],
]);
const swapped = node('w1', [
  ['InternalIP', 'fc00:f853:ccd:e793::8'],
  ['InternalIP', '172.18.0.8'],
  ['Hostname', 'w1'],
]);
/** Two IPv6 InternalIPs and an ExternalIP: only the first of each family is a host IP. */
const multi = node('m', [
  ['Hostname', 'm'],
  ['InternalIP', 'fd00::1'],
  ['InternalIP', 'fd00::2'],
  ['ExternalIP', '203.0.113.5'],
  ['ExternalIP', '2001:db8::5'],
]);

const http = (over: Partial<HttpResult>): HttpResult => ({
  ok: false,
  from: 'x',
  target: 'u',
  command: [],
  exitCode: 0,
  stdout: '',
  stderr: '',
  body: '',
  ...over,
});
const ok200 = (body: string) => http({ ok: true, status: 200, body });
const timeout = http({ exitCode: 28, stderr: 'curl: (28) Connection timed out after 3001 milliseconds' });
const refused = http({ exitCode: 7, stderr: 'curl: (7) Failed to connect to fd00::1 port 30000: Connection refused' });

describe('node host IPs and ranks', () => {
  test('host IPs: first InternalIP, then the first of the other family', () => {
    expect(nodeHostIPs(dual)).toEqual(['172.18.0.8', 'fc00:f853:ccd:e793::8']);
    expect(nodeHostIPs(swapped)).toEqual(['fc00:f853:ccd:e793::8', '172.18.0.8']);
    expect(nodeHostIPs(v6)).toEqual(['fc00:f853:ccd:e793::2']);
    // InternalIPs before ExternalIPs; the secondary may be an ExternalIP.
    expect(nodeHostIPs(multi)).toEqual(['fd00::1', '203.0.113.5']);
    expect(nodeHostIPs(node('n', [['Hostname', 'n']]))).toEqual([]);
  });

  test('ranks: index in status.addresses and within type+family; normalized addresses', () => {
    const r = rankedAddresses(multi);
    expect(r.map((a) => [a.address, a.type, a.rank, a.familyRank, a.hostIP, a.primary])).toEqual([
      ['fd00::1', 'InternalIP', 1, 0, true, true],
      ['fd00::2', 'InternalIP', 2, 1, false, false],
      ['203.0.113.5', 'ExternalIP', 3, 0, true, false],
      ['2001:db8::5', 'ExternalIP', 4, 0, false, false],
    ]);
    expect(rankedAddresses(v6)[0]!.address).toBe('fc00:f853:ccd:e793::2');
  });
});

describe('node address preference', () => {
  test('first InternalIP of the primary family passes', () => {
    expect(checkNodeAddressPreference(dual, 'IPv4').ok).toBe(true);
    expect(checkNodeAddressPreference(v6, 'IPv6').ok).toBe(true);
  });

  test('swapped order fails naming node, family, expected and seen', () => {
    const v = checkNodeAddressPreference(swapped, 'IPv4');
    expect(v.ok).toBe(false);
    expect(v.message).toContain('Node w1 [IPv4]');
    expect(v.message).toContain('expected first InternalIP of the cluster\'s primary family IPv4');
    expect(v.message).toContain('saw first InternalIP fc00:f853:ccd:e793::8 (IPv6)');
  });

  test('IPv4 InternalIP first on an IPv6 cluster fails (k/k#120720)', () => {
    const v = checkNodeAddressPreference(node('w6', [['InternalIP', '192.0.2.10'], ['InternalIP', 'fd00::2']]), 'IPv6');
    expect(v.ok).toBe(false);
    expect(v.message).toContain('192.0.2.10 (IPv4)');
  });

  test('no InternalIP fails', () => {
    expect(checkNodeAddressPreference(node('n', [['Hostname', 'n']]), 'IPv6').seen).toContain('no InternalIP');
  });
});


describe('kube-proxy nodePortAddresses', () => {
  const conf = (extra: string) => `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: iptables\n${extra}\n`;

  test('parses unset, list and primary; missing or broken config is unknown', () => {
    expect(parseKubeProxyConfig(conf('nodePortAddresses: null'))).toMatchObject({ known: true, nodePortAddresses: null, mode: 'iptables' });
    expect(parseKubeProxyConfig(conf('nodePortAddresses: ["10.0.0.0/8", "fd00::/8"]')).nodePortAddresses).toEqual(['10.0.0.0/8', 'fd00::/8']);
    expect(parseKubeProxyConfig(conf('nodePortAddresses: [primary]')).nodePortAddresses).toEqual(['primary']);
    expect(parseKubeProxyConfig(undefined).known).toBe(false);
    expect(parseKubeProxyConfig('a: [').known).toBe(false);
  });

  const cfg = (list: string[] | null, mode = 'iptables'): KubeProxyNodePorts => ({ known: true, nodePortAddresses: list, mode, source: 't' });
  const [first, second, ext4, ext6] = rankedAddresses(multi) as [RankedAddress, RankedAddress, RankedAddress, RankedAddress];

  test('unset: every local address, including non-host ones', () => {
    for (const a of [first, second, ext4, ext6]) expect(expectedNodePortReachability(cfg(null), a).reachable).toBe(true);
    expect(expectedNodePortReachability(cfg([]), second).reachable).toBe(true);
    expect(expectedNodePortReachability(cfg(null), second).why).toContain('all local addresses');
  });

  test('primary (and the nftables default): host IPs only', () => {
    for (const c of [cfg(['primary']), cfg(null, 'nftables')]) {
      expect(expectedNodePortReachability(c, first).reachable).toBe(true);
      expect(expectedNodePortReachability(c, ext4).reachable).toBe(true);
      expect(expectedNodePortReachability(c, second).reachable).toBe(false);
      expect(expectedNodePortReachability(c, ext6).reachable).toBe(false);
    }
    expect(expectedNodePortReachability(cfg(null, 'nftables'), second).why).toContain('nftables default');
  });

  test('local addresses beyond status.addresses: served by the iptables default, refused under primary / nftables', () => {
    const locals = localAddresses(multi, ['198.18.3.2', 'fd00:a17:3::2', rankedAddresses(multi)[0]!.address]);
    expect(locals.map((a) => [a.type, a.family, a.rank, a.hostIP])).toEqual([
      ['LocalAddress', 'IPv4', -1, false],
      ['LocalAddress', 'IPv6', -1, false],
    ]);
    const [v4] = locals as [RankedAddress];
    expect(expectedNodePortReachability(cfg(null), v4).reachable).toBe(true);
    expect(expectedNodePortReachability(cfg(null, 'nftables'), v4)).toMatchObject({ reachable: false });
    expect(describeRank(v4)).toContain('not in status.addresses, not a host IP');
  });

  test('CIDRs: inside/outside per family; a family without CIDRs accepts everything', () => {
    const c = cfg(['fd00::2/128']);
    expect(expectedNodePortReachability(c, first).reachable).toBe(false);
    expect(expectedNodePortReachability(c, second).reachable).toBe(true);
    expect(expectedNodePortReachability(c, ext4).reachable).toBe(true);
    expect(expectedNodePortReachability(c, ext4).why).toContain('has no IPv4 CIDR');
  });

  test('unknown config: host IPs expected, others not judged', () => {
    const u: KubeProxyNodePorts = { known: false, nodePortAddresses: null, mode: '', source: 'x not found' };
    expect(expectedNodePortReachability(u, first).reachable).toBe(true);
    expect(expectedNodePortReachability(u, second).reachable).toBeUndefined();
  });

  test('swapping the InternalIP order flips which address "primary" serves', () => {
    const before = rankedAddresses(dual);
    const after = rankedAddresses(swapped);
    // both remain host IPs (one per family): still served under primary
    expect(before.every((a) => expectedNodePortReachability(cfg(['primary']), a).reachable)).toBe(true);
    expect(after.find((a) => a.primary)!.family).toBe('IPv6');
  });
});

describe('probe outcomes', () => {
  test('describeHttpOutcome', () => {
    // The one description (lib/checks/text.ts), as the NodePort verdicts show it.
    expect(describeHttpOutcome(ok200('server-0'))).toBe('HTTP 200 body "server-0"');
    expect(describeHttpOutcome(timeout)).toMatch(/^timeout \(curl exit 28/);
    expect(describeHttpOutcome(refused)).toMatch(/^connection refused \(curl exit 7/);
    expect(describeHttpOutcome(http({ exitCode: -1, stderr: 'exec failed' }))).toBe('probe could not run (exec failed)');
    expect(describeHttpOutcome(http({ exitCode: 56 }))).toMatch(/^connection reset \(curl exit 56/);
  });

  const [a6] = rankedAddresses(v6) as [RankedAddress];
  const probe = (result: HttpResult, reachable: boolean | undefined = true): AddressProbe => ({
    target: a6,
    client: 'outside container c',
    url: 'http://[fc00:f853:ccd:e793::2]:30000/hostname',
    expect: { reachable, why: 'nodePortAddresses unset' },
    result,
    expectBody: ['server-0', 'server-1'],
  });

  test('expected reachable: a backend must answer', () => {
    expect(addressProbeVerdict('Service ns/np NodePort 30000', probe(ok200('server-1'))).ok).toBe(true);
    expect(addressProbeVerdict('Service ns/np NodePort 30000', probe(ok200('someone-else'))).ok).toBe(false);
  });

  test('a dropped node fails naming node, address rank and IPv6', () => {
    const v = checkAddressProbes('Service ns/np NodePort 30000', 'IPv6', [probe(timeout)]);
    expect(v.ok).toBe(false);
    expect(v.message).toContain('on node w6 InternalIP fc00:f853:ccd:e793::2 (addresses[0], IPv6 InternalIP #0, primary)');
    expect(v.message).toContain('[IPv6]: expected HTTP 2xx from a backend (server-0|server-1) (nodePortAddresses unset), saw timeout (curl exit 28');
  });

  test('expected unreachable: an answer is a failure; unjudged passes', () => {
    expect(addressProbeVerdict('s', probe(timeout, false)).ok).toBe(true);
    expect(addressProbeVerdict('s', probe(ok200('server-0'), false)).ok).toBe(false);
    expect(addressProbeVerdict('s', { ...probe(timeout), expect: { reachable: undefined, why: 'unknown' } }).ok).toBe(true);
  });

  test('no addresses is a failure, records carry family and rank', () => {
    expect(checkAddressProbes('s', 'IPv6', []).ok).toBe(false);
    expect(probeRecord(probe(ok200('server-0')))).toMatchObject({ node: 'w6', family: 'IPv6', rank: 0, familyRank: 0, expected: 'reachable', ok: true });
  });
});

describe('externalTrafficPolicy Local', () => {
  const [a6] = rankedAddresses(v6) as [RankedAddress];
  const base = { target: a6, client: 'outside container c', clientIp: 'fc00:f853:ccd:e793::c', url: 'http://[fc00:f853:ccd:e793::2]:30001/clientip' };

  test('clientIpOf parses netexec /clientip', () => {
    expect(clientIpOf('[fc00:f853:ccd:e793:0::c]:41234\n')).toBe('fc00:f853:ccd:e793::c');
    expect(clientIpOf('172.18.0.12:5555')).toBe('172.18.0.12');
    expect(clientIpOf('garbage')).toBeUndefined();
  });

  test('local endpoint: source preserved passes, SNATed source fails naming both', () => {
    expect(checkLocalPolicy('Service ns/l', 'IPv6', [{ ...base, hasLocalEndpoint: true, result: ok200('[fc00:f853:ccd:e793::c]:40000') }]).ok).toBe(true);
    const v = checkLocalPolicy('Service ns/l', 'IPv6', [{ ...base, hasLocalEndpoint: true, result: ok200('[fc00:f853:ccd:e793::2]:40000') }]);
    expect(v.ok).toBe(false);
    expect(v.message).toContain('[IPv6]: expected HTTP 2xx with /clientip = the client\'s own IPv6 address fc00:f853:ccd:e793::c');
    expect(v.message).toContain('saw HTTP 200 /clientip fc00:f853:ccd:e793::2');
  });

  test('no local endpoint: must not answer', () => {
    expect(checkLocalPolicy('s', 'IPv6', [{ ...base, hasLocalEndpoint: true, result: ok200('[fc00:f853:ccd:e793::c]:1') }, { ...base, hasLocalEndpoint: false, result: timeout }]).ok).toBe(true);
    const v = checkLocalPolicy('s', 'IPv6', [{ ...base, hasLocalEndpoint: true, result: ok200('[fc00:f853:ccd:e793::c]:1') }, { ...base, hasLocalEndpoint: false, result: ok200('[fc00::9]:1') }]);
    expect(v.ok).toBe(false);
    expect(v.message).toContain('expected no answer (no local endpoint on this node)');
    expect(checkLocalPolicy('s', 'IPv6', [{ ...base, hasLocalEndpoint: false, result: timeout }]).ok).toBe(false);
  });
});

describe('downward API status.hostIP → NodePort', () => {
  test('script brackets IPv6 and marks HOST_IP', () => {
    const s = hostIpNodePortScript(3);
    expect(s).toContain('h="[$HOST_IP]"');
    expect(s).toContain('"http://$h:$0/hostname"');
    expect(splitHostIpOutput('@@v6e2e-hostip=fd00::1\nserver-0\n@@v6e2e-status=200')).toEqual({ hostIp: 'fd00::1', rest: 'server-0\n@@v6e2e-status=200' });
    expect(splitHostIpOutput('nothing').hostIp).toBeUndefined();
  });

  test('hostIP of the wrong family fails naming it', () => {
    const base = { pod: 'pod ns/c on w1', service: 'Service ns/np', nodePort: 30000, primary: 'IPv6' as const };
    expect(downwardHostIpVerdict({ ...base, hostIp: 'fc00::2', result: ok200('server-0') }).ok).toBe(true);
    const v = downwardHostIpVerdict({ ...base, hostIp: '192.0.2.10', result: timeout });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('[IPv6]: expected $HOST_IP of the primary family IPv6 and HTTP 2xx, saw $HOST_IP 192.0.2.10 (IPv4), timeout (curl exit 28');
  });
});
