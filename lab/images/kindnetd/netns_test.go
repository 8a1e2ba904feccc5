package main

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	v1 "k8s.io/api/core/v1"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// TestPrivilegedInNetns exercises the real netlink and iptables code paths.
// It changes routes and NAT rules, so it only runs when asked to and only
// inside a private network namespace:
//
//	KINDNETD_NETNS_TEST=1 unshare -n go test -run Privileged -v .
func TestPrivilegedInNetns(t *testing.T) {
	if os.Getenv("KINDNETD_NETNS_TEST") != "1" {
		t.Skip("set KINDNETD_NETNS_TEST=1 and run under `unshare -n` (root)")
	}
	// A namespace fresh from `unshare -n` holds nothing but lo; anything
	// else means we might be about to touch a real host's routes.
	links, err := netlink.LinkList()
	if err != nil || len(links) != 1 || links[0].Attrs().Name != "lo" {
		t.Skip("refusing to run outside a fresh network namespace; use unshare -n")
	}

	lo, err := netlink.LinkByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		t.Fatal(err)
	}
	// a veth pair stands in for the node's uplink (both ends up, so it has
	// carrier and on-link gateways are reachable)
	eth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "eth0", MTU: 1400}, PeerName: "peer0"}
	if err := netlink.LinkAdd(eth); err != nil {
		t.Skipf("cannot create a veth pair: %v", err)
	}
	link, _ := netlink.LinkByName("eth0")
	if peer, err := netlink.LinkByName("peer0"); err == nil {
		_ = netlink.LinkSetUp(peer)
	}
	for _, a := range []string{"172.18.0.2/16", "fc00::2/64"} {
		addr, _ := netlink.ParseAddr(a)
		addr.Flags = 0x80 // IFA_F_NODAD, so the v6 address is usable at once
		if err := netlink.AddrAdd(link, addr); err != nil {
			t.Fatal(err)
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		t.Fatal(err)
	}

	// MTU of the interface holding HOST_IP, for both families
	for _, ip := range []string{"172.18.0.2", "fc00::2"} {
		mtu, name, err := uplinkMTU(net.ParseIP(ip))
		if err != nil || mtu != 1400 || name != "eth0" {
			t.Errorf("uplinkMTU(%s) = %d %q %v", ip, mtu, name, err)
		}
	}
	if _, _, err := uplinkMTU(net.ParseIP("192.0.2.1")); err == nil {
		t.Error("uplinkMTU for an absent address must fail")
	}

	// routes: install, converge, remove vanished node
	s := newRouteSyncer()
	nodes := []*v1.Node{
		node("self", []string{"10.244.0.0/24", "fd00:10:244::/64"}, "172.18.0.2", "fc00::2"),
		node("w1", []string{"10.244.1.0/24", "fd00:10:244:1::/64"}, "172.18.0.3", "fc00::3"),
		node("w2", []string{"fd00:10:244:2::/64", "10.244.2.0/24"}, "fc00::4", "172.18.0.4"),
	}
	plan, _ := planRoutes("self", nodes)
	if err := s.sync(plan); err != nil {
		t.Fatal(err)
	}
	if got := ourRoutes(t); !reflect.DeepEqual(got, []string{
		"10.244.1.0/24 via 172.18.0.3", "10.244.2.0/24 via 172.18.0.4",
		"fd00:10:244:1::/64 via fc00::3", "fd00:10:244:2::/64 via fc00::4",
	}) {
		t.Errorf("routes after first sync: %v", got)
	}
	if err := s.sync(plan); err != nil {
		t.Fatal(err)
	}
	plan, _ = planRoutes("self", nodes[:2]) // w2 vanished
	if err := s.sync(plan); err != nil {
		t.Fatal(err)
	}
	if got := ourRoutes(t); !reflect.DeepEqual(got, []string{
		"10.244.1.0/24 via 172.18.0.3", "fd00:10:244:1::/64 via fc00::3",
	}) {
		t.Errorf("routes after w2 vanished: %v", got)
	}

	// conflist rendering with the detected MTU into a temp dir
	mtu, _, _ := uplinkMTU(net.ParseIP("172.18.0.2"))
	own, _ := nodePodCIDRs(nodes[0])
	b, err := renderCNIConfig(own, mtu)
	if err != nil || !strings.Contains(string(b), `"mtu": 1400`) {
		t.Errorf("render: %v\n%s", err, b)
	}

	// the daemon's reconcile over a node lister: waits for own podCIDRs,
	// then writes the conflist and routes
	ctx := context.Background()
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	bare := node("self", nil, "172.18.0.2", "fc00::2")
	_ = idx.Add(bare)
	_ = idx.Add(nodes[1])
	cniPath := filepath.Join(t.TempDir(), "10-kindnet.conflist")
	d := &daemon{
		cfg:     &config{NodeName: "self", HostIP: net.ParseIP("fc00::2")},
		nodes:   listersv1.NewNodeLister(idx),
		routes:  newRouteSyncer(),
		masq:    newMasquerader(ctx, execRun),
		cniPath: cniPath,
		trigger: make(chan struct{}, 1),
	}
	if err := d.reconcile(ctx); !errors.Is(err, errNotReady) {
		t.Fatalf("reconcile without podCIDRs: %v", err)
	}
	if _, err := os.Stat(cniPath); err == nil {
		t.Fatal("conflist written before the node had podCIDRs")
	}
	_ = idx.Update(node("self", []string{"fd00:10:244::/64", "10.244.0.0/24"}, "172.18.0.2", "fc00::2"))
	if err := d.reconcile(ctx); err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	conf, err := os.ReadFile(cniPath)
	if err != nil {
		t.Fatal(err)
	}
	if i4, i6 := strings.Index(string(conf), "10.244.0.0/24"), strings.Index(string(conf), "fd00:10:244::/64"); i6 < 0 || i4 < i6 || !strings.Contains(string(conf), `"mtu": 1400`) {
		t.Errorf("conflist (want v6 range first, mtu 1400):\n%s", conf)
	}
	if got := ourRoutes(t); len(got) != 2 {
		t.Errorf("routes after reconcile: %v", got)
	}

	// NAT rules with the real binaries
	m := newMasquerader(ctx, execRun)
	cidrs := mustCIDRs(t, "10.244.0.0/16,fd00:10:244::/56")
	for i := 0; i < 2; i++ {
		if err := m.ensure(ctx, cidrs); err != nil {
			t.Fatalf("ensure #%d: %v", i+1, err)
		}
	}
	for _, c := range []struct{ f family }{{ipv4}, {ipv6}} {
		out, err := m.ipt(ctx, c.f, "-S")
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(out, "-A POSTROUTING -m addrtype ! --dst-type LOCAL -j KINDNET-MASQ"); n != 1 {
			t.Errorf("%s: %d jump rules:\n%s", c.f, n, out)
		}
		if n := strings.Count(out, "-A KINDNET-MASQ"); n != 2 {
			t.Errorf("%s: %d chain rules:\n%s", c.f, n, out)
		}
		t.Logf("%s nat:\n%s", c.f, out)
	}
}

func ourRoutes(t *testing.T) []string {
	t.Helper()
	inst, err := newRouteSyncer().installed()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range inst {
		out = append(out, r.Dst.String()+" via "+r.Gw.String())
	}
	sort.Strings(out)
	return out
}
