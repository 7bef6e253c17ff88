// Builds the etcd server from its published Go modules, for tests and benchmarks only.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
