// Command runc-wrapper is an OCI runtime shim for hosts whose capability
// bounding set is smaller than what containers ask for (seen here: no
// CAP_SYS_RESOURCE, so every --privileged container fails with "unable to
// apply caps"). Before handing over to the real runc it removes, from the
// bundle's config.json (create/run) or the --process file (exec), every
// capability the bounding set of this process cannot grant, and — when
// CAP_SYS_RESOURCE is among them — clamps oomScoreAdj and hard rlimits to what
// this process holds. Everything else is passed through untouched, so
// behaviour equals runc wherever the host could grant the request.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

func main() {
	args := os.Args[1:]
	real, err := realRunc()
	if err != nil {
		fmt.Fprintln(os.Stderr, "runc-wrapper:", err)
		os.Exit(127)
	}
	if bnd, err := readBoundingSet("/proc/self/status"); err == nil {
		if target := specFileFor(args); target != "" {
			var g *grantable
			if !bnd["CAP_SYS_RESOURCE"] {
				cur := currentGrantable()
				g = &cur
			}
			if err := stripFile(target, bnd, g); err != nil {
				fmt.Fprintln(os.Stderr, "runc-wrapper: adjusting", target+":", err)
				os.Exit(1)
			}
		}
	}
	argv := append([]string{real}, args...)
	if err := syscall.Exec(real, argv, os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, "runc-wrapper: exec", real+":", err)
		os.Exit(127)
	}
}

// realRunc finds the runtime to delegate to; V6E2E_REAL_RUNC wins so the
// wrapper can itself be installed under the name "runc" earlier in PATH.
func realRunc() (string, error) {
	candidates := []string{os.Getenv("V6E2E_REAL_RUNC"), "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/bin/runc"}
	self, _ := os.Executable()
	selfReal, _ := filepath.EvalSymlinks(self)
	for _, c := range candidates {
		if c == "" {
			continue
		}
		r, err := filepath.EvalSymlinks(c)
		if err != nil || r == selfReal {
			continue
		}
		if st, err := os.Stat(r); err == nil && st.Mode()&0o111 != 0 {
			return c, nil
		}
	}
	return "", fmt.Errorf("no real runc found (set V6E2E_REAL_RUNC)")
}
