package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// decoded is the subset of the conflist the tests look at.
type decoded struct {
	CNIVersion string `json:"cniVersion"`
	Name       string `json:"name"`
	Plugins    []struct {
		Type         string          `json:"type"`
		IPMasq       *bool           `json:"ipMasq"`
		MTU          int             `json:"mtu"`
		Capabilities map[string]bool `json:"capabilities"`
		IPAM         *struct {
			Type    string `json:"type"`
			DataDir string `json:"dataDir"`
			Routes  []struct {
				Dst string `json:"dst"`
			} `json:"routes"`
			Ranges [][]struct {
				Subnet string `json:"subnet"`
			} `json:"ranges"`
		} `json:"ipam"`
	} `json:"plugins"`
}

func render(t *testing.T, cidrs string, mtu int) decoded {
	t.Helper()
	nets, err := parseCIDRList(cidrs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := renderCNIConfig(nets, mtu)
	if err != nil {
		t.Fatal(err)
	}
	var d decoded
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	return d
}

func TestRenderCNIConfig(t *testing.T) {
	cases := []struct {
		name       string
		cidrs      string
		wantRanges []string
		wantRoutes []string
	}{
		{"ipv4", "10.244.1.0/24", []string{"10.244.1.0/24"}, []string{"0.0.0.0/0"}},
		{"ipv6", "fd00:10:244:1::/64", []string{"fd00:10:244:1::/64"}, []string{"::/0"}},
		{"dual v4-first", "10.244.1.0/24,fd00:10:244:1::/64",
			[]string{"10.244.1.0/24", "fd00:10:244:1::/64"}, []string{"0.0.0.0/0", "::/0"}},
		{"dual v6-first", "fd00:10:244:1::/64,10.244.1.0/24",
			[]string{"fd00:10:244:1::/64", "10.244.1.0/24"}, []string{"::/0", "0.0.0.0/0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := render(t, c.cidrs, 1450)
			if d.CNIVersion != "0.3.1" || d.Name != "kindnet" {
				t.Errorf("header: %+v", d)
			}
			if len(d.Plugins) != 2 || d.Plugins[0].Type != "ptp" || d.Plugins[1].Type != "portmap" {
				t.Fatalf("plugins: %+v", d.Plugins)
			}
			ptp := d.Plugins[0]
			if ptp.IPMasq == nil || *ptp.IPMasq {
				t.Errorf("ipMasq must be present and false")
			}
			if ptp.MTU != 1450 {
				t.Errorf("mtu = %d", ptp.MTU)
			}
			if ptp.IPAM == nil || ptp.IPAM.Type != "host-local" || ptp.IPAM.DataDir != "/run/cni-ipam-state" {
				t.Fatalf("ipam: %+v", ptp.IPAM)
			}
			var ranges, routes []string
			for _, set := range ptp.IPAM.Ranges {
				if len(set) != 1 {
					t.Errorf("each range set must hold exactly one range: %+v", set)
				}
				for _, r := range set {
					ranges = append(ranges, r.Subnet)
				}
			}
			for _, r := range ptp.IPAM.Routes {
				routes = append(routes, r.Dst)
			}
			if !reflect.DeepEqual(ranges, c.wantRanges) {
				t.Errorf("ranges = %v, want %v", ranges, c.wantRanges)
			}
			if !reflect.DeepEqual(routes, c.wantRoutes) {
				t.Errorf("routes = %v, want %v", routes, c.wantRoutes)
			}
			if !d.Plugins[1].Capabilities["portMappings"] {
				t.Errorf("portmap capabilities: %+v", d.Plugins[1].Capabilities)
			}
		})
	}
}

func TestRenderCNIConfigEdges(t *testing.T) {
	if _, err := renderCNIConfig(nil, 1500); err == nil {
		t.Error("expected error for no pod CIDRs")
	}
	if d := render(t, "10.244.1.0/24", 0); d.Plugins[0].MTU != defaultLinkMTU {
		t.Errorf("mtu 0 should fall back to %d, got %d", defaultLinkMTU, d.Plugins[0].MTU)
	}
	a, _ := renderCNIConfig(mustCIDRs(t, "10.244.1.0/24,fd00::/64"), 1500)
	b, _ := renderCNIConfig(mustCIDRs(t, "10.244.1.0/24,fd00::/64"), 1500)
	if string(a) != string(b) {
		t.Error("rendering must be deterministic")
	}
}

func TestWriteFileIfChanged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "10-kindnet.conflist")
	changed, err := writeFileIfChanged(p, []byte("one\n"), 0o644)
	if err != nil || !changed {
		t.Fatalf("first write: changed=%v err=%v", changed, err)
	}
	changed, err = writeFileIfChanged(p, []byte("one\n"), 0o644)
	if err != nil || changed {
		t.Fatalf("same content: changed=%v err=%v", changed, err)
	}
	changed, err = writeFileIfChanged(p, []byte("two\n"), 0o644)
	if err != nil || !changed {
		t.Fatalf("new content: changed=%v err=%v", changed, err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "two\n" {
		t.Errorf("content = %q", got)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v", st.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func mustCIDRs(t *testing.T, s string) []*net.IPNet {
	t.Helper()
	n, err := parseCIDRList(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
