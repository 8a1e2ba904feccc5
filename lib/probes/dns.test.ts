import { describe, expect, test } from 'vitest';
import { clusterDomainFromResolvConf, reverseName, sameDnsName } from './dns.ts';

describe('dns helpers', () => {
  test('reverseName for both families', () => {
    expect(reverseName('10.96.0.10')).toBe('10.0.96.10.in-addr.arpa.');
    expect(reverseName('fd00:10:96::a')).toBe('a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa.');
  });
  test('cluster domain from the search list', () => {
    const rc = 'search v6e2e-x.svc.example.org svc.example.org example.org\nnameserver fd00:10:96::a\noptions ndots:5\n';
    expect(clusterDomainFromResolvConf(rc, 'v6e2e-x')).toBe('example.org');
    expect(clusterDomainFromResolvConf('nameserver 1.1.1.1\n', 'x')).toBeUndefined();
  });
  test('names compare without case and root dot', () => {
    expect(sameDnsName('Echo.NS.svc.cluster.local.', 'echo.ns.svc.cluster.local')).toBe(true);
  });
});
