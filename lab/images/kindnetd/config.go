package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// defaultAPIServerPort is used when CONTROL_PLANE_ENDPOINT carries no port.
const defaultAPIServerPort = "6443"

// config is everything the daemon reads from its environment. The variable
// names are the ones set by kind's default-cni.yaml (HOST_IP, POD_IP,
// POD_SUBNET) and by kind's installcni action (CONTROL_PLANE_ENDPOINT).
type config struct {
	NodeName string
	HostIP   net.IP // status.hostIP of our pod; selects the uplink for the MTU
	PodIP    net.IP // status.podIP; equals HostIP (hostNetwork), informational
	// ClusterCIDRs are the cluster-wide pod CIDRs (POD_SUBNET), in the order
	// given. Traffic towards them is never masqueraded.
	ClusterCIDRs []*net.IPNet
	// APIServerURL, if not empty, replaces the in-cluster service address
	// (kube-proxy is not running yet when kindnetd starts).
	APIServerURL string
}

func configFromEnv(getenv func(string) string, hostname func() (string, error)) (*config, error) {
	c := &config{}

	c.NodeName = strings.TrimSpace(getenv("NODE_NAME"))
	if c.NodeName == "" {
		h, err := hostname()
		if err != nil {
			return nil, fmt.Errorf("NODE_NAME is not set and the hostname is unavailable: %w", err)
		}
		// kubelet lower-cases the hostname when it derives the node name.
		c.NodeName = strings.ToLower(strings.TrimSpace(h))
	}
	if c.NodeName == "" {
		return nil, fmt.Errorf("cannot determine the node name (NODE_NAME and hostname are empty)")
	}

	var err error
	if c.HostIP, err = optionalIP("HOST_IP", getenv("HOST_IP")); err != nil {
		return nil, err
	}
	if c.PodIP, err = optionalIP("POD_IP", getenv("POD_IP")); err != nil {
		return nil, err
	}
	if c.ClusterCIDRs, err = parseCIDRList(getenv("POD_SUBNET")); err != nil {
		return nil, fmt.Errorf("POD_SUBNET: %w", err)
	}
	if c.APIServerURL, err = parseControlPlaneEndpoint(getenv("CONTROL_PLANE_ENDPOINT")); err != nil {
		return nil, fmt.Errorf("CONTROL_PLANE_ENDPOINT: %w", err)
	}
	return c, nil
}

func optionalIP(name, v string) (net.IP, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	ip := net.ParseIP(v)
	if ip == nil {
		return nil, fmt.Errorf("%s: %q is not an IP address", name, v)
	}
	return ip, nil
}

// parseCIDRList parses a comma-separated CIDR list such as
// "10.244.0.0/16,fd00:10:244::/56". Order is preserved; the networks are
// returned in canonical (masked) form. An empty string yields an empty list.
func parseCIDRList(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("invalid CIDR %q: %w", part, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseControlPlaneEndpoint turns kind's CONTROL_PLANE_ENDPOINT into an
// https URL for the API server. kind writes host:port where host is a DNS
// name (the control-plane container or the HA load balancer), an IPv4
// address, or a bracketed IPv6 literal. Also accepted, to be forgiving: an
// https:// prefix, a missing port (6443 is assumed) and an unbracketed IPv6
// literal without a port. An empty value means "not set" and yields "".
func parseControlPlaneEndpoint(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if rest, ok := strings.CutPrefix(s, "https://"); ok {
		s = strings.TrimSuffix(rest, "/")
	} else if strings.Contains(s, "://") {
		return "", fmt.Errorf("%q: only https is supported", s)
	}
	if s == "" {
		return "", fmt.Errorf("empty host")
	}

	var host, port string
	switch {
	case net.ParseIP(s) != nil:
		// a bare address: IPv4, or IPv6 without brackets and port
		host, port = s, defaultAPIServerPort
	case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
		host, port = s[1:len(s)-1], defaultAPIServerPort
	case !strings.Contains(s, ":"):
		host, port = s, defaultAPIServerPort
	default:
		var err error
		host, port, err = net.SplitHostPort(s)
		if err != nil {
			return "", fmt.Errorf("%q: %w", s, err)
		}
	}

	if host == "" {
		return "", fmt.Errorf("%q: empty host", s)
	}
	if strings.ContainsAny(host, "[]/ ") {
		return "", fmt.Errorf("%q: invalid host %q", s, host)
	}
	if strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return "", fmt.Errorf("%q: %q is not a valid IPv6 address", s, host)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("%q: invalid port %q", s, port)
	}
	// Strip an IPv6 zone-less literal down to canonical form; names stay as is.
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	return "https://" + net.JoinHostPort(host, strconv.Itoa(p)), nil
}

// family is an IP family as used in logs and rule/route planning.
type family int

const (
	ipv4 family = 4
	ipv6 family = 6
)

func (f family) String() string {
	if f == ipv6 {
		return "IPv6"
	}
	return "IPv4"
}

func familyOfIP(ip net.IP) family {
	if ip.To4() != nil {
		return ipv4
	}
	return ipv6
}

func familyOfNet(n *net.IPNet) family { return familyOfIP(n.IP) }

// familiesOf returns the families present in nets, in first-seen order.
func familiesOf(nets []*net.IPNet) []family {
	var out []family
	seen := map[family]bool{}
	for _, n := range nets {
		f := familyOfNet(n)
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// hostnameFunc is os.Hostname, split out for tests.
var hostnameFunc = os.Hostname
