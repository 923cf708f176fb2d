package lint

import (
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

func labelsRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3048", Severity: finding.Style, Category: finding.Maintainability,
			Description: "Invalid Label Key",
			Remediation: "Write label keys of lowercase letters, digits, dots and dashes, in reverse-DNS form, without reserved namespaces.",
			DocsURL:     hadolintWiki + "DL3048"}, checkDL3048),
		rule(finding.Spec{ID: "DL3049", Severity: finding.Info, Category: finding.Maintainability,
			Description: "Label `<label>` is missing.",
			Remediation: "Add the label required by the label schema.",
			DocsURL:     hadolintWiki + "DL3049"}, checkDL3049),
		rule(finding.Spec{ID: "DL3050", Severity: finding.Info, Category: finding.Maintainability,
			Description: "Superfluous label(s) present.",
			Remediation: "Remove labels the label schema does not list, or add them to the schema.",
			DocsURL:     hadolintWiki + "DL3050"}, checkDL3050),
		rule(finding.Spec{ID: "DL3051", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Label `<label>` is empty.",
			Remediation: "Give the label a value, or remove it.",
			DocsURL:     hadolintWiki + "DL3051"}, checkDL3051),
		rule(finding.Spec{ID: "DL3052", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Label `<label>` is not a valid URL.",
			Remediation: "Set the label to an absolute URL, such as `https://example.com`.",
			DocsURL:     hadolintWiki + "DL3052"}, checkDL3052),
		rule(finding.Spec{ID: "DL3053", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Label `<label>` is not a valid time format - must conform to RFC3339.",
			Remediation: "Set the label to an RFC 3339 time, such as `2024-01-02T15:04:05Z`.",
			DocsURL:     hadolintWiki + "DL3053"}, checkDL3053),
		rule(finding.Spec{ID: "DL3054", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Label `<label>` is not a valid SPDX license identifier.",
			Remediation: "Set the label to an SPDX license identifier, such as `Apache-2.0`.",
			DocsURL:     hadolintWiki + "DL3054"}, checkDL3054),
		rule(finding.Spec{ID: "DL3055", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Label `<label>` is not a valid git hash.",
			Remediation: "Set the label to a full git commit hash.",
			DocsURL:     hadolintWiki + "DL3055"}, checkDL3055),
		rule(finding.Spec{ID: "DL3056", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Label `<label>` does not conform to semantic versioning.",
			Remediation: "Set the label to a semantic version, such as `1.2.3`.",
			DocsURL:     hadolintWiki + "DL3056"}, checkDL3056),
		rule(finding.Spec{ID: "DL3058", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Label `<label>` is not a valid email format - must conform to RFC5322.",
			Remediation: "Set the label to an RFC 5322 email address.",
			DocsURL:     hadolintWiki + "DL3058"}, checkDL3058),
		rule(finding.Spec{ID: "DL4000", Severity: finding.Error, Category: finding.Maintainability,
			Description: "`MAINTAINER` is deprecated.",
			Remediation: "Replace MAINTAINER with `LABEL org.opencontainers.image.authors=...`.",
			DocsURL:     hadolintWiki + "DL4000"}, checkDL4000).WithTwins(linter.RuleMaintainerDeprecated.Name),
		bk(linter.RuleMaintainerDeprecated, finding.Spec{Category: finding.Maintainability,
			Remediation: "Replace MAINTAINER with `LABEL org.opencontainers.image.authors=...`."}, bkCheckMaintainerDeprecated),
	}
}

// Label rules. DL3049-DL3058 follow the configuration's label-schema
// (label -> text, url, semver, hash, rfc3339, spdx, email) and
// strict-labels, as hadolint's.

// labelSchema returns the schema's labels of a type ("" for all), sorted.
func labelSchema(c *Context, typ string) []string {
	var out []string
	for k, v := range c.Config.LabelSchema {
		if typ == "" || strings.EqualFold(v, typ) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// labelInstructions returns every LABEL instruction (ONBUILD LABEL included).
func labelInstructions(c *Context) []*dockerfile.Instruction {
	var out []*dockerfile.Instruction
	for _, in := range c.Effective() {
		if in.Cmd == "label" {
			out = append(out, in)
		}
	}
	return out
}

func checkDL3048(c *Context, r *Reporter) {
	for _, in := range labelInstructions(c) {
		var bad []string
		for _, p := range keyValues(in) {
			if !validLabelKey(p.Key) {
				bad = append(bad, p.Key)
			}
		}
		if len(bad) > 0 {
			r.At(in, "Invalid label key `"+strings.Join(bad, "`, `")+"`: use lower-case reverse-DNS keys of a-z, 0-9, '.' and '-' that start with a letter, end with a letter or digit, and avoid the com.docker., io.docker. and org.dockerproject. namespaces.")
		}
	}
}

// validLabelKey is hadolint's label key test. It is not apimachinery's
// validation.IsDNS1123Subdomain, which it resembles: hadolint wants a
// letter first (DNS allows a digit), refuses "--" (DNS allows it), and
// allows ".-" and "-." between parts and keys longer than 253 bytes (DNS
// refuses them); DL3048 follows hadolint (see TestLabelKeyNotDNS1123).
func validLabelKey(k string) bool {
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
	for _, label := range labelSchema(c, "") {
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
					if g.Name != "" && g.Name == parseImage(st.Base).untagged() {
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
					for _, p := range keyValues(in) {
						has = has || p.Key == label
					}
					if has {
						silence(stageName(cur))
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
	for _, in := range labelInstructions(c) {
		var extra []string
		for _, p := range keyValues(in) {
			if _, ok := c.Config.LabelSchema[p.Key]; !ok {
				extra = append(extra, p.Key)
			}
		}
		if len(extra) > 0 {
			r.At(in, "Superfluous label(s) present: `"+strings.Join(extra, "`, `")+"` not in the label schema; remove them or add them to label-schema.")
		}
	}
}

// checkLabelValues reports, for each schema label of typ, every LABEL that
// sets it to a value valid rejects.
func checkLabelValues(c *Context, r *Reporter, typ string, valid func(string) bool, msg string) {
	for _, label := range labelSchema(c, typ) {
		for _, in := range labelInstructions(c) {
			for _, p := range keyValues(in) {
				if p.Key == label && !valid(p.Value) {
					r.At(in, strings.ReplaceAll(msg, "<label>", label)+" (got \""+p.Value+"\").")
					break
				}
			}
		}
	}
}

func checkDL3051(c *Context, r *Reporter) {
	checkLabelValues(c, r, "", func(v string) bool { return v != "" }, "Label `<label>` is empty: give it a value")
}

func checkDL3052(c *Context, r *Reporter) {
	checkLabelValues(c, r, "url", validURL, "Label `<label>` is not a valid URL: use an absolute URL such as https://example.com/project")
}

var schemeRe = lazyre.New(`^[A-Za-z][A-Za-z0-9+.-]*$`)

func validURL(v string) bool {
	if strings.ContainsAny(v, " \t\n<>\"{}|\\^`") {
		return false
	}
	u, err := url.Parse(v)
	return err == nil && schemeRe.MatchString(u.Scheme)
}

func checkDL3053(c *Context, r *Reporter) {
	checkLabelValues(c, r, "rfc3339", func(v string) bool {
		_, err := time.Parse(time.RFC3339Nano, v)
		return err == nil
	}, "Label `<label>` is not a valid time format - must conform to RFC3339, e.g. 2024-01-31T12:00:00Z")
}

// spdxLicenses holds the SPDX license identifiers (current and deprecated),
// lower-cased.
// Built on first use: most runs never check a license label.
var spdxLicenses = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, l := range append(spdxlicenses.GetLicenses(), spdxlicenses.GetDeprecated()...) {
		m[strings.ToLower(l)] = true
	}
	return m
})

func checkDL3054(c *Context, r *Reporter) {
	checkLabelValues(c, r, "spdx", func(v string) bool { return spdxLicenses()[strings.ToLower(v)] },
		"Label `<label>` is not a valid SPDX license identifier: use an identifier such as MIT or Apache-2.0")
}

func checkDL3055(c *Context, r *Reporter) {
	checkLabelValues(c, r, "hash", func(v string) bool {
		return (len(v) == 7 || len(v) == 40) && strings.Trim(v, "0123456789abcdef") == ""
	}, "Label `<label>` is not a valid git hash: use the 7 or 40 hex digit commit hash")
}

// semverRe is the regular expression semver.org gives for SemVer 2.0.0.
var semverRe = lazyre.New(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

func checkDL3056(c *Context, r *Reporter) {
	checkLabelValues(c, r, "semver", semverRe.MatchString,
		"Label `<label>` does not conform to semantic versioning: use MAJOR.MINOR.PATCH such as 1.2.3")
}

func checkDL3058(c *Context, r *Reporter) {
	checkLabelValues(c, r, "email", func(v string) bool {
		a, err := mail.ParseAddress(v)
		return err == nil && a.Name == "" && a.Address == v
	}, "Label `<label>` is not a valid email format - must conform to RFC5322, e.g. team@example.com")
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

func checkDL4000(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if in.Cmd != "maintainer" {
			continue
		}
		who := strings.TrimSpace(strings.Join(in.Args, " "))
		if len(who) >= 2 && who[0] == '"' && who[len(who)-1] == '"' {
			who = who[1 : len(who)-1]
		}
		var fix *finding.Fix
		if !in.InOnBuild && strings.IndexByte(who, '\n') < 0 {
			q := quoteEscaper.Replace(who)
			fix = &finding.Fix{Description: "replace MAINTAINER with LABEL maintainer=",
				Edits: []finding.Edit{Edit(c.File, in.Offset, in.EndOffset, `LABEL maintainer="`+q+`"`)}}
		}
		r.Fix(in, "`MAINTAINER` is deprecated: use `LABEL maintainer=\""+who+"\"` instead.", fix)
	}
}

func bkCheckMaintainerDeprecated(c *Context, r *Reporter, format func() string) {
	for _, in := range c.File.Instructions {
		if in.Cmd == "maintainer" {
			r.At(in, format())
		}
	}
}
