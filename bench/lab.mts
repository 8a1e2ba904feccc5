/**
 * Lab and cluster-lifecycle benchmark: wall time of a warm `lab setup`, and of
 * `up` and `down` per profile × kube-proxy mode × CNI. Usage:
 *   npx tsx bench/lab.mts [profile ...] [--modes iptables,nftables] [--cnis kindnet,flannel] [--repeat N]
 *   (default: ipv6 dual dual-v6 ipv4, iptables only, kindnet only)
 * Prints one JSON line per measurement and a table at the end (min/median/max
 * over the repeats). Clusters are
 * named v6e2e-bench-<label> and always deleted.
 */
import { down, leftovers, up } from '../lib/cluster/kind.ts';
import { CNIS, KUBE_PROXY_MODES, variantLabel, variantOf, type Cni, type KubeProxyMode } from '../lib/cluster/variant.ts';
import { labSetup } from '../lib/lab/index.ts';
import { isProfile, type Profile } from '../lib/profiles.ts';
import { silentProgress, stderrProgress } from '../lib/util/progress.ts';

const argv = process.argv.slice(2);
const option = (flag: string): string[] | undefined => {
  const i = argv.indexOf(flag);
  return i >= 0 ? (argv.splice(i, 2)[1] ?? '').split(',') : undefined;
};
const modes = (option('--modes') ?? ['iptables']).filter((m): m is KubeProxyMode => (KUBE_PROXY_MODES as readonly string[]).includes(m));
const cnis = (option('--cnis') ?? ['kindnet']).filter((c): c is Cni => (CNIS as readonly string[]).includes(c));
const repeat = Math.max(1, Number(option('--repeat')?.[0] ?? '1'));
const profiles = (argv.length ? argv : ['ipv6', 'dual', 'dual-v6', 'ipv4']).filter((p): p is Profile => isProfile(p));
const rows: { what: string; seconds: number[] }[] = [];

async function time<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const out = await fn();
  const seconds = Number(((performance.now() - t) / 1000).toFixed(1));
  const row = rows.find((r) => r.what === what);
  if (row) row.seconds.push(seconds);
  else rows.push({ what, seconds: [seconds] });
  console.log(JSON.stringify({ what, seconds }));
  return out;
}

const progress = process.env.BENCH_VERBOSE ? stderrProgress('bench') : silentProgress;
await time('lab setup (warm)', () => labSetup({ progress }));
for (const profile of profiles) {
  for (const kubeProxyMode of modes) {
    for (const cni of cnis) {
      const variant = variantOf(profile, { kubeProxyMode, cni, addressing: {} });
      const label = variantLabel(variant);
      const name = `v6e2e-bench-${label}`;
      for (let i = 0; i < repeat; i++) {
        try {
          await time(`up ${label} (kube-proxy ${kubeProxyMode}, ${cni}; 3 nodes Ready, CoreDNS, edge, MetalLB)`, () => up({ variant, name, progress }));
        } finally {
          await time(`down ${label}`, () => down({ name, progress }));
        }
        const left = await leftovers(name);
        if (left.containers.length || left.networks.length) console.log(JSON.stringify({ leftovers: left }));
      }
    }
  }
}
console.log('\n| measurement | runs | min s | median s | max s |\n|---|---:|---:|---:|---:|');
for (const r of rows) {
  const s = [...r.seconds].sort((a, b) => a - b);
  console.log(`| ${r.what} | ${s.length} | ${s[0]} | ${s[Math.floor((s.length - 1) / 2)]} | ${s.at(-1)} |`);
}
