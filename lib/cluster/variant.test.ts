import { describe, expect, test } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { IMAGES } from '../lab/versions.ts';
import { flannelNetConf, flannelObjects } from './flannel.ts';
import { DEFAULT_VARIANT_FLAGS, kindClusterConfig, variantArgv, variantLabel, variantOf, type VariantFlags } from './variant.ts';

const guide: VariantFlags = {
  kubeProxyMode: 'iptables',
  cni: 'kindnet',
  addressing: { podSubnet: '2001:db8:42::/104', serviceSubnet: '2001:db8:43::/112', nodeCidrMaskIPv6: '120' },
};

describe('cluster variants', () => {
  test('labels say what differs from the base variant', () => {
    expect(variantLabel(variantOf('ipv6', DEFAULT_VARIANT_FLAGS))).toBe('ipv6');
    expect(variantLabel(variantOf('dual', { ...DEFAULT_VARIANT_FLAGS, kubeProxyMode: 'nftables', cni: 'flannel' }))).toBe('dual-nft-flannel');
    expect(variantLabel(variantOf('ipv6', guide))).toMatch(/^ipv6-net[0-9a-f]{4}$/);
  });

  test('kind config carries mode, CNI, ranges and node masks', () => {
    const cfg = kindClusterConfig(variantOf('ipv6', { ...guide, kubeProxyMode: 'nftables', cni: 'flannel' }));
    expect(cfg.networking).toMatchObject({
      ipFamily: 'ipv6',
      kubeProxyMode: 'nftables',
      disableDefaultCNI: true,
      podSubnet: '2001:db8:42::/104',
      serviceSubnet: '2001:db8:43::/112',
    });
    expect((cfg.kubeadmConfigPatches as string[]).join('\n')).toMatch(/node-cidr-mask-size-ipv6: "120"/);
    const dual = kindClusterConfig(variantOf('dual-v6', DEFAULT_VARIANT_FLAGS));
    expect(dual.networking).toMatchObject({ podSubnet: 'fd00:10:244::/56,10.244.0.0/16', kubeProxyMode: 'iptables' });
    expect((dual.networking as Record<string, unknown>).disableDefaultCNI).toBeUndefined();
    expect(dual.nodes).toHaveLength(3);
  });

  test('variantArgv recreates the flags (children of a parallel run)', () => {
    expect(variantArgv(DEFAULT_VARIANT_FLAGS)).toEqual([]);
    expect(variantArgv({ ...guide, kubeProxyMode: 'nftables' })).toEqual([
      '--kube-proxy-mode', 'nftables', '--pod-subnet', '2001:db8:42::/104', '--service-subnet', '2001:db8:43::/112', '--node-cidr-mask-ipv6', '120',
    ]);
  });
});

describe('flannel manifest', () => {
  test('net-conf: IPv6-only disables IPv4; node subnet lengths follow the plan', () => {
    expect(flannelNetConf(variantOf('ipv6', guide))).toEqual({
      EnableIPv4: false, EnableIPv6: true, IPv6Network: '2001:db8:42::/104', IPv6SubnetLen: 120, EnableNFTables: false, Backend: { Type: 'vxlan' },
    });
    expect(flannelNetConf(variantOf('dual', DEFAULT_VARIANT_FLAGS))).toMatchObject({
      EnableIPv4: true, Network: '10.244.0.0/16', SubnetLen: 24, EnableIPv6: true, IPv6Network: 'fd00:10:244::/56', IPv6SubnetLen: 64,
    });
  });

  test("upstream's objects get the lab image, a plain copy for the CNI config and --iface", () => {
    const upstream = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel' }, data: { 'net-conf.json': '{}' } },
      {
        apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-flannel-ds', namespace: 'kube-flannel' },
        spec: { selector: {}, template: { spec: {
          initContainers: [{ name: 'install-cni-plugin', image: 'x' }, { name: 'install-cni', image: 'x', command: ['/opt/bin/install-conf'] }],
          containers: [{ name: 'kube-flannel', image: 'x', args: ['--ip-masq', '--kube-subnet-mgr'] }],
        } } },
      },
    ] as unknown as KubernetesObject[];
    const [cm, ds] = flannelObjects(upstream, variantOf('ipv6', DEFAULT_VARIANT_FLAGS)) as [{ data: Record<string, string> }, { spec: { template: { spec: { initContainers: { image: string; command?: string[] }[]; containers: { image: string; args: string[] }[] } } } }];
    expect(JSON.parse(cm.data['net-conf.json']!)).toMatchObject({ EnableIPv4: false, IPv6Network: 'fd00:10:244::/56' });
    expect(JSON.parse(cm.data['cni-conf.json']!).cniVersion).toBe('0.4.0');
    const pod = ds.spec.template.spec;
    expect([...pod.initContainers, ...pod.containers].every((c) => c.image === IMAGES.flannel)).toBe(true);
    expect(pod.initContainers[1]!.command).toEqual(['cp']);
    expect(pod.containers[0]!.args).toContain('--iface=eth0');
    // the input is not changed
    expect((upstream[1] as unknown as typeof ds).spec.template.spec.containers[0]!.image).toBe('x');
  });
});
