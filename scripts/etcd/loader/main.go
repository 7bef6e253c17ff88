// Fills an etcd cluster with a given volume of data quickly, for benchmarks: several writers, each committing
// transactions of many puts, so that a 1 GiB database takes minutes rather than hours of etcdctl calls.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func main() {
	endpoints := flag.String("endpoints", "http://127.0.0.1:2379", "comma-separated client URLs")
	total := flag.Int64("bytes", 1<<30, "value bytes to write in all")
	valueSize := flag.Int("value-size", 4096, "bytes per value")
	perTxn := flag.Int("per-txn", 64, "puts per transaction")
	writers := flag.Int("writers", 8, "concurrent writers")
	prefix := flag.String("prefix", "/registry/bench/", "key prefix")
	flag.Parse()

	client, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	keys := *total / int64(*valueSize)
	batches := make(chan int64)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			value := make([]byte, *valueSize)
			for first := range batches {
				ops := make([]clientv3.Op, 0, *perTxn)
				for k := first; k < first+int64(*perTxn) && k < keys; k++ {
					rand.Read(value)
					ops = append(ops, clientv3.OpPut(fmt.Sprintf("%s%010d", *prefix, k), string(value)))
				}
				if _, err := client.Txn(context.Background()).Then(ops...).Commit(); err != nil {
					log.Fatal(err)
				}
			}
		}()
	}
	for first := int64(0); first < keys; first += int64(*perTxn) {
		batches <- first
	}
	close(batches)
	wg.Wait()
	fmt.Printf("loaded %d keys of %d bytes in %s\n", keys, *valueSize, time.Since(start).Round(time.Millisecond))
}
