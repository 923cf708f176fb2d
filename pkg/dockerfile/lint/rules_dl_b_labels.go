package lint

import (
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/slimship/slimship/internal/lazyre"

	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"

	"github.com/slimship/slimship/pkg/dockerfile"
)

// Label rules. DL3049-DL3058 follow the configuration's label-schema
// (label -> text, url, semver, hash, rfc3339, spdx, email) and
// strict-labels, as hadolint's.

// dlbSchema returns the schema's labels of a type ("" for all), sorted.
func dlbSchema(c *Context, typ string) []string {
	var out []string
	for k, v := range c.Config.LabelSchema {
		if typ == "" || strings.EqualFold(v, typ) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// dlbLabels returns every LABEL instruction (ONBUILD LABEL included).
func dlbLabels(c *Context) []*dockerfile.Instruction {
	var out []*dockerfile.Instruction
	for _, in := range c.Effective() {
		if in.Cmd == "label" {
			out = append(out, in)
		}
	}
	return out
}

func checkDL3048(c *Context, r *Reporter) {
	for _, in := range dlbLabels(c) {
		var bad []string
		for _, p := range dlbPairs(in) {
			if !dlbValidLabelKey(p.Key) {
				bad = append(bad, p.Key)
			}
		}
		if len(bad) > 0 {
			r.At(in, "Invalid label key `"+strings.Join(bad, "`, `")+"`: use lower-case reverse-DNS keys of a-z, 0-9, '.' and '-' that start with a letter, end with a letter or digit, and avoid the com.docker., io.docker. and org.dockerproject. namespaces.")
		}
	}
}

func dlbValidLabelKey(k string) bool {
	if k == "" || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	last := k[len(k)-1]
	if !(last >= 'a' && last <= 'z' || last >= '0' && last <= '9') {
		return false
	}
	for i := 0; i < len(k); i++ {
		ch := k[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-') {
			return false
		}
	}
	for _, ns := range []string{"com.docker.", "io.docker.", "org.dockerproject."} {
		if strings.HasPrefix(k, ns) {
			return false
		}
	}
	return !strings.Contains(k, "..") && !strings.Contains(k, "--")
}

// checkDL3049 reports each stage that lacks a required label, unless it
// inherits the label from a stage it is built FROM or is only a source of
// COPY --from (hadolint's tracking).
func checkDL3049(c *Context, r *Reporter) {
	for _, label := range dlbSchema(c, "") {
		good, bad := map[*dockerfile.Stage]bool{}, map[*dockerfile.Stage]bool{}
		var cur *dockerfile.Stage
		silence := func(alias string) {
			for s := range bad {
				if s.Name != "" && s.Name == alias {
					delete(bad, s)
				}
			}
		}
		for _, st := range c.File.Stages {
			if st.From != nil {
				cur = st
				inherits := false
				for g := range good {
					if g.Name != "" && g.Name == dlbImageName(st.Base) {
						inherits = true
					}
				}
				if inherits {
					good[st] = true
				} else {
					bad[st] = true
				}
			}
			for _, in := range c.StageEffective(st) {
				switch in.Cmd {
				case "copy":
					if cur != nil {
						if from, ok := in.Flag("from"); ok {
							silence(strings.ToLower(from))
						}
					}
				case "label":
					if cur == nil {
						continue
					}
					has := false
					for _, p := range dlbPairs(in) {
						has = has || p.Key == label
					}
					if has {
						silence(dlbStageName(cur))
						delete(bad, cur)
						good[cur] = true
					}
				}
			}
		}
		for _, st := range c.File.Stages {
			if bad[st] {
				r.At(st.From, "Label `"+label+"` is missing: add `LABEL "+label+"=<value>` to this stage, as the label schema requires.")
			}
		}
	}
}

func checkDL3050(c *Context, r *Reporter) {
	if !c.Config.StrictLabels {
		return
	}
	for _, in := range dlbLabels(c) {
		var extra []string
		for _, p := range dlbPairs(in) {
			if _, ok := c.Config.LabelSchema[p.Key]; !ok {
				extra = append(extra, p.Key)
			}
		}
		if len(extra) > 0 {
			r.At(in, "Superfluous label(s) present: `"+strings.Join(extra, "`, `")+"` not in the label schema; remove them or add them to label-schema.")
		}
	}
}

// dlbCheckLabels reports, for each schema label of typ, every LABEL that
// sets it to a value valid rejects.
func dlbCheckLabels(c *Context, r *Reporter, typ string, valid func(string) bool, msg string) {
	for _, label := range dlbSchema(c, typ) {
		for _, in := range dlbLabels(c) {
			for _, p := range dlbPairs(in) {
				if p.Key == label && !valid(p.Value) {
					r.At(in, strings.ReplaceAll(msg, "<label>", label)+" (got \""+p.Value+"\").")
					break
				}
			}
		}
	}
}

func checkDL3051(c *Context, r *Reporter) {
	dlbCheckLabels(c, r, "", func(v string) bool { return v != "" }, "Label `<label>` is empty: give it a value")
}

func checkDL3052(c *Context, r *Reporter) {
	dlbCheckLabels(c, r, "url", dlbValidURL, "Label `<label>` is not a valid URL: use an absolute URL such as https://example.com/project")
}

var dlbSchemeRe = lazyre.New(`^[A-Za-z][A-Za-z0-9+.-]*$`)

func dlbValidURL(v string) bool {
	if strings.ContainsAny(v, " \t\n<>\"{}|\\^`") {
		return false
	}
	u, err := url.Parse(v)
	return err == nil && dlbSchemeRe.MatchString(u.Scheme)
}

func checkDL3053(c *Context, r *Reporter) {
	dlbCheckLabels(c, r, "rfc3339", func(v string) bool {
		_, err := time.Parse(time.RFC3339Nano, v)
		return err == nil
	}, "Label `<label>` is not a valid time format - must conform to RFC3339, e.g. 2024-01-31T12:00:00Z")
}

// dlbSPDX holds the SPDX license identifiers (current and deprecated),
// lower-cased.
// Built on first use: most runs never check a license label.
var dlbSPDX = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, l := range append(spdxlicenses.GetLicenses(), spdxlicenses.GetDeprecated()...) {
		m[strings.ToLower(l)] = true
	}
	return m
})

func checkDL3054(c *Context, r *Reporter) {
	dlbCheckLabels(c, r, "spdx", func(v string) bool { return dlbSPDX()[strings.ToLower(v)] },
		"Label `<label>` is not a valid SPDX license identifier: use an identifier such as MIT or Apache-2.0")
}

func checkDL3055(c *Context, r *Reporter) {
	dlbCheckLabels(c, r, "hash", func(v string) bool {
		return (len(v) == 7 || len(v) == 40) && strings.Trim(v, "0123456789abcdef") == ""
	}, "Label `<label>` is not a valid git hash: use the 7 or 40 hex digit commit hash")
}

// dlbSemverRe is the regular expression semver.org gives for SemVer 2.0.0.
var dlbSemverRe = lazyre.New(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

func checkDL3056(c *Context, r *Reporter) {
	dlbCheckLabels(c, r, "semver", dlbSemverRe.MatchString,
		"Label `<label>` does not conform to semantic versioning: use MAJOR.MINOR.PATCH such as 1.2.3")
}

func checkDL3058(c *Context, r *Reporter) {
	dlbCheckLabels(c, r, "email", func(v string) bool {
		a, err := mail.ParseAddress(v)
		return err == nil && a.Name == "" && a.Address == v
	}, "Label `<label>` is not a valid email format - must conform to RFC5322, e.g. team@example.com")
}
