package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// capNames maps Linux capability numbers (include/uapi/linux/capability.h) to
// the names used in OCI specs.
var capNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// readBoundingSet returns the set of capability names this process may grant.
func readBoundingSet(statusPath string) (map[string]bool, error) {
	f, err := os.Open(statusPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "CapBnd:") {
			continue
		}
		mask, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(line, "CapBnd:")), 16, 64)
		if err != nil {
			return nil, err
		}
		return boundingFromMask(mask), nil
	}
	return nil, fmt.Errorf("no CapBnd line in %s", statusPath)
}

func boundingFromMask(mask uint64) map[string]bool {
	set := map[string]bool{}
	for i, name := range capNames {
		if mask&(1<<uint(i)) != 0 {
			set[name] = true
		}
	}
	return set
}

// specFileFor returns the JSON file runc will read capabilities from for this
// invocation, or "" when the command does not start a process.
func specFileFor(args []string) string {
	cmd, rest := splitCommand(args)
	switch cmd {
	case "create", "run":
		bundle := flagValue(rest, "--bundle", "-b")
		if bundle == "" {
			bundle = "."
		}
		return filepath.Join(bundle, "config.json")
	case "exec":
		return flagValue(rest, "--process", "-p")
	}
	return ""
}

// globalWithValue lists runc's global flags that take a separate value.
var globalWithValue = map[string]bool{"--root": true, "--log": true, "--log-format": true, "--criu": true, "--rootless": true}

func splitCommand(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if globalWithValue[a] {
				i++
			}
			continue
		}
		return a, args[i+1:]
	}
	return "", nil
}

func flagValue(args []string, long, short string) string {
	for i, a := range args {
		for _, name := range []string{long, short} {
			if a == name && i+1 < len(args) {
				return args[i+1]
			}
			if strings.HasPrefix(a, name+"=") {
				return strings.TrimPrefix(a, name+"=")
			}
		}
	}
	return ""
}

// stripFile rewrites path in place, dropping capabilities outside bnd.
func stripFile(path string, bnd map[string]bool, g *grantable) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, changed, err := stripCaps(raw, bnd, g)
	if err != nil || !changed {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, st.Mode().Perm())
}

// stripCaps handles both a full spec ({"process":{"capabilities":…}}) and an
// exec process file ({"capabilities":…}).
func stripCaps(raw []byte, bnd map[string]bool, g *grantable) ([]byte, bool, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, false, err
	}
	if procRaw, ok := doc["process"]; ok {
		proc, changed, err := stripProcess(procRaw, bnd, g)
		if err != nil || !changed {
			return raw, false, err
		}
		doc["process"] = proc
	} else {
		proc, changed, err := stripProcess(raw, bnd, g)
		return proc, changed, err
	}
	out, err := json.Marshal(doc)
	return out, true, err
}

func stripProcess(raw json.RawMessage, bnd map[string]bool, g *grantable) (json.RawMessage, bool, error) {
	var proc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &proc); err != nil {
		return nil, false, err
	}
	changed := false
	if capsRaw, ok := proc["capabilities"]; ok && string(capsRaw) != "null" {
		var caps map[string][]string
		if err := json.Unmarshal(capsRaw, &caps); err != nil {
			return nil, false, err
		}
		capsChanged := false
		for set, list := range caps {
			kept := list[:0:0]
			for _, c := range list {
				if bnd[c] {
					kept = append(kept, c)
				} else {
					capsChanged = true
				}
			}
			caps[set] = kept
		}
		if capsChanged {
			b, err := json.Marshal(caps)
			if err != nil {
				return nil, false, err
			}
			proc["capabilities"] = b
			changed = true
		}
	}
	if g != nil {
		c, err := clampProcess(proc, *g)
		if err != nil {
			return nil, false, err
		}
		changed = changed || c
	}
	if !changed {
		return raw, false, nil
	}
	out, err := json.Marshal(proc)
	return out, true, err
}
