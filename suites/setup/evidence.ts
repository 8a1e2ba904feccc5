/**
 * e2e setupFile: when a check fails, attach what a person would look at first
 * to its Allure result, so the HTML report explains the failure without a
 * cluster:
 *
 *   failure.txt                 the failing message(s) and the top of the stack
 *   <ns>: objects.yaml          Pods, Services, EndpointSlices of the namespace
 *   <ns>: events.txt            its events, oldest first
 *   <ns>: logs <pod>.txt        last 100 lines of each container (bounded)
 *   CoreDNS Corefile            kube-system/coredns
 *   probes.txt                  every probe command the check ran, exit code and output
 *                               (lib/probes/journal.ts)
 *
 * Namespaces: those of this run (label `v6e2e.io/run=<run id>`) that are still
 * active, preferring the ones whose `v6e2e.io/suite` label starts with the
 * check's suite. Suites create namespaces in beforeAll and delete them in
 * afterAll, so they still exist here.
 *
 * Bounded: every API call has a timeout, the whole collection a deadline,
 * attachments a size cap, pods and namespaces a count cap. Never throws:
 * what could not be collected is listed in `evidence-errors.txt`.
 */
import { CoreV1Api, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import * as allure from 'allure-js-commons';
import { afterEach, beforeEach, inject, type TestContext } from 'vitest';
import { labelValue, RUN_LABEL, SUITE_LABEL } from '../../lib/k8s/apply.ts';
import { FLEET_SUITE } from '../../lib/probes/fleet.ts';
import { loadKubeConfig } from '../../lib/k8s/client.ts';
import { journalMark, probesSince, renderProbes } from '../../lib/probes/journal.ts';
import { capText, failureText, toYaml } from '../../lib/report/evidence.ts';
import { suiteFromFile } from '../../lib/report/reporter.ts';

export const LIMITS = {
  /** Whole collection, per failed check. */
  deadlineMs: 45_000,
  /** One API call. */
  callMs: 8_000,
  namespaces: 3,
  podsWithLogs: 8,
  logLines: 100,
  logBytes: 64 * 1024,
  /** One attachment. */
  attachmentBytes: 256 * 1024,
  events: 200,
} as const;

class Budget {
  private readonly end: number;
  readonly errors: string[] = [];
  constructor(ms: number) {
    this.end = Date.now() + ms;
  }
  left(): number {
    return this.end - Date.now();
  }
  /** Runs `fn` within min(call timeout, what is left); undefined (and a note) on error or timeout. */
  async call<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    const ms = Math.min(LIMITS.callMs, this.left());
    if (ms <= 0) {
      this.errors.push(`${what}: skipped, evidence deadline (${LIMITS.deadlineMs / 1000}s) reached`);
      return undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms`)), ms);
        }),
      ]);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.errors.push(`${what}: ${msg.split('\n', 1)[0]?.slice(0, 300)}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

async function attach(name: string, text: string, contentType = 'text/plain', ext = 'txt'): Promise<void> {
  try {
    await allure.attachment(name, capText(text, LIMITS.attachmentBytes), { contentType, fileExtension: ext });
  } catch {
    // no Allure runtime (reporter off): nothing to attach to
  }
}

async function runNamespaces(kc: KubeConfig, runId: string, suite: string, b: Budget): Promise<string[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const list = await b.call('list namespaces of this run', () => core.listNamespace({ labelSelector: `${RUN_LABEL}=${labelValue(runId)}` }));
  const active = (list?.items ?? []).filter((n) => n.status?.phase !== 'Terminating' && !n.metadata?.deletionTimestamp);
  const suiteOf = (n: (typeof active)[number]) => n.metadata?.labels?.[SUITE_LABEL] ?? '';
  const own = active.filter((n) => suiteOf(n).startsWith(labelValue(suite)));
  // The run's probe fleet (lib/probes/fleet.ts) holds pods of every suite's checks.
  const mine = [...own, ...active.filter((n) => suiteOf(n) === FLEET_SUITE)];
  return (own.length > 0 ? mine : active)
    .map((n) => n.metadata?.name ?? '')
    .filter(Boolean)
    .slice(0, LIMITS.namespaces);
}

async function namespaceEvidence(kc: KubeConfig, ns: string, b: Budget): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const [pods, services, slices, events] = await Promise.all([
    b.call(`pods in ${ns}`, () => core.listNamespacedPod({ namespace: ns })),
    b.call(`services in ${ns}`, () => core.listNamespacedService({ namespace: ns })),
    b.call(`endpointslices in ${ns}`, () => discovery.listNamespacedEndpointSlice({ namespace: ns })),
    b.call(`events in ${ns}`, () => core.listNamespacedEvent({ namespace: ns, limit: LIMITS.events })),
  ]);
  const withKind = <T extends object>(items: T[] | undefined, kind: string, apiVersion: string) => (items ?? []).map((o) => ({ apiVersion, kind, ...o }));
  const objects = [
    ...withKind(pods?.items, 'Pod', 'v1'),
    ...withKind(services?.items, 'Service', 'v1'),
    ...withKind(slices?.items, 'EndpointSlice', 'discovery.k8s.io/v1'),
  ];
  await attach(`${ns}: objects.yaml`, objects.length > 0 ? toYaml(objects) : '# no Pods, Services or EndpointSlices\n', 'text/yaml', 'yaml');

  const when = (e: { lastTimestamp?: Date; eventTime?: Date; firstTimestamp?: Date; metadata?: { creationTimestamp?: Date } }) =>
    new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? 0);
  const lines = (events?.items ?? [])
    .sort((x, y) => when(x).getTime() - when(y).getTime())
    .map((e) => {
      const t = when(e);
      const stamp = Number.isNaN(t.getTime()) || t.getTime() === 0 ? '-' : t.toISOString();
      const obj = `${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'}`;
      return `${stamp} ${e.type ?? ''} ${e.reason ?? ''} ${obj}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}: ${(e.message ?? '').trim()}`;
    });
  await attach(`${ns}: events.txt`, lines.length > 0 ? lines.join('\n') : '(no events)');

  for (const pod of (pods?.items ?? []).slice(0, LIMITS.podsWithLogs)) {
    const name = pod.metadata?.name;
    if (!name) continue;
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
    const parts: string[] = [];
    for (const container of containers) {
      const log = await b.call(`logs of ${ns}/${name}/${container}`, () =>
        core.readNamespacedPodLog({ namespace: ns, name, container, tailLines: LIMITS.logLines, limitBytes: LIMITS.logBytes }),
      );
      parts.push(`==> ${container} (last ${LIMITS.logLines} lines) <==\n${log === undefined ? '(unavailable)' : String(log) || '(empty)'}`);
    }
    if (parts.length > 0) await attach(`${ns}: logs ${name}.txt`, parts.join('\n\n'));
  }
  if ((pods?.items.length ?? 0) > LIMITS.podsWithLogs) b.errors.push(`${ns}: logs of only the first ${LIMITS.podsWithLogs} of ${pods?.items.length} pods`);
}

async function corefile(kc: KubeConfig, b: Budget): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const cm = await b.call('CoreDNS Corefile', () => core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'coredns' }));
  if (cm?.data?.Corefile !== undefined) await attach('CoreDNS Corefile', cm.data.Corefile);
}

/** Everything above, for one failed check. Never throws. */
export async function collectEvidence(ctx: Pick<TestContext, 'task'>): Promise<void> {
  try {
    await attach('failure.txt', failureText(ctx.task.result?.errors));
    await attach('probes.txt', renderProbes(probesSince(marks.get(ctx.task.id) ?? 0, ctx.task.id)));
    const env = inject('v6e2e');
    if (!env.kubeconfig) return;
    const b = new Budget(LIMITS.deadlineMs);
    let kc: KubeConfig;
    try {
      kc = loadKubeConfig({ kubeconfig: env.kubeconfig, context: env.context ?? undefined });
    } catch (err) {
      await attach('evidence-errors.txt', `kubeconfig: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const suite = suiteFromFile(ctx.task.file.filepath);
    const namespaces = await runNamespaces(kc, env.runId, suite, b);
    if (namespaces.length === 0) b.errors.push(`no active namespace labelled ${RUN_LABEL}=${labelValue(env.runId)} (the check may have deleted its own)`);
    for (const ns of namespaces) await namespaceEvidence(kc, ns, b);
    await corefile(kc, b);
    if (b.errors.length > 0) await attach('evidence-errors.txt', b.errors.join('\n'));
  } catch (err) {
    await attach('evidence-errors.txt', `evidence collection failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Per test (checks of a file may run concurrently): where its attempt's probes begin in the journal. */
const marks = new Map<string, number>();
beforeEach((ctx) => {
  marks.set(ctx.task.id, journalMark());
});

afterEach(async (ctx) => {
  try {
    if (ctx.task.result?.state === 'fail') await collectEvidence(ctx);
  } finally {
    marks.delete(ctx.task.id);
  }
}, LIMITS.deadlineMs + 15_000);
