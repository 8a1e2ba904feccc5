import { describe, expect, test } from 'vitest';
import type { DnsResult } from '../probes/dns.ts';
import { hostsFileVerdict, parseHostsFile, parseSrv, podRecordName, srvVerdict } from './dns-records.ts';

function dns(rcode: string | undefined, answers: [string, string][]): DnsResult {
  return {
    ok: rcode === 'NOERROR',
    from: 'ns/client',
    target: 'q',
    command: [],
    exitCode: rcode ? 0 : 9,
    stdout: '',
    stderr: rcode ? '' : ';; connection timed out; no servers could be reached',
    rcode,
    answers: answers.map(([type, data]) => ({ name: 'x.', type, data })),
  };
}

const HOSTS = [
  '# Kubernetes-managed hosts file.',
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  '10.244.1.3\tweb.sub.ns.svc.cluster.local\tweb',
  'fd00:10:244:1::3\tweb.sub.ns.svc.cluster.local\tweb',
  '',
].join('\n');

describe('pod record names', () => {
  test('dashed IPv4 and compressed IPv6 forms', () => {
    expect(podRecordName('10.244.2.4', 'ns', 'cluster.local')).toBe('10-244-2-4.ns.pod.cluster.local');
    expect(podRecordName('fd00:0010:0244:0002:0000:0000:0000:0004', 'ns', 'cluster.local')).toBe('fd00-10-244-2--4.ns.pod.cluster.local');
  });
});

describe('srvVerdict', () => {
  const base = {
    object: 'Service ns/echo SRV _http._tcp.echo.ns.svc.cluster.local',
    srvName: '_http._tcp.echo.ns.svc.cluster.local',
    expectTarget: 'echo.ns.svc.cluster.local',
    expectPort: 8080,
  };

  test('parses dig SRV data', () => {
    expect(parseSrv('0 100 8080 echo.ns.svc.cluster.local.')).toEqual({ priority: 0, weight: 100, port: 8080, target: 'echo.ns.svc.cluster.local.' });
    expect(parseSrv('not an srv')).toBeUndefined();
  });

  test('passes when target, port and the target records of the family match', () => {
    const srv = dns('NOERROR', [['SRV', '0 100 8080 echo.ns.svc.cluster.local.']]);
    const v = srvVerdict({ ...base, family: 'IPv6', expectIps: ['fd00:10:96::1'], srv, target: dns('NOERROR', [['AAAA', 'fd00:10:96::1']]) });
    expect(v.ok).toBe(true);
    expect(v.expected).toBe('SRV _http._tcp.echo.ns.svc.cluster.local → echo.ns.svc.cluster.local:8080, whose AAAA = {fd00:10:96::1}');
  });

  test('no SRV record (port without a name) fails naming the Service', () => {
    const v = srvVerdict({ ...base, family: 'IPv4', expectIps: ['10.96.0.1'], srv: dns('NXDOMAIN', []) });
    expect(v.ok).toBe(false);
    expect(v.object).toBe(base.object);
    expect(v.seen).toBe('NXDOMAIN, no SRV answers');
  });

  test('wrong port, wrong target records, no reply', () => {
    expect(srvVerdict({ ...base, family: 'IPv4', expectIps: ['10.96.0.1'], srv: dns('NOERROR', [['SRV', '0 100 80 echo.ns.svc.cluster.local.']]), target: dns('NOERROR', [['A', '10.96.0.1']]) }).ok).toBe(false);
    const v = srvVerdict({ ...base, family: 'IPv4', expectIps: ['10.96.0.1'], srv: dns('NOERROR', [['SRV', '0 100 8080 echo.ns.svc.cluster.local.']]), target: dns('NOERROR', []) });
    expect(v.ok).toBe(false);
    expect(v.seen).toContain('target NOERROR, no A answers');
    expect(srvVerdict({ ...base, family: 'IPv4', expectIps: [], srv: dns('NOERROR', [['SRV', '0 100 8080 echo.ns.svc.cluster.local.']]), target: dns('NOERROR', []) }).ok).toBe(false);
    expect(srvVerdict({ ...base, family: 'IPv4', expectIps: ['10.96.0.1'], srv: dns(undefined, []) }).seen).toContain('no DNS reply');
  });
});

describe('hostsFileVerdict', () => {
  const entries = parseHostsFile(HOSTS);

  test('parses lines, dropping comments', () => {
    expect(entries).toHaveLength(4);
    expect(entries[2]).toEqual({ ip: '10.244.1.3', names: ['web.sub.ns.svc.cluster.local', 'web'] });
  });

  test('each family of a dual-stack pod has its line', () => {
    for (const family of ['IPv4', 'IPv6'] as const) {
      expect(hostsFileVerdict({ object: 'pod ns/web-pod /etc/hosts', family, hostname: 'web', podIps: ['fd00:10:244:1::3', '10.244.1.3'], entries }).ok).toBe(true);
    }
  });

  test('a hosts file kubelet did not write fails, listing what is there', () => {
    const v = hostsFileVerdict({ object: 'pod ns/own /etc/hosts', family: 'IPv6', hostname: 'own', podIps: ['fd00:10:244:1::9', '10.244.1.9'], entries: parseHostsFile('127.0.0.1 localhost\n::1 localhost\n') });
    expect(v.ok).toBe(false);
    expect(v.expected).toBe("/etc/hosts maps the pod's IPv6 IP fd00:10:244:1::9 to own");
    expect(v.seen).toBe('no line mapping fd00:10:244:1::9 to own; IPv6 lines: [::1 localhost]');
  });

  test('a pod without an IP of the family, or an unreadable file, fails', () => {
    expect(hostsFileVerdict({ object: 'p', family: 'IPv6', hostname: 'web', podIps: ['10.244.1.3'], entries }).ok).toBe(false);
    expect(hostsFileVerdict({ object: 'p', family: 'IPv4', hostname: 'web', podIps: ['10.244.1.3'], entries, readError: 'exec failed' }).seen).toContain('could not read /etc/hosts');
  });
});
