module etcdsnapshotter.test/etcd

go 1.26.0
