/**
 * externalTrafficPolicy Local health checks: a LoadBalancer Service with ETP Local gets
 * spec.healthCheckNodePort, on which kube-proxy's service health server answers
 * `GET /healthz` with 200 on a node holding a ready local endpoint and 503 on a node
 * without (what a cloud load balancer uses to pick nodes). Pure judgements.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { IPFamily } from '../net/family.ts';
import type { HttpResult } from '../probes/curl.ts';
import { describeRank, type RankedAddress } from './nodeport.ts';
import { describeHttpOutcome } from './text.ts';
import { all, verdict, type Verdict } from './verdict.ts';

/** The Service's healthCheckNodePort, or a failed Verdict saying it has none. */
export function healthCheckNodePortOf(svc: V1Service, family: IPFamily): number | Verdict {
  const port = svc.spec?.healthCheckNodePort;
  if (port) return port;
  return verdict(false, {
    object: `Service ${svc.metadata?.namespace ?? '?'}/${svc.metadata?.name ?? '?'}`,
    family,
    expected: 'spec.healthCheckNodePort set (type LoadBalancer, externalTrafficPolicy Local)',
    seen: `type ${svc.spec?.type ?? '?'}, externalTrafficPolicy ${svc.spec?.externalTrafficPolicy ?? 'unset'}, no healthCheckNodePort`,
  });
}

/** kube-proxy's body: `{"service":{…},"localEndpoints":1,"serviceProxyHealthy":true}`; undefined when it is not that. */
export function localEndpointsOf(body: string): number | undefined {
  try {
    const j = JSON.parse(body) as { localEndpoints?: unknown };
    return typeof j.localEndpoints === 'number' ? j.localEndpoints : undefined;
  } catch {
    // Not kube-proxy's JSON (something else answered): reported as the raw outcome.
    return undefined;
  }
}

export interface HealthCheckProbe {
  target: RankedAddress;
  client: string;
  url: string;
  /** Does the node run a ready endpoint of the Service? */
  hasLocalEndpoint: boolean;
  result: HttpResult;
}

export function healthCheckVerdict(service: string, p: HealthCheckProbe): Verdict {
  const object = `${service} healthCheckNodePort on node ${p.target.node} ${describeRank(p.target)} from ${p.client} (${p.url})`;
  const want = p.hasLocalEndpoint ? 200 : 503;
  const expected = p.hasLocalEndpoint ? 'HTTP 200 (a ready local endpoint on this node)' : 'HTTP 503 (no local endpoint on this node)';
  const status = p.result.exitCode === 0 ? p.result.status : undefined;
  const n = status ? localEndpointsOf(p.result.body) : undefined;
  const seen = status ? `HTTP ${status}${n !== undefined ? `, localEndpoints ${n}` : ` body "${p.result.body.trim().slice(0, 120)}"`}` : describeHttpOutcome(p.result);
  return verdict(status === want, { object, family: p.target.family, expected, seen });
}

/** Every node address answers as its node's endpoints say; at least one node must hold an endpoint (else 200 is never tested). */
export function checkHealthChecks(service: string, family: IPFamily, probes: readonly HealthCheckProbe[]): Verdict {
  if (!probes.some((p) => p.hasLocalEndpoint) || !probes.some((p) => !p.hasLocalEndpoint)) {
    return verdict(false, {
      object: service,
      family,
      expected: 'node addresses of nodes with and without a local endpoint to probe',
      seen: `${probes.filter((p) => p.hasLocalEndpoint).length} with, ${probes.filter((p) => !p.hasLocalEndpoint).length} without`,
    });
  }
  return all(probes.map((p) => healthCheckVerdict(service, p)), `${service} healthCheckNodePort (${probes.length} node addresses)`, family);
}
