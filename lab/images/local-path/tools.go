//go:build tools

// Package tools pins the local-path-provisioner main package as a dependency
// of this build module, so that `go build github.com/rancher/local-path-provisioner`
// resolves it (and its dependencies) from go.mod/go.sum.
package tools

import (
	_ "github.com/rancher/local-path-provisioner"
)
