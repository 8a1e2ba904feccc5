package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
)

const (
	cniConfigPath   = "/etc/cni/net.d/10-kindnet.conflist"
	cniIPAMDataDir  = "/run/cni-ipam-state"
	cniVersion      = "0.3.1"
	cniNetworkName  = "kindnet"
	defaultLinkMTU  = 1500
	cniConfFileMode = 0o644
)

// The conflist is rendered from typed structs (not a text template) so that
// the output is always valid JSON and field order is stable, which lets us
// compare bytes to decide whether the file must be rewritten.

type cniConfList struct {
	CNIVersion string `json:"cniVersion"`
	Name       string `json:"name"`
	Plugins    []any  `json:"plugins"`
}

type ptpPlugin struct {
	Type   string  `json:"type"`
	IPMasq bool    `json:"ipMasq"`
	MTU    int     `json:"mtu"`
	IPAM   ipamCfg `json:"ipam"`
}

type ipamCfg struct {
	Type    string         `json:"type"`
	DataDir string         `json:"dataDir"`
	Routes  []ipamRoute    `json:"routes"`
	Ranges  [][]ipamSubnet `json:"ranges"`
}

type ipamRoute struct {
	Dst string `json:"dst"`
}

type ipamSubnet struct {
	Subnet string `json:"subnet"`
}

type portmapPlugin struct {
	Type         string          `json:"type"`
	Capabilities map[string]bool `json:"capabilities"`
}

// renderCNIConfig returns the conflist for a node whose spec.podCIDRs are
// podCIDRs. host-local hands out one address per range set, in range-set
// order, and the runtime reports them to the kubelet in that order, so the
// order of podCIDRs decides the order of the pod's podIPs (IPv4-first or
// IPv6-first dual-stack). It is therefore kept exactly.
func renderCNIConfig(podCIDRs []*net.IPNet, mtu int) ([]byte, error) {
	if len(podCIDRs) == 0 {
		return nil, errors.New("no pod CIDRs")
	}
	if mtu <= 0 {
		mtu = defaultLinkMTU
	}
	ipam := ipamCfg{
		Type:    "host-local",
		DataDir: cniIPAMDataDir,
		Routes:  []ipamRoute{},
		Ranges:  [][]ipamSubnet{},
	}
	for _, f := range familiesOf(podCIDRs) {
		dst := "0.0.0.0/0"
		if f == ipv6 {
			dst = "::/0"
		}
		ipam.Routes = append(ipam.Routes, ipamRoute{Dst: dst})
	}
	for _, c := range podCIDRs {
		ipam.Ranges = append(ipam.Ranges, []ipamSubnet{{Subnet: c.String()}})
	}
	list := cniConfList{
		CNIVersion: cniVersion,
		Name:       cniNetworkName,
		Plugins: []any{
			ptpPlugin{Type: "ptp", IPMasq: false, MTU: mtu, IPAM: ipam},
			portmapPlugin{Type: "portmap", Capabilities: map[string]bool{"portMappings": true}},
		},
	}
	out, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// writeFileIfChanged atomically replaces path with content unless it already
// holds exactly that content. The temporary file lives in the same directory
// (rename must not cross filesystems) and its name does not end in
// .conf/.conflist/.json, so the container runtime's CNI directory watcher
// never loads a half-written file.
func writeFileIfChanged(path string, content []byte, mode fs.FileMode) (changed bool, err error) {
	old, err := os.ReadFile(path)
	if err == nil && bytes.Equal(old, content) {
		return false, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("read %s: %w", path, err)
	}

	dir := filepath.Dir(path)
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, err
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmpName)
		}
	}()
	if _, err = tmp.Write(content); err != nil {
		_ = tmp.Close()
		return false, err
	}
	if err = tmp.Chmod(mode); err != nil {
		_ = tmp.Close()
		return false, err
	}
	if err = tmp.Sync(); err != nil {
		_ = tmp.Close()
		return false, err
	}
	if err = tmp.Close(); err != nil {
		return false, err
	}
	if err = os.Rename(tmpName, path); err != nil {
		return false, err
	}
	return true, nil
}
