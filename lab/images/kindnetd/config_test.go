package main

import (
	"errors"
	"testing"
)

func TestParseControlPlaneEndpoint(t *testing.T) {
	cases := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "", want: ""},
		{in: "   ", want: ""},
		{in: "kind-control-plane:6443", want: "https://kind-control-plane:6443"},
		{in: "kind-external-load-balancer:6443", want: "https://kind-external-load-balancer:6443"},
		{in: "172.18.0.3:6443", want: "https://172.18.0.3:6443"},
		{in: "[fc00:f853:ccd:e793::3]:6443", want: "https://[fc00:f853:ccd:e793::3]:6443"},
		{in: "[FC00:F853:0CCD:E793:0:0:0:3]:6443", want: "https://[fc00:f853:ccd:e793::3]:6443"},
		{in: "[::1]:443", want: "https://[::1]:443"},
		{in: "https://kind-control-plane:6443/", want: "https://kind-control-plane:6443"},
		{in: "https://[fd00::2]:6443", want: "https://[fd00::2]:6443"},
		// forgiving forms: no port, bare IPv6 literal
		{in: "kind-control-plane", want: "https://kind-control-plane:6443"},
		{in: "10.0.0.1", want: "https://10.0.0.1:6443"},
		{in: "fd00::2", want: "https://[fd00::2]:6443"},
		{in: "[fd00::2]", want: "https://[fd00::2]:6443"},
		// errors
		{in: "http://kind-control-plane:6443", wantErr: true},
		{in: "[fd00::2:6443", wantErr: true},
		{in: "[fd00::zz]:6443", wantErr: true},
		{in: "kind-control-plane:http", wantErr: true},
		{in: "kind-control-plane:0", wantErr: true},
		{in: "kind-control-plane:70000", wantErr: true},
		{in: ":6443", wantErr: true},
		{in: "https://", wantErr: true},
	}
	for _, c := range cases {
		got, err := parseControlPlaneEndpoint(c.in)
		if c.wantErr {
			if err == nil {
				t.Errorf("parseControlPlaneEndpoint(%q) = %q, want error", c.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseControlPlaneEndpoint(%q) error: %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("parseControlPlaneEndpoint(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"HOST_IP":                "172.18.0.2",
		"POD_IP":                 "172.18.0.2",
		"POD_SUBNET":             "fd00:10:244::/56, 10.244.0.0/16",
		"CONTROL_PLANE_ENDPOINT": "[fc00::3]:6443",
	}
	host := func() (string, error) { return "Kind-Worker", nil }
	c, err := configFromEnv(func(k string) string { return env[k] }, host)
	if err != nil {
		t.Fatal(err)
	}
	if c.NodeName != "kind-worker" {
		t.Errorf("NodeName = %q, want hostname lower-cased", c.NodeName)
	}
	if got := cidrStrings(c.ClusterCIDRs); len(got) != 2 || got[0] != "fd00:10:244::/56" || got[1] != "10.244.0.0/16" {
		t.Errorf("ClusterCIDRs = %v (order must be preserved)", got)
	}
	if c.APIServerURL != "https://[fc00::3]:6443" {
		t.Errorf("APIServerURL = %q", c.APIServerURL)
	}
	if c.HostIP.String() != "172.18.0.2" {
		t.Errorf("HostIP = %v", c.HostIP)
	}

	env["NODE_NAME"] = "explicit"
	c, err = configFromEnv(func(k string) string { return env[k] }, func() (string, error) {
		return "", errors.New("must not be called")
	})
	if err != nil || c.NodeName != "explicit" {
		t.Errorf("NODE_NAME override: %v %v", c, err)
	}

	for k, v := range map[string]string{"POD_SUBNET": "10.244.0.0", "HOST_IP": "nope", "CONTROL_PLANE_ENDPOINT": "x:y"} {
		bad := map[string]string{k: v, "NODE_NAME": "n"}
		if _, err := configFromEnv(func(k string) string { return bad[k] }, host); err == nil {
			t.Errorf("%s=%q: expected error", k, v)
		}
	}
}

func TestParseCIDRListCanonical(t *testing.T) {
	got, err := parseCIDRList("10.244.1.7/16,,FD00:10:244:0:0::1/56")
	if err != nil {
		t.Fatal(err)
	}
	s := cidrStrings(got)
	if len(s) != 2 || s[0] != "10.244.0.0/16" || s[1] != "fd00:10:244::/56" {
		t.Errorf("got %v", s)
	}
}
