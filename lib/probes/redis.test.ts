import { describe, expect, test } from 'vitest';
import { describeRedis, parseInfo, type RedisResult } from './redis.ts';

const base: RedisResult = { ok: false, from: 'ns/c', target: 'redis://[fd00:10:96::5]:6379', command: [], exitCode: 1, stdout: '', stderr: '', reply: '' };

describe('redis probe parsing', () => {
  test('parseInfo reads INFO replication', () => {
    const info = parseInfo('# Replication\r\nrole:slave\r\nmaster_host:redis-leader\r\nmaster_port:6379\r\nmaster_link_status:up\r\n');
    expect(info.role).toBe('slave');
    expect(info.master_link_status).toBe('up');
    expect(info.master_host).toBe('redis-leader');
  });
  test('describeRedis names refusals and timeouts', () => {
    expect(describeRedis({ ...base, stderr: 'Could not connect to Redis at fd00:10:96::5:6379: Connection refused' })).toMatch(/^connection refused/);
    expect(describeRedis({ ...base, exitCode: 124 })).toMatch(/^timeout/);
    expect(describeRedis({ ...base, exitCode: 0, reply: 'PONG' })).toBe('reply "PONG"');
  });
});
