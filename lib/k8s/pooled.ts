/**
 * A KubeConfig whose requests share connections. client-node 1.4 builds a new https.Agent
 * for every API call and every exec, so each one opened a fresh TLS connection: a full
 * handshake and a freshly parsed client key on both ends. On 2 cores that was about a
 * second of CPU per vitest worker per run, and the API server's share on top. Here each
 * kubeconfig context gets one keep-alive agent with one TLS context, so API calls reuse
 * connections and exec upgrades resume TLS sessions.
 */
import https from 'node:https';
import tls from 'node:tls';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

/**
 * Idle pooled sockets close after this long: well before the API server's own idle
 * timeout (90 s), so a request never lands on a socket the server is closing.
 */
const IDLE_SOCKET_MS = 30_000;

export class PooledKubeConfig extends KubeConfig {
  readonly #agents = new Map<string, https.Agent>();

  /** The shared agent standing in for `made` (one client-node just built); proxy and plain-HTTP agents pass through. */
  pooled<A>(made: A): A | https.Agent {
    if (!(made instanceof https.Agent)) return made;
    const key = `${this.getCurrentContext()}\u0000${this.getCurrentCluster()?.server ?? ''}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      const o = made.options;
      const secureContext = tls.createSecureContext({ ca: o.ca, cert: o.cert, key: o.key, pfx: o.pfx, passphrase: o.passphrase });
      agent = new https.Agent({ ...o, secureContext, keepAlive: true, timeout: IDLE_SOCKET_MS });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  /** Generated API clients (CoreV1Api, …) authenticate through here. */
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getAgent();
    if (made) context.setAgent(this.pooled(made));
  }

  /** Exec, logs and fetch-based helpers take their options from here. */
  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const holder = opts as { agent?: unknown };
    if (holder.agent) holder.agent = this.pooled(holder.agent);
  }
}
