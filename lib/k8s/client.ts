/**
 * Loading a kubeconfig and making typed API clients (client-node 1.4: one object
 * parameter per call, bodies returned directly, errors thrown as ApiException).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiException, AppsV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../util/errors.ts';
import { PooledKubeConfig } from './pooled.ts';

export interface KubeTarget {
  /** Path to a kubeconfig file; default: $KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  /** Context to use; default: the file's current-context. */
  context?: string;
}

function readable(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return 'not a regular file';
    fs.accessSync(file, fs.constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'unreadable';
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n', 1)[0] ?? '').slice(0, 200);
}

/**
 * Loads and validates a kubeconfig. Every failure is a UsageError whose one-line
 * message says what to do; nothing falls back silently to localhost:8080 (which
 * client-node's loadFromDefault does when it finds no config).
 */
export function loadKubeConfig(target: KubeTarget = {}): KubeConfig {
  const kc = new PooledKubeConfig();
  let source: string;
  if (target.kubeconfig) {
    const file = path.resolve(target.kubeconfig);
    source = file;
    const problem = readable(file);
    if (problem) throw new UsageError(`cannot read kubeconfig ${file} (${problem}); pass --kubeconfig with a readable kubeconfig file`);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read kubeconfig ${file} (${firstLine(err)}); pass --kubeconfig with a readable kubeconfig file`);
    }
    try {
      kc.loadFromString(text);
    } catch (err) {
      throw new UsageError(`kubeconfig ${file} is not valid (${firstLine(err)}); pass a kubeconfig such as the one \`kind get kubeconfig\` prints`);
    }
  } else {
    const envPaths = (process.env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
    const candidates = envPaths.length > 0 ? envPaths : [path.join(os.homedir(), '.kube', 'config')];
    const present = candidates.filter((f) => readable(f) === undefined);
    if (present.length === 0) {
      throw new UsageError(
        `no kubeconfig found (looked at ${candidates.join(', ')}); pass --kubeconfig <file> or let \`v6e2e run --profile …\` create a cluster`,
      );
    }
    source = present.join(path.delimiter);
    try {
      kc.loadFromDefault();
    } catch (err) {
      throw new UsageError(`kubeconfig ${source} is not valid (${firstLine(err)}); fix it or pass --kubeconfig <file>`);
    }
  }

  const names = kc.getContexts().map((c) => c.name);
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      throw new UsageError(
        `context "${target.context}" is not in ${source}; use one of: ${names.length > 0 ? names.join(', ') : '(the file has no contexts)'}`,
      );
    }
    kc.setCurrentContext(target.context);
  }
  const current = kc.getCurrentContext();
  if (!current || !kc.getContextObject(current)) {
    throw new UsageError(
      names.length > 0
        ? `kubeconfig ${source} has no usable current-context; pass --context with one of: ${names.join(', ')}`
        : `kubeconfig ${source} has no contexts; pass a kubeconfig such as the one \`kind get kubeconfig\` prints`,
    );
  }
  if (!kc.getCurrentCluster()) {
    throw new UsageError(`context "${current}" in ${source} refers to a cluster that is not defined; fix the kubeconfig or pick another --context`);
  }
  return kc;
}

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  discovery: DiscoveryV1Api;
}

export function clients(kc: KubeConfig): Clients {
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
  };
}

/**
 * Read, change, replace; again from a fresh read on 409 Conflict (a controller wrote the
 * object in between, e.g. a Deployment's status), as client-go's RetryOnConflict does.
 * Returns the object as stored.
 */
export async function updateOnConflict<T>(read: () => Promise<T>, change: (obj: T) => void, replace: (obj: T) => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    const obj = await read();
    change(obj);
    try {
      return await replace(obj);
    } catch (err) {
      if (apiStatus(err) !== 409 || i >= attempts) throw err;
    }
  }
}

/** HTTP status of a client-node error, or undefined for non-API errors (DNS, TLS, reset). */
export function apiStatus(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

export function isNotFound(err: unknown): boolean {
  return apiStatus(err) === 404;
}

/**
 * A readable one-liner for an API error. ApiException.message is a dump of code,
 * body and headers; the useful part is the V1Status message inside the raw body.
 */
export function describeApiError(err: unknown): string {
  if (err instanceof ApiException) {
    let detail: string | undefined;
    const body: unknown = err.body;
    if (typeof body === 'string') {
      try {
        const parsed: unknown = JSON.parse(body);
        if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') {
          detail = parsed.message;
        }
      } catch {
        detail = body.slice(0, 200);
      }
    } else if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') {
      detail = body.message;
    }
    return `HTTP ${err.code}${detail ? `: ${detail}` : ''}`;
  }
  return firstLine(err);
}
