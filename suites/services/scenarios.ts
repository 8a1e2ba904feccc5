/**
 * The services scenarios: for each behaviour one function — probes, judgement
 * (lib/checks/services.ts) and retry policy — called by the suite's check and by the
 * fault test that seeds a fault for it, so the fault test proves the check's own path
 * catches the fault.
 *
 * Session affinity and endpoint churn (issue 12 items 1–2) are this file's first
 * section; hairpin and no-endpoint scenarios live in their own section below it.
 */
import { CoreV1Api, type KubeConfig, type V1Pod, type V1Service } from '@kubernetes/client-node';
import {
  answerOf,
  backendsOf,
  churnVerdict,
  expiryVerdict,
  pinnedVerdict,
  replacedVerdict,
  spreadVerdict,
  udpAnswerOf,
  type Answer,
  type Sample,
} from '../../lib/checks/services.ts';
import { all, retryVerdict, verdict, type Verdict } from '../../lib/checks/verdict.ts';
import { NETEXEC_HTTP, NETEXEC_UDP } from '../../lib/k8s/services.ts';
import { urlFor, type IPFamily } from '../../lib/net/family.ts';
import { serviceName } from '../../lib/checks/connectivity.ts';
import { httpRepeated, podRunner, udpRepeated } from '../../lib/probes/spread.ts';
import { httpSeries, markSeries, udpSeries, type SeriesPlan } from '../../lib/probes/series.ts';
import { podIPs, podLabel, probePodManifest, waitPodReady, type ProbePodSpec } from '../../lib/probes/pods.ts';
import { waitFor } from '../../lib/k8s/wait.ts';
import { retry } from '../../lib/util/retry.ts';
import { udpExchange } from '../../lib/probes/udp.ts';
import { setAffinity, targetOf, type ServiceTarget, type Via } from './common.ts';

// ---------------------------------------------------------------- session affinity and endpoint churn

/** Requests per affinity probe: with 4 backends, ten requests all on one backend by chance is 4^-9. */
export const AFFINITY_REQUESTS = 10;
/** Requests per spread probe (sessionAffinity None). */
export const SPREAD_REQUESTS = 20;
/** kube-proxy applies a Service change within its sync period: a probe after a change gets this long to see it. */
export const CONVERGE_MS = 30_000;
/** A new Service's affinity is judged within this long (a change to an existing one may pass CONVERGE_MS instead). */
const PIN_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** All parts must pass; a pass keeps every part's `seen` (the measured times), and the most attempts any part needed. */
function joined(parts: readonly Verdict[], object: string, family: IPFamily): Verdict {
  const attempts = Math.max(1, ...parts.map((p) => p.attempts ?? 1));
  const v = all([...parts], object, family);
  if (!v.ok) return { ...v, attempts };
  return { ...verdict(true, { object, family, expected: parts.map((p) => p.expected).join('; '), seen: parts.map((p) => p.message).join('; ') }), attempts };
}

/** The HTTP target of `via`, named from `client`; or the failed verdict saying why there is none. */
function httpTarget(client: V1Pod, svc: V1Service, via: Via, family: IPFamily): { object: string; url: string; target: ServiceTarget } | Verdict {
  const t = targetOf(svc, NETEXEC_HTTP, via, family);
  if ('ok' in t) return t;
  const url = urlFor(t.address, t.port, '/hostname');
  return { object: `${podLabel(client)} → ${t.name} (${url})`, url, target: t };
}

/** `n` GETs of /hostname from the client, `gapS` apart, in one exec. */
async function answers(kc: KubeConfig, client: V1Pod, url: string, n: number, gapS = 0): Promise<Answer[]> {
  const rs = await httpRepeated(podRunner(kc, client), url, n, 3, gapS);
  return rs.map(answerOf);
}

/**
 * Returns once `ask` is answered by a backend, or after CONVERGE_MS (the phase after it then
 * judges). A new Service is refused until kube-proxy programs it, which on a loaded node took
 * longer than a judged phase's retries (PIN_MS); waiting here keeps those for the judgement.
 */
async function answeredOnce(ask: () => Promise<Answer | undefined>): Promise<void> {
  await retry(ask, { withinMs: CONVERGE_MS, delayMs: 500, until: (a) => a !== undefined && 'backend' in a });
}

/** One GET of `url` from the client, as an Answer. */
const oneGet = (kc: KubeConfig, client: V1Pod, url: string) => async () => (await answers(kc, client, url, 1))[0];

/**
 * sessionAffinity ClientIP: AFFINITY_REQUESTS requests of the client through `via` all
 * land on one backend. Retried while kube-proxy may still be programming the Service.
 */
export async function affinityPinned(kc: KubeConfig, client: V1Pod, svc: V1Service, via: Via, family: IPFamily, withinMs = PIN_MS): Promise<Verdict> {
  const t = httpTarget(client, svc, via, family);
  if ('ok' in t) return t;
  await answeredOnce(oneGet(kc, client, t.url));
  return retryVerdict(async () => pinnedVerdict({ object: t.object, family, answers: await answers(kc, client, t.url, AFFINITY_REQUESTS) }), { withinMs, delayMs: 2_000 });
}

/**
 * sessionAffinity ClientIP over UDP: AFFINITY_REQUESTS netexec `hostname` datagrams, each
 * from a new socket (a new conntrack entry), through every path in `vias` all land on one
 * backend per path. Upstream's "session affinity: udp".
 */
export async function affinityPinnedUdp(kc: KubeConfig, client: V1Pod, svc: V1Service, vias: readonly Via[], family: IPFamily): Promise<Verdict> {
  const parts: Verdict[] = [];
  for (const via of vias) {
    const t = targetOf(svc, NETEXEC_UDP, via, family);
    if ('ok' in t) {
      parts.push(t);
      continue;
    }
    const object = `${podLabel(client)} → ${t.name} (udp hostname, a new socket each)`;
    const datagrams = async (n: number) => (await udpRepeated(podRunner(kc, client), t.address, t.port, 'hostname', n)).map(udpAnswerOf);
    await answeredOnce(async () => (await datagrams(1))[0]);
    parts.push(
      await retryVerdict(async () => pinnedVerdict({ object, family, answers: await datagrams(AFFINITY_REQUESTS) }), {
        withinMs: PIN_MS,
        delayMs: 2_000,
      }),
    );
  }
  return joined(parts, `${podLabel(client)} → Service ${serviceName(svc)} UDP with sessionAffinity ClientIP`, family);
}

/** `judge` over `n` requests through one target, retried while kube-proxy may still be applying a change. */
function judged(kc: KubeConfig, client: V1Pod, t: { object: string; url: string }, family: IPFamily, what: string, n: number, judge: typeof pinnedVerdict): Promise<Verdict> {
  const object = `${t.object} with ${what}`;
  return retryVerdict(async () => judge({ object, family, answers: await answers(kc, client, t.url, n) }), { withinMs: CONVERGE_MS, delayMs: 2_000 });
}

/**
 * sessionAffinity None: SPREAD_REQUESTS requests of the client through `via` reach at
 * least two backends (retried while kube-proxy may still be applying the change). Fault
 * tests use it to know their dropped affinity is in effect.
 */
export async function affinitySpread(kc: KubeConfig, client: V1Pod, svc: V1Service, via: Via, family: IPFamily): Promise<Verdict> {
  const t = httpTarget(client, svc, via, family);
  if ('ok' in t) return t;
  return judged(kc, client, t, family, 'sessionAffinity None', SPREAD_REQUESTS, spreadVerdict);
}

/**
 * Toggling affinity on a live Service: ClientIP pins, None spreads (≥2 backends within
 * SPREAD_REQUESTS), ClientIP again pins — through every path in `vias`. Leaves the
 * Service at ClientIP.
 */
export async function affinityToggle(kc: KubeConfig, client: V1Pod, svc: V1Service, vias: readonly Via[], family: IPFamily): Promise<Verdict> {
  const targets = vias.map((v) => httpTarget(client, svc, v, family));
  const missing = targets.filter((t): t is Verdict => 'ok' in t);
  if (missing.length) return all(missing, `Service ${svc.metadata!.namespace}/${svc.metadata!.name}`, family);
  const ts = targets as { object: string; url: string }[];
  const phase = async (label: string, n: number, judge: typeof pinnedVerdict) => {
    const parts: Verdict[] = [];
    for (const t of ts) parts.push(await judged(kc, client, t, family, `sessionAffinity ${label}`, n, judge));
    return parts;
  };
  const before = await phase('ClientIP', AFFINITY_REQUESTS, pinnedVerdict);
  await setAffinity(kc, svc, 'None');
  const off = await phase('None', SPREAD_REQUESTS, spreadVerdict);
  await setAffinity(kc, svc, { clientIP: true });
  const again = await phase('ClientIP (switched on again)', AFFINITY_REQUESTS, pinnedVerdict);
  return joined([...before, ...off, ...again], `Service ${svc.metadata!.namespace}/${svc.metadata!.name} affinity ClientIP → None → ClientIP`, family);
}

/**
 * The timeoutSeconds the expiry check gives its Service: long enough that requests
 * timeoutSeconds/2 apart stay pinned on a loaded node, short because a pin that never
 * expires is only shown by waiting out every one of EXPIRY_WINDOWS windows (5 s cost the
 * fault 79 s).
 */
export const AFFINITY_TIMEOUT_S = 3;
/** Idle windows tried after the pin: with 4 backends, all of them landing on the old backend by chance is 4^-8. */
export const EXPIRY_WINDOWS = 8;
/** Seconds of idling beyond the timeout in each window (kube-proxy's affinity entries expire at the second). */
const EXPIRY_MARGIN_S = 2;

/**
 * sessionAffinityConfig.clientIP.timeoutSeconds honoured, judged so that chance cannot
 * fail it: (1) within the timeout the pin holds — requests spaced timeoutSeconds/2 apart
 * all land on one backend P; (2) after idling past the timeout the next connection is
 * balanced afresh, which may pick P again by chance (1 in the number of backends), so up
 * to EXPIRY_WINDOWS idle windows are tried and at least one must land elsewhere (stops
 * at the first that does). A pin that outlives the timeout fails every window.
 * `timeoutSeconds` is what the Service was created with.
 */
export async function affinityTimeout(kc: KubeConfig, client: V1Pod, svc: V1Service, via: Via, family: IPFamily, timeoutSeconds: number): Promise<Verdict> {
  const t = httpTarget(client, svc, via, family);
  if ('ok' in t) return t;
  const object = `${t.object} with sessionAffinity ClientIP timeoutSeconds ${timeoutSeconds}`;
  const gap = timeoutSeconds / 2;
  await answeredOnce(oneGet(kc, client, t.url));
  let heldAnswers: Answer[] = [];
  const held = await retryVerdict(
    async () => {
      heldAnswers = await answers(kc, client, t.url, 4, gap);
      return pinnedVerdict({ object: `${object} (requests ${gap} s apart)`, family, answers: heldAnswers });
    },
    { withinMs: PIN_MS, delayMs: 2_000 },
  );
  if (!held.ok) return held;
  const pinned = backendsOf(heldAnswers)[0]!;
  const idle = timeoutSeconds + EXPIRY_MARGIN_S;
  const windows: Answer[] = [];
  for (let i = 0; i < EXPIRY_WINDOWS; i++) {
    await sleep(idle * 1000);
    const [a] = await answers(kc, client, t.url, 1);
    windows.push(a!);
    if ('backend' in a! && a.backend !== pinned) break;
  }
  return { ...expiryVerdict({ object, family, timeoutSeconds, pinned, idleSeconds: idle, windows }), attempts: held.attempts };
}

/** Issue 12's bound: traffic leaves a deleted backend within this long of the deletion. */
export const CHURN_BOUND_MS = 10_000;
/** Requests are kept up this long past the bound (and until CHURN_MIN_AFTER per path). */
const CHURN_TAIL_MS = 5_000;
// 8, not 3: a backend that still gets traffic is missed by n balanced requests over two
// backends with chance 2^-n; at 3 a stale-EndpointSlice fault slipped through once (1 in 8 per path).
const CHURN_MIN_AFTER = 8;
/** A series that never hears of the deletion (its mark lost) stops after this long. */
const CHURN_MAX_MS = CHURN_BOUND_MS + 80_000;

/**
 * A backend deleted: every path in `vias` is probed by a timed series in the client
 * (/hostname, one request per ~0.3 s, lib/probes/series.ts) from just before the victim pod
 * is deleted until CHURN_BOUND_MS + CHURN_TAIL_MS after it; every request started after the
 * bound must be answered by one of `survivors`. `seen` says how long traffic took to move.
 */
export async function endpointChurn(kc: KubeConfig, o: { client: V1Pod; svc: V1Service; victim: V1Pod; survivors: readonly V1Pod[]; vias: readonly Via[]; family: IPFamily }): Promise<Verdict> {
  const targets = o.vias.map((v) => httpTarget(o.client, o.svc, v, o.family));
  const missing = targets.filter((t): t is Verdict => 'ok' in t);
  if (missing.length) return all(missing, `Service ${o.svc.metadata!.namespace}/${o.svc.metadata!.name}`, o.family);
  const ts = targets as { object: string; url: string }[];
  const victim = o.victim.metadata!.name!;
  const runner = podRunner(kc, o.client);
  const plan: SeriesPlan = {
    markFile: `/tmp/v6e2e-churn-${victim}-${Date.now()}`,
    boundMs: CHURN_BOUND_MS,
    untilMs: CHURN_BOUND_MS + CHURN_TAIL_MS,
    minAfter: CHURN_MIN_AFTER,
    maxMs: CHURN_MAX_MS,
    gapS: 0.3,
    timeoutS: 2,
  };
  const series = ts.map((t) => httpSeries(runner, t.url, plan));
  await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ name: victim, namespace: o.victim.metadata!.namespace! });
  const t0 = Date.now();
  await markSeries(runner, plan.markFile, t0);
  const samples = (await Promise.all(series)).map((rs): Sample[] => rs.map((r) => ({ atMs: r.atEpochMs - t0, answer: answerOf(r.result) })));
  const parts = ts.map((t, i) => churnVerdict({ object: `${t.object} after deleting backend ${podLabel(o.victim)}`, family: o.family, deleted: victim, remaining: o.survivors.map((p) => p.metadata!.name!), boundMs: CHURN_BOUND_MS, samples: samples[i]!, minAfter: CHURN_MIN_AFTER }));
  return joined(parts, `Service ${o.svc.metadata!.namespace}/${o.svc.metadata!.name} endpoint churn`, o.family);
}

/** The replacement UDP server must answer within this long of being Ready. */
export const UDP_REPLACE_BOUND_MS = 15_000;
/** The client's datagram loop ends after this long whatever happened (deletion, start and Ready included). */
const UDP_REPLACE_MAX_MS = 240_000;

/**
 * UDP server replaced (the stale-conntrack case): the client sends netexec's `hostname`
 * from a fixed source port per path (`sourcePort`, +1 for the next path) through every path
 * in `vias`, first until the old server answers (the conntrack entry exists), then every
 * half second throughout its deletion and the replacement's start, from a loop in the
 * client (lib/probes/series.ts: an exec per datagram kept no pace on a loaded machine); the
 * replacement must answer those very flows within UDP_REPLACE_BOUND_MS of being Ready.
 * `onPlaced` runs once the replacement has its IPs, before it is Ready (a fault test seeds
 * its rule there).
 */
export async function udpServerReplaced(
  kc: KubeConfig,
  o: { client: V1Pod; svc: V1Service; old: V1Pod; replacement: ProbePodSpec; vias: readonly Via[]; family: IPFamily; sourcePort: number; onPlaced?: (pod: V1Pod) => Promise<void> },
): Promise<Verdict> {
  const targets = o.vias.map((v) => targetOf(o.svc, NETEXEC_UDP, v, o.family));
  const missing = targets.filter((t): t is Verdict => 'ok' in t);
  if (missing.length) return all(missing, `Service ${o.svc.metadata!.namespace}/${o.svc.metadata!.name}`, o.family);
  const ts = targets as ServiceTarget[];
  const ns = o.client.metadata!.namespace!;
  // The replacement goes where the old server was: the Service selects only its own namespace.
  const serverNs = o.old.metadata!.namespace!;
  const send = (t: ServiceTarget, i: number) => udpExchange(kc, ns, o.client.metadata!.name!, t.address, t.port, 'hostname', 2, o.sourcePort + i);
  const oldName = o.old.metadata!.name!;
  // Best effort: the flow from the fixed port is established to the old server (what can go stale).
  await Promise.all(
    ts.map((t, i) => retry(async () => udpAnswerOf(await send(t, i)), { withinMs: CONVERGE_MS, delayMs: 1_000, until: (a) => 'backend' in a && a.backend === oldName })),
  );

  const newName = o.replacement.name;
  const runner = podRunner(kc, o.client);
  // The mark is the replacement's Ready time: the loops stop once it answered after it, or the bound (+2 s) passed.
  const plan: SeriesPlan = {
    markFile: `/tmp/v6e2e-udp-replaced-${newName}-${Date.now()}`,
    boundMs: 0,
    untilMs: UDP_REPLACE_BOUND_MS + 2_000,
    minAfter: 1,
    maxMs: UDP_REPLACE_MAX_MS,
    gapS: 0.5,
    timeoutS: 2,
    stopOn: newName,
  };
  const series = ts.map((t, i) => udpSeries(runner, t.address, t.port, 'hostname', o.sourcePort + i, plan));
  const core = kc.makeApiClient(CoreV1Api);
  let readyAt: number | undefined;
  try {
    await core.deleteNamespacedPod({ name: oldName, namespace: serverNs });
    await core.createNamespacedPod({ namespace: serverNs, body: probePodManifest(serverNs, o.replacement) });
    const placed = await waitFor(`pod ${serverNs}/${newName} has its IPs`, async () => {
      const p = await core.readNamespacedPod({ name: newName, namespace: serverNs });
      return podIPs(p).length ? p : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    await o.onPlaced?.(placed!);
    await waitPodReady(kc, serverNs, newName, 120_000);
    readyAt = Date.now();
  } finally {
    // Whatever happened, the loops get their mark and end (at most the bound later).
    await markSeries(runner, plan.markFile, readyAt ?? Date.now());
  }
  const samples = (await Promise.all(series)).map((rs) => rs.map((r) => ({ atMs: r.atEpochMs - readyAt!, answer: udpAnswerOf(r.result) })));
  const parts = ts.map((t, i) =>
    replacedVerdict({
      object: `${podLabel(o.client)} → ${t.name} udp, server ${podLabel(o.old)} replaced by pod ${serverNs}/${newName}`,
      family: o.family,
      sourcePort: o.sourcePort + i,
      replacement: newName,
      boundMs: UDP_REPLACE_BOUND_MS,
      samples: samples[i]!,
    }),
  );
  return joined(parts, `Service ${o.svc.metadata!.namespace}/${o.svc.metadata!.name} UDP server replaced`, o.family);
}
