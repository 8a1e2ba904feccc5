package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"time"

	"k8s.io/klog/v2"
)

const (
	masqChain       = "KINDNET-MASQ"
	xtablesWaitSecs = "5"
	iptablesTimeout = 30 * time.Second
)

// masqJumpRule is the POSTROUTING rule that sends non-local traffic through
// our chain (arguments after "-A POSTROUTING" / "-C POSTROUTING").
var masqJumpRule = []string{"-m", "addrtype", "!", "--dst-type", "LOCAL", "-j", masqChain}

// masqChainRules returns the rules KINDNET-MASQ must contain, in order, for
// the cluster pod CIDRs of one family: RETURN for each of them as
// destination, then MASQUERADE for everything else.
func masqChainRules(cidrs []*net.IPNet) [][]string {
	var rules [][]string
	for _, c := range cidrs {
		rules = append(rules, []string{"-d", c.String(), "-j", "RETURN"})
	}
	return append(rules, []string{"-j", "MASQUERADE"})
}

// chainRulesFromSave extracts the rules of chain from `iptables -S chain`
// output, as argument lists without the leading "-A chain".
func chainRulesFromSave(out, chain string) [][]string {
	var rules [][]string
	prefix := "-A " + chain + " "
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			rules = append(rules, strings.Fields(rest))
		}
	}
	return rules
}

func sameRules(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], " ") != strings.Join(b[i], " ") {
			return false
		}
	}
	return true
}

// iptablesMode picks the xtables backend matching the rules the node's own
// components (kubelet, kube-proxy) already use, so our NAT rules do not end
// up in a second, parallel ruleset. kubelet creates KUBE-IPTABLES-HINT (and
// KUBE-KUBELET-CANARY) in the mangle table precisely so that containers can
// tell; if neither backend has it yet, the backend with more rules wins, and
// nft (Debian's default) breaks ties.
func chooseIptablesMode(nftHint, legacyHint bool, nftRules, legacyRules int) string {
	switch {
	case nftHint:
		return "nft"
	case legacyHint:
		return "legacy"
	case legacyRules > nftRules:
		return "legacy"
	default:
		return "nft"
	}
}

func countRules(save string) int {
	n := 0
	for _, line := range strings.Split(save, "\n") {
		if strings.HasPrefix(line, "-A ") {
			n++
		}
	}
	return n
}

func hasHint(save string) bool {
	return strings.Contains(save, "KUBE-IPTABLES-HINT") || strings.Contains(save, "KUBE-KUBELET-CANARY")
}

// runFunc executes a command and returns its combined output.
type runFunc func(ctx context.Context, name string, args ...string) (string, error)

func execRun(ctx context.Context, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, iptablesTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// masquerader maintains the KINDNET-MASQ chains.
type masquerader struct {
	run    runFunc
	v4, v6 string // iptables binaries
}

// newMasquerader selects iptables binaries. If Debian's explicit
// iptables-nft/iptables-legacy variants are installed the backend is
// detected (see chooseIptablesMode); otherwise plain iptables/ip6tables
// (whatever the image's alternatives point at) are used.
func newMasquerader(ctx context.Context, run runFunc) *masquerader {
	m := &masquerader{run: run, v4: "iptables", v6: "ip6tables"}
	_, errNft := exec.LookPath("iptables-nft")
	_, errLegacy := exec.LookPath("iptables-legacy")
	if errNft != nil || errLegacy != nil {
		klog.InfoS("Using the image's default iptables binaries", "iptables", m.v4, "ip6tables", m.v6)
		return m
	}
	nftSave, _ := run(ctx, "iptables-nft-save")
	legacySave, _ := run(ctx, "iptables-legacy-save")
	mode := chooseIptablesMode(hasHint(nftSave), hasHint(legacySave), countRules(nftSave), countRules(legacySave))
	m.v4, m.v6 = "iptables-"+mode, "ip6tables-"+mode
	klog.InfoS("Selected iptables backend", "mode", mode, "iptables", m.v4, "ip6tables", m.v6)
	return m
}

func (m *masquerader) bin(f family) string {
	if f == ipv6 {
		return m.v6
	}
	return m.v4
}

func (m *masquerader) ipt(ctx context.Context, f family, args ...string) (string, error) {
	full := append([]string{"-w", xtablesWaitSecs, "-t", "nat"}, args...)
	out, err := m.run(ctx, m.bin(f), full...)
	if err != nil {
		return out, fmt.Errorf("%s %s: %w: %s", m.bin(f), strings.Join(full, " "), err, strings.TrimSpace(out))
	}
	return out, nil
}

// ensure makes the NAT rules for every family present in clusterCIDRs exist.
// Every step checks before it changes anything, so calling it repeatedly is
// cheap and only logs real changes.
func (m *masquerader) ensure(ctx context.Context, clusterCIDRs []*net.IPNet) error {
	var errs []error
	for _, f := range familiesOf(clusterCIDRs) {
		var cidrs []*net.IPNet
		for _, c := range clusterCIDRs {
			if familyOfNet(c) == f {
				cidrs = append(cidrs, c)
			}
		}
		if err := m.ensureFamily(ctx, f, cidrs); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m *masquerader) ensureFamily(ctx context.Context, f family, cidrs []*net.IPNet) error {
	// 1. the chain
	current, err := m.ipt(ctx, f, "-S", masqChain)
	if err != nil {
		if _, err := m.ipt(ctx, f, "-N", masqChain); err != nil {
			return err
		}
		klog.InfoS("Created NAT chain", "family", f.String(), "chain", masqChain)
		current = ""
	}

	// 2. its rules: RETURN per cluster pod CIDR, then MASQUERADE. Rebuilt
	// (flush + append) only if they differ from what is wanted.
	want := masqChainRules(cidrs)
	if !sameRules(chainRulesFromSave(current, masqChain), want) {
		if _, err := m.ipt(ctx, f, "-F", masqChain); err != nil {
			return err
		}
		for _, r := range want {
			if _, err := m.ipt(ctx, f, append([]string{"-A", masqChain}, r...)...); err != nil {
				return err
			}
		}
		for _, c := range cidrs {
			klog.InfoS("Masquerade exception set", "family", f.String(), "chain", masqChain, "cidr", c.String())
		}
		klog.InfoS("Masquerade chain programmed", "family", f.String(), "chain", masqChain, "rules", len(want))
	}

	// 3. the jump from POSTROUTING
	if _, err := m.ipt(ctx, f, append([]string{"-C", "POSTROUTING"}, masqJumpRule...)...); err != nil {
		if _, err := m.ipt(ctx, f, append([]string{"-A", "POSTROUTING"}, masqJumpRule...)...); err != nil {
			return err
		}
		klog.InfoS("Added POSTROUTING jump", "family", f.String(), "chain", masqChain)
	}
	return nil
}
