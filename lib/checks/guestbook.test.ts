import { describe, expect, test } from 'vitest';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import type { RedisResult } from '../probes/redis.ts';
import type { ListeningSocket } from '../probes/sockets.ts';
import { listeningNote, listeningVerdict, redisPingOutcome, replicationVerdict, serviceAnswerVerdict, type ComponentState } from './guestbook.ts';

const pod = (name: string, node = 'w2'): V1Pod => ({ metadata: { namespace: 'gb', name }, spec: { nodeName: node, containers: [] } });
const svc: V1Service = {
  metadata: { namespace: 'gb', name: 'redis-leader' },
  spec: { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'], clusterIPs: ['10.96.7.7', 'fd00:10:96::7:7'] },
};
const v4only: ListeningSocket[] = [{ proto: 'tcp', family: 'IPv4', address: '0.0.0.0', port: 6379 }];
const both: ListeningSocket[] = [...v4only, { proto: 'tcp', family: 'IPv6', address: '::', port: 6379 }];
const leader = (sockets: ListeningSocket[], bind: string): ComponentState => ({
  name: 'redis-leader',
  service: svc,
  servicePort: 6379,
  podPort: 6379,
  pods: [{ pod: pod('redis-leader-abc'), sockets, bind }],
});
const redis = (over: Partial<RedisResult>): RedisResult => ({ ok: true, from: 'gb/redis-client', target: 'redis://[fd00:10:96::7:7]:6379', command: [], exitCode: 0, stdout: '', stderr: '', reply: '', ...over });

describe('guestbook listening', () => {
  test('an IPv4-only leader fails the IPv6 check naming the component and its listening address', () => {
    const v = listeningVerdict(leader(v4only, '0.0.0.0'), 'IPv6');
    expect(v.ok).toBe(false);
    expect(v.message).toContain('redis-leader (Deployment gb/redis-leader) [IPv6]');
    expect(v.message).toContain('pod gb/redis-leader-abc on w2 listening on 0.0.0.0:6379 (redis bind "0.0.0.0")');
    expect(listeningVerdict(leader(v4only, '0.0.0.0'), 'IPv4').ok).toBe(true);
  });
  test('bind * -::* passes both families', () => {
    const c = leader(both, '* -::*');
    expect(listeningVerdict(c, 'IPv6').ok).toBe(true);
    expect(listeningVerdict(c, 'IPv4').ok).toBe(true);
    expect(listeningNote(c)).toContain('listening on 0.0.0.0:6379, [::]:6379');
  });
  test('no pods is a failure, not a pass', () => {
    expect(listeningVerdict({ ...leader(both, ''), pods: [] }, 'IPv6').ok).toBe(false);
  });
});

describe('guestbook service answers', () => {
  test('refused PING on the IPv6 ClusterIP names the component, address and where it listens', () => {
    const r = redis({ ok: false, exitCode: 1, stderr: 'Could not connect to Redis at fd00:10:96::7:7:6379: Connection refused' });
    const v = serviceAnswerVerdict(leader(v4only, '0.0.0.0'), 'IPv6', pod('redis-client', 'w1'), 'fd00:10:96::7:7', redisPingOutcome(r));
    expect(v.ok).toBe(false);
    expect(v.message).toContain('redis-leader via Service gb/redis-leader [fd00:10:96::7:7]:6379 from pod gb/redis-client on w1 [IPv6]');
    expect(v.message).toContain('expected PING → PONG, saw connection refused');
    expect(v.message).toContain('listening on 0.0.0.0:6379');
  });
  test('a Service without a ClusterIP of the family says so', () => {
    const single: ComponentState = { ...leader(both, ''), service: { ...svc, spec: { clusterIPs: ['10.96.7.7'] } } };
    const v = serviceAnswerVerdict(single, 'IPv6', pod('c'), undefined, { ok: false, seen: '', expected: '' });
    expect(v.message).toContain('expected a IPv6 ClusterIP');
    expect(v.message).toContain('clusterIPs [10.96.7.7]');
  });
});

describe('replicationVerdict', () => {
  test('link up passes; link down names follower, master and the leader listening address', () => {
    const up = redis({ reply: '# Replication\nrole:slave\nmaster_host:redis-leader\nmaster_port:6379\nmaster_link_status:up' });
    expect(replicationVerdict(pod('redis-follower-1'), up, leader(both, '* -::*')).ok).toBe(true);
    const down = redis({ reply: 'role:slave\nmaster_host:redis-leader\nmaster_port:6379\nmaster_link_status:down' });
    const v = replicationVerdict(pod('redis-follower-1'), down, leader(v4only, '0.0.0.0'));
    expect(v.ok).toBe(false);
    expect(v.message).toContain('redis-follower pod gb/redis-follower-1 on w2 replication');
    expect(v.message).toContain('master_link_status:down (master redis-leader port 6379)');
    expect(v.message).toContain('0.0.0.0:6379');
  });
});
