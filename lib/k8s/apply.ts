/**
 * Server-side apply of YAML manifests, and per-test namespaces.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { apiStatus, describeApiError, isNotFound } from './client.ts';
import { waitFor } from './wait.ts';

export const FIELD_MANAGER = 'v6e2e';
export const RUN_LABEL = 'v6e2e.io/run';
export const SUITE_LABEL = 'v6e2e.io/suite';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Splits a multi-document YAML string into Kubernetes objects. Empty documents
 * (a trailing `---`, comment-only docs) are skipped: client-node's loadAllYaml
 * crashes on them. Anything else without apiVersion/kind/metadata.name is an error.
 */
export function parseManifests(text: string, source = 'manifest'): KubernetesObject[] {
  const out: KubernetesObject[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${source} document ${i + 1}: ${doc.errors[0]?.message ?? 'YAML error'}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (!isObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
      throw new Error(`${source} document ${i + 1} is not a Kubernetes object (needs apiVersion and kind)`);
    }
    const meta = value.metadata;
    if (!isObject(meta) || typeof meta.name !== 'string' || meta.name === '') {
      throw new Error(`${source} document ${i + 1} (${value.kind}) has no metadata.name`);
    }
    out.push(value as KubernetesObject);
  });
  return out;
}

export interface ApplyOptions {
  /** Namespace for namespaced objects that do not set one. */
  namespace?: string;
  /** Extra labels to merge into every object (e.g. the run label, for cleanup by selector). */
  labels?: Record<string, string>;
}

/**
 * KubernetesObjectApi fills `metadata.namespace` only for kinds discovery says are
 * namespaced, from its (protected) default namespace; this sets that default, so
 * cluster-scoped objects in the same manifest are left alone.
 */
class NamespacedObjectApi extends KubernetesObjectApi {
  static forNamespace(kc: KubeConfig, namespace: string | undefined): NamespacedObjectApi {
    const client = kc.makeApiClient(NamespacedObjectApi);
    client.setDefaultNamespace(kc);
    if (namespace) client.defaultNamespace = namespace;
    return client;
  }
}

/**
 * Server-side apply, in order, with field manager `v6e2e` and force (take over
 * fields another manager owns, as `kubectl apply --server-side --force-conflicts`).
 * Idempotent. A fresh KubernetesObjectApi per call: it caches discovery per
 * apiVersion, so a CRD installed earlier in the run would otherwise be "unrecognized".
 * Note: the client serializes known kinds through its generated models, so a field
 * newer than client-node 1.4's models would be dropped.
 */
export async function applyObjects(kc: KubeConfig, objects: readonly KubernetesObject[], opts: ApplyOptions = {}): Promise<KubernetesObject[]> {
  const client = NamespacedObjectApi.forNamespace(kc, opts.namespace);
  const applied: KubernetesObject[] = [];
  for (const original of objects) {
    const obj: KubernetesObject = structuredClone(original);
    obj.metadata ??= {};
    if (opts.labels) obj.metadata.labels = { ...obj.metadata.labels, ...opts.labels };
    try {
      applied.push(await client.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
    } catch (err) {
      const where = `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name ?? '?'}`;
      throw new Error(`server-side apply of ${where} failed: ${describeApiError(err)}`, { cause: err });
    }
  }
  return applied;
}

export async function applyYaml(kc: KubeConfig, text: string, opts: ApplyOptions = {}): Promise<KubernetesObject[]> {
  return applyObjects(kc, parseManifests(text), opts);
}

// ---------------------------------------------------------------- namespaces

const DNS1123_LABEL_MAX = 63;
/** Tries of a namespace creation the API server failed with a server error (etcd timing out). */
const CREATE_ATTEMPTS = 3;

/** `v6e2e-<suite>-<random>`, a valid DNS-1123 label whatever the suite string holds. */
export function namespaceName(suite: string, random = randomBytes(3).toString('hex')): string {
  const tail = `-${random}`;
  const room = DNS1123_LABEL_MAX - 'v6e2e-'.length - tail.length;
  const cleaned = suite
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, room)
    .replace(/-+$/g, '');
  return `v6e2e-${cleaned || 'suite'}${tail}`;
}

/** Label values: ≤63 chars of [A-Za-z0-9_.-], alphanumeric at both ends. */
export function labelValue(value: string): string {
  const v = value
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return v || 'unknown';
}

export interface NamespaceOptions {
  suite: string;
  runId: string;
  /** Pod Security level. Default privileged: network checks need hostNetwork/NET_RAW pods. */
  podSecurity?: 'privileged' | 'baseline' | 'restricted';
  /** A fixed name instead of `v6e2e-<suite>-<random>` (the run's probe fleet). */
  name?: string;
  /** An existing namespace of that name is taken as is (several workers create the same one). */
  existingOk?: boolean;
}

export interface TestNamespace {
  name: string;
  /**
   * Asks for the namespace's deletion and returns: its pods terminate in the background
   * while the next file starts. Whoever needs a quiet cluster waits for the run's
   * namespaces to be gone (waitRunNamespacesGone). Safe to call twice.
   */
  cleanup(): Promise<void>;
}

/**
 * Creates the run-labelled namespace. It does not wait for the namespace's default
 * ServiceAccount: only pods need it (createPod waits for it), and a file
 * of Services alone had waited ~0.25 s for it under a run's load.
 */
export async function createNamespace(kc: KubeConfig, opts: NamespaceOptions): Promise<TestNamespace> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = opts.name ?? namespaceName(opts.suite);
  const level = opts.podSecurity ?? 'privileged';
  const body = {
    metadata: {
      name,
      labels: {
        [RUN_LABEL]: labelValue(opts.runId),
        [SUITE_LABEL]: labelValue(opts.suite),
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/warn': level,
      },
    },
  };
  // An overloaded etcd answers "etcdserver: request timed out" (5xx) for a write it may still
  // commit: asked again, AlreadyExists then means the first try went through.
  for (let attempt = 1; ; attempt++) {
    try {
      await core.createNamespace({ body });
      break;
    } catch (err) {
      const status = apiStatus(err) ?? 0;
      if (status === 409 && (opts.existingOk || attempt > 1)) break;
      if (status < 500 || attempt >= CREATE_ATTEMPTS) throw new Error(`creating namespace ${name} failed: ${describeApiError(err)}`, { cause: err });
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
  let done: Promise<void> | undefined;
  return {
    name,
    cleanup: () => (done ??= deleteNamespace(kc, name, { wait: false })),
  };
}

/** How long a pod waits for its namespace's default ServiceAccount, asking every SA_RETRY_MS. */
const SA_WAIT_MS = 60_000;
const SA_RETRY_MS = 200;

/** The API server refused a pod because its namespace's default ServiceAccount is not made yet. */
export function refusedForServiceAccount(err: unknown): boolean {
  return apiStatus(err) === 403 && /serviceaccount "[^"]+" not found/i.test(describeApiError(err));
}

/**
 * Creates a pod. A new namespace's pods are refused until the controller manager has made
 * its default ServiceAccount (on a loaded 2-core machine, after the first pod's creation):
 * asked again every 200 ms for up to a minute, as upstream's e2e framework waits for it.
 */
export async function createPod(kc: KubeConfig, namespace: string, body: V1Pod): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + SA_WAIT_MS;
  for (;;) {
    try {
      return await core.createNamespacedPod({ namespace, body });
    } catch (err) {
      if (!refusedForServiceAccount(err) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, SA_RETRY_MS));
    }
  }
}

/**
 * Set on a run namespace once what the run's start puts in it (the probe fleet's pods, a
 * plan's pods and objects) is made: a file that finds it only waits for them.
 */
export const MADE_ANNOTATION = 'v6e2e.io/made';

export async function markMade(kc: KubeConfig, namespace: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).patchNamespace(
    { name: namespace, body: { metadata: { annotations: { [MADE_ANNOTATION]: 'true' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** True when the namespace is there, not going, and marked made (markMade). */
export async function isMade(kc: KubeConfig, namespace: string): Promise<boolean> {
  try {
    const ns = await kc.makeApiClient(CoreV1Api).readNamespace({ name: namespace });
    return ns.metadata?.annotations?.[MADE_ANNOTATION] === 'true' && ns.status?.phase !== 'Terminating';
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Deletes a namespace (absent or already terminating is fine) and, unless `wait: false`, waits for it to disappear. */
export async function deleteNamespace(kc: KubeConfig, name: string, opts: { wait?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.deleteNamespace({ name, propagationPolicy: 'Background' });
  } catch (err) {
    if (isNotFound(err)) return;
    // 409: already being deleted (its finalizers still run); wait for it like for ours.
    if (apiStatus(err) !== 409) throw new Error(`deleting namespace ${name} failed: ${describeApiError(err)}`, { cause: err });
  }
  if (opts.wait === false) return;
  await waitFor(
    `namespace ${name} deleted`,
    async () => {
      try {
        const ns = await core.readNamespace({ name });
        return { gone: false, phase: ns.status?.phase ?? 'unknown' };
      } catch (err) {
        if (isNotFound(err)) return { gone: true, phase: 'gone' };
        throw err;
      }
    },
    { timeoutMs: opts.timeoutMs ?? 120_000, intervalMs: 1_000, until: (s) => s.gone, describe: (s) => `phase ${s.phase}` },
  );
}

/**
 * Runs `fn` inside a fresh namespace `v6e2e-<suite>-<random>` labelled
 * `v6e2e.io/run=<runId>`, and deletes it afterwards whatever happened. If both `fn`
 * and the cleanup fail, the error of `fn` wins (it is the finding).
 */
export async function withNamespace<T>(kc: KubeConfig, opts: NamespaceOptions, fn: (namespace: string) => Promise<T>): Promise<T> {
  const ns = await createNamespace(kc, opts);
  let result: T;
  try {
    result = await fn(ns.name);
  } catch (err) {
    // The error of `fn` is the finding; a cleanup failure on top of it would hide it.
    await ns.cleanup().catch(() => undefined);
    throw err;
  }
  await ns.cleanup();
  return result;
}

/**
 * Waits until no namespace of the run is left (Terminating ones included): the serial
 * files start on a cluster where nothing else of the run still runs or holds addresses.
 */
export async function waitRunNamespacesGone(kc: KubeConfig, runId: string, opts: { except?: readonly string[]; timeoutMs?: number } = {}): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const except = opts.except ?? [];
  const timeoutMs = opts.timeoutMs ?? 180_000;
  await waitFor(
    `namespaces labelled ${RUN_LABEL}=${labelValue(runId)}${except.length ? ` other than ${except.join(', ')}` : ''} gone`,
    async () =>
      (await core.listNamespace({ labelSelector: `${RUN_LABEL}=${labelValue(runId)}` })).items.map((n) => n.metadata?.name ?? '?').filter((n) => !except.includes(n)),
    { timeoutMs, intervalMs: 1_000, until: (left) => left.length === 0, describe: (left) => `left: ${left.join(', ')}` },
  );
}

/**
 * Deletes every namespace a run left behind (e.g. after Ctrl-C), by label. Returns the
 * ones that were still active (left behind); those already terminating were cleaned up
 * by their file and are only still on their way out.
 */
export async function deleteRunNamespaces(kc: KubeConfig, runId: string): Promise<string[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const list = await core.listNamespace({ labelSelector: `${RUN_LABEL}=${labelValue(runId)}` });
  const active = list.items.filter((n) => n.status?.phase !== 'Terminating');
  const names = active.map((n) => n.metadata?.name).filter((n): n is string => Boolean(n));
  await Promise.all(names.map((n) => deleteNamespace(kc, n, { wait: false })));
  return names;
}
