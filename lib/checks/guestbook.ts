/**
 * Guestbook judgements, per family: every component (frontend, Redis leader, Redis
 * followers) listens where that family's traffic can land and answers on its Service's
 * ClusterIP of that family; an entry written through the frontend's ClusterIP reads back
 * from the followers' ClusterIP (and through the frontend); followers' replication links
 * are up. Any failure names the component and where its pods actually listen.
 *
 * The verdicts here are pure; the probes feeding them (with the checks' retries) are
 * the scenarios in suites/guestbook/scenarios.ts, shared by the suite and its fault test.
 */
import type { KubeConfig, V1Pod, V1Service } from '@kubernetes/client-node';
import { hostPort, type IPFamily } from '../net/family.ts';
import type { HttpResult } from '../probes/http.ts';
import { podLabel } from '../probes/pods.ts';
import { describeRedis, parseInfo, type RedisResult } from '../probes/redis.ts';
import { describeListeners, listensOn, type ListeningSocket } from '../probes/sockets.ts';
import { serviceName } from './connectivity.ts';
import { describeHttpOutcome } from './text.ts';
import { verdict, type Verdict } from './verdict.ts';

export type ComponentName = 'frontend' | 'redis-leader' | 'redis-follower';

export interface PodListening {
  pod: V1Pod;
  /** Listening sockets read from /proc/net inside the pod; undefined when that failed. */
  sockets?: ListeningSocket[];
  /** Redis `CONFIG GET bind`, for the Redis components. */
  bind?: string;
}

export interface ComponentState {
  name: ComponentName;
  service: V1Service;
  /** Port the Service listens on. */
  servicePort: number;
  /** Port the pods listen on. */
  podPort: number;
  pods: PodListening[];
}

/** `pod ns/redis-leader-5d… on w2 listening on 0.0.0.0:6379 (redis bind "0.0.0.0")`, one per pod. */
export function listeningNote(c: ComponentState): string {
  if (c.pods.length === 0) return `${c.name} has no running pods`;
  return c.pods
    .map((p) => {
      const where = p.sockets ? describeListeners(p.sockets, c.podPort) : 'listening sockets unknown';
      return `${podLabel(p.pod)} ${where}${p.bind !== undefined ? ` (redis bind "${p.bind}")` : ''}`;
    })
    .join('; ');
}

/** Each pod of the component has a socket on its port that `family` connections can reach. */
export function listeningVerdict(c: ComponentState, family: IPFamily): Verdict {
  const object = `${c.name} (Deployment ${c.service.metadata?.namespace ?? '?'}/${c.name})`;
  const expected = `every pod listening on port ${c.podPort} for ${family} (${family === 'IPv6' ? '[::]' : '0.0.0.0 or [::]'} or its ${family} address)`;
  if (c.pods.length === 0) return verdict(false, { object, family, expected, seen: 'no running pods' });
  const bad = c.pods.filter((p) => !p.sockets || !listensOn(p.sockets, c.podPort, family));
  const shown: ComponentState = { ...c, pods: bad.length ? bad : c.pods };
  return verdict(bad.length === 0, { object, family, expected, seen: listeningNote(shown) });
}

/** The component's Service answers on its ClusterIP of the family (HTTP for the frontend, PING for Redis). */
export function serviceAnswerVerdict(c: ComponentState, family: IPFamily, from: V1Pod, ip: string | undefined, outcome: { ok: boolean; seen: string; expected: string }): Verdict {
  const svc = `Service ${serviceName(c.service)}`;
  if (!ip) {
    return verdict(false, {
      object: `${c.name} (${svc})`,
      family,
      expected: `a ${family} ClusterIP (ipFamilyPolicy PreferDualStack on a cluster with ${family})`,
      seen: `clusterIPs [${(c.service.spec?.clusterIPs ?? []).join(', ')}]`,
    });
  }
  return verdict(outcome.ok, {
    object: `${c.name} via ${svc} ${hostPort(ip, c.servicePort)} from ${podLabel(from)}`,
    family,
    expected: outcome.expected,
    seen: outcome.ok ? outcome.seen : `${outcome.seen}; ${listeningNote(c)}`,
  });
}

export function redisPingOutcome(r: RedisResult): { ok: boolean; seen: string; expected: string } {
  return { ok: r.ok && r.reply === 'PONG', seen: describeRedis(r), expected: 'PING → PONG' };
}

export function httpOutcome(r: HttpResult, expected: string, expectBody?: string): { ok: boolean; seen: string; expected: string } {
  const ok = r.ok && (expectBody === undefined || r.body.trim() === expectBody);
  return { ok, seen: describeHttpOutcome(r), expected };
}

/** master_link_status:up on a follower (and whom it follows, for the message). */
export function replicationVerdict(follower: V1Pod, r: RedisResult, leader: ComponentState): Verdict {
  const object = `redis-follower ${podLabel(follower)} replication`;
  const expected = 'role:slave with master_link_status:up';
  if (!r.ok) return verdict(false, { object, family: 'none', expected, seen: `INFO replication failed: ${describeRedis(r)}` });
  const info = parseInfo(r.reply);
  const ok = info.role === 'slave' && info.master_link_status === 'up';
  const seen = `role:${info.role ?? '?'}, master_link_status:${info.master_link_status ?? '?'} (master ${info.master_host ?? '?'} port ${info.master_port ?? '?'})`;
  return verdict(ok, { object, family: 'none', expected, seen: ok ? seen : `${seen}; redis-leader: ${listeningNote(leader)}` });
}

// ------------------------------------------------------------------ what the scenarios work on

export interface GuestbookEnv {
  kc: KubeConfig;
  ns: string;
  /** agnhost pod (curl) the HTTP probes run in. */
  httpClient: V1Pod;
  /** Redis-image pod (redis-cli) the Redis probes run in. */
  redisClient: V1Pod;
  /** Current state of the components; the scenarios refresh it (observeListening) before judging. */
  components: Record<ComponentName, ComponentState>;
}
