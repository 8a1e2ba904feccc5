import { describe, expect, it } from 'vitest';
import { parsePref64 } from '../net/rfc6052.ts';
import { RELOAD_LINE, reloadHashOf, renderCorefile } from './coredns.ts';

describe('lab Corefile', () => {
  it('reloads at the plugin minimum, so applyCorefile can change it in place', () => {
    const corefile = renderCorefile({ upstream: 'fc00::53', mode: 'coredns', pref64: parsePref64('64:ff9b::/96') });
    expect(corefile.split('\n')).toContain(RELOAD_LINE);
    expect(RELOAD_LINE.trim()).toBe('reload 2s 1s');
  });

  it('reads the running configuration hash from CoreDNS metrics', () => {
    const metrics = [
      '# HELP coredns_reload_version_info A metric with a constant \'1\' value labeled by hash, and value which type of hash generated.',
      '# TYPE coredns_reload_version_info gauge',
      'coredns_reload_version_info{hash="sha512",value="9f86d081884c7d65"} 1',
      'coredns_reload_failed_total 0',
    ].join('\n');
    expect(reloadHashOf(metrics)).toBe('9f86d081884c7d65');
    expect(reloadHashOf('coredns_build_info{version="1.12.1"} 1')).toBeUndefined();
    expect(reloadHashOf('')).toBeUndefined();
  });
});
