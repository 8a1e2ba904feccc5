/**
 * Guestbook judgements, per family: every component (frontend, Redis leader, Redis
 * followers) listens where that family's traffic can land and answers on its Service's
 * ClusterIP of that family; an entry written through the frontend's ClusterIP reads back
 * from the followers' ClusterIP (and through the frontend); followers' replication links
 * are up. Any failure names the component and where its pods actually listen.
 */
import type { KubeConfig, V1Pod, V1Service } from '@kubernetes/client-node';
import { hostPort, urlFor, type IPFamily } from '../net/family.ts';
import { retryProbe } from '../probes/exec.ts';
import { httpGet, type HttpResult } from '../probes/http.ts';
import { podLabel } from '../probes/pods.ts';
import { describeRedis, parseInfo, redisCli, type RedisResult } from '../probes/redis.ts';
import { describeListeners, listensOn, listeningSockets, type ListeningSocket } from '../probes/sockets.ts';
import { describeHttpOutcome, serviceIPsOf, serviceName } from './connectivity.ts';
import { all, verdict, type Verdict } from './verdict.ts';

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

// ------------------------------------------------------------------ probes + judgement

export interface GuestbookEnv {
  kc: KubeConfig;
  ns: string;
  /** agnhost pod (curl) the HTTP probes run in. */
  httpClient: V1Pod;
  /** Redis-image pod (redis-cli) the Redis probes run in. */
  redisClient: V1Pod;
  /** Current state of the components; refresh with observeComponents before judging. */
  components: Record<ComponentName, ComponentState>;
}

/** Reads each pod's listening sockets (and Redis' bind setting) — the "where does it listen" evidence. */
export async function observeListening(kc: KubeConfig, ns: string, c: ComponentState): Promise<ComponentState> {
  const pods: PodListening[] = [];
  for (const pl of c.pods) {
    const name = pl.pod.metadata!.name!;
    const l = await listeningSockets(kc, ns, name);
    let bind: string | undefined;
    if (c.name !== 'frontend') {
      const r = await redisCli(kc, ns, name, '127.0.0.1', ['CONFIG', 'GET', 'bind'], { port: c.podPort });
      const lines = r.reply.split('\n').map((s) => s.trim());
      if (r.ok && lines[0] === 'bind') bind = lines[1] ?? '';
    }
    pods.push({ pod: pl.pod, sockets: l.result.ok ? l.sockets : undefined, bind });
  }
  return { ...c, pods };
}

function ipOf(c: ComponentState, family: IPFamily): string | undefined {
  return serviceIPsOf(c.service, family)[0];
}

/** Every component listens for the family and answers on its ClusterIP of the family. */
export async function checkComponents(env: GuestbookEnv, family: IPFamily): Promise<Verdict> {
  const verdicts: Verdict[] = [];
  for (const name of ['frontend', 'redis-leader', 'redis-follower'] as const) {
    const c = await observeListening(env.kc, env.ns, env.components[name]);
    env.components[name] = c;
    verdicts.push(listeningVerdict(c, family));
    const ip = ipOf(c, family);
    if (name === 'frontend') {
      const url = ip ? urlFor(ip, c.servicePort, '/healthz') : undefined;
      const r = url ? await retryProbe(() => httpGet(env.kc, env.ns, env.httpClient.metadata!.name!, url, { timeoutS: 3 })) : undefined;
      verdicts.push(serviceAnswerVerdict(c, family, env.httpClient, ip, r ? httpOutcome(r, 'GET /healthz → HTTP 200') : { ok: false, seen: '', expected: '' }));
    } else {
      const r = ip ? await retryProbe(() => redisCli(env.kc, env.ns, env.redisClient.metadata!.name!, ip, ['PING'], { port: c.servicePort }), { until: (x) => redisPingOutcome(x).ok }) : undefined;
      verdicts.push(serviceAnswerVerdict(c, family, env.redisClient, ip, r ? redisPingOutcome(r) : { ok: false, seen: '', expected: '' }));
    }
  }
  return all(verdicts, `guestbook ${env.ns} components`, family);
}

/**
 * Writes a fresh entry through the frontend's ClusterIP of the family, then reads it back
 * from the followers' ClusterIP of the family (redis-cli GET) and through the frontend
 * (which reads from a follower by Service name). Replication is asynchronous: reads poll
 * for up to ~10 s.
 */
export async function checkWriteRead(env: GuestbookEnv, family: IPFamily): Promise<Verdict> {
  const fe = env.components.frontend;
  const follower = env.components['redis-follower'];
  const feIp = ipOf(fe, family);
  const folIp = ipOf(follower, family);
  const token = Math.random().toString(36).slice(2, 10);
  const key = `gb-${family.toLowerCase()}-${token}`;
  const value = `entry-${token}`;
  const httpPod = env.httpClient.metadata!.name!;
  const verdicts: Verdict[] = [];
  /** Where a component listens, read now: only needed (and only paid for) when something failed. */
  const where = async (name: ComponentName) => {
    env.components[name] = await observeListening(env.kc, env.ns, env.components[name]);
    return `${name}: ${listeningNote(env.components[name])}`;
  };

  if (!feIp) return serviceAnswerVerdict(fe, family, env.httpClient, undefined, { ok: false, seen: '', expected: '' });
  const setUrl = urlFor(feIp, fe.servicePort, `/set?key=${key}&value=${value}`);
  const set = await retryProbe(() => httpGet(env.kc, env.ns, httpPod, setUrl, { timeoutS: 5 }), { attempts: 2 });
  const setOk = set.ok && set.body.trim() === 'OK';
  verdicts.push(
    verdict(setOk, {
      object: `frontend write via Service ${serviceName(fe.service)} ${hostPort(feIp, fe.servicePort)} from ${podLabel(env.httpClient)} (${setUrl})`,
      family,
      expected: 'HTTP 200 "OK" (SET accepted by redis-leader)',
      seen: setOk ? 'HTTP 200 "OK"' : `${describeHttpOutcome(set)}; ${await where('frontend')}; ${await where('redis-leader')}`,
    }),
  );
  if (!setOk) return all(verdicts, `guestbook ${env.ns} write/read`, family);

  if (!folIp) {
    verdicts.push(serviceAnswerVerdict(follower, family, env.redisClient, undefined, { ok: false, seen: '', expected: '' }));
  } else {
    const get = await retryProbe(() => redisCli(env.kc, env.ns, env.redisClient.metadata!.name!, folIp, ['GET', key], { port: follower.servicePort }), {
      attempts: 20,
      delayMs: 500,
      until: (r) => r.ok && r.reply === value,
    });
    const ok = get.ok && get.reply === value;
    verdicts.push(
      verdict(ok, {
        object: `redis-follower read via Service ${serviceName(follower.service)} ${hostPort(folIp, follower.servicePort)} from ${podLabel(env.redisClient)} (GET ${key})`,
        family,
        expected: `"${value}" (written through the frontend)`,
        seen: ok ? `"${get.reply}"` : `${get.ok && get.reply === '' ? 'no such key (not replicated)' : describeRedis(get)}; ${await where('redis-follower')}`,
      }),
    );
  }

  const getUrl = urlFor(feIp, fe.servicePort, `/get?key=${key}`);
  const feGet = await retryProbe(() => httpGet(env.kc, env.ns, httpPod, getUrl, { timeoutS: 5 }), { attempts: 20, delayMs: 500, until: (r) => r.ok && r.body.trim() === value });
  const feOk = feGet.ok && feGet.body.trim() === value;
  verdicts.push(
    verdict(feOk, {
      object: `frontend read (from redis-follower by Service name) via Service ${serviceName(fe.service)} ${hostPort(feIp, fe.servicePort)} (${getUrl})`,
      family,
      expected: `HTTP 200 "${value}"`,
      seen: feOk ? `HTTP 200 "${value}"` : `${describeHttpOutcome(feGet)}; ${await where('frontend')}; ${await where('redis-follower')}`,
    }),
  );
  return all(verdicts, `guestbook ${env.ns} write/read`, family);
}

/** Each follower reports master_link_status:up (polls ~15 s: links come up a few seconds after start). */
export async function checkReplication(env: GuestbookEnv, attempts = 15): Promise<Verdict> {
  const follower = env.components['redis-follower'];
  const leader = await observeListening(env.kc, env.ns, env.components['redis-leader']);
  const verdicts: Verdict[] = [];
  for (const p of follower.pods) {
    const name = p.pod.metadata!.name!;
    const r = await retryProbe(() => redisCli(env.kc, env.ns, name, '127.0.0.1', ['INFO', 'replication'], { port: follower.podPort }), {
      attempts,
      delayMs: 1_000,
      until: (x) => x.ok && parseInfo(x.reply).master_link_status === 'up',
    });
    verdicts.push(replicationVerdict(p.pod, r, leader));
  }
  if (verdicts.length === 0) verdicts.push(verdict(false, { object: `redis-follower (${env.ns})`, family: 'none', expected: 'running follower pods', seen: 'none' }));
  return all(verdicts, `guestbook ${env.ns} replication`, 'none');
}
