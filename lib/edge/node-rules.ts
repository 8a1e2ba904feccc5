/**
 * Faults seeded on a kind node: one DROP rule in the family's iptables, matching only
 * what the fault test names (its pod IP, its Service port) and tagged
 * `v6e2e-fault-<namespace>`, so helpers sharing the cluster are not hit. Its packet
 * counter proves the rule really dropped the probe. Two places, either kube-proxy mode:
 * - raw PREROUTING, before kube-proxy's DNAT: matches what the client dialled (a NodePort);
 * - mangle FORWARD, after DNAT: matches the chosen pod, also when the client is on the
 *   pod's own node (there raw PREROUTING still sees the ClusterIP or node address);
 * - raw OUTPUT: what the node itself sends (a hostNetwork client's packets).
 */
import type { IPFamily } from '../net/family.ts';
import { execIn, type ExecOutput } from '../util/docker-api.ts';

/** A bound for one iptables call in a node (it waits up to 5 s for the xtables lock). */
const XTABLES_TIMEOUT_MS = 30_000;

/**
 * iptables or ip6tables in a node container, waiting up to 5 s for the xtables lock; a
 * non-zero exit is returned. Through the Engine API: a run makes ~150 of these, and the
 * docker CLI's process cost ~25 ms of CPU more per call.
 */
export function xtablesIn(node: string, family: IPFamily, args: readonly string[]): Promise<ExecOutput> {
  return execIn(node, [family === 'IPv6' ? 'ip6tables' : 'iptables', '-w', '5', ...args], { timeoutMs: XTABLES_TIMEOUT_MS });
}

export interface NodeDrop {
  node: string;
  family: IPFamily;
  /** The match, e.g. `['-d', 'fd00::7/128', '-p', 'tcp', '--dport', '8080']`. */
  match: readonly string[];
  /** The comment: `v6e2e-fault-<namespace>`. */
  tag: string;
  /** Drop after DNAT (mangle FORWARD) instead of before it (raw PREROUTING, the default). */
  afterDnat?: boolean;
  /** Drop what the node itself sends (raw OUTPUT), e.g. a hostNetwork pod's requests. */
  outgoing?: boolean;
}

function where(d: Pick<NodeDrop, 'afterDnat' | 'outgoing'>): { table: string; chain: string } {
  if (d.outgoing) return { table: 'raw', chain: 'OUTPUT' };
  return d.afterDnat ? { table: 'mangle', chain: 'FORWARD' } : { table: 'raw', chain: 'PREROUTING' };
}

/** The fault tag of a namespace's fault rules. */
export function faultTag(namespace: string): string {
  return `v6e2e-fault-${namespace}`;
}

function rule(d: NodeDrop): string[] {
  return [where(d).chain, ...d.match, '-m', 'comment', '--comment', d.tag, '-j', 'DROP'];
}

/** The xtables argv (after the tool) that inserts or deletes the drop: the same rule both ways. Pure. */
export function dropArgs(d: NodeDrop, op: '-I' | '-D'): string[] {
  return ['-t', where(d).table, op, ...rule(d)];
}

export async function seedDrop(d: NodeDrop): Promise<void> {
  const r = await xtablesIn(d.node, d.family, dropArgs(d, '-I'));
  if (r.exitCode !== 0) throw new Error(`seeding ${d.family} drop [${d.match.join(' ')}] on ${d.node}: ${r.stderr}`);
}

export async function removeDrop(d: NodeDrop): Promise<void> {
  const r = await xtablesIn(d.node, d.family, dropArgs(d, '-D'));
  if (r.exitCode !== 0) throw new Error(`restoring ${d.node}: removing ${d.family} drop [${d.match.join(' ')}] failed: ${r.stderr}`);
}

/** Packets the drop's rule counted (summed over its tag's rules in its chain), or undefined when none is there. */
export async function droppedBy(d: NodeDrop): Promise<number | undefined> {
  const { table, chain } = where(d);
  const r = await xtablesIn(d.node, d.family, ['-t', table, '-L', chain, '-v', '-n', '-x']);
  const lines = r.stdout.split('\n').filter((l) => l.includes(d.tag));
  return lines.length ? lines.reduce((n, l) => n + Number(l.trim().split(/\s+/)[0]), 0) : undefined;
}

/** Seeds the drops, runs `body`, and removes every seeded drop afterwards whatever happened. */
export async function withDrops<T>(drops: readonly NodeDrop[], body: () => Promise<T>): Promise<T> {
  const seeded: NodeDrop[] = [];
  try {
    for (const d of drops) {
      await seedDrop(d);
      seeded.push(d);
    }
    return await body();
  } finally {
    for (const d of seeded) await removeDrop(d);
  }
}

/** `-p icmp --icmp-type echo-request` or its ICMPv6 twin: the match for echo requests of the family. */
export function echoRequestMatch(family: IPFamily): string[] {
  return family === 'IPv6' ? ['-p', 'ipv6-icmp', '--icmpv6-type', 'echo-request'] : ['-p', 'icmp', '--icmp-type', 'echo-request'];
}

/** A fault rule found in a node's `iptables-save` output: its table, its spec after `-A`, and the namespace in its tag. */
export interface SavedFaultRule {
  table: string;
  spec: string[];
  namespace: string;
}

/**
 * The fault rules (`--comment v6e2e-fault-<namespace>`) in `iptables-save` output. Pure. Our
 * rules hold no quoted words, so a line splits on blanks into the very argv `-D` takes.
 */
export function faultRulesIn(saved: string): SavedFaultRule[] {
  const out: SavedFaultRule[] = [];
  let table = '';
  for (const line of saved.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const tag = /--comment "?v6e2e-fault-([a-z0-9-]+)"?(\s|$)/.exec(line);
    if (!line.startsWith('-A ') || !tag || line.includes('"')) continue;
    out.push({ table, spec: line.slice(3).trim().split(/\s+/), namespace: tag[1]! });
  }
  return out;
}

/**
 * Removes the fault rules whose namespace is not live: those a run left when it was stopped
 * before its `finally` (Ctrl-C twice, a killed worker). Such a rule drops traffic to an IP
 * that a later pod may be given, and fails that run's checks. Returns how many went, per node.
 */
export async function removeStaleFaultRules(nodes: readonly string[], live: (namespace: string) => boolean): Promise<Map<string, number>> {
  const removed = new Map<string, number>();
  await Promise.all(
    nodes.flatMap((node) =>
      (['IPv4', 'IPv6'] as const).map(async (family) => {
        const saved = await execIn(node, [family === 'IPv6' ? 'ip6tables-save' : 'iptables-save'], { timeoutMs: XTABLES_TIMEOUT_MS });
        if (saved.exitCode !== 0) return;
        for (const r of faultRulesIn(saved.stdout).filter((x) => !live(x.namespace))) {
          const d = await xtablesIn(node, family, ['-t', r.table, '-D', ...r.spec]);
          if (d.exitCode === 0) removed.set(node, (removed.get(node) ?? 0) + 1);
        }
      }),
    ),
  );
  return removed;
}
