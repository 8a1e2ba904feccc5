/**
 * The guestbook scenarios: probes from the two client pods (curl, redis-cli) and into
 * the component pods (listening sockets, Redis' bind), judged by the pure verdicts of
 * lib/checks/guestbook.ts with the checks' own retries. The checks (guestbook.test.ts)
 * and the fault test (faults.test.ts) call these same functions.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { serviceIPsOf, serviceName } from '../../lib/checks/connectivity.ts';
import { describeHttpOutcome } from '../../lib/checks/text.ts';
import {
  httpOutcome,
  listeningNote,
  listeningVerdict,
  redisPingOutcome,
  replicationVerdict,
  serviceAnswerVerdict,
  type ComponentName,
  type ComponentState,
  type GuestbookEnv,
  type PodListening,
} from '../../lib/checks/guestbook.ts';
import { all, verdict, type Verdict } from '../../lib/checks/verdict.ts';
import { hostPort, urlFor, type IPFamily } from '../../lib/net/family.ts';
import { retryLast } from '../../lib/util/retry.ts';
import { httpGet } from '../../lib/probes/http.ts';
import { podLabel } from '../../lib/probes/pods.ts';
import { describeRedis, parseInfo, redisCli } from '../../lib/probes/redis.ts';
import { listeningSockets } from '../../lib/probes/sockets.ts';

/** GET from the HTTP client pod, in its own namespace (the probe fleet's, not the guestbook's). */
function clientGet(env: GuestbookEnv, url: string, timeoutS: number) {
  return httpGet(env.kc, env.httpClient.metadata!.namespace!, env.httpClient.metadata!.name!, url, { timeoutS });
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
export async function componentsAnswer(env: GuestbookEnv, family: IPFamily): Promise<Verdict> {
  const verdicts: Verdict[] = [];
  for (const name of ['frontend', 'redis-leader', 'redis-follower'] as const) {
    const c = await observeListening(env.kc, env.ns, env.components[name]);
    env.components[name] = c;
    verdicts.push(listeningVerdict(c, family));
    const ip = ipOf(c, family);
    if (name === 'frontend') {
      const url = ip ? urlFor(ip, c.servicePort, '/healthz') : undefined;
      const r = url ? await retryLast(() => clientGet(env, url, 3)) : undefined;
      verdicts.push(serviceAnswerVerdict(c, family, env.httpClient, ip, r ? httpOutcome(r, 'GET /healthz → HTTP 200') : { ok: false, seen: '', expected: '' }));
    } else {
      const r = ip ? await retryLast(() => redisCli(env.kc, env.ns, env.redisClient.metadata!.name!, ip, ['PING'], { port: c.servicePort }), { until: (x) => redisPingOutcome(x).ok }) : undefined;
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
export async function entryRoundTrip(env: GuestbookEnv, family: IPFamily): Promise<Verdict> {
  const fe = env.components.frontend;
  const follower = env.components['redis-follower'];
  const feIp = ipOf(fe, family);
  const folIp = ipOf(follower, family);
  const token = Math.random().toString(36).slice(2, 10);
  const key = `gb-${family.toLowerCase()}-${token}`;
  const value = `entry-${token}`;
  const verdicts: Verdict[] = [];
  /** Where a component listens, read now: only needed (and only paid for) when something failed. */
  const where = async (name: ComponentName) => {
    env.components[name] = await observeListening(env.kc, env.ns, env.components[name]);
    return `${name}: ${listeningNote(env.components[name])}`;
  };

  if (!feIp) return serviceAnswerVerdict(fe, family, env.httpClient, undefined, { ok: false, seen: '', expected: '' });
  const setUrl = urlFor(feIp, fe.servicePort, `/set?key=${key}&value=${value}`);
  const set = await retryLast(() => clientGet(env, setUrl, 5), { attempts: 2 });
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
    const get = await retryLast(() => redisCli(env.kc, env.ns, env.redisClient.metadata!.name!, folIp, ['GET', key], { port: follower.servicePort }), {
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
  const feGet = await retryLast(() => clientGet(env, getUrl, 5), { attempts: 20, delayMs: 500, until: (r) => r.ok && r.body.trim() === value });
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
export async function followersReplicate(env: GuestbookEnv): Promise<Verdict> {
  const attempts = 15;
  const follower = env.components['redis-follower'];
  const leader = await observeListening(env.kc, env.ns, env.components['redis-leader']);
  const verdicts: Verdict[] = [];
  for (const p of follower.pods) {
    const name = p.pod.metadata!.name!;
    const r = await retryLast(() => redisCli(env.kc, env.ns, name, '127.0.0.1', ['INFO', 'replication'], { port: follower.podPort }), {
      attempts,
      delayMs: 1_000,
      until: (x) => x.ok && parseInfo(x.reply).master_link_status === 'up',
    });
    verdicts.push(replicationVerdict(p.pod, r, leader));
  }
  if (verdicts.length === 0) verdicts.push(verdict(false, { object: `redis-follower (${env.ns})`, family: 'none', expected: 'running follower pods', seen: 'none' }));
  return all(verdicts, `guestbook ${env.ns} replication`, 'none');
}
