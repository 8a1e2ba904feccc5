import { describe, expect, test } from 'vitest';
import { compilerErrors } from '../lab/gobuild.ts';
import { treeImageRecipes, type TreeBinaries } from './build.ts';

describe('tree build', () => {
  test("a failed go build -v keeps the compiler's lines, not the package list", () => {
    const out = [
      'k8s.io/api/core/v1',
      'k8s.io/kubernetes/pkg/proxy/iptables',
      '# k8s.io/kubernetes/pkg/proxy/iptables',
      'pkg/proxy/iptables/zz_broken.go:3:14: syntax error: unexpected {, expected )',
      'k8s.io/kubernetes/cmd/kubelet',
    ].join('\n');
    expect(compilerErrors(out)).toEqual(['# k8s.io/kubernetes/pkg/proxy/iptables', 'pkg/proxy/iptables/zz_broken.go:3:14: syntax error: unexpected {, expected )']);
  });

  test('each image is tagged by its binary content, so an unchanged binary reuses its image across tree states', () => {
    const bin = Object.fromEntries(
      ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'kubeadm', 'kubectl', 'kubelet'].map((c) => [c, `/lab/bin/kubernetes-src-objects/${c.length}abc/${c}`]),
    ) as TreeBinaries;
    const r = treeImageRecipes(bin);
    expect(r.map((x) => x.tags[0])).toEqual([
      'v6e2e.local/kubernetes-src/kube-apiserver:14abc',
      'v6e2e.local/kubernetes-src/kube-controller-manager:23abc',
      'v6e2e.local/kubernetes-src/kube-scheduler:14abc',
      'v6e2e.local/kubernetes-src/kube-proxy:10abc',
    ]);
    expect(r.find((x) => x.id === 'src-kube-proxy')?.files['bin/kube-proxy']).toBe(bin['kube-proxy']);
  });
});
