//go:build tools

// Package tools pins CoreDNS for scripts/setup/kube-cluster.sh. It is a module
// of its own: CoreDNS v1.13.1 requires newer grpc, otel, etcd client and
// prometheus modules than k8s.io/kubernetes v1.34.4 does, and in one module
// Go's minimal version selection would build the Kubernetes binaries with those.
package tools

import (
	_ "github.com/coredns/coredns"
)
