package main

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestMasqChainRules(t *testing.T) {
	got := masqChainRules(mustCIDRs(t, "10.244.0.0/16,10.245.0.0/16"))
	want := [][]string{
		{"-d", "10.244.0.0/16", "-j", "RETURN"},
		{"-d", "10.245.0.0/16", "-j", "RETURN"},
		{"-j", "MASQUERADE"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
}

func TestChainRulesFromSave(t *testing.T) {
	out := "-N KINDNET-MASQ\n-A KINDNET-MASQ -d fd00:10:244::/56 -j RETURN\n-A KINDNET-MASQ -j MASQUERADE\n"
	got := chainRulesFromSave(out, masqChain)
	if !sameRules(got, masqChainRules(mustCIDRs(t, "fd00:10:244::/56"))) {
		t.Errorf("got %v", got)
	}
	if sameRules(got, masqChainRules(mustCIDRs(t, "fd00:10:245::/56"))) {
		t.Error("different CIDR must not compare equal")
	}
}

func TestChooseIptablesMode(t *testing.T) {
	cases := []struct {
		nftHint, legacyHint bool
		nft, legacy         int
		want                string
	}{
		{true, false, 0, 50, "nft"},
		{false, true, 50, 0, "legacy"},
		{true, true, 0, 0, "nft"},
		{false, false, 3, 10, "legacy"},
		{false, false, 10, 3, "nft"},
		{false, false, 0, 0, "nft"},
	}
	for _, c := range cases {
		if got := chooseIptablesMode(c.nftHint, c.legacyHint, c.nft, c.legacy); got != c.want {
			t.Errorf("%+v: got %s", c, got)
		}
	}
	save := "*mangle\n:KUBE-IPTABLES-HINT - [0:0]\n-A FOO -j ACCEPT\nCOMMIT\n"
	if !hasHint(save) || countRules(save) != 1 {
		t.Error("hint/count parsing")
	}
}

// fakeIptables is an in-memory stand-in for iptables/ip6tables -t nat,
// enough for ensure(): -S, -N, -F, -A, -C on KINDNET-MASQ and POSTROUTING.
type fakeIptables struct {
	chains map[string]map[string][]string // bin -> chain -> rules
	calls  []string
}

func (f *fakeIptables) run(_ context.Context, bin string, args ...string) (string, error) {
	f.calls = append(f.calls, bin+" "+strings.Join(args, " "))
	if len(args) < 6 || args[0] != "-w" || args[2] != "-t" || args[3] != "nat" {
		return "", errors.New("missing -w/-t nat")
	}
	if f.chains[bin] == nil {
		f.chains[bin] = map[string][]string{"POSTROUTING": nil}
	}
	tbl := f.chains[bin]
	op, chain, rule := args[4], args[5], strings.Join(args[6:], " ")
	rules, exists := tbl[chain]
	switch op {
	case "-S":
		if !exists {
			return "", errors.New("no chain")
		}
		out := "-N " + chain + "\n"
		for _, r := range rules {
			out += "-A " + chain + " " + r + "\n"
		}
		return out, nil
	case "-N":
		if exists {
			return "", errors.New("exists")
		}
		tbl[chain] = nil
	case "-F":
		tbl[chain] = nil
	case "-A":
		tbl[chain] = append(rules, rule)
	case "-C":
		for _, r := range rules {
			if r == rule {
				return "", nil
			}
		}
		return "", errors.New("exit status 1")
	}
	return "", nil
}

func TestMasqueraderEnsureIdempotent(t *testing.T) {
	f := &fakeIptables{chains: map[string]map[string][]string{}}
	m := &masquerader{run: f.run, v4: "iptables", v6: "ip6tables"}
	cidrs := mustCIDRs(t, "fd00:10:244::/56,10.244.0.0/16")
	if err := m.ensure(context.Background(), cidrs); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"KINDNET-MASQ": {"-d 10.244.0.0/16 -j RETURN", "-j MASQUERADE"},
		"POSTROUTING":  {"-m addrtype ! --dst-type LOCAL -j KINDNET-MASQ"},
	}
	if !reflect.DeepEqual(f.chains["iptables"], want) {
		t.Errorf("iptables: %v", f.chains["iptables"])
	}
	want["KINDNET-MASQ"] = []string{"-d fd00:10:244::/56 -j RETURN", "-j MASQUERADE"}
	if !reflect.DeepEqual(f.chains["ip6tables"], want) {
		t.Errorf("ip6tables: %v", f.chains["ip6tables"])
	}

	// second run: only checks, no modification
	f.calls = nil
	if err := m.ensure(context.Background(), cidrs); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.calls {
		if !strings.Contains(c, " -S ") && !strings.Contains(c, " -C ") {
			t.Errorf("second ensure modified rules: %s", c)
		}
	}

	// stale rule in the chain: rebuilt in the right order
	f.chains["iptables"]["KINDNET-MASQ"] = []string{"-j MASQUERADE", "-d 10.99.0.0/16 -j RETURN"}
	if err := m.ensure(context.Background(), cidrs); err != nil {
		t.Fatal(err)
	}
	if got := f.chains["iptables"]["KINDNET-MASQ"]; !reflect.DeepEqual(got, []string{"-d 10.244.0.0/16 -j RETURN", "-j MASQUERADE"}) {
		t.Errorf("after repair: %v", got)
	}
	if got := f.chains["iptables"]["POSTROUTING"]; len(got) != 1 {
		t.Errorf("jump rule duplicated: %v", got)
	}
}
