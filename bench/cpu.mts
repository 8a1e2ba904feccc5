/**
 * Where a run's CPU went, from the kernel's cgroup accounting: the whole machine, each
 * container of the run's cluster (its pods, and the rest: kubelet, containerd, runc, the
 * CNI plugins), and everything outside containers (the runner, dockerd). On 2 cores a
 * run is CPU-bound: its wall time follows its CPU seconds, so this says what to cut.
 * cgroup v1 (cpuacct) and v2 (cpu.stat), Docker's cgroupfs or systemd layout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

/** Cumulative CPU nanoseconds by cgroup directory. */
type Usage = Map<string, number>;

interface Layout {
  root: string;
  /** The cgroup directory of a container, by its full id. */
  container: (id: string) => string;
  read: (dir: string) => number | undefined;
}

function readNs(file: string, parse: (text: string) => number | undefined): number | undefined {
  try {
    return parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function layout(): Layout | undefined {
  const v1 = '/sys/fs/cgroup/cpuacct';
  if (fs.existsSync(path.join(v1, 'cpuacct.usage'))) {
    return { root: v1, container: (id) => path.join(v1, 'docker', id), read: (d) => readNs(path.join(d, 'cpuacct.usage'), (t) => Number(t.trim())) };
  }
  const v2 = '/sys/fs/cgroup';
  if (fs.existsSync(path.join(v2, 'cgroup.controllers'))) {
    const usec = (t: string) => {
      const m = /^usage_usec (\d+)$/m.exec(t);
      return m ? Number(m[1]) * 1000 : undefined;
    };
    const container = (id: string) => [path.join(v2, 'system.slice', `docker-${id}.scope`), path.join(v2, 'docker', id)].find((d) => fs.existsSync(d)) ?? path.join(v2, 'docker', id);
    // v2's root has no cpu.stat on older kernels: /proc/stat's total busy time stands in.
    const read = (d: string) => readNs(path.join(d, 'cpu.stat'), usec) ?? (d === v2 ? procStatBusyNs() : undefined);
    return { root: v2, container, read };
  }
  return undefined;
}

function procStatBusyNs(): number | undefined {
  return readNs('/proc/stat', (t) => {
    const f = t.split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait, in USER_HZ (100).
    const busy = f.reduce((a, b) => a + b, 0) - (f[3] ?? 0) - (f[4] ?? 0);
    return (busy * 1e9) / 100;
  });
}

/** The kubepods subtree of a kind node's cgroup (cgroup driver systemd or cgroupfs). */
function podsDir(node: string): string | undefined {
  return [path.join(node, 'kubelet.slice', 'kubelet-kubepods.slice'), path.join(node, 'kubepods.slice'), path.join(node, 'kubepods')].find((d) => fs.existsSync(d));
}

export interface CpuSnapshot {
  usage: Usage;
  /** Container name by full id, for the containers alive at the snapshot. */
  names: Map<string, string>;
}

/** Undefined where this machine has no cgroup CPU accounting to read. */
export async function cpuSnapshot(): Promise<CpuSnapshot | undefined> {
  const l = layout();
  if (!l) return undefined;
  const usage: Usage = new Map();
  const put = (d: string | undefined) => {
    const v = d ? l.read(d) : undefined;
    if (d && v !== undefined) usage.set(d, v);
  };
  put(l.root);
  const ps = await execa('docker', ['ps', '--no-trunc', '--format', '{{.ID}} {{.Names}}'], { reject: false });
  const names = new Map<string, string>();
  for (const line of ps.stdout.split('\n').filter(Boolean)) {
    const [id, name] = line.split(' ');
    if (!id || !name) continue;
    names.set(id, name);
    const dir = l.container(id);
    put(dir);
    put(podsDir(dir));
  }
  return { usage, names };
}

export interface CpuSpent {
  /** Seconds of CPU, all cores together. */
  totalS: number;
  /** Outside every container alive at both ends: the runner, dockerd. */
  outsideS: number;
  containers: { name: string; totalS: number; podsS?: number }[];
}

/** CPU seconds between two snapshots, per container alive at both. */
export function cpuSpent(a: CpuSnapshot, b: CpuSnapshot): CpuSpent | undefined {
  const l = layout();
  if (!l) return undefined;
  const d = (dir: string | undefined) => (dir && a.usage.has(dir) && b.usage.has(dir) ? (b.usage.get(dir)! - a.usage.get(dir)!) / 1e9 : undefined);
  const totalS = d(l.root);
  if (totalS === undefined) return undefined;
  const containers: CpuSpent['containers'] = [];
  for (const [id, name] of b.names) {
    const dir = l.container(id);
    const t = d(dir);
    if (t === undefined) continue;
    const pods = d(podsDir(dir));
    containers.push({ name, totalS: t, ...(pods !== undefined ? { podsS: pods } : {}) });
  }
  containers.sort((x, y) => y.totalS - x.totalS);
  return { totalS, outsideS: totalS - containers.reduce((s, c) => s + c.totalS, 0), containers };
}

/** One line: total, cores busy on average over `wallS`, each container (a node's pods in brackets), the rest. */
export function describeCpu(c: CpuSpent, wallS: number): string {
  const r = (x: number) => x.toFixed(0);
  const parts = c.containers.filter((x) => x.totalS >= 0.5).map((x) => `${x.name} ${r(x.totalS)}${x.podsS !== undefined ? ` (pods ${r(x.podsS)})` : ''}`);
  return `CPU ${r(c.totalS)} s, ${(c.totalS / wallS).toFixed(2)} cores busy: ${parts.join(', ')}; outside containers (runner, dockerd) ${r(c.outsideS)}`;
}
