import { describe, expect, test } from 'vitest';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { SHELL_PORT_ANNOTATION } from '../k8s/pod-shell.ts';
import { hostNetworkEndpoint, netexecHttpPort, nodePairs, podIpOf, podIPs, probePodManifest, workersOf } from './pods.ts';

describe('nodePairs', () => {
  test('two nodes: both directions', () => {
    expect(nodePairs(['w1', 'w2'])).toEqual([{ from: 'w1', to: 'w2' }, { from: 'w2', to: 'w1' }]);
  });
  test('many nodes: a ring over the first cap, not N²', () => {
    expect(nodePairs(['a', 'b', 'c', 'd', 'e'], 3)).toEqual([{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'a' }]);
  });
  test('one node: same-node pair; none: none', () => {
    expect(nodePairs(['solo'])).toEqual([{ from: 'solo', to: 'solo' }]);
    expect(nodePairs([])).toEqual([]);
  });
});

describe('pod IPs', () => {
  const pod: V1Pod = { status: { podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00:10:244:1::5' }] } };
  test('per family', () => {
    expect(podIPs(pod)).toEqual(['10.244.1.5', 'fd00:10:244:1::5']);
    expect(podIpOf(pod, 'IPv6')).toBe('fd00:10:244:1::5');
    expect(podIpOf({ status: { podIP: 'fd00::1' } }, 'IPv4')).toBeUndefined();
  });
});

describe('probePodManifest', () => {
  test('custom netexec ports move the startup probe too', () => {
    const m = probePodManifest('ns', { name: 'h', hostNetwork: true, httpPort: 28080, udpPort: 28081 });
    const c = m.spec!.containers[0]!;
    expect(c.args).toEqual(['netexec', '--http-port=28080', '--udp-port=28081']);
    expect(c.startupProbe?.httpGet?.port).toBe(28080);
    expect(c.readinessProbe).toBeUndefined();
    expect(m.spec!.dnsPolicy).toBe('ClusterFirstWithHostNet');
  });
  test('a command replaces the entrypoint and drops the netexec startup probe', () => {
    const c = probePodManifest('ns', { name: 'x', command: ['sleep', 'infinity'], image: 'r' }).spec!.containers[0]!;
    expect(c.args).toBeUndefined();
    expect(c.startupProbe).toBeUndefined();
    expect(c.image).toBe('r');
  });
  test('declared ports (a hostPort mapping) reach the container', () => {
    const ports = [{ containerPort: 8080, hostPort: 28290, protocol: 'TCP' }];
    expect(probePodManifest('ns', { name: 'hp', ports }).spec!.containers[0]!.ports).toEqual(ports);
    expect(probePodManifest('ns', { name: 'plain' }).spec!.containers[0]!.ports).toBeUndefined();
  });
});

describe('the shell annotation (lib/k8s/pod-shell.ts)', () => {
  const port = (spec: Parameters<typeof probePodManifest>[1]) => probePodManifest('ns', spec).metadata?.annotations?.[SHELL_PORT_ANNOTATION];
  test("names netexec's HTTP port, only for pods that ask and run netexec", () => {
    expect(port({ name: 'a', shell: true })).toBe('8080');
    expect(port({ name: 'a', shell: true, httpPort: 9000 })).toBe('9000');
    expect(port({ ...hostNetworkEndpoint('h', 'n', 28080, 28081, {}), shell: true })).toBe('28080');
    expect(port({ name: 'a' })).toBeUndefined();
    expect(port({ name: 'a', shell: true, command: ['sleep', 'infinity'] })).toBeUndefined();
    expect(port({ name: 'a', shell: true, args: ['pause'] })).toBeUndefined();
  });
  test('netexecHttpPort reads the flag when args are given', () => {
    expect(netexecHttpPort({ args: ['netexec', '--http-port=1234'] })).toBe(1234);
    expect(netexecHttpPort({ args: ['netexec'] })).toBe(8080);
  });
});

describe('workersOf', () => {
  const node = (name: string, cp = false): V1Node => ({ metadata: { name, labels: cp ? { 'node-role.kubernetes.io/control-plane': '' } : {} } });
  test('the nodes without the control-plane role, in order; every node when none is without it', () => {
    expect(workersOf([node('cp', true), node('w1'), node('w2')])).toEqual(['w1', 'w2']);
    expect(workersOf([node('cp', true)])).toEqual(['cp']);
  });
});
