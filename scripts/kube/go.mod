module etcdsnapshotter.test/kube

go 1.26.0
