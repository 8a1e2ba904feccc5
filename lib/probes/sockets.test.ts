import { describe, expect, test } from 'vitest';
import { describeListeners, listensOn, parseProcNet } from './sockets.ts';

// Captured shape of /proc/net/{tcp,tcp6,udp,udp6} (x86-64: host-order words).
const PROC = [
  '@@ tcp',
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 41234 1 0000000000000000 100 0 0 10 0',
  '   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41235 1 0000000000000000 100 0 0 10 0',
  '   2: 0501F40A:18EB 0601F40A:D431 01 00000000:00000000 00:00000000 00000000   999        0 41236 1 0000000000000000 20 4 30 10 -1',
  '@@ tcp6',
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0',
  '   1: 100000FD010044020000000005000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5152 1 0000000000000000 100 0 0 10 0',
  '   2: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5153 1 0000000000000000 100 0 0 10 0',
  '@@ udp',
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
  '  7: 00000000:1F91 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5160 2 0000000000000000 0',
  '@@ udp6',
  '',
].join('\n');

describe('parseProcNet', () => {
  const s = parseProcNet(PROC);
  test('decodes host-order hex into addresses via ip-address, keeps only listeners', () => {
    expect(s).toEqual([
      { proto: 'tcp', family: 'IPv4', address: '0.0.0.0', port: 6379 },
      { proto: 'tcp', family: 'IPv4', address: '127.0.0.1', port: 8080 },
      { proto: 'tcp', family: 'IPv6', address: '::', port: 8080 },
      { proto: 'tcp', family: 'IPv6', address: 'fd00:10:244:1::5', port: 80 },
      { proto: 'tcp', family: 'IPv6', address: '::1', port: 8081 },
      { proto: 'udp', family: 'IPv4', address: '0.0.0.0', port: 8081 },
    ]);
  });
  test('listensOn: IPv4-only wildcard is not IPv6; :: serves both; loopback serves neither', () => {
    expect(listensOn(s, 6379, 'IPv4')).toBe(true);
    expect(listensOn(s, 6379, 'IPv6')).toBe(false);
    expect(listensOn(s, 8080, 'IPv6')).toBe(true);
    expect(listensOn(s, 8080, 'IPv4')).toBe(true);
    expect(listensOn(s, 8081, 'IPv6')).toBe(false);
    expect(listensOn(s, 80, 'IPv6')).toBe(true);
    expect(listensOn(s, 8081, 'IPv4', 'udp')).toBe(true);
  });
  test('describeListeners brackets IPv6', () => {
    expect(describeListeners(s, 6379)).toBe('listening on 0.0.0.0:6379');
    expect(describeListeners(s, 8080)).toBe('listening on 127.0.0.1:8080, [::]:8080');
    expect(describeListeners(s, 9)).toBe('nothing listening on tcp port 9');
  });
  test('malformed lines are skipped', () => {
    expect(parseProcNet('@@ tcp\n   0: ZZZZ:18EB 00000000:0000 0A\n   1: 00000000 00000000:0000 0A\n')).toEqual([]);
  });
});
