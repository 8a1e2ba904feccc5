// Command etcd runs etcd's own entry point; a local main package lets the
// lab name the binary "etcd" (the module's main package would be named after
// its path element "v3").
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
