package main

import (
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"k8s.io/klog/v2"
)

// routeProtocol marks the routes kindnetd installs (rtm_protocol). It is not
// one of the numbers assigned in iproute2's rt_protos, so `ip route show
// proto 106` lists exactly our routes and we never delete anybody else's.
const routeProtocol netlink.RouteProtocol = 106

// uplinkMTU returns the MTU of the interface that holds hostIP.
func uplinkMTU(hostIP net.IP) (int, string, error) {
	if hostIP == nil {
		return 0, "", fmt.Errorf("HOST_IP is not set")
	}
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return 0, "", fmt.Errorf("list addresses: %w", err)
	}
	for _, a := range addrs {
		if a.IPNet == nil || !a.IP.Equal(hostIP) {
			continue
		}
		link, err := netlink.LinkByIndex(a.LinkIndex)
		if err != nil {
			return 0, "", fmt.Errorf("link %d: %w", a.LinkIndex, err)
		}
		return link.Attrs().MTU, link.Attrs().Name, nil
	}
	return 0, "", fmt.Errorf("no interface holds %s", hostIP)
}

func netlinkFamily(f family) int {
	if f == ipv6 {
		return netlink.FAMILY_V6
	}
	return netlink.FAMILY_V4
}

// routeSyncer applies route plans and remembers which node each installed
// route belongs to, for logging deletions of vanished nodes.
type routeSyncer struct {
	owners map[string]string // dst CIDR -> node name
}

func newRouteSyncer() *routeSyncer { return &routeSyncer{owners: map[string]string{}} }

func (s *routeSyncer) installed() ([]installedRoute, error) {
	filter := &netlink.Route{Protocol: routeProtocol}
	var out []installedRoute
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rs, err := netlink.RouteListFiltered(fam, filter, netlink.RT_FILTER_PROTOCOL)
		if err != nil {
			return nil, fmt.Errorf("list routes: %w", err)
		}
		for _, r := range rs {
			if r.Dst != nil {
				out = append(out, installedRoute{Dst: r.Dst, Gw: r.Gw})
			}
		}
	}
	return out, nil
}

// sync brings our routes to plan. It keeps going after a failed route and
// returns the first error.
func (s *routeSyncer) sync(plan []plannedRoute) error {
	inst, err := s.installed()
	if err != nil {
		return err
	}
	var firstErr error
	for _, a := range diffRoutes(plan, inst, s.owners) {
		r := a.Route
		nr := &netlink.Route{
			Dst:      r.Dst,
			Gw:       r.Gw,
			Protocol: routeProtocol,
			Family:   netlinkFamily(r.Family),
		}
		switch a.Op {
		case "add", "update":
			if err := netlink.RouteReplace(nr); err != nil {
				klog.ErrorS(err, "Failed to program route", "node", r.Node, "family", r.Family.String(), "cidr", r.Dst.String(), "via", r.Gw.String())
				if firstErr == nil {
					firstErr = fmt.Errorf("route %s via %s (node %s): %w", r.Dst, r.Gw, r.Node, err)
				}
				continue
			}
			s.owners[r.Dst.String()] = r.Node
			if a.Op == "add" {
				klog.InfoS("Route added", "node", r.Node, "family", r.Family.String(), "cidr", r.Dst.String(), "via", r.Gw.String())
			} else {
				klog.InfoS("Route updated", "node", r.Node, "family", r.Family.String(), "cidr", r.Dst.String(), "via", r.Gw.String(), "oldVia", a.OldGw.String())
			}
		case "delete":
			if err := netlink.RouteDel(nr); err != nil {
				klog.ErrorS(err, "Failed to delete route", "node", r.Node, "family", r.Family.String(), "cidr", r.Dst.String(), "via", r.Gw.String())
				if firstErr == nil {
					firstErr = fmt.Errorf("delete route %s (node %s): %w", r.Dst, r.Node, err)
				}
				continue
			}
			delete(s.owners, r.Dst.String())
			klog.InfoS("Route removed (node or pod CIDR gone)", "node", r.Node, "family", r.Family.String(), "cidr", r.Dst.String(), "via", r.Gw.String())
		}
	}
	return firstErr
}
