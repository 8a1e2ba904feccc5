package main

import (
	"fmt"
	"net"
	"sort"

	v1 "k8s.io/api/core/v1"
)

// plannedRoute is "Dst via Gw": a pod CIDR of another node, reached through
// that node's InternalIP of the same family.
type plannedRoute struct {
	Node   string
	Family family
	Dst    *net.IPNet
	Gw     net.IP
}

func (r plannedRoute) key() string { return r.Dst.String() }

// skippedCIDR is a pod CIDR for which no route can be planned.
type skippedCIDR struct {
	Node   string
	CIDR   string
	Reason string
}

// nodePodCIDRs returns spec.podCIDRs (or the legacy spec.podCIDR), parsed and
// in order. Unparsable entries are reported through bad.
func nodePodCIDRs(n *v1.Node) (cidrs []*net.IPNet, bad []string) {
	raw := n.Spec.PodCIDRs
	if len(raw) == 0 && n.Spec.PodCIDR != "" {
		raw = []string{n.Spec.PodCIDR}
	}
	for _, s := range raw {
		_, c, err := net.ParseCIDR(s)
		if err != nil {
			bad = append(bad, s)
			continue
		}
		cidrs = append(cidrs, c)
	}
	return cidrs, bad
}

// nodeInternalIP returns the node's first InternalIP of the given family.
func nodeInternalIP(n *v1.Node, f family) net.IP {
	for _, a := range n.Status.Addresses {
		if a.Type != v1.NodeInternalIP {
			continue
		}
		ip := net.ParseIP(a.Address)
		if ip != nil && familyOfIP(ip) == f {
			return ip
		}
	}
	return nil
}

// planRoutes computes the routes this node needs: for every other node and
// each of its pod CIDRs, a route via its InternalIP of the same family.
// Routes are sorted by node name and then by the node's podCIDRs order; if
// two nodes claim the same CIDR, the first one (by name) wins and the other
// is reported as skipped.
func planRoutes(self string, nodes []*v1.Node) ([]plannedRoute, []skippedCIDR) {
	sorted := make([]*v1.Node, 0, len(nodes))
	for _, n := range nodes {
		if n != nil && n.Name != self {
			sorted = append(sorted, n)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })

	var routes []plannedRoute
	var skipped []skippedCIDR
	claimed := map[string]string{}
	for _, n := range sorted {
		cidrs, bad := nodePodCIDRs(n)
		for _, b := range bad {
			skipped = append(skipped, skippedCIDR{Node: n.Name, CIDR: b, Reason: "unparsable pod CIDR"})
		}
		for _, c := range cidrs {
			f := familyOfNet(c)
			gw := nodeInternalIP(n, f)
			if gw == nil {
				skipped = append(skipped, skippedCIDR{Node: n.Name, CIDR: c.String(),
					Reason: fmt.Sprintf("node has no %s InternalIP", f)})
				continue
			}
			if owner, dup := claimed[c.String()]; dup {
				skipped = append(skipped, skippedCIDR{Node: n.Name, CIDR: c.String(),
					Reason: fmt.Sprintf("pod CIDR already routed to node %s", owner)})
				continue
			}
			claimed[c.String()] = n.Name
			routes = append(routes, plannedRoute{Node: n.Name, Family: f, Dst: c, Gw: gw})
		}
	}
	return routes, skipped
}

// routeAction is one step to bring the kernel's routes (those carrying our
// protocol number) to the planned state.
type routeAction struct {
	Op    string // "add", "update", "delete"
	Route plannedRoute
	OldGw net.IP // for update/delete: the gateway currently installed
}

// installedRoute is a route currently in the kernel with our protocol.
type installedRoute struct {
	Dst *net.IPNet
	Gw  net.IP
}

// diffRoutes compares the plan with what is installed. Node names for
// deletions come from owners (routes we installed during this process's
// lifetime); routes left over by a previous instance are attributed to
// "unknown node".
func diffRoutes(plan []plannedRoute, installed []installedRoute, owners map[string]string) []routeAction {
	have := map[string]installedRoute{}
	for _, r := range installed {
		if r.Dst != nil {
			have[r.Dst.String()] = r
		}
	}
	want := map[string]bool{}
	var acts []routeAction
	for _, p := range plan {
		want[p.key()] = true
		cur, ok := have[p.key()]
		switch {
		case !ok:
			acts = append(acts, routeAction{Op: "add", Route: p})
		case !cur.Gw.Equal(p.Gw):
			acts = append(acts, routeAction{Op: "update", Route: p, OldGw: cur.Gw})
		}
	}
	var stale []installedRoute
	for k, r := range have {
		if !want[k] {
			stale = append(stale, r)
		}
	}
	sort.Slice(stale, func(i, j int) bool { return stale[i].Dst.String() < stale[j].Dst.String() })
	for _, r := range stale {
		owner := owners[r.Dst.String()]
		if owner == "" {
			owner = "unknown node"
		}
		acts = append(acts, routeAction{Op: "delete",
			Route: plannedRoute{Node: owner, Family: familyOfNet(r.Dst), Dst: r.Dst, Gw: r.Gw},
			OldGw: r.Gw})
	}
	return acts
}
