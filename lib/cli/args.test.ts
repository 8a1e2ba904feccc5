import { describe, expect, test } from 'vitest';
import { UsageError } from '../util/errors.ts';
import { DEFAULT_VARIANT_FLAGS, variantOf } from '../cluster/variant.ts';
import { defaultClusterName, helpText, parseArgs, PROFILES, runClusterName, SUITES } from './args.ts';

function usage(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`);
}

describe('run', () => {
  test('defaults', () => {
    expect(parseArgs(['run'])).toEqual({ command: 'run', profiles: [], reuse: false, keep: false, suites: [], selfTest: false, html: true, parallel: 1, variant: DEFAULT_VARIANT_FLAGS });
    expect(parseArgs(['run', '--self-test'])).toMatchObject({ selfTest: true });
  });
  test('every option', () => {
    expect(
      parseArgs([
        'run', '--profile', 'dual-v6', '--name', 'ci-1', '--reuse', '--keep', '--suite', 'dns64', '--suite=nat64,nodeport',
        '--report-dir', 'out', '--dns64-mode', 'upstream', '--nat64-prefix', '64:FF9B:0::/96', '--nat64-target', '[2001:db8::0010]:8080',
        '--gate', 'gate.yaml', '--history', 'reports/prev', '--no-html',
      ]),
    ).toEqual({
      command: 'run',
      profiles: ['dual-v6'],
      name: 'ci-1',
      reuse: true,
      keep: true,
      suites: ['dns64', 'nat64', 'nodeport'],
      selfTest: false,
      reportDir: 'out',
      dns64Mode: 'upstream',
      nat64Prefix: '64:ff9b::/96',
      nat64Target: '[2001:db8::10]:8080',
      gate: 'gate.yaml',
      history: 'reports/prev',
      variant: DEFAULT_VARIANT_FLAGS,
      html: false,
      parallel: 1,
    });
  });
  test('--profile all expands; --suite takes several words', () => {
    const r = parseArgs(['run', '--profile=all', '--suite', 'connectivity', 'guestbook', '--keep']);
    expect(r).toMatchObject({ profiles: [...PROFILES], suites: ['connectivity', 'guestbook'], keep: true });
  });
  test('--profile takes a comma list, in the order given, without repeats', () => {
    expect(parseArgs(['run', '--profile', 'dual,ipv6,dual'])).toMatchObject({ profiles: ['dual', 'ipv6'] });
    expect(parseArgs(['run', '--profile', 'ipv4,all'])).toMatchObject({ profiles: ['ipv4', 'ipv6', 'dual-v6', 'dual'] });
  });
  test('--concurrency N: files of checks at once; 0 or text is a usage error', () => {
    expect(parseArgs(['run', '--concurrency', '2'])).toMatchObject({ concurrency: 2 });
    expect(usage(['run', '--concurrency', '0'])).toBe('--concurrency needs a whole number of files of checks at once against a cluster, 1 or more (got "0")');
  });

  test('--parallel N with --profile all', () => {
    expect(parseArgs(['run', '--profile', 'all', '--parallel', '2'])).toMatchObject({ profiles: [...PROFILES], parallel: 2 });
    expect(parseArgs(['run', '--profile', 'all', '--parallel=1'])).toMatchObject({ parallel: 1 });
  });
  test('--shard i/n', () => {
    expect(parseArgs(['run', '--shard', '2/3'])).toMatchObject({ shard: '2/3' });
    expect(parseArgs(['run', '--shard=01/3'])).toMatchObject({ shard: '1/3' });
  });
  test('existing cluster', () => {
    expect(parseArgs(['run', '--kubeconfig', '/k', '--context', 'c'])).toMatchObject({ kubeconfig: '/k', context: 'c', profiles: [] });
    expect(parseArgs(['run', '--kubeconfig', '/k', '--profile', 'ipv6'])).toMatchObject({ profiles: ['ipv6'] });
  });
  test('IPv4 NAT64 target', () => {
    expect(parseArgs(['run', '--nat64-target', '192.0.2.10:80'])).toMatchObject({ nat64Target: '192.0.2.10:80' });
  });
});

describe('bad input → one-line UsageError listing the choices', () => {
  test('unknown profile', () => {
    expect(usage(['run', '--profile', 'ipv5'])).toBe('unknown profile "ipv5"; use one of: ipv6, dual-v6, dual, ipv4, all (or a comma list)');
    expect(usage(['run', '--profile', 'ipv6,dula'])).toBe('unknown profile "dula"; use one of: ipv6, dual-v6, dual, ipv4, all (or a comma list)');
    expect(usage(['run', '--profile', ','])).toBe('--profile needs a value (one of: ipv6, dual-v6, dual, ipv4, all)');
    expect(usage(['up', '--profile', 'all'])).toBe('unknown profile "all"; use one of: ipv6, dual-v6, dual, ipv4');
  });
  test('unknown suite', () => {
    expect(usage(['run', '--suite', 'dns64,dns46'])).toBe(`unknown suite "dns46"; use one or more of: ${SUITES.join(', ')}`);
  });
  test('unknown flag', () => {
    expect(usage(['run', '--profiel', 'ipv6'])).toMatch(/^unknown flag --profiel for "run"; valid flags: --profile, --name, --reuse, --keep, --kubeconfig, --context, --suite, --report-dir, --dns64-mode, --nat64-prefix, --nat64-target, --gate/);
    expect(usage(['down', '--keep'])).toMatch(/^unknown flag --keep for "down"; valid flags: --name, --profile/);
    expect(usage(['lab', '--force', 'setup'])).toMatch(/^unknown flag --force for "lab"; valid flags: --kubernetes-src/);
    expect(usage(['--verbose'])).toBe('unknown flag --verbose; use one of: run, up, down, lab, test, report, list-checks (see v6e2e --help)');
  });
  test('--kubernetes-src: a missing directory or a tree that is not Kubernetes, before anything is built', () => {
    expect(usage(['run', '--profile', 'dual', '--kubernetes-src', '/nonexistent/k8s'])).toMatch(/^--kubernetes-src \/nonexistent\/k8s: no such directory; give the top of a Kubernetes checkout/);
    expect(usage(['up', '--profile', 'dual', '--kubernetes-src', 'lab/go/etcd'])).toMatch(/^--kubernetes-src \S*lab\/go\/etcd is not a Kubernetes tree \(found a Go module /);
    expect(usage(['lab', 'setup', '--kubernetes-src', 'lib'])).toMatch(/is not a Kubernetes tree \(found no go\.mod\)/);
    expect(usage(['lab', 'status', '--kubernetes-src', 'lib'])).toBe('--kubernetes-src goes with lab setup (it builds that tree)');
    expect(usage(['run', '--kubeconfig', 'x', '--kubernetes-src', 'lib'])).toMatch(/not a Kubernetes tree|shape a lab cluster/);
  });
  test('unknown command', () => {
    expect(usage(['rnu'])).toBe('unknown command "rnu"; use one of: run, up, down, lab, test, report, list-checks (see v6e2e --help)');
    expect(usage(['help', 'nope'])).toMatch(/^unknown command "nope"/);
  });
  test('missing values', () => {
    expect(usage(['run', '--profile'])).toBe('--profile needs a value (one of: ipv6, dual-v6, dual, ipv4, all)');
    expect(usage(['run', '--kubeconfig', '--keep'])).toBe('--kubeconfig needs a value (a kubeconfig file)');
    expect(usage(['run', '--suite='])).toMatch(/^--suite needs a value \(one or more of: address-families/);
    expect(usage(['run', '--report-dir'])).toBe('--report-dir needs a value (a directory)');
    expect(usage(['up'])).toBe('up needs --profile (one of: ipv6, dual-v6, dual, ipv4)');
    expect(usage(['lab'])).toBe('lab needs an action; use one of: setup, status');
    expect(usage(['report'])).toMatch(/^report needs at least one report directory/);
  });
  test('bad prefix / target / dns64 mode', () => {
    expect(usage(['run', '--nat64-prefix', '64:ff9b::/95'])).toMatch(/^--nat64-prefix: "64:ff9b::\/95" is not a valid NAT64 prefix \(length must be one of \/32, \/40, \/48, \/56, \/64, \/96/);
    expect(usage(['run', '--nat64-prefix', '10.0.0.0/8'])).toMatch(/^--nat64-prefix: .*expected an IPv6 CIDR/);
    expect(usage(['run', '--nat64-prefix', '2001:db8:122:344:100::/96'])).toMatch(/"u" octet/);
    expect(usage(['run', '--nat64-target', 'fd00::1:80'])).toMatch(/^--nat64-target: .*write IPv6 as \[addr\]:port/);
    expect(usage(['run', '--nat64-target', 'origin'])).toMatch(/missing :port/);
    expect(usage(['run', '--dns64-mode', 'bind'])).toBe('unknown --dns64-mode "bind"; use one of: coredns, upstream');
  });
  test('switches take no value, flags are given once, no stray words', () => {
    expect(usage(['run', '--keep=yes'])).toBe('--keep takes no value (got "yes")');
    expect(usage(['run', '--profile', 'ipv6', '--profile', 'dual'])).toBe('--profile given 2 times; give it once');
    expect(usage(['run', 'ipv6'])).toMatch(/^unexpected argument "ipv6" for "run"/);
    expect(usage(['lab', 'setup', 'now'])).toMatch(/^unexpected argument "now"/);
    expect(usage(['lab', 'build'])).toBe('unknown lab action "build"; use one of: setup, status');
  });
  test('conflicting combinations', () => {
    expect(usage(['run', '--profile', 'all', '--kubeconfig', 'k'])).toMatch(/^several profiles create clusters/);
    expect(usage(['run', '--profile', 'ipv6,dual', '--context', 'c'])).toMatch(/^several profiles create clusters/);
    expect(usage(['run', '--reuse', '--context', 'c'])).toMatch(/--reuse picks up a kind cluster/);
    expect(usage(['run', '--name', 'x', '--kubeconfig', 'k'])).toMatch(/--name names a kind cluster/);
    expect(usage(['down', '--name', 'x', '--profile', 'ipv6'])).toBe('give --name or --profile to down, not both');
  });
  test('--parallel: a whole number, only with several profiles', () => {
    for (const bad of ['0', '-1', '1.5', 'two', '2x']) {
      expect(usage(['run', '--profile', 'all', `--parallel=${bad}`])).toBe(`--parallel needs a whole number of profiles to run at once, 1 or more (got "${bad}")`);
    }
    expect(usage(['run', '--profile', 'all', '--parallel'])).toBe('--parallel needs a value (how many profiles run at once, e.g. 2)');
    expect(usage(['run', '--profile', 'ipv6', '--parallel', '2'])).toBe('--parallel runs several profiles at once; give it with --profile all or a list such as ipv6,dual (this run has only ipv6)');
    expect(usage(['run', '--parallel', '2'])).toMatch(/this run has no --profile/);
  });
  test('--shard: i/n with 1 ≤ i ≤ n', () => {
    for (const bad of ['0/3', '4/3', '1/0', '1', '1/3/4', 'a/b', '-1/2']) {
      expect(usage(['run', `--shard=${bad}`])).toBe(`--shard needs i/n with 1 ≤ i ≤ n, e.g. 1/3 (got "${bad}")`);
    }
  });
  test('cluster names', () => {
    expect(usage(['up', '--profile', 'ipv6', '--name', 'My_Cluster'])).toMatch(/^cluster name "My_Cluster" is not valid/);
    expect(usage(['down', '--name', 'x'.repeat(41)])).toMatch(/at most 40 characters/);
  });
});

describe('other commands', () => {
  test('up / down / lab / report', () => {
    expect(parseArgs(['up', '--profile', 'ipv4', '--name', 'a'])).toEqual({
      command: 'up', variant: variantOf('ipv4', DEFAULT_VARIANT_FLAGS), flags: DEFAULT_VARIANT_FLAGS, name: 'a',
    });
    expect(parseArgs(['down'])).toEqual({ command: 'down' });
    expect(parseArgs(['down', '--profile', 'dual'])).toEqual({ command: 'down', variant: variantOf('dual', DEFAULT_VARIANT_FLAGS) });
    expect(parseArgs(['lab', 'status'])).toEqual({ command: 'lab', action: 'status' });
    expect(parseArgs(['report', 'a', 'b'])).toEqual({ command: 'report', dirs: ['a', 'b'], html: false });
    expect(parseArgs(['report', 'a', 'b', '--out', 'm', '--gate', 'g.txt', '--html', '--history', 'prev'])).toEqual({
      command: 'report',
      dirs: ['a', 'b'],
      out: 'm',
      gate: 'g.txt',
      html: true,
      history: 'prev',
    });
    expect(() => parseArgs(['report', 'a', '--html'])).toThrow(/add --out d/);
    expect(parseArgs(['list-checks', '--suite', 'dns64'])).toEqual({ command: 'list-checks', suites: ['dns64'], json: false });
    expect(parseArgs(['list-checks', '--json'])).toEqual({ command: 'list-checks', suites: [], json: true });
    expect(() => parseArgs(['list-checks', 'x'])).toThrow(/unexpected argument "x" for "list-checks"/);
  });
  test('test passes everything through, even flags that look like ours', () => {
    expect(parseArgs(['test', '-t', 'rfc6052', '--profile', 'x'])).toEqual({ command: 'test', vitestArgs: ['-t', 'rfc6052', '--profile', 'x'] });
    expect(parseArgs(['test'])).toEqual({ command: 'test', vitestArgs: [] });
    expect(parseArgs(['test', '--help'])).toEqual({ command: 'help', topic: 'test' });
  });
  test('help', () => {
    expect(parseArgs([])).toEqual({ command: 'help' });
    expect(parseArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseArgs(['help', 'run'])).toEqual({ command: 'help', topic: 'run' });
    expect(parseArgs(['run', '--profile', 'nope', '--help'])).toEqual({ command: 'help', topic: 'run' });
    expect(helpText()).toMatch(/^v6e2e: conformance/);
    for (const s of SUITES) expect(helpText('run')).toContain(s);
  });
});

describe('variant flags', () => {
  const guide = ['--pod-subnet', '2001:db8:42::/104', '--service-subnet', '2001:db8:43::/112', '--node-cidr-mask-ipv6', '120'];
  test('run takes kube-proxy mode, CNI and an addressing plan', () => {
    const a = parseArgs(['run', '--profile', 'ipv6', '--kube-proxy-mode', 'nftables', '--cni', 'flannel', ...guide]);
    expect(a.command === 'run' && a.variant).toEqual({
      kubeProxyMode: 'nftables',
      cni: 'flannel',
      addressing: { podSubnet: '2001:db8:42::/104', serviceSubnet: '2001:db8:43::/112', nodeCidrMaskIPv6: '120' },
    });
  });
  test('up names the cluster after the variant; the base variant keeps v6e2e-<profile>', () => {
    const up = parseArgs(['up', '--profile', 'dual', '--kube-proxy-mode', 'nftables', '--cni', 'flannel']);
    expect(up.command === 'up' && up.variant).toMatchObject({ profile: 'dual', kubeProxyMode: 'nftables', cni: 'flannel' });
    expect(defaultClusterName('dual')).toBe('v6e2e-dual');
    expect(runClusterName(undefined, 'dual-nft-flannel', 1)).toBe('v6e2e-dual-nft-flannel');
    expect(runClusterName('ci', 'dual-nft-flannel', 2)).toBe('ci-dual-nft-flannel');
    const plan = parseArgs(['up', '--profile', 'ipv6', ...guide]);
    expect(plan.command === 'up' && plan.variant.addressing).toEqual({
      podSubnets: ['2001:db8:42::/104'],
      serviceSubnets: ['2001:db8:43::/112'],
      nodeCidrMask: { IPv6: 120 },
    });
  });
  test('bad values: one line naming the value, exit 2 (UsageError) before anything runs', () => {
    expect(usage(['run', '--kube-proxy-mode', 'ipvs'])).toMatch(/unknown --kube-proxy-mode "ipvs"; use one of: iptables, nftables/);
    expect(usage(['up', '--profile', 'ipv6', '--cni', 'calico'])).toMatch(/unknown --cni "calico"; use one of: kindnet, flannel/);
    // a family the profile lacks
    expect(usage(['run', '--profile', 'ipv6', '--pod-subnet', '10.244.0.0/16'])).toMatch(/--pod-subnet 10\.244\.0\.0\/16/);
    // every profile of the run is checked: ipv4 has no IPv6
    expect(usage(['run', '--profile', 'ipv6,ipv4', ...guide])).toMatch(/2001:db8:42::\/104/);
    // pod and Service ranges overlap
    expect(usage(['run', '--profile', 'ipv6', '--pod-subnet', '2001:db8:42::/104', '--service-subnet', '2001:db8:42::/112', '--node-cidr-mask-ipv6', '120'])).toMatch(/overlap/);
    // node mask not longer than the pod prefix
    expect(usage(['up', '--profile', 'ipv6', '--pod-subnet', '2001:db8:42::/104', '--node-cidr-mask-ipv6', '104'])).toMatch(/--node-cidr-mask-ipv6 104/);
    // too few node subnets for the three nodes
    expect(usage(['up', '--profile', 'ipv4', '--pod-subnet', '10.1.0.0/23', '--node-cidr-mask-ipv4', '24'])).toMatch(/node/);
    expect(usage(['run', '--kubeconfig', 'k', '--cni', 'flannel'])).toMatch(/existing cluster/);
    expect(usage(['down', '--cni', 'flannel'])).toMatch(/--profile/);
  });
  test('help lists the variant flags on run and up', () => {
    for (const t of ['run', 'up'] as const) for (const f of ['--kube-proxy-mode', '--cni', '--pod-subnet', '--service-subnet', '--node-cidr-mask-ipv6']) expect(helpText(t)).toContain(f);
  });
});
