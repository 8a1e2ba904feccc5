/**
 * Fault rules on kind nodes: one iptables/ip6tables rule per family, inserted first in
 * its chain and tagged with a comment naming the test's namespace, so a fault test can
 * seed a narrowly scoped drop (its own pods' IPs and Service ports only) and remove
 * exactly what it added — other tests share the cluster. DROP in any table is final in
 * both kube-proxy modes (iptables and nftables hooks alike).
 */
import type { IPFamily } from '../net/family.ts';
import { dockerTry, type DockerResult } from '../util/docker.ts';

export interface NodeRule {
  /** kind node container. */
  node: string;
  family: IPFamily;
  table: 'raw' | 'mangle' | 'filter';
  chain: string;
  /** Match arguments (`-s … -d … -p tcp --dport …`); the comment and `-j DROP` are added. */
  match: readonly string[];
  /** `v6e2e-fault-<namespace>`: finds the rule on the node and says who put it there. */
  comment: string;
}

/** The tool for the family. */
export function xtables(family: IPFamily): 'iptables' | 'ip6tables' {
  return family === 'IPv4' ? 'iptables' : 'ip6tables';
}

/** The argv (after the tool) that inserts (`-I`) or deletes (`-D`) the rule. Pure. */
export function ruleArgs(r: NodeRule, op: '-I' | '-D'): string[] {
  return ['-w', '5', '-t', r.table, op, r.chain, ...r.match, '-m', 'comment', '--comment', r.comment, '-j', 'DROP'];
}

/** `ip6tables -t raw PREROUTING -s … -j DROP on dev-worker`: a rule in messages. */
export function describeRule(r: NodeRule): string {
  return `${xtables(r.family)} -t ${r.table} ${r.chain} ${r.match.join(' ')} -j DROP on ${r.node}`;
}

function run(r: NodeRule, op: '-I' | '-D'): Promise<DockerResult> {
  return dockerTry(['exec', r.node, xtables(r.family), ...ruleArgs(r, op)], { timeout: 30_000 });
}

/**
 * Inserts the rules, runs `fn`, and deletes every rule inserted, whatever `fn` did. A rule
 * that cannot be inserted throws (after removing the ones already in) with the tool's error.
 */
export async function withNodeRules<T>(rules: readonly NodeRule[], fn: () => Promise<T>): Promise<T> {
  const added: NodeRule[] = [];
  try {
    for (const r of rules) {
      const res = await run(r, '-I');
      if (res.exitCode !== 0) throw new Error(`seeding ${describeRule(r)} failed: ${res.stderr.trim()}`);
      added.push(r);
    }
    return await fn();
  } finally {
    for (const r of added.reverse()) {
      const res = await run(r, '-D');
      if (res.exitCode !== 0) console.warn(`removing ${describeRule(r)} failed: ${res.stderr.trim()}`);
    }
  }
}
