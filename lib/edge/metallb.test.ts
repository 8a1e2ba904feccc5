import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { parseManifests } from '../k8s/apply.ts';
import { moduleDir } from '../lab/paths.ts';
import { LAB } from '../lab/versions.ts';
import { labMetalLB, METALLB_NS } from './metallb.ts';

interface C { name: string; args?: string[]; readinessProbe?: { initialDelaySeconds?: number; periodSeconds?: number }; livenessProbe?: { initialDelaySeconds?: number } }
const containers = (o: KubernetesObject | undefined): C[] => (o as unknown as { spec: { template: { spec: { containers: C[] } } } }).spec.template.spec.containers;

describe('labMetalLB', () => {
  const controller = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'controller', namespace: METALLB_NS },
    spec: { template: { spec: { containers: [{ name: 'controller', args: ['--port=7472'], readinessProbe: { initialDelaySeconds: 10, periodSeconds: 10 }, livenessProbe: { initialDelaySeconds: 10 } }] } } } };
  const speaker = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'speaker', namespace: METALLB_NS },
    spec: { template: { spec: { containers: [{ name: 'speaker', args: ['--port=7472'], readinessProbe: { initialDelaySeconds: 10, periodSeconds: 10 } }] } } } };
  const hook = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'metallb-webhook-configuration' } };

  test('controller without webhooks, readiness every 2 s, liveness as upstream; input untouched', () => {
    const out = labMetalLB([controller, speaker, hook]);
    expect(out.map((o) => o.kind)).toEqual(['Deployment', 'DaemonSet']);
    const [c] = containers(out[0]);
    expect(c!.args).toEqual(['--port=7472', '--webhook-mode=disabled', '--disable-cert-rotation=true']);
    expect(c!.readinessProbe).toEqual({ initialDelaySeconds: 1, periodSeconds: 2 });
    expect(c!.livenessProbe).toEqual({ initialDelaySeconds: 10 });
    expect(containers(out[1])[0]!.args).toEqual(['--port=7472']);
    expect(containers(out[1])[0]!.readinessProbe).toEqual({ initialDelaySeconds: 1, periodSeconds: 2 });
    expect(containers(controller)[0]!.args).toEqual(['--port=7472']);
  });

  test('the pinned manifest still has what labMetalLB changes', async () => {
    let dir: string;
    try {
      dir = await moduleDir('go.universe.tf/metallb', LAB.metallb);
    } catch {
      return; // no module cache yet (a fresh machine before lab setup): nothing to compare with
    }
    const file = path.join(dir, 'config', 'manifests', 'metallb-native.yaml');
    const out = labMetalLB(parseManifests(readFileSync(file, 'utf8'), file));
    expect(out.some((o) => o.kind === 'ValidatingWebhookConfiguration')).toBe(false);
    const ctl = out.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'controller');
    expect(containers(ctl).find((c) => c.name === 'controller')!.args).toContain('--webhook-mode=disabled');
    expect(containers(out.find((o) => o.kind === 'DaemonSet'))[0]!.readinessProbe?.periodSeconds).toBe(2);
  });
});
