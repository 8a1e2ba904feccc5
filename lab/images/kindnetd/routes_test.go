package main

import (
	"net"
	"reflect"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(name string, podCIDRs []string, internalIPs ...string) *v1.Node {
	n := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	n.Spec.PodCIDRs = podCIDRs
	if len(podCIDRs) > 0 {
		n.Spec.PodCIDR = podCIDRs[0]
	}
	n.Status.Addresses = append(n.Status.Addresses, v1.NodeAddress{Type: v1.NodeHostName, Address: name})
	for _, ip := range internalIPs {
		n.Status.Addresses = append(n.Status.Addresses, v1.NodeAddress{Type: v1.NodeInternalIP, Address: ip})
	}
	return n
}

func routeStrings(rs []plannedRoute) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Node+" "+r.Family.String()+" "+r.Dst.String()+" via "+r.Gw.String())
	}
	return out
}

func TestPlanRoutes(t *testing.T) {
	nodes := []*v1.Node{
		// self: never routed
		node("kind-control-plane", []string{"10.244.0.0/24", "fd00:10:244::/64"}, "172.18.0.2", "fc00::2"),
		// dual-stack, IPv6-first InternalIPs; podCIDR order must be kept
		node("kind-worker2", []string{"fd00:10:244:2::/64", "10.244.2.0/24"}, "fc00::4", "172.18.0.4"),
		node("kind-worker", []string{"10.244.1.0/24", "fd00:10:244:1::/64"}, "172.18.0.3", "fc00::3"),
		// missing IPv6 InternalIP: only the IPv4 route, the IPv6 CIDR is skipped
		node("kind-worker3", []string{"10.244.3.0/24", "fd00:10:244:3::/64"}, "172.18.0.5"),
		// no pod CIDRs yet
		node("kind-worker4", nil, "172.18.0.6", "fc00::6"),
		// ExternalIP only must not be used
		func() *v1.Node {
			n := node("kind-worker5", []string{"10.244.5.0/24"})
			n.Status.Addresses = append(n.Status.Addresses, v1.NodeAddress{Type: v1.NodeExternalIP, Address: "198.51.100.5"})
			return n
		}(),
		// legacy spec.podCIDR only
		func() *v1.Node {
			n := node("kind-worker6", nil, "172.18.0.8")
			n.Spec.PodCIDR = "10.244.6.0/24"
			return n
		}(),
		// garbage
		node("kind-worker7", []string{"not-a-cidr"}, "172.18.0.9"),
		nil,
	}
	plan, skipped := planRoutes("kind-control-plane", nodes)
	want := []string{
		"kind-worker IPv4 10.244.1.0/24 via 172.18.0.3",
		"kind-worker IPv6 fd00:10:244:1::/64 via fc00::3",
		"kind-worker2 IPv6 fd00:10:244:2::/64 via fc00::4",
		"kind-worker2 IPv4 10.244.2.0/24 via 172.18.0.4",
		"kind-worker3 IPv4 10.244.3.0/24 via 172.18.0.5",
		"kind-worker6 IPv4 10.244.6.0/24 via 172.18.0.8",
	}
	if got := routeStrings(plan); !reflect.DeepEqual(got, want) {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var sk []string
	for _, s := range skipped {
		sk = append(sk, s.Node+" "+s.CIDR+": "+s.Reason)
	}
	wantSkipped := []string{
		"kind-worker3 fd00:10:244:3::/64: node has no IPv6 InternalIP",
		"kind-worker5 10.244.5.0/24: node has no IPv4 InternalIP",
		"kind-worker7 not-a-cidr: unparsable pod CIDR",
	}
	if !reflect.DeepEqual(sk, wantSkipped) {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(sk, "\n"), strings.Join(wantSkipped, "\n"))
	}
}

func TestPlanRoutesSingleStack(t *testing.T) {
	nodes := []*v1.Node{
		node("a", []string{"fd00:10:244::/64"}, "fc00::2"),
		node("b", []string{"fd00:10:244:1::/64"}, "fc00::3"),
	}
	plan, skipped := planRoutes("a", nodes)
	if got := routeStrings(plan); !reflect.DeepEqual(got, []string{"b IPv6 fd00:10:244:1::/64 via fc00::3"}) || len(skipped) != 0 {
		t.Errorf("plan %v skipped %v", got, skipped)
	}
	// self unknown (not in list): everything is routed
	if plan, _ := planRoutes("c", nodes); len(plan) != 2 {
		t.Errorf("expected 2 routes, got %v", routeStrings(plan))
	}
}

func TestPlanRoutesDuplicateCIDR(t *testing.T) {
	nodes := []*v1.Node{
		node("b", []string{"10.244.1.0/24"}, "172.18.0.3"),
		node("a", []string{"10.244.1.0/24"}, "172.18.0.2"),
	}
	plan, skipped := planRoutes("self", nodes)
	if got := routeStrings(plan); !reflect.DeepEqual(got, []string{"a IPv4 10.244.1.0/24 via 172.18.0.2"}) {
		t.Errorf("plan %v", got)
	}
	if len(skipped) != 1 || skipped[0].Node != "b" {
		t.Errorf("skipped %v", skipped)
	}
}

func TestDiffRoutes(t *testing.T) {
	cidr := func(s string) *net.IPNet { _, n, _ := net.ParseCIDR(s); return n }
	plan, _ := planRoutes("self", []*v1.Node{
		node("w1", []string{"10.244.1.0/24", "fd00:10:244:1::/64"}, "172.18.0.3", "fc00::3"),
		node("w2", []string{"10.244.2.0/24"}, "172.18.0.4"),
	})
	installed := []installedRoute{
		{Dst: cidr("10.244.1.0/24"), Gw: net.ParseIP("172.18.0.3")},   // unchanged
		{Dst: cidr("10.244.2.0/24"), Gw: net.ParseIP("172.18.0.99")},  // gateway moved
		{Dst: cidr("10.244.9.0/24"), Gw: net.ParseIP("172.18.0.10")},  // node vanished
		{Dst: cidr("fd00:10:244:8::/64"), Gw: net.ParseIP("fc00::8")}, // left by a previous run
	}
	owners := map[string]string{"10.244.9.0/24": "w9"}
	var got []string
	for _, a := range diffRoutes(plan, installed, owners) {
		got = append(got, a.Op+" "+a.Route.Node+" "+a.Route.Family.String()+" "+a.Route.Dst.String()+" via "+a.Route.Gw.String())
	}
	want := []string{
		"add w1 IPv6 fd00:10:244:1::/64 via fc00::3",
		"update w2 IPv4 10.244.2.0/24 via 172.18.0.4",
		"delete w9 IPv4 10.244.9.0/24 via 172.18.0.10",
		"delete unknown node IPv6 fd00:10:244:8::/64 via fc00::8",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("actions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if acts := diffRoutes(plan, []installedRoute{
		{Dst: cidr("10.244.1.0/24"), Gw: net.ParseIP("172.18.0.3")},
		{Dst: cidr("fd00:10:244:1::/64"), Gw: net.ParseIP("fc00::3")},
		{Dst: cidr("10.244.2.0/24"), Gw: net.ParseIP("172.18.0.4")},
	}, nil); len(acts) != 0 {
		t.Errorf("converged state must need no actions, got %+v", acts)
	}
}
