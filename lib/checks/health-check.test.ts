import { describe, expect, test } from 'vitest';
import type { V1Service } from '@kubernetes/client-node';
import type { HttpResult } from '../probes/curl.ts';
import type { RankedAddress } from './nodeport.ts';
import { checkHealthChecks, healthCheckNodePortOf, healthCheckVerdict, localEndpointsOf, type HealthCheckProbe } from './health-check.ts';

const addr = (node: string, address: string): RankedAddress => ({ node, address, type: 'InternalIP', family: 'IPv6', rank: 0, familyRank: 0, hostIP: true, primary: true });
const body = (n: number) => JSON.stringify({ service: { namespace: 'ns', name: 'lb' }, localEndpoints: n, serviceProxyHealthy: true });
function res(status: number | undefined, b = '', exitCode = 0): HttpResult {
  return { ok: status !== undefined && status < 400, from: 'outside', target: 'u', command: [], exitCode, stdout: '', stderr: exitCode ? 'curl: (7) Failed to connect' : '', status, body: b };
}
const probe = (node: string, hasLocalEndpoint: boolean, result: HttpResult): HealthCheckProbe => ({ target: addr(node, node === 'w1' ? 'fc00::3' : 'fc00::2'), client: 'outside container c', url: 'http://[fc00::3]:31000/healthz', hasLocalEndpoint, result });

describe('health check judgements', () => {
  test("reads kube-proxy's localEndpoints; anything else is undefined", () => {
    expect(localEndpointsOf(body(2))).toBe(2);
    expect(localEndpointsOf('ok')).toBeUndefined();
  });
  test('200 on the node with the endpoint, 503 elsewhere passes', () => {
    expect(checkHealthChecks('Service ns/lb', 'IPv6', [probe('w1', true, res(200, body(1))), probe('w2', false, res(503, body(0)))]).ok).toBe(true);
  });
  test('503 where an endpoint should be fails naming node, address and what was seen', () => {
    const v = healthCheckVerdict('Service ns/lb', probe('w1', true, res(503, body(0))));
    expect(v.ok).toBe(false);
    expect(v.object).toMatch(/^Service ns\/lb healthCheckNodePort on node w1 InternalIP fc00::3 /);
    expect(v.family).toBe('IPv6');
    expect(v.expected).toBe('HTTP 200 (a ready local endpoint on this node)');
    expect(v.seen).toBe('HTTP 503, localEndpoints 0');
  });
  test('a node without an endpoint that does not answer at all fails (the health server is not listening)', () => {
    const v = healthCheckVerdict('Service ns/lb', probe('w2', false, res(undefined, '', 7)));
    expect(v.ok).toBe(false);
    expect(v.seen).toMatch(/^connection refused/);
  });
  test('without nodes both with and without an endpoint nothing is proven', () => {
    expect(checkHealthChecks('Service ns/lb', 'IPv6', [probe('w1', true, res(200, body(1)))]).ok).toBe(false);
  });
  test('a Service without healthCheckNodePort is a failed verdict', () => {
    const svc: V1Service = { metadata: { namespace: 'ns', name: 'lb' }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster' } };
    const v = healthCheckNodePortOf(svc, 'IPv4');
    expect(typeof v).toBe('object');
    expect(typeof v === 'object' && v.seen).toContain('externalTrafficPolicy Cluster');
    expect(healthCheckNodePortOf({ ...svc, spec: { ...svc.spec, healthCheckNodePort: 31000 } }, 'IPv4')).toBe(31000);
  });
});
