/**
 * Lab and cluster-lifecycle benchmark: wall time of a warm `lab setup`, and of
 * `up` and `down` per profile. Usage:
 *   npx tsx bench/lab.mts [profile ...]      (default: ipv6 dual dual-v6 ipv4)
 * Prints one JSON line per measurement and a table at the end. Clusters are
 * named v6e2e-bench-<profile> and always deleted.
 */
import { down, leftovers, up } from '../lib/cluster/kind.ts';
import { labSetup } from '../lib/lab/index.ts';
import { isProfile, type Profile } from '../lib/profiles.ts';
import { silentProgress, stderrProgress } from '../lib/util/progress.ts';

const args = process.argv.slice(2);
const profiles = (args.length ? args : ['ipv6', 'dual', 'dual-v6', 'ipv4']).filter((p): p is Profile => isProfile(p));
const rows: { what: string; seconds: number }[] = [];

async function time<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const out = await fn();
  const seconds = Number(((performance.now() - t) / 1000).toFixed(1));
  rows.push({ what, seconds });
  console.log(JSON.stringify({ what, seconds }));
  return out;
}

const progress = process.env.BENCH_VERBOSE ? stderrProgress('bench') : silentProgress;
await time('lab setup (warm)', () => labSetup({ progress }));
for (const profile of profiles) {
  const name = `v6e2e-bench-${profile}`;
  try {
    await time(`up ${profile} (3 nodes Ready, CoreDNS, edge, MetalLB)`, () => up({ profile, name, progress }));
  } finally {
    await time(`down ${profile}`, () => down({ name, progress }));
  }
  const left = await leftovers(name);
  if (left.containers.length || left.networks.length) console.log(JSON.stringify({ leftovers: left }));
}
console.log('\n| measurement | seconds |\n|---|---|');
for (const r of rows) console.log(`| ${r.what} | ${r.seconds} |`);
