package generate

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// FromConfig fills what App does not set from an image's config: the first
// exposed TCP port, a numeric user of 10000 or more, and the HTTP path of a
// HEALTHCHECK that curls or wgets localhost. It returns notes for people.
func FromConfig(a *App, cfg *v1.ConfigFile) []string {
	var notes []string
	if cfg == nil {
		return nil
	}
	c := cfg.Config
	if a.Port == 0 {
		var ports []int
		for p := range c.ExposedPorts {
			num, proto, _ := strings.Cut(p, "/")
			if proto != "" && proto != "tcp" {
				continue
			}
			if n, err := strconv.Atoi(num); err == nil && n > 0 && n < 65536 {
				ports = append(ports, n)
			}
		}
		sort.Ints(ports)
		if len(ports) > 0 {
			a.Port = int32(ports[0])
			if len(ports) > 1 {
				notes = append(notes, fmt.Sprintf("image exposes ports %v; using %d", ports, ports[0]))
			}
		}
	}
	if a.User == 0 && c.User != "" {
		user, group, _ := strings.Cut(c.User, ":")
		if uid, err := strconv.ParseInt(user, 10, 64); err == nil {
			if uid >= 10000 {
				a.User = uid
				if gid, err := strconv.ParseInt(group, 10, 64); err == nil && gid >= 10000 {
					a.Group = gid
				}
			} else {
				notes = append(notes, fmt.Sprintf("image runs as UID %d; the manifests run it as %d: check file ownership", uid, DefaultUser))
			}
		} else {
			notes = append(notes, fmt.Sprintf("image user %q is a name; the manifests run it as UID %d", c.User, DefaultUser))
		}
	}
	if a.HealthPath == "" && c.Healthcheck != nil {
		if p, port := healthPath(c.Healthcheck.Test); p != "" {
			a.HealthPath = p
			if a.Port == 0 && port > 0 {
				a.Port = port
			}
		}
	}
	return notes
}

var localURL = lazyre.New(`https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d+))?(/[^\s'"]*)?`)

// healthPath finds the path a HEALTHCHECK probes over HTTP on localhost.
func healthPath(test []string) (string, int32) {
	if len(test) == 0 || test[0] == "NONE" {
		return "", 0
	}
	m := localURL.FindStringSubmatch(strings.Join(test, " "))
	if m == nil {
		return "", 0
	}
	var port int32
	if m[1] != "" {
		if n, err := strconv.Atoi(m[1]); err == nil && n < 65536 {
			port = int32(n)
		}
	}
	path := m[2]
	if path == "" {
		path = "/"
	}
	if u, err := url.Parse(path); err == nil {
		path = u.Path
		if path == "" {
			path = "/"
		}
	}
	return path, port
}
