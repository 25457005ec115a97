// hello: the test workload of the kit's test Kubernetes cluster
// (docs/kubernetes-cluster.md). Built static (CGO_ENABLED=0) into an image
// FROM scratch, so it brings its own client modes:
//
//	hello                 serve HTTP on :8080: "hello from <pod> on <node>"
//	hello lookup NAME     resolve NAME with the pod's resolver, print the addresses
//	hello get URL         GET URL, print the status and body; exit 1 unless 200
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "lookup" {
		addrs, err := net.LookupHost(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "lookup:", err)
			os.Exit(1)
		}
		fmt.Println(os.Args[2], addrs)
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "get" {
		r, err := (&http.Client{Timeout: 5 * time.Second}).Get(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "get:", err)
			os.Exit(1)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		fmt.Printf("%d %s", r.StatusCode, b)
		if r.StatusCode != http.StatusOK {
			os.Exit(1)
		}
		return
	}
	if len(os.Args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: hello | hello lookup NAME | hello get URL")
		os.Exit(2)
	}
	host, _ := os.Hostname()
	node := os.Getenv("NODE_NAME")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s on %s (remote %s)\n", host, node, r.RemoteAddr)
	})
	srv := &http.Server{Addr: ":8080", ReadHeaderTimeout: 5 * time.Second}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
		srv.Close()
	}()
	fmt.Println("listening on :8080")
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
