// Command edgehello is the small HTTP server the edge e2e test runs under
// the units `slimship edge generate` writes. It reports what the sandbox
// gave it: its user, whether / and /tmp are writable, its effective
// capabilities and no_new_privs. With -health it asks the running server
// (at $ADDR) and exits 0 when it answers: the container's health check.
package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	if len(os.Args) > 1 && os.Args[1] == "-health" {
		c := http.Client{Timeout: 3 * time.Second}
		resp, err := c.Get("http://" + addr + "/")
		if err != nil || resp.StatusCode != http.StatusOK {
			fmt.Fprintln(os.Stderr, "unhealthy:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from uid %d gid %d\n", os.Getuid(), os.Getgid())
		fmt.Fprintf(w, "root writable: %v\n", writable("/"))
		fmt.Fprintf(w, "tmp writable: %v\n", writable("/tmp"))
		for _, k := range []string{"CapEff", "CapBnd", "NoNewPrivs", "Seccomp"} {
			fmt.Fprintf(w, "%s: %s\n", k, status(k))
		}
	})
	if err := http.ListenAndServe(addr, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".probe")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// status is a field of /proc/self/status.
func status(key string) string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
