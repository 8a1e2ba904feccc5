/**
 * A kind cluster's addressing plan from the command line: `--pod-subnet`,
 * `--service-subnet`, `--node-cidr-mask-ipv4`, `--node-cidr-mask-ipv6`.
 *
 * Everything kubeadm (run by kind inside the node container), kube-controller-manager
 * or kube-apiserver would refuse minutes into cluster creation is refused here, up
 * front, as a one-line UsageError naming the flag, the value and what to change.
 * The limits below were read in the Kubernetes v1.34.4 source (the version the lab's
 * node image runs, lib/lab/versions.ts); file:line refer to k8s.io/kubernetes@v1.34.4.
 *
 * Addresses go through ip-address (lib/net/family.ts, lib/net/cidr.ts), never regexes.
 */
import { createHash } from 'node:crypto';
import { cidrContains, networkOf, sizeOf } from '../net/cidr.ts';
import { IP_FAMILIES, familyOfCidr, parseCidr, type IPFamily } from '../net/family.ts';
import type { Profile } from '../profiles.ts';
import { UsageError } from '../util/errors.ts';

export interface AddressingInput {
  /** Raw flag text: comma list, primary family first, e.g. "2001:db8:42::/104" or "10.1.0.0/16,2001:db8:42::/104". */
  podSubnet?: string;
  /** Same as podSubnet. */
  serviceSubnet?: string;
  /** Raw text of --node-cidr-mask-ipv4, e.g. "24". */
  nodeCidrMaskIPv4?: string;
  /** Raw text of --node-cidr-mask-ipv6, e.g. "120". */
  nodeCidrMaskIPv6?: string;
}

export interface AddressingPlan {
  /** Canonical network CIDRs (ip-address correct form), primary family first; one per family of the profile. */
  podSubnets: string[];
  serviceSubnets: string[];
  /** Node podCIDR mask per family the profile has. */
  nodeCidrMask: Partial<Record<IPFamily, number>>;
}

/**
 * The docker network `kind` the lab's clusters live on (node addresses). Pod and
 * Service ranges inside it would shadow the nodes.
 */
export const KIND_NETWORK_SUBNETS: Readonly<Record<IPFamily, string>> = {
  IPv6: 'fc00:f853:ccd:e793::/64',
  IPv4: '172.18.0.0/16',
};

/** kind v0.30's defaults (pods, Services) and kube-controller-manager's default node masks. */
const KIND_DEFAULTS = {
  pod: { IPv4: '10.244.0.0/16', IPv6: 'fd00:10:244::/56' },
  service: { IPv4: '10.96.0.0/16', IPv6: 'fd00:10:96::/112' },
  // cmd/kube-controller-manager/app/core.go:78,80 defaultNodeMaskCIDRIPv4/IPv6
  nodeMask: { IPv4: 24, IPv6: 64 },
} as const satisfies Record<string, Record<IPFamily, string | number>>;

/**
 * Node mask at most this many bits longer than the pod prefix.
 * - kubeadm, both families: cmd/kubeadm/app/constants/constants.go:264 PodSubnetNodeMaskMaxDiff = 16,
 *   checked in cmd/kubeadm/app/apis/kubeadm/validation/validation.go:499 (ValidatePodSubnetNodeMask).
 * - kube-controller-manager, IPv6 only: pkg/controller/nodeipam/ipam/cidrset/cidr_set.go:61
 *   clusterSubnetMaxDiff = 16, checked at :82 (ErrCIDRSetSubNetTooBig).
 * kind runs kubeadm init, so the stricter of the two (both families) is what a cluster meets.
 */
const NODE_MASK_MAX_DIFF = 16;

/**
 * Service range at most 2^20 addresses: IPv4 /12 or longer, IPv6 /108 or longer.
 * - kubeadm, both families: cmd/kubeadm/app/constants/constants.go:255 MaximumBitsForServiceSubnet = 20,
 *   checked in cmd/kubeadm/app/apis/kubeadm/validation/validation.go:472 (ValidateServiceSubnetSize).
 * - kube-apiserver has the same 20-bit check (cmd/kube-apiserver/app/options/validation.go:39 maxCIDRBits,
 *   :91), but skips it (:52) when MultiCIDRServiceAllocator and DisableAllocatorDualWrite are on, which
 *   they are by default in v1.34 (pkg/features/kube_features.go); its new allocator then only refuses
 *   IPv6 prefixes shorter than /64 (pkg/registry/core/service/ipallocator/ipallocator.go:88). kubeadm's
 *   check still runs at kind's `kubeadm init`, so 20 bits is the binding limit.
 */
const SERVICE_MAX_HOST_BITS = 20;

/** kubeadm: cmd/kubeadm/app/constants/constants.go:249, checked in validation.go:448 (kube-dns is the 10th address). */
const SERVICE_MIN_ADDRESSES = 10n;
/** kubeadm: cmd/kubeadm/app/constants/constants.go:259, checked in validation.go:448. */
const POD_MIN_ADDRESSES = 14n;

const BITS: Record<IPFamily, number> = { IPv4: 32, IPv6: 128 };

type Range = 'pod' | 'service';
const FLAG: Record<Range, string> = { pod: '--pod-subnet', service: '--service-subnet' };
const MASK_FLAG: Record<IPFamily, string> = { IPv4: '--node-cidr-mask-ipv4', IPv6: '--node-cidr-mask-ipv6' };
const MASK_KEY: Record<IPFamily, 'nodeCidrMaskIPv4' | 'nodeCidrMaskIPv6'> = {
  IPv4: 'nodeCidrMaskIPv4',
  IPv6: 'nodeCidrMaskIPv6',
};
/** Examples for messages (documentation ranges for IPv6, RFC 1918 for IPv4). */
const EXAMPLE: Record<Range, Record<IPFamily, string>> = {
  pod: { IPv4: '10.1.0.0/16', IPv6: '2001:db8:42::/104' },
  service: { IPv4: '10.2.0.0/16', IPv6: '2001:db8:43::/112' },
};
const EXAMPLE_MASK: Record<IPFamily, number> = { IPv4: 24, IPv6: 120 };

/** Families of the profile, primary first. */
export function profileFamilies(profile: Profile): IPFamily[] {
  switch (profile) {
    case 'ipv6':
      return ['IPv6'];
    case 'ipv4':
      return ['IPv4'];
    case 'dual':
      return ['IPv4', 'IPv6'];
    case 'dual-v6':
      return ['IPv6', 'IPv4'];
  }
}

/** kind v0.30's defaults for the profile, ordered by the profile's primary family. */
export function defaultAddressing(profile: Profile): AddressingPlan {
  const families = profileFamilies(profile);
  const nodeCidrMask: Partial<Record<IPFamily, number>> = {};
  for (const f of families) nodeCidrMask[f] = KIND_DEFAULTS.nodeMask[f];
  return {
    podSubnets: families.map((f) => KIND_DEFAULTS.pod[f]),
    serviceSubnets: families.map((f) => KIND_DEFAULTS.service[f]),
    nodeCidrMask,
  };
}

/** A flag value as messages show it: quoted only when it would otherwise be unreadable. */
function show(raw: string): string {
  return /^[^\s"]+$/.test(raw) ? raw : JSON.stringify(raw);
}

/** "one IPv6 CIDR, e.g. …" / "an IPv4 then an IPv6 CIDR (primary first), e.g. …,…" */
function wanted(range: Range, profile: Profile): string {
  const fs = profileFamilies(profile);
  const example = fs.map((f) => EXAMPLE[range][f]).join(',');
  if (fs.length === 1) return `one ${fs[0]} CIDR, e.g. ${example}`;
  return `an ${fs[0]} then an ${fs[1]} CIDR (primary first), e.g. ${example}`;
}

/** Rules 1 and 2: each entry a CIDR without host bits; the profile's families, primary first. */
function parseRangeFlag(range: Range, raw: string, profile: Profile): string[] {
  const flag = FLAG[range];
  const want = profileFamilies(profile);
  const cidrs: string[] = [];
  const families: IPFamily[] = [];
  for (const entry of raw.split(',').map((s) => s.trim())) {
    if (entry === '') throw new UsageError(`${flag} ${show(raw)}: empty entry; give ${wanted(range, profile)}`);
    let net;
    try {
      net = parseCidr(entry);
    } catch {
      const why = entry.includes('/') ? 'not a valid CIDR' : 'missing /prefix-length';
      throw new UsageError(`${flag} ${show(entry)}: ${why}; give ${wanted(range, profile)}`);
    }
    const network = networkOf(entry);
    if (net.bigInt() !== net.startAddress().bigInt()) {
      throw new UsageError(`${flag} ${show(entry)}: host bits are set for a /${net.subnetMask}; use ${network}`);
    }
    cidrs.push(network);
    families.push(familyOfCidr(entry));
  }
  const lacking = families.find((f) => !want.includes(f));
  if (lacking) {
    throw new UsageError(`${flag} ${show(raw)}: profile ${profile} has no ${lacking}; give ${wanted(range, profile)}`);
  }
  const twice = families.find((f, i) => families.indexOf(f) !== i);
  if (twice) {
    throw new UsageError(`${flag} ${show(raw)}: ${twice} given twice; profile ${profile} takes ${wanted(range, profile)}`);
  }
  const missing = want.find((f) => !families.includes(f));
  if (missing) {
    throw new UsageError(`${flag} ${show(raw)}: profile ${profile} is dual-stack and needs an ${missing} CIDR too; give ${wanted(range, profile)}`);
  }
  if (families[0] !== want[0]) {
    throw new UsageError(`${flag} ${show(raw)}: profile ${profile} is ${want[0]} primary, primary first; give ${wanted(range, profile)}`);
  }
  return cidrs;
}

/** Rule 3: a whole number, for a family the profile has, no longer than the address. */
function parseMaskFlag(family: IPFamily, raw: string, profile: Profile): number {
  const flag = MASK_FLAG[family];
  if (!profileFamilies(profile).includes(family)) {
    throw new UsageError(`${flag} ${show(raw)}: profile ${profile} has no ${family}; drop the flag (or use a dual-stack profile)`);
  }
  const text = raw.trim();
  if (!/^[0-9]+$/.test(text)) {
    throw new UsageError(`${flag} ${show(raw)}: not a whole number; give a prefix length, e.g. ${EXAMPLE_MASK[family]}`);
  }
  const mask = Number(text);
  if (mask > BITS[family]) {
    throw new UsageError(`${flag} ${show(raw)}: an ${family} node mask is at most ${BITS[family]}; give a shorter one, e.g. ${EXAMPLE_MASK[family]}`);
  }
  return mask;
}

function prefixOf(cidr: string): number {
  return parseCidr(cidr).subnetMask;
}

/** Host bits needed to hold `n` addresses. */
function bitsFor(n: bigint): number {
  let bits = 0;
  while (1n << BigInt(bits) < n) bits++;
  return bits;
}

function overlaps(a: string, b: string): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/**
 * undefined when no flag of the input is set (the cluster uses kind's defaults).
 * Otherwise the full plan: unset parts take the defaults. Throws UsageError (one
 * line) on any invalid plan.
 */
export function parseAddressing(input: AddressingInput, profile: Profile, nodeCount: number): AddressingPlan | undefined {
  if (!Number.isInteger(nodeCount) || nodeCount < 1) throw new RangeError(`nodeCount must be a whole number >= 1 (got ${nodeCount})`);
  const given = {
    pod: input.podSubnet !== undefined,
    service: input.serviceSubnet !== undefined,
    IPv4: input.nodeCidrMaskIPv4 !== undefined,
    IPv6: input.nodeCidrMaskIPv6 !== undefined,
  };
  if (!given.pod && !given.service && !given.IPv4 && !given.IPv6) return undefined;

  const families = profileFamilies(profile);
  const plan = defaultAddressing(profile);
  if (input.podSubnet !== undefined) plan.podSubnets = parseRangeFlag('pod', input.podSubnet, profile);
  if (input.serviceSubnet !== undefined) plan.serviceSubnets = parseRangeFlag('service', input.serviceSubnet, profile);
  for (const f of IP_FAMILIES) {
    const raw = input[MASK_KEY[f]];
    if (raw !== undefined) plan.nodeCidrMask[f] = parseMaskFlag(f, raw, profile);
  }

  /** How a range is named in messages: the flag when the user gave it, else as kind's default. */
  const named = (range: Range, cidr: string) => (given[range] ? `${FLAG[range]} ${cidr}` : `the default ${range} subnet ${cidr}`);

  // Range sizes (kubeadm's minimums; the Service maximum of rule 6).
  for (const [range, cidrs] of [['pod', plan.podSubnets], ['service', plan.serviceSubnets]] as const) {
    const min = range === 'pod' ? POD_MIN_ADDRESSES : SERVICE_MIN_ADDRESSES;
    for (const cidr of cidrs) {
      const f = familyOfCidr(cidr);
      const size = sizeOf(cidr);
      if (size < min) {
        throw new UsageError(
          `${named(range, cidr)}: too small, ${size} addresses where kubeadm needs at least ${min}; use /${BITS[f] - bitsFor(min)} or shorter`,
        );
      }
      if (range === 'service' && BITS[f] - prefixOf(cidr) > SERVICE_MAX_HOST_BITS) {
        const longest = BITS[f] - SERVICE_MAX_HOST_BITS;
        throw new UsageError(
          `${named(range, cidr)}: too large, kubeadm refuses an ${f} Service range over ${SERVICE_MAX_HOST_BITS} host bits; use /${longest} or longer, e.g. ${EXAMPLE.service[f]}`,
        );
      }
    }
  }

  // Rules 4, 5 and 9: node masks against the pod subnet of their family (given or default).
  families.forEach((f, i) => {
    const pod = plan.podSubnets[i]!;
    const podPrefix = prefixOf(pod);
    const mask = plan.nodeCidrMask[f]!;
    const maskFlag = MASK_FLAG[f];
    const podText = given.pod ? `${f} --pod-subnet ${pod}` : `default ${f} pod subnet ${pod}`;
    // The flag the user gave leads the message; with neither given the defaults are at fault (too many nodes).
    const lead = given[f] ? `${maskFlag} ${mask}` : given.pod ? `${FLAG.pod} ${pod}` : `${maskFlag} (default ${mask})`;
    const maskText = given[f] ? `node mask /${mask}` : `default ${f} node mask /${mask}`;
    const lo = podPrefix + 1;
    const hi = Math.min(podPrefix + NODE_MASK_MAX_DIFF, BITS[f]);
    const giveMask = `${given[f] ? 'give' : 'also give'} ${maskFlag} between ${lo} and ${hi}`;

    // kubeadm would take mask == prefix, but that is one node subnet for the whole cluster: refused here.
    if (mask <= podPrefix) {
      const orPod = given.pod ? '' : `, or also give --pod-subnet with an ${f} prefix shorter than /${mask}`;
      throw new UsageError(`${lead}: the ${maskText} must be longer than the /${podPrefix} of the ${podText}; ${giveMask}${orPod}`);
    }
    if (mask - podPrefix > NODE_MASK_MAX_DIFF) {
      const shortest = mask - NODE_MASK_MAX_DIFF;
      const orPod = given.pod
        ? `, or a --pod-subnet of /${shortest} or longer`
        : `, or also give --pod-subnet with an ${f} prefix of /${shortest} or longer`;
      throw new UsageError(
        `${lead}: the ${maskText} is ${mask - podPrefix} bits longer than the /${podPrefix} of the ${podText}; kubeadm allows at most ${NODE_MASK_MAX_DIFF}; ${giveMask}${orPod}`,
      );
    }
    const subnets = 1n << BigInt(mask - podPrefix);
    if (subnets < BigInt(nodeCount)) {
      // More node subnets: a longer node mask (within the limits above) or a shorter pod prefix.
      const need = bitsFor(BigInt(nodeCount));
      const biggerPod = `a bigger --pod-subnet (/${Math.max(mask - need, 0)} or shorter)`;
      const longerMask = podPrefix + need <= hi ? `${maskFlag} between ${podPrefix + need} and ${hi}` : undefined;
      const fix = !longerMask
        ? `give ${biggerPod}`
        : given[f]
          ? `give ${longerMask}, or ${biggerPod}`
          : `give ${biggerPod}, or also ${longerMask}`;
      throw new UsageError(
        `${lead}: the ${podText} holds only ${subnets} node subnet${subnets === 1n ? '' : 's'} of /${mask}, and the cluster has ${nodeCount} nodes; ${fix}`,
      );
    }
  });

  // Rule 7: pod and Service ranges of the same family must be disjoint.
  for (const pod of plan.podSubnets) {
    for (const service of plan.serviceSubnets) {
      if (!overlaps(pod, service)) continue;
      const [first, second] = given.pod ? [named('pod', pod), named('service', service)] : [named('service', service), named('pod', pod)];
      throw new UsageError(`${first} overlaps ${second}; give pod and Service ranges that do not overlap`);
    }
  }

  // Rule 8: nor the kind docker network the nodes live on.
  for (const [range, cidrs] of [['pod', plan.podSubnets], ['service', plan.serviceSubnets]] as const) {
    for (const cidr of cidrs) {
      const kindNet = KIND_NETWORK_SUBNETS[familyOfCidr(cidr)];
      if (overlaps(cidr, kindNet)) {
        throw new UsageError(`${named(range, cidr)} overlaps the kind Docker network ${kindNet} (the node addresses); pick a range outside it`);
      }
    }
  }
  return plan;
}

/** The plan as stable JSON: canonical CIDRs, masks in a fixed family order. */
function canonicalJson(plan: AddressingPlan): string {
  const nodeCidrMask: Partial<Record<IPFamily, number>> = {};
  for (const f of IP_FAMILIES) if (plan.nodeCidrMask[f] !== undefined) nodeCidrMask[f] = plan.nodeCidrMask[f];
  return JSON.stringify({
    podSubnets: plan.podSubnets.map((c) => networkOf(c)),
    serviceSubnets: plan.serviceSubnets.map((c) => networkOf(c)),
    nodeCidrMask,
  });
}

/** True when the plan differs from defaultAddressing(profile). */
export function isCustomAddressing(plan: AddressingPlan, profile: Profile): boolean {
  return canonicalJson(plan) !== canonicalJson(defaultAddressing(profile));
}

/** Short stable tag of a custom plan for cluster names, e.g. "net3fa9" (4 hex chars of a sha256 of the canonical plan JSON). */
export function addressingTag(plan: AddressingPlan): string {
  return `net${createHash('sha256').update(canonicalJson(plan)).digest('hex').slice(0, 4)}`;
}

/**
 * The plan against the subnets a Docker network really has (kind's network is made
 * once, with whatever subnets Docker and kind picked): UsageError naming both ranges.
 */
export function assertOutsideNetwork(plan: AddressingPlan, network: string, subnets: Partial<Record<IPFamily, string>>): void {
  for (const [range, cidrs] of [['pod', plan.podSubnets], ['Service', plan.serviceSubnets]] as const) {
    for (const cidr of cidrs) {
      const net = subnets[familyOfCidr(cidr)];
      if (net !== undefined && overlaps(cidr, net)) {
        throw new UsageError(`the ${range} range ${cidr} overlaps the Docker network ${network} (${net}, the node addresses); pick a range outside it`);
      }
    }
  }
}
