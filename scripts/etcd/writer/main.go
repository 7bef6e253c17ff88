// Puts small keys at a steady rate until SIGTERM, then prints the latency percentiles of those puts: the benchmark
// runs it beside each snapshot to show what the stream costs the writes a cluster serves meanwhile. Puts are issued
// on a clock, not one after the other, so a stalled put shows up as its own latency instead of fewer puts.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func main() {
	endpoints := flag.String("endpoints", "http://127.0.0.1:2379", "comma-separated client URLs")
	rate := flag.Int("rate", 100, "puts per second")
	keys := flag.Int("keys", 1000, "distinct keys, written in turn, so the database does not grow")
	valueSize := flag.Int("value-size", 100, "bytes per value")
	prefix := flag.String("prefix", "/registry/bench-writes/", "key prefix")
	flag.Parse()

	client, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	value := strings.Repeat("v", *valueSize)
	var mu sync.Mutex
	var latencies []time.Duration
	failures := 0
	var inFlight sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-stop:
			inFlight.Wait()
			report(latencies, failures)
			return
		case <-tick.C:
			inFlight.Add(1)
			go func(key string) {
				defer inFlight.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				start := time.Now()
				_, err := client.Put(ctx, key, value)
				took := time.Since(start)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failures++
					return
				}
				latencies = append(latencies, took)
			}(fmt.Sprintf("%s%06d", *prefix, n%*keys))
		}
	}
}

// report prints one line: the count, p50, p99 and the slowest in milliseconds, and the failed puts.
func report(latencies []time.Duration, failures int) {
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	at := func(q float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[int(q*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	fmt.Printf("puts %d p50_ms %.1f p99_ms %.1f max_ms %.1f failed %d\n", len(latencies), at(0.5), at(0.99), at(1), failures)
}
