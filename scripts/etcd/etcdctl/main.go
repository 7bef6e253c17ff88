// Builds etcdctl from its published Go modules, for tests and benchmarks only.
package main

import "go.etcd.io/etcd/etcdctl/v3/ctlv3"

func main() { ctlv3.MustStart() }
