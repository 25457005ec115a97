// pause: the sandbox ("pause") container of every pod in the kit's test
// Kubernetes cluster (scripts/setup/kube-cluster.sh). It holds the pod's
// namespaces open and does nothing else: it waits for SIGTERM or SIGINT and
// exits 0. Built static (CGO_ENABLED=0) into an image with nothing else in it.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
	os.Exit(0)
}
