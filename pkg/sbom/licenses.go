package sbom

// The licenses a package declares, from where trivy reads them:
//   - apk (the database's L: line) and rpm (the License tag): scalibr's
//     extractors fill extractor.Package.Licenses;
//   - deb: /usr/share/doc/<package>/copyright (copyright.go);
//   - npm: package.json's license (a string, or the legacy {"type": ...}
//     object), and the legacy licenses list;
//   - PyPI: METADATA or PKG-INFO's License-Expression, else its License
//     field when it is a name rather than a license text, else its
//     "License ::" classifiers;
//   - Maven: the <licenses> of the pom.xml a jar (or a jar in it) carries
//     beside its pom.properties;
//   - Go and Rust binaries: none (trivy reads Go licenses from a module
//     cache, which an image does not have).
// Each license is kept as an SPDX expression when it can be said for
// certain what the name means, else as the name found, so nothing is
// guessed: "GPL-2+ or Artistic-2.0" is GPL-2.0-or-later OR Artistic-2.0,
// "GPL" (no version) and "public-domain" stay as they are.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/textproto"
	"strings"
	"sync"

	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
	"github.com/google/osv-scalibr/extractor"
)

// spdxIDs maps every SPDX license identifier, current and deprecated,
// lower-cased, to its spelling; spdxExceptions the exception identifiers.
var (
	spdxIDs        = sync.OnceValue(func() map[string]string { return lowerMap(spdxlicenses.GetLicenses(), spdxlicenses.GetDeprecated()) })
	spdxExceptions = sync.OnceValue(func() map[string]string { return lowerMap(spdxlicenses.GetExceptions()) })
)

func lowerMap(lists ...[]string) map[string]string {
	m := map[string]string{}
	for _, l := range lists {
		for _, id := range l {
			m[strings.ToLower(id)] = id
		}
	}
	return m
}

// gnuFamilies are the license families SPDX spells with -only or
// -or-later; a longer prefix comes before the shorter one it starts with.
var gnuFamilies = []struct{ prefix, id, suffix string }{
	{"gfdl-niv", "GFDL", "-no-invariants"},
	{"agpl", "AGPL", ""},
	{"lgpl", "LGPL", ""},
	{"gfdl", "GFDL", ""},
	{"gpl", "GPL", ""},
}

// licenseID returns the SPDX license identifier a short license name
// stands for:
//   - an SPDX identifier in any case ("bsd-3-clause": BSD-3-Clause);
//   - a GNU license with its version, "+" (or -or-later) meaning "or any
//     later version" and no "+" meaning that version only, as the DEP-5
//     short names, SPDX's deprecated identifiers and rpm spell them
//     ("GPL-2+", "GPL-2.0+", "GPLv2+": GPL-2.0-or-later; "LGPL-2.1":
//     LGPL-2.1-only);
//   - an identifier without its version's ".0" ("Apache-2": Apache-2.0;
//     DEP-5 holds 2 and 2.0 equal);
//   - Expat, DEP-5's name of the license SPDX calls MIT;
//   - any of these but a GNU one followed by "+" ("MPL-1.1+").
//
// A name without a version ("GPL", "BSD", "Artistic") names no single
// license, so it has no identifier.
func licenseID(name string) (string, bool) {
	lower := strings.ToLower(name)
	if id, ok := gnuID(lower); ok {
		return id, true
	}
	if id, ok := plainID(lower); ok {
		return id, true
	}
	if base, ok := strings.CutSuffix(lower, "+"); ok {
		if id, ok := plainID(base); ok && !strings.HasSuffix(id, "+") {
			return id + "+", true
		}
	}
	return "", false
}

func plainID(lower string) (string, bool) {
	if lower == "expat" {
		return "MIT", true
	}
	ids := spdxIDs()
	if id, ok := ids[lower]; ok {
		return id, true
	}
	id, ok := ids[lower+".0"]
	return id, ok
}

// gnuID reads a GNU license name: family, "-" or "v" or nothing, version,
// then "+", "-or-later", "-only" or nothing.
func gnuID(lower string) (string, bool) {
	for _, f := range gnuFamilies {
		rest, ok := strings.CutPrefix(lower, f.prefix)
		if !ok {
			continue
		}
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "-"), "v")
		suffix := "-only"
		if r, ok := strings.CutSuffix(rest, "+"); ok {
			rest, suffix = r, "-or-later"
		} else if r, ok := strings.CutSuffix(rest, "-or-later"); ok {
			rest, suffix = r, "-or-later"
		} else {
			rest = strings.TrimSuffix(rest, "-only")
		}
		major, minor, dot := strings.Cut(rest, ".")
		if !digits(major) || dot && !digits(minor) {
			return "", false
		}
		if !dot {
			minor = "0"
		}
		id, ok := spdxIDs()[strings.ToLower(f.id+"-"+major+"."+minor+f.suffix+suffix)]
		return id, ok
	}
	return "", false
}

func digits(s string) bool {
	if s == "" || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// normalizeLicense returns license as an SPDX expression when every name
// in it has an SPDX identifier (licenseID), else the name as found with
// its white space collapsed; "" for none. Besides SPDX's syntax, it reads
// DEP-5's: lower-case "and" and "or", "A or B, and C" for (A OR B) AND C,
// "GPL-2+ with Font exception"; and a long name that ends in an
// identifier in parentheses, or is one followed by "License" ("The MIT
// License", "GNU General Public License v2 or later (GPLv2+)").
func normalizeLicense(license string) string {
	s := strings.Join(strings.Fields(license), " ")
	if s == "" {
		return ""
	}
	if e, ok := spdxExpression(s); ok {
		return e
	}
	head, abbr := s, ""
	if i := strings.LastIndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		head, abbr = strings.TrimSpace(s[:i]), strings.ReplaceAll(s[i+1:len(s)-1], " ", "-")
	}
	lower := strings.TrimPrefix(strings.ToLower(head), "the ")
	for _, c := range []string{abbr, lower, strings.TrimSuffix(lower, " license")} {
		if c == "" || strings.Contains(c, " ") {
			continue
		}
		if id, ok := licenseID(c); ok {
			return id
		}
	}
	return s
}

// appendLicense adds the normalized license to list unless it is empty
// or there already.
func appendLicense(list []string, license string) []string {
	l := normalizeLicense(license)
	if l == "" {
		return list
	}
	for _, have := range list {
		if have == l {
			return list
		}
	}
	return append(list, l)
}

// normalizeLicenses normalizes and deduplicates, keeping the first
// occurrence's place.
func normalizeLicenses(ls []string) []string {
	var out []string
	for _, l := range ls {
		out = appendLicense(out, l)
	}
	return out
}

// A license expression: a license (with its exception) or an AND or OR
// of expressions.
type licenseExpr struct {
	op      string // "AND", "OR"; "" for a license
	license string
	terms   []*licenseExpr
}

func (e *licenseExpr) String() string {
	if e.op == "" {
		return e.license
	}
	parts := make([]string, len(e.terms))
	for i, t := range e.terms {
		parts[i] = t.String()
		if e.op == "AND" && t.op == "OR" {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " "+e.op+" ")
}

// join makes a op b, flattening a and b when they are op's too.
func join(op string, a, b *licenseExpr) *licenseExpr {
	e := &licenseExpr{op: op}
	for _, t := range []*licenseExpr{a, b} {
		if t.op == op {
			e.terms = append(e.terms, t.terms...)
		} else {
			e.terms = append(e.terms, t)
		}
	}
	return e
}

// maxLicenseTokens bounds the words of one expression.
const maxLicenseTokens = 64

// spdxExpression reads s as a license expression whose every license has
// an SPDX identifier and returns it in SPDX's spelling.
func spdxExpression(s string) (string, bool) {
	p := &exprParser{}
	for _, f := range strings.Fields(s) {
		for f != "" {
			i := strings.IndexAny(f, "(),")
			switch {
			case i < 0:
				p.tokens, f = append(p.tokens, f), ""
			case i > 0:
				p.tokens, f = append(p.tokens, f[:i]), f[i:]
			default:
				p.tokens, f = append(p.tokens, f[:1]), f[1:]
			}
		}
		if len(p.tokens) > maxLicenseTokens {
			return "", false
		}
	}
	e := p.list()
	if e == nil || p.failed || p.pos != len(p.tokens) {
		return "", false
	}
	return e.String(), true
}

// exprParser reads tokens by the grammar (operators in any case; "," then
// an operator binds least, as DEP-5's comma; AND binds more than OR):
//
//	list   = either { "," ( "and" | "or" ) either }
//	either = all { "or" all }
//	all    = term { "and" term }
//	term   = "(" list ")" | license [ "with" exception ]
type exprParser struct {
	tokens []string
	pos    int
	depth  int
	failed bool
}

func (p *exprParser) peek() string {
	if p.pos < len(p.tokens) {
		return strings.ToLower(p.tokens[p.pos])
	}
	return ""
}

func (p *exprParser) list() *licenseExpr {
	e := p.either()
	for e != nil && p.peek() == "," {
		p.pos++
		op := strings.ToUpper(p.peek())
		if op != "AND" && op != "OR" {
			return nil
		}
		p.pos++
		r := p.either()
		if r == nil {
			return nil
		}
		e = join(op, e, r)
	}
	return e
}

func (p *exprParser) either() *licenseExpr {
	e := p.all()
	for e != nil && p.peek() == "or" {
		p.pos++
		r := p.all()
		if r == nil {
			return nil
		}
		e = join("OR", e, r)
	}
	return e
}

func (p *exprParser) all() *licenseExpr {
	e := p.term()
	for e != nil && p.peek() == "and" {
		p.pos++
		r := p.term()
		if r == nil {
			return nil
		}
		e = join("AND", e, r)
	}
	return e
}

func (p *exprParser) term() *licenseExpr {
	switch t := p.peek(); t {
	case "", ")", ",", "and", "or", "with":
		return nil
	case "(":
		if p.depth++; p.depth > 8 {
			p.failed = true
			return nil
		}
		p.pos++
		e := p.list()
		if e == nil || p.peek() != ")" {
			return nil
		}
		p.pos++
		p.depth--
		return e
	}
	id, ok := licenseID(p.tokens[p.pos])
	if !ok {
		p.failed = true
		return nil
	}
	p.pos++
	if p.peek() != "with" {
		return &licenseExpr{license: id}
	}
	p.pos++
	exc, ok := p.exception()
	if !ok {
		p.failed = true
		return nil
	}
	return &licenseExpr{license: id + " WITH " + exc}
}

// exception reads an SPDX exception identifier, or DEP-5's "NAME
// exception" when NAME or NAME-exception is one ("Linux-syscall-note
// exception").
func (p *exprParser) exception() (string, bool) {
	if p.pos >= len(p.tokens) {
		return "", false
	}
	excs := spdxExceptions()
	first := p.peek()
	if p.pos+1 < len(p.tokens) && strings.EqualFold(p.tokens[p.pos+1], "exception") {
		for _, c := range []string{first, first + "-exception"} {
			if id, ok := excs[c]; ok {
				p.pos += 2
				return id, true
			}
		}
	}
	if id, ok := excs[first]; ok {
		p.pos++
		return id, true
	}
	return "", false
}

// apkLicenses reads the L: line of an apk package: an SPDX expression,
// or (older packages) a list of names apart by spaces ("MIT BSD GPL2+"),
// where AND and OR may stand too.
func apkLicenses(ls []string) []string {
	var out []string
	for _, l := range ls {
		if _, ok := spdxExpression(l); ok || !strings.ContainsAny(l, " \t") {
			out = appendLicense(out, l)
			continue
		}
		for _, w := range strings.Fields(l) {
			if w = strings.Trim(w, "()"); w != "AND" && w != "OR" {
				out = appendLicense(out, w)
			}
		}
	}
	return out
}

// npmLicenses reads a package.json's license: a string or an object
// {"type": ...}, and the legacy licenses: a list of those.
func npmLicenses(data []byte) []string {
	var m struct {
		License  json.RawMessage `json:"license"`
		Licenses json.RawMessage `json:"licenses"`
	}
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	var out []string
	for _, raw := range []json.RawMessage{m.License, m.Licenses} {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			list = []json.RawMessage{raw}
		}
		for _, one := range list {
			var s string
			var o struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(one, &s) == nil || json.Unmarshal(one, &o) == nil {
				if l := s + o.Type; l != "" {
					out = append(out, l)
				}
			}
		}
	}
	return out
}

// maxLicenseName is the longest License field of Python metadata taken
// as a license's name; a longer one is the license's text.
const maxLicenseName = 100

// pythonLicenses reads the headers of a METADATA or PKG-INFO file:
// License-Expression (PEP 639), else License when it is a name (not a
// license's text, by its length or words, nor setuptools' "UNKNOWN"),
// else the last part of each
// "License ::" classifier ("License :: OSI Approved :: MIT License").
func pythonLicenses(data []byte) []string {
	h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(data))).ReadMIMEHeader()
	if e := h.Get("License-Expression"); e != "" {
		return []string{e}
	}
	if l := strings.TrimSpace(h.Get("License")); l != "" && len(l) <= maxLicenseName && !isLicenseText(l) && !strings.EqualFold(l, "UNKNOWN") {
		return []string{l}
	}
	var out []string
	for _, c := range h.Values("Classifier") {
		parts := strings.Split(c, "::")
		if len(parts) > 2 && strings.TrimSpace(parts[0]) == "License" {
			out = append(out, strings.TrimSpace(parts[len(parts)-1]))
		}
	}
	return out
}

// pomLicenses reads the license names of a pom.xml.
func pomLicenses(r io.Reader) []string {
	var pom struct {
		Licenses []string `xml:"licenses>license>name"`
	}
	if xml.NewDecoder(r).Decode(&pom) != nil {
		return nil
	}
	var out []string
	for _, n := range pom.Licenses {
		// A property the parent pom would define is no name.
		if n = strings.TrimSpace(n); n != "" && !strings.Contains(n, "${") {
			out = append(out, n)
		}
	}
	return out
}

// declaredLicenses sets the licenses of the packages extracted from data,
// a file of kind k, where the extractor does not: npm and Python
// manifests (one package each) and Java archives.
func declaredLicenses(k kind, data []byte, pkgs []*extractor.Package) {
	switch {
	case k == kindNpm && len(pkgs) == 1:
		pkgs[0].Licenses = npmLicenses(data)
	case k == kindPython && len(pkgs) == 1:
		pkgs[0].Licenses = pythonLicenses(data)
	case k == kindJava:
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		poms := map[string][]string{}
		budget := int64(maxNestedJars)
		jarPoms(zr, poms, 2, &budget)
		for _, p := range pkgs {
			if ls, ok := poms[p.Name]; ok && len(p.Licenses) == 0 {
				p.Licenses = ls
			}
		}
	}
}

// Bounds of the pom.xml files read in a Java archive: one pom.xml, one
// nested archive, and all nested archives of one archive together.
const (
	maxPom        = 1 << 20
	maxNestedJar  = 64 << 20
	maxNestedJars = 256 << 20
)

// jarPoms adds to poms the licenses of each META-INF/maven/<group>/
// <artifact>/pom.xml of zr, by "group:artifact", and of the archives in
// it, depth levels deep, reading at most *budget bytes of them.
func jarPoms(zr *zip.Reader, poms map[string][]string, depth int, budget *int64) {
	for _, f := range zr.File {
		parts := strings.Split(f.Name, "/")
		switch {
		case len(parts) == 5 && parts[0] == "META-INF" && parts[1] == "maven" && parts[4] == "pom.xml" && f.UncompressedSize64 <= maxPom:
			key := parts[2] + ":" + parts[3]
			if _, ok := poms[key]; ok {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				continue
			}
			if ls := pomLicenses(io.LimitReader(rc, maxPom)); len(ls) > 0 {
				poms[key] = ls
			}
			rc.Close()
		case depth > 1 && isJavaArchiveName(f.Name) && f.UncompressedSize64 <= maxNestedJar && int64(f.UncompressedSize64) <= *budget:
			rc, err := f.Open()
			if err != nil {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)))
			rc.Close()
			*budget -= int64(len(b))
			if err != nil {
				continue
			}
			if inner, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err == nil {
				jarPoms(inner, poms, depth-1, budget)
			}
		}
	}
}

func isJavaArchiveName(name string) bool {
	return classify("/"+name, 0) == kindJava
}
