package sbom

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"

	"github.com/package-url/packageurl-go"
)

// ParseOSRelease reads an os-release file: KEY=value lines, values
// optionally quoted. Unknown keys and malformed lines are ignored.
func ParseOSRelease(b []byte) OSInfo {
	var o OSInfo
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			if v[0] == '"' {
				if u, err := strconv.Unquote(v); err == nil {
					v = u
				} else {
					v = v[1 : len(v)-1]
				}
			} else {
				v = v[1 : len(v)-1]
			}
		}
		switch strings.TrimSpace(k) {
		case "ID":
			o.ID = v
		case "VERSION_ID":
			o.VersionID = v
		case "VERSION_CODENAME":
			o.VersionCodename = v
		case "PRETTY_NAME":
			o.PrettyName = v
		}
	}
	return o
}

// osEcosystem names the OSV ecosystem of the OS's packages of type typ
// ("deb", "apk").
func osEcosystem(o OSInfo, typ string) string {
	switch o.ID {
	case "debian":
		return withVersion("Debian", major(o.VersionID))
	case "ubuntu":
		return withVersion("Ubuntu", o.VersionID)
	case "alpine":
		if o.VersionID == "" {
			return "Alpine"
		}
		return "Alpine:v" + majorMinor(o.VersionID)
	case "rocky":
		return withVersion("Rocky Linux", major(o.VersionID))
	case "almalinux":
		return withVersion("AlmaLinux", major(o.VersionID))
	case "rhel":
		return "Red Hat"
	case "wolfi":
		return "Wolfi"
	case "chainguard":
		return "Chainguard"
	}
	switch typ {
	case "deb":
		if o.ID == "" {
			return "Debian"
		}
	case "apk":
		if o.ID == "" {
			return "Alpine"
		}
	}
	if o.ID == "" {
		return ""
	}
	return withVersion(o.ID, o.VersionID)
}

func withVersion(name, v string) string {
	if v == "" {
		return name
	}
	return name + ":" + v
}

func major(v string) string {
	m, _, _ := strings.Cut(v, ".")
	return m
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return v
}

// PURL returns the package URL of p; OS packages name their distribution.
func PURL(o OSInfo, p Package) string {
	var q packageurl.Qualifiers
	ns, name := "", p.Name
	switch p.Type {
	case "deb", "apk", "rpm":
		ns = o.ID
		if ns == "" {
			ns = map[string]string{"deb": "debian", "apk": "alpine"}[p.Type]
		}
		if p.Type == "deb" && p.SourceName != "" && p.SourceName != p.Name {
			src := p.SourceName
			if p.SourceVersion != "" && p.SourceVersion != p.Version {
				src += "@" + p.SourceVersion
			}
			q = append(q, packageurl.Qualifier{Key: "upstream", Value: src})
		}
		if p.Arch != "" {
			q = append(q, packageurl.Qualifier{Key: "arch", Value: p.Arch})
		}
		if o.ID != "" {
			d := o.ID
			if o.VersionID != "" {
				d += "-" + o.VersionID
			}
			q = append(q, packageurl.Qualifier{Key: "distro", Value: d})
		}
	case "npm":
		if strings.HasPrefix(name, "@") {
			if i := strings.Index(name, "/"); i > 0 {
				ns, name = name[:i], name[i+1:]
			}
		}
	case "maven":
		if g, a, ok := strings.Cut(name, ":"); ok {
			ns, name = g, a
		}
	case "pypi":
		name = strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	case "golang":
		if i := strings.LastIndex(name, "/"); i >= 0 {
			ns, name = name[:i], name[i+1:]
		}
		// The binary's platform: Go vulnerability records may be limited
		// to some (a Windows-only package does not affect a Linux binary).
		if p.Arch != "" {
			q = append(q, packageurl.Qualifier{Key: "goarch", Value: p.Arch})
		}
		if p.GOOS != "" {
			q = append(q, packageurl.Qualifier{Key: "goos", Value: p.GOOS})
		}
	}
	v := p.Version
	if p.Type == "rpm" {
		if e, rest, ok := strings.Cut(v, ":"); ok {
			q = append(q, packageurl.Qualifier{Key: "epoch", Value: e})
			v = rest
		}
	}
	if p.Type == "golang" && v != "" && v != "(devel)" && !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return packageurl.NewPackageURL(p.Type, ns, name, v, q, "").ToString()
}
