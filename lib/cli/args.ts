/**
 * Command-line parsing, dependency-free. Every bad input becomes a UsageError whose
 * one-line message lists the valid choices, so a typo costs one re-run, not a search.
 */
import path from 'node:path';
import { inspectKubernetesTree, type KubernetesTree } from '../kubesrc/tree.ts';
import { InvalidAddressError, parseHostPort, hostPort } from '../net/family.ts';
import { parsePref64 } from '../net/rfc6052.ts';
import { isProfile, isSuite, PROFILES, SUITES, type Profile, type Suite } from '../profiles.ts';
import { UsageError } from '../util/errors.ts';
import {
  CNIS,
  DEFAULT_VARIANT_FLAGS,
  defaultVariantClusterName,
  KUBE_PROXY_MODES,
  variantFlagsGiven,
  variantOf,
  type ClusterVariant,
  type VariantFlags,
} from '../cluster/variant.ts';

export type { Profile, Suite } from '../profiles.ts';
export { PROFILES, SUITES } from '../profiles.ts';

export const COMMANDS = ['run', 'up', 'down', 'lab', 'test', 'report', 'list-checks'] as const;
export type CommandName = (typeof COMMANDS)[number];

export type Dns64Mode = 'coredns' | 'upstream';
export const DNS64_MODES: readonly Dns64Mode[] = ['coredns', 'upstream'];

export interface RunArgs {
  command: 'run';
  /** Profiles to create clusters for, `all` expanded. Empty: an existing cluster, or the default. */
  profiles: Profile[];
  name?: string;
  reuse: boolean;
  keep: boolean;
  kubeconfig?: string;
  context?: string;
  /** Empty: every suite. */
  suites: Suite[];
  /** Also run the harness self-tests (kind `fault`): seed each fault and expect its check to catch it. */
  selfTest: boolean;
  reportDir?: string;
  dns64Mode?: Dns64Mode;
  /** Normalized, e.g. `64:ff9b::/96`. */
  nat64Prefix?: string;
  /** Normalized `host:port` (`[v6]:port`). */
  nat64Target?: string;
  gate?: string;
  /** Previous report dir whose Allure history the HTML report continues. */
  history?: string;
  /** Generate `<report-dir>/html/` at the end (default true; `--no-html`). */
  html: boolean;
  /** With several profiles: how many run at once, each in its own process (default 1). */
  parallel: number;
  /** Files of checks at once against each cluster (`--concurrency`); undefined: the default. */
  concurrency?: number;
  /** `i/n`: run only the i-th of n parts of the suites' files (vitest --shard); merge with `v6e2e report`. */
  shard?: string;
  /** kube-proxy mode, CNI and addressing of the clusters the run creates (validated for every profile). */
  variant: VariantFlags;
}

export interface UpArgs {
  command: 'up';
  variant: ClusterVariant;
  flags: VariantFlags;
  name?: string;
}

export interface DownArgs {
  command: 'down';
  name?: string;
  /** With --profile: the variant whose default-named cluster goes. */
  variant?: ClusterVariant;
}

export interface LabArgs {
  command: 'lab';
  action: 'setup' | 'status';
  /** `lab setup --kubernetes-src DIR`: also build that tree's Kubernetes and node image. */
  kubernetes?: KubernetesTree;
}

export interface TestArgs {
  command: 'test';
  /** Passed to vitest as given. */
  vitestArgs: string[];
}

export interface ReportArgs {
  command: 'report';
  dirs: string[];
  /** Write merged summary.json/md, junit.xml, allure-results/ here; without it print summary.md. */
  out?: string;
  gate?: string;
  /** With --out: also generate `<out>/html/`. */
  html: boolean;
  history?: string;
}

export interface ListChecksArgs {
  command: 'list-checks';
  suites: Suite[];
  /** One JSON object per check (id, family, kind, disruptive, suite, title) instead of ids. */
  json: boolean;
}

export interface HelpArgs {
  command: 'help';
  topic?: CommandName;
}

export interface VersionArgs {
  command: 'version';
}

export type ParsedArgs = RunArgs | UpArgs | DownArgs | LabArgs | TestArgs | ReportArgs | ListChecksArgs | HelpArgs | VersionArgs;

/** Default cluster name of a profile's base variant (kindnet, iptables, kind's ranges): `v6e2e-<profile>`. */
export function defaultClusterName(profile: Profile): string {
  return defaultVariantClusterName(variantOf(profile, DEFAULT_VARIANT_FLAGS));
}

/**
 * The cluster `run --name <name>` uses for a variant label (`ipv6`, `dual-nft-flannel`,
 * see variantLabel): without a name `v6e2e-<label>`; with several profiles the name
 * is a prefix (`<name>-<label>`), with one it is the name.
 */
export function runClusterName(name: string | undefined, label: string, profileCount: number): string {
  if (name === undefined) return `v6e2e-${label}`;
  return profileCount > 1 ? `${name}-${label}` : name;
}

/** The `--name` that makes `run --profile <profiles>` use clusters `<prefix>-<label>` (the inverse of runClusterName). */
export function nameForPrefix(prefix: string, labels: readonly string[]): string {
  return labels.length === 1 ? `${prefix}-${labels[0]}` : prefix;
}

const HELP_FLAGS = new Set(['--help', '-h']);

const list = (xs: readonly string[]) => xs.join(', ');

interface FlagSpec {
  /** Takes a value (`--flag v` / `--flag=v`) or is a switch. */
  value: boolean;
  /** For values: a hint shown when the value is missing. */
  hint?: string;
}

/** Flags that shape a lab cluster: run, up and down (down finds the default name by them). */
const VARIANT_FLAGS: Record<string, FlagSpec> = {
  '--kube-proxy-mode': { value: true, hint: `one of: ${KUBE_PROXY_MODES.join(', ')}` },
  '--cni': { value: true, hint: `one of: ${CNIS.join(', ')}` },
  '--pod-subnet': { value: true, hint: 'CIDRs, primary family first, e.g. 2001:db8:42::/104' },
  '--service-subnet': { value: true, hint: 'CIDRs, primary family first, e.g. 2001:db8:43::/112' },
  '--node-cidr-mask-ipv4': { value: true, hint: 'a prefix length such as 24' },
  '--node-cidr-mask-ipv6': { value: true, hint: 'a prefix length such as 120' },
  '--kubernetes-src': { value: true, hint: 'the top of a Kubernetes 1.34 git checkout' },
};

const RUN_FLAGS: Record<string, FlagSpec> = {
  '--profile': { value: true, hint: `one of: ${list([...PROFILES, 'all'])}` },
  '--name': { value: true, hint: 'a cluster name' },
  '--reuse': { value: false },
  '--keep': { value: false },
  '--kubeconfig': { value: true, hint: 'a kubeconfig file' },
  '--context': { value: true, hint: 'a kubeconfig context' },
  '--suite': { value: true, hint: `one or more of: ${list(SUITES)}` },
  '--report-dir': { value: true, hint: 'a directory' },
  '--dns64-mode': { value: true, hint: `one of: ${list(DNS64_MODES)}` },
  '--nat64-prefix': { value: true, hint: 'an RFC 6052 prefix such as 64:ff9b::/96' },
  '--nat64-target': { value: true, hint: 'host:port, IPv6 as [addr]:port' },
  '--gate': { value: true, hint: 'a gate file: one check id or glob per line' },
  '--history': { value: true, hint: 'a previous report directory' },
  '--no-html': { value: false },
  '--self-test': { value: false },
  '--parallel': { value: true, hint: 'how many profiles run at once, e.g. 2' },
  '--concurrency': { value: true, hint: 'how many files of checks run at once against a cluster, e.g. 3' },
  '--shard': { value: true, hint: 'i/n, e.g. 1/3' },
  ...VARIANT_FLAGS,
};
const REPORT_FLAGS: Record<string, FlagSpec> = {
  '--out': { value: true, hint: 'a directory for the merged report' },
  '--gate': { value: true, hint: 'a gate file: one check id or glob per line' },
  '--html': { value: false },
  '--history': { value: true, hint: 'a previous report directory' },
};
const LIST_FLAGS: Record<string, FlagSpec> = {
  '--suite': { value: true, hint: `one or more of: ${list(SUITES)}` },
  '--json': { value: false },
};
const UP_FLAGS: Record<string, FlagSpec> = {
  '--profile': { value: true, hint: `one of: ${list(PROFILES)}` },
  '--name': { value: true, hint: 'a cluster name' },
  ...VARIANT_FLAGS,
};
const DOWN_FLAGS: Record<string, FlagSpec> = {
  '--name': { value: true, hint: 'a cluster name' },
  '--profile': { value: true, hint: `one of: ${list(PROFILES)}` },
  ...VARIANT_FLAGS,
};

interface Token {
  flag: string;
  value?: string;
}

/**
 * Splits argv into flags (with values) and positionals against a flag table.
 * `--suite` is greedy: `--suite a b` and `--suite a,b` both select two suites.
 */
function tokenize(command: CommandName, argv: string[], flags: Record<string, FlagSpec>): { tokens: Token[]; positionals: string[] } {
  const tokens: Token[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = flags[flag];
    if (!spec) {
      const valid = Object.keys(flags);
      throw new UsageError(
        `unknown flag ${flag} for "${command}"; ${valid.length > 0 ? `valid flags: ${list(valid)}` : 'it takes no flags'} (see v6e2e ${command} --help)`,
      );
    }
    if (!spec.value) {
      if (eq > 0) throw new UsageError(`${flag} takes no value (got "${arg.slice(eq + 1)}")`);
      tokens.push({ flag });
      continue;
    }
    let value: string | undefined;
    if (eq > 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        value = next;
        i++;
      }
    }
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value (${spec.hint ?? 'a value'})`);
    tokens.push({ flag, value });
    if (flag === '--suite') {
      // greedy: following non-flag words are more suites
      while (argv[i + 1] !== undefined && !(argv[i + 1] ?? '').startsWith('-')) {
        tokens.push({ flag, value: argv[++i] ?? '' });
      }
    }
  }
  return { tokens, positionals };
}

function once(tokens: Token[], flag: string): string | undefined {
  const found = tokens.filter((t) => t.flag === flag);
  if (found.length > 1) throw new UsageError(`${flag} given ${found.length} times; give it once`);
  return found[0]?.value;
}

/** `run --profile` text: one profile, `all`, or a comma list (in the order given, without repeats). */
export function parseProfiles(value: string): Profile[] {
  return parseProfile(value, true);
}

/** `--parallel` text: a whole number of profiles to run at once, 1 or more. */
export function parseParallel(value: string): number {
  return wholeNumber('--parallel', 'profiles to run at once', value);
}

function wholeNumber(flag: string, what: string, value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag} needs a whole number of ${what}, 1 or more (got "${value}")`);
  }
  return n;
}

function parseProfile(value: string, allowAll: boolean): Profile[] {
  const choices = allowAll ? [...PROFILES, 'all'] : PROFILES;
  // run takes several: `all`, or a comma list such as `ipv6,dual` (in that order)
  const words = allowAll ? value.split(',').map((w) => w.trim()).filter((w) => w !== '') : [value];
  const out: Profile[] = [];
  for (const w of words) {
    const add = allowAll && w === 'all' ? [...PROFILES] : isProfile(w) ? [w] : undefined;
    if (!add) throw new UsageError(`unknown profile "${w}"; use one of: ${list(choices)}${allowAll ? ' (or a comma list)' : ''}`);
    for (const p of add) if (!out.includes(p)) out.push(p);
  }
  if (out.length === 0) throw new UsageError(`--profile needs a value (one of: ${list(choices)})`);
  return out;
}

function parseSuites(tokens: Token[]): Suite[] {
  const out: Suite[] = [];
  for (const t of tokens.filter((x) => x.flag === '--suite')) {
    for (const raw of (t.value ?? '').split(',')) {
      const s = raw.trim();
      if (s === '') continue;
      if (!isSuite(s)) throw new UsageError(`unknown suite "${s}"; use one or more of: ${list(SUITES)}`);
      if (!out.includes(s)) out.push(s);
    }
  }
  return out;
}

/** kind names clusters, containers and the `kind-<name>` context after this. */
function checkName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 40) {
    throw new UsageError(`cluster name "${name}" is not valid; use lowercase letters, digits and '-', at most 40 characters`);
  }
  return name;
}

function noPositionals(command: CommandName, positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" for "${command}" (see v6e2e ${command} --help)`);
}

/** The variant flags; the addressing plan is checked against every profile it will shape. */
function parseVariantFlags(tokens: Token[], profiles: readonly Profile[]): VariantFlags {
  const mode = once(tokens, '--kube-proxy-mode');
  if (mode !== undefined && !(KUBE_PROXY_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`unknown --kube-proxy-mode "${mode}"; use one of: ${list(KUBE_PROXY_MODES)} (this kernel has no IPVS)`);
  }
  const cni = once(tokens, '--cni');
  if (cni !== undefined && !(CNIS as readonly string[]).includes(cni)) {
    throw new UsageError(`unknown --cni "${cni}"; use one of: ${list(CNIS)} (other CNIs: test your own cluster with --kubeconfig)`);
  }
  const flags: VariantFlags = {
    kubeProxyMode: (mode as VariantFlags['kubeProxyMode'] | undefined) ?? DEFAULT_VARIANT_FLAGS.kubeProxyMode,
    cni: (cni as VariantFlags['cni'] | undefined) ?? DEFAULT_VARIANT_FLAGS.cni,
    addressing: {},
  };
  const a = flags.addressing;
  const pod = once(tokens, '--pod-subnet');
  if (pod !== undefined) a.podSubnet = pod;
  const svc = once(tokens, '--service-subnet');
  if (svc !== undefined) a.serviceSubnet = svc;
  const m4 = once(tokens, '--node-cidr-mask-ipv4');
  if (m4 !== undefined) a.nodeCidrMaskIPv4 = m4;
  const m6 = once(tokens, '--node-cidr-mask-ipv6');
  if (m6 !== undefined) a.nodeCidrMaskIPv6 = m6;
  const src = once(tokens, '--kubernetes-src');
  if (src !== undefined) flags.kubernetesSrc = path.resolve(src);
  for (const p of profiles) variantOf(p, flags);
  return flags;
}

function parseRun(argv: string[]): RunArgs {
  const { tokens, positionals } = tokenize('run', argv, RUN_FLAGS);
  noPositionals('run', positionals);
  const profileText = once(tokens, '--profile');
  const profiles = profileText === undefined ? [] : parseProfiles(profileText);
  const args: RunArgs = {
    command: 'run',
    profiles,
    reuse: tokens.some((t) => t.flag === '--reuse'),
    keep: tokens.some((t) => t.flag === '--keep'),
    suites: parseSuites(tokens),
    selfTest: tokens.some((t) => t.flag === '--self-test'),
    html: !tokens.some((t) => t.flag === '--no-html'),
    parallel: 1,
    variant: parseVariantFlags(tokens, profiles.length > 0 ? profiles : ['ipv6']),
  };
  const parallel = once(tokens, '--parallel');
  if (parallel !== undefined) args.parallel = parseParallel(parallel);
  const concurrency = once(tokens, '--concurrency');
  if (concurrency !== undefined) args.concurrency = wholeNumber('--concurrency', 'files of checks at once against a cluster', concurrency);
  const shard = once(tokens, '--shard');
  if (shard !== undefined) {
    const m = /^([0-9]+)\/([0-9]+)$/.exec(shard);
    const [i, n] = [Number(m?.[1]), Number(m?.[2])];
    if (!m || n < 1 || i < 1 || i > n) throw new UsageError(`--shard needs i/n with 1 ≤ i ≤ n, e.g. 1/3 (got "${shard}")`);
    args.shard = `${i}/${n}`;
  }
  const name = checkName(once(tokens, '--name'));
  if (name !== undefined) args.name = name;
  const kubeconfig = once(tokens, '--kubeconfig');
  if (kubeconfig !== undefined) args.kubeconfig = kubeconfig;
  const context = once(tokens, '--context');
  if (context !== undefined) args.context = context;
  const reportDir = once(tokens, '--report-dir');
  if (reportDir !== undefined) args.reportDir = reportDir;
  const gate = once(tokens, '--gate');
  if (gate !== undefined) args.gate = gate;
  const history = once(tokens, '--history');
  if (history !== undefined) args.history = history;

  parseEdgeFlags(tokens, args);
  assertRunCombination(args, profiles);
  return args;
}

/** --dns64-mode, --nat64-prefix, --nat64-target: normalized, or a usage error naming the flag. */
function parseEdgeFlags(tokens: Token[], args: RunArgs): void {
  const dns64 = once(tokens, '--dns64-mode');
  if (dns64 !== undefined) {
    if (dns64 !== 'coredns' && dns64 !== 'upstream') throw new UsageError(`unknown --dns64-mode "${dns64}"; use one of: ${list(DNS64_MODES)}`);
    args.dns64Mode = dns64;
  }
  const prefix = once(tokens, '--nat64-prefix');
  if (prefix !== undefined) {
    try {
      args.nat64Prefix = parsePref64(prefix).cidr;
    } catch (err) {
      if (err instanceof InvalidAddressError) throw new UsageError(`--nat64-prefix: ${err.message}`);
      throw err;
    }
  }
  const target = once(tokens, '--nat64-target');
  if (target !== undefined) {
    try {
      const hp = parseHostPort(target);
      args.nat64Target = hostPort(hp.host, hp.port);
    } catch (err) {
      if (err instanceof InvalidAddressError) throw new UsageError(`--nat64-target: ${err.message}; e.g. 192.0.2.10:80 or [2001:db8::10]:80`);
      throw err;
    }
  }
}

/** Flags that cannot go together: each refusal says what to give instead. */
function assertRunCombination(args: RunArgs, profiles: readonly Profile[]): void {
  const existing = args.kubeconfig !== undefined || args.context !== undefined;
  if (existing && profiles.length > 1) {
    throw new UsageError('several profiles create clusters; they cannot be combined with --kubeconfig/--context (give one profile, or none to detect it)');
  }
  if (args.parallel > 1 && profiles.length < 2) {
    throw new UsageError(`--parallel runs several profiles at once; give it with --profile all or a list such as ipv6,dual (this run has ${profiles.length === 0 ? 'no --profile' : `only ${profiles[0]}`})`);
  }
  if (existing && args.reuse) {
    throw new UsageError('--reuse picks up a kind cluster by --name; do not combine it with --kubeconfig/--context');
  }
  if (existing && args.name !== undefined) {
    throw new UsageError('--name names a kind cluster to create or reuse; do not combine it with --kubeconfig/--context');
  }
  if (existing && variantFlagsGiven(args.variant)) {
    throw new UsageError('--kube-proxy-mode, --cni, --kubernetes-src and the addressing flags shape a lab cluster; an existing cluster (--kubeconfig/--context) is tested as it is');
  }
}

function parseUp(argv: string[]): UpArgs {
  const { tokens, positionals } = tokenize('up', argv, UP_FLAGS);
  noPositionals('up', positionals);
  const profileText = once(tokens, '--profile');
  if (profileText === undefined) throw new UsageError(`up needs --profile (one of: ${list(PROFILES)})`);
  const profile = parseProfile(profileText, false)[0] as Profile;
  const flags = parseVariantFlags(tokens, [profile]);
  const args: UpArgs = { command: 'up', variant: variantOf(profile, flags), flags };
  const name = checkName(once(tokens, '--name'));
  if (name !== undefined) args.name = name;
  return args;
}

function parseDown(argv: string[]): DownArgs {
  const { tokens, positionals } = tokenize('down', argv, DOWN_FLAGS);
  noPositionals('down', positionals);
  const args: DownArgs = { command: 'down' };
  const name = checkName(once(tokens, '--name'));
  if (name !== undefined) args.name = name;
  const profileText = once(tokens, '--profile');
  const profile = profileText !== undefined ? (parseProfile(profileText, false)[0] as Profile) : undefined;
  const flags = parseVariantFlags(tokens, profile ? [profile] : []);
  if (profile !== undefined) args.variant = variantOf(profile, flags);
  else if (variantFlagsGiven(flags)) throw new UsageError('the variant flags of down find a default-named cluster: give them with --profile (or name the cluster with --name)');
  if (args.name !== undefined && profile !== undefined) {
    throw new UsageError('give --name or --profile to down, not both');
  }
  return args;
}

function parseLab(argv: string[]): LabArgs {
  const { tokens, positionals } = tokenize('lab', argv, { '--kubernetes-src': VARIANT_FLAGS['--kubernetes-src']! });
  const [action, ...rest] = positionals;
  if (action !== 'setup' && action !== 'status') {
    throw new UsageError(action === undefined ? 'lab needs an action; use one of: setup, status' : `unknown lab action "${action}"; use one of: setup, status`);
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" for "lab ${action}"`);
  const src = once(tokens, '--kubernetes-src');
  if (src !== undefined && action !== 'setup') throw new UsageError('--kubernetes-src goes with lab setup (it builds that tree)');
  return { command: 'lab', action, ...(src !== undefined ? { kubernetes: inspectKubernetesTree(src) } : {}) };
}

function parseReport(argv: string[]): ReportArgs {
  const { tokens, positionals } = tokenize('report', argv, REPORT_FLAGS);
  if (positionals.length === 0) throw new UsageError('report needs at least one report directory (written by v6e2e run)');
  const args: ReportArgs = { command: 'report', dirs: positionals, html: tokens.some((t) => t.flag === '--html') };
  const out = once(tokens, '--out');
  if (out !== undefined) args.out = out;
  const gate = once(tokens, '--gate');
  if (gate !== undefined) args.gate = gate;
  const history = once(tokens, '--history');
  if (history !== undefined) args.history = history;
  if ((args.html || args.history !== undefined) && args.out === undefined) {
    throw new UsageError('--html and --history write an HTML report into the --out directory; add --out d');
  }
  return args;
}

function parseListChecks(argv: string[]): ListChecksArgs {
  const { tokens, positionals } = tokenize('list-checks', argv, LIST_FLAGS);
  noPositionals('list-checks', positionals);
  return { command: 'list-checks', suites: parseSuites(tokens), json: tokens.some((t) => t.flag === '--json') };
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    if (rest.length > 0) throw new UsageError(`${first} takes no arguments (got "${rest[0]}")`);
    return { command: 'version' };
  }
  if (first === undefined || HELP_FLAGS.has(first) || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !(COMMANDS as readonly string[]).includes(topic)) {
      throw new UsageError(`unknown command "${topic}"; use one of: ${list(COMMANDS)}`);
    }
    return topic === undefined ? { command: 'help' } : { command: 'help', topic: topic as CommandName };
  }
  if (!(COMMANDS as readonly string[]).includes(first)) {
    const hint = first.startsWith('-') ? `unknown flag ${first}` : `unknown command "${first}"`;
    throw new UsageError(`${hint}; use one of: ${list(COMMANDS)} (see v6e2e --help)`);
  }
  const command = first as CommandName;
  // `test` hands everything to vitest, including flags that look like ours.
  if (command === 'test') {
    if (rest.length === 1 && HELP_FLAGS.has(rest[0] ?? '')) return { command: 'help', topic: 'test' };
    return { command: 'test', vitestArgs: [...rest] };
  }
  if (rest.some((a) => HELP_FLAGS.has(a))) return { command: 'help', topic: command };
  switch (command) {
    case 'run':
      return parseRun(rest);
    case 'up':
      return parseUp(rest);
    case 'down':
      return parseDown(rest);
    case 'lab':
      return parseLab(rest);
    case 'report':
      return parseReport(rest);
    case 'list-checks':
      return parseListChecks(rest);
  }
}

const VARIANT_HELP = `  --kube-proxy-mode m  iptables (default) or nftables (nodePortAddresses defaults to primary)
  --cni c              kindnet (default, the lab's kindnetd) or flannel (vxlan)
  --pod-subnet c,...   pod CIDRs, primary family first (default kind's, e.g. fd00:10:244::/56)
  --service-subnet c,. Service CIDRs, primary family first (IPv6 at least /108)
  --node-cidr-mask-ipv4 n, --node-cidr-mask-ipv6 n
                       node podCIDR size per family (default /24 and /64; at most 16 bits
                       longer than the pod prefix)
  --kubernetes-src DIR build Kubernetes from your 1.34 git checkout at DIR (its go.work or
                       vendor/; outputs in the lab cache, the tree is only read)
                       A variant is named after what differs: v6e2e-dual-nft-flannel,
                       v6e2e-dual-src3fa91c (a tree's state)
`;

const USAGE: Record<CommandName | 'main', string> = {
  main: `v6e2e: conformance and end-to-end tests for IPv6 and dual-stack Kubernetes

Usage:
  v6e2e run    [--profile ipv6|dual|dual-v6|ipv4|all] [--suite s ...] [options]
  v6e2e up     --profile p [--name n] [variant flags]
  v6e2e down   [--name n | --profile p [variant flags]]
  v6e2e lab    setup [--kubernetes-src DIR] | status
  v6e2e test   [vitest args]
  v6e2e report <report-dir> ... [--out d [--html] [--history prev]] [--gate f]
  v6e2e list-checks [--suite s ...] [--json]
  v6e2e help [command] | --version

Profiles: ${list(PROFILES)} (all = each in turn, or --parallel N at once)
Suites:   ${list(SUITES)}

Exit codes: 0 all gating checks passed, 1 a gating check failed (every check gates
            unless --gate lists some), 2 bad usage or environment, 3 the run itself
            broke (e.g. cluster creation), 130 interrupted.
Run "v6e2e <command> --help" for a command's options. V6E2E_DEBUG=1 shows stack traces.
`,
  run: `Usage: v6e2e run [options]

Creates a kind cluster per profile (or uses an existing one), runs the e2e suites
against it, writes reports, and deletes the clusters it created.

Cluster:
  --profile p          ${list(PROFILES)}, all, or a comma list such as ipv6,dual (default:
                       ipv6; with --kubeconfig/--context: detected from the cluster)
  --name n             kind cluster name (default: v6e2e-<label>, e.g. v6e2e-ipv6-nft;
                       several profiles: <n>-<label>)
  --reuse              use the kind cluster <name> if it exists (it is never deleted)
  --keep               keep clusters this run created
  --parallel N         with several profiles: run N at once, each in its own process
                       with its own cluster (default 1: one after another)
  --concurrency N      files of checks run at once against each cluster (default 6, or 6
                       divided by --parallel, at least 2); the
                       suites' disruptive.test.ts files always run after them, one at a time
  --kubeconfig f       test an existing cluster from this kubeconfig (never deleted)
  --context c          kubeconfig context to use
Selection:
  --suite s ...        ${list(SUITES)} (repeat, comma-separate, or list; default: all)
  --shard i/n          only the i-th of n parts of the test files (vitest --shard), e.g. one
                       CI job each; merge their report dirs with v6e2e report
  --self-test          also run the harness self-tests: each seeds its fault on the cluster
                       (node rules, CoreDNS, the translator, MetalLB…) and expects its check
                       to catch it. Off by default: a run judges the cluster, it does not
                       disturb it (npm test always runs them)
Reports:
  --report-dir d       default: reports/<timestamp>-<profile>/ (junit.xml, allure-results/,
                       summary.json, summary.md)
  --gate f             gate file: the check ids/globs that must pass (one per line, # comments,
                       or YAML "gate: [...]"); failures of other checks only warn. A pattern
                       matching no check is an error (exit 2). See v6e2e list-checks.
  --history d          a previous report dir: the HTML report continues its history (trends)
  --no-html            skip <report-dir>/html/ (Allure 3, offline, one index.html)
Variant (lab clusters; run, up and down):
${VARIANT_HELP}Edge:
  --dns64-mode m       coredns (CoreDNS dns64 plugin) or upstream (an external DNS64 resolver)
  --nat64-prefix p     NAT64 prefix, one of RFC 6052's lengths (e.g. 64:ff9b::/96)
  --nat64-target h:p   IPv4-only origin to reach through NAT64 ([v6]:port for IPv6 literals)
`,
  up: `Usage: v6e2e up --profile ${PROFILES.join('|')} [--name n] [variant flags]

Creates a kind cluster from the lab's images and prints its kubeconfig path and context
as JSON on stdout. Default name: v6e2e-<label>, e.g. v6e2e-ipv6, v6e2e-dual-nft-flannel.
Variant flags:
${VARIANT_HELP}`,
  down: `Usage: v6e2e down [--name n | --profile p [variant flags]]

Deletes a kind cluster and what the lab added next to it. --profile with the variant
flags of up deletes that variant's default-named cluster. Without flags: every
default-named cluster of the base variants (v6e2e-<profile> for each profile).
`,
  lab: `Usage: v6e2e lab setup [--kubernetes-src DIR] | status

setup   builds what the offline lab needs (tools, node image, edge images); idempotent.
        With --kubernetes-src DIR also that Kubernetes tree's binaries, images and node
        image (printed as JSON on stdout); an unchanged tree builds nothing.
status  shows what is built and what is missing
`,
  test: `Usage: v6e2e test [vitest args]

Runs the unit project, then (when V6E2E_KUBECONFIG or V6E2E_CONTEXT names a cluster) the
e2e project. Arguments go to vitest as given, e.g. v6e2e test -t rfc6052.
`,
  report: `Usage: v6e2e report <report-dir> ... [--out d] [--gate f] [--html] [--history prev]

Merges the reports of several runs or shards (each a --report-dir of v6e2e run).
Runs of one profile in different variants (a patched tree and its base) are compared:
"Differences between runs" lists every check whose outcome differs.
Without --out: prints the merged summary.md on stdout (for $GITHUB_STEP_SUMMARY).
  --out d        write merged summary.json, summary.md, junit.xml and allure-results/ to d
  --gate f       re-gate the merged checks with this gate file (default: each run's gating)
  --html         with --out: also generate d/html/index.html
  --history p    with --html: continue the Allure history of report dir p

Exit codes: 0 no gating check failed, 1 a gating check failed, 2 bad input.
`,
  'list-checks': `Usage: v6e2e list-checks [--suite s ...] [--json]

Prints the id of every e2e check (one per line), as summary.json and gate files
name them: the ids declared with check() (lib/harness/check.ts). Collects the
suites without running any test or needing a cluster. --json prints one object
per line: id, family, kind (check or fault), disruptive, suite and title.
Exit 3 when a suite did not load (its checks are missing).
`,
};

export function helpText(topic?: CommandName): string {
  return USAGE[topic ?? 'main'];
}
