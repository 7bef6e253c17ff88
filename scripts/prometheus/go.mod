module etcdsnapshotter.test/prometheus

go 1.26.0
