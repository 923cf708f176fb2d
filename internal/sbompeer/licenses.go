package sbompeer

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/slimship/slimship/pkg/sbom"
)

// LicenseDiff is a package both SBOMs list whose license sets differ.
type LicenseDiff struct {
	Triple
	// Paths are the files slimship read the package from.
	Paths []string
	// Slimship and Trivy are the licenses each side gives the package.
	Slimship, Trivy []string
	// OnlySlimship and OnlyTrivy are the license terms (Terms) one side
	// has and the other lacks, by LicenseKey.
	OnlySlimship, OnlyTrivy []string
	// Reasons are the classes that explain the difference, none when it
	// is unexplained.
	Reasons []Reason
}

// LicenseResult compares the licenses of the packages both SBOMs list.
type LicenseResult struct {
	// Packages is how many packages (triples) both sides list, Licensed
	// how many of them have a license on either side; Equal how many have
	// equal license sets as the SBOMs spell them (none on either side
	// included); SameTerms how many have equal sets of license terms by
	// LicenseKey (Equal ones included).
	Packages, Licensed, Equal, SameTerms int
	Diffs                                []LicenseDiff
}

// Summary is the figures in a line.
func (r *LicenseResult) Summary() string {
	u := len(r.Unexplained())
	return fmt.Sprintf("licenses of the %d packages both list (%d with licenses): %d equal as spelled, %d equal up to spelling, %d differ (%d explained, %d unexplained)",
		r.Packages, r.Licensed, r.Equal, r.SameTerms, len(r.Diffs), len(r.Diffs)-u, u)
}

// Why names the reasons of a difference, or UNEXPLAINED.
func (d *LicenseDiff) Why() string {
	if len(d.Reasons) == 0 {
		return "UNEXPLAINED"
	}
	ids := make([]string, len(d.Reasons))
	for i, r := range d.Reasons {
		ids[i] = r.ID
	}
	return strings.Join(ids, ",")
}

// Unexplained returns the differences without a reason.
func (r *LicenseResult) Unexplained() []LicenseDiff {
	var out []LicenseDiff
	for _, d := range r.Diffs {
		if len(d.Reasons) == 0 {
			out = append(out, d)
		}
	}
	return out
}

// CompareLicenses compares, package by package, the licenses of the
// packages both sides list (a triple listed twice on a side has the union
// of its entries' licenses); facts (may be nil) are the image's.
func CompareLicenses(slim, trivy []Entry, facts *Facts) LicenseResult {
	if facts == nil {
		facts = &Facts{}
	}
	sl, tl := licensesByTriple(slim), licensesByTriple(trivy)
	paths := group(slim)
	var res LicenseResult
	for t, s := range sl {
		tv, ok := tl[t]
		if !ok {
			continue
		}
		res.Packages++
		if len(s)+len(tv) > 0 {
			res.Licensed++
		}
		if slices.Equal(sorted(s), sorted(tv)) {
			res.Equal++
			res.SameTerms++
			continue
		}
		sk, tk := keys(s), keys(tv)
		d := LicenseDiff{Triple: t, Paths: paths[t], Slimship: s, Trivy: tv, OnlySlimship: minus(sk, tk), OnlyTrivy: minus(tk, sk)}
		if len(d.OnlySlimship)+len(d.OnlyTrivy) == 0 {
			res.SameTerms++
			continue
		}
		explain(&d, facts)
		res.Diffs = append(res.Diffs, d)
	}
	sort.Slice(res.Diffs, func(i, j int) bool { return res.Diffs[i].Triple.String() < res.Diffs[j].Triple.String() })
	return res
}

func licensesByTriple(es []Entry) map[Triple][]string {
	m := map[Triple][]string{}
	for _, e := range es {
		l := m[e.Triple]
		for _, x := range e.Licenses {
			if !slices.Contains(l, x) {
				l = append(l, x)
			}
		}
		m[e.Triple] = l
	}
	return m
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// keys maps licenses to the set of their terms' keys.
func keys(ls []string) map[string]string {
	m := map[string]string{}
	for _, l := range ls {
		for _, t := range Terms(l) {
			m[LicenseKey(t)] = t
		}
	}
	return m
}

// minus lists the terms of a whose keys b lacks, sorted.
func minus(a, b map[string]string) []string {
	var out []string
	for k, t := range a {
		if _, ok := b[k]; !ok {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// termSplit splits a license list as trivy does (",", " or ", " and ",
// also with underscores) and an SPDX expression at its AND and OR.
var termSplit = regexp.MustCompile(`(?i),?[_ ]+(?:or|and)[_ ]+|,[ ]*`)

// Terms splits a license (an SPDX expression, a DEP-5 field, a name) into
// the licenses it names: an exception stays with its license.
func Terms(l string) []string {
	var out []string
	for _, t := range termSplit.Split(l, -1) {
		if t = strings.Trim(t, "() "); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// LicenseKey is what two spellings of one license share: lower case,
// without "-only", "-or-later", "+" or a version's ".0", Expat as MIT,
// GFDL-NIV-1.3 as GFDL-1.3-no-invariants, "The MIT License" as MIT, an
// exception without the word
// "exception": GPL-2+, GPL-2.0 and GPL-2.0-or-later are all gpl-2. It
// tells a license from another, not "or later" from "only": this trivy
// drops DEP-5's "+" (GPL-2+ is GPL-2.0 there), slimship spells it
// GPL-2.0-or-later.
func LicenseKey(t string) string {
	t = strings.ToLower(strings.Join(strings.Fields(t), " "))
	t = strings.ReplaceAll(t, "-with-", " with ") // trivy's GPL-2.0-with-bison-exception
	t = strings.TrimSuffix(strings.TrimPrefix(t, "the "), " license")
	lic, exc, with := strings.Cut(t, " with ")
	lic = strings.TrimSuffix(lic, "+")
	for _, suf := range []string{"-or-later", "-only", ".0"} {
		lic = strings.TrimSuffix(lic, suf)
	}
	if v, ok := strings.CutPrefix(lic, "gfdl-niv-"); ok { // DEP-5's name
		lic = "gfdl-" + v + "-no-invariants"
	}
	for _, fam := range []string{"agpl", "lgpl", "gpl", "gfdl"} {
		if rest, ok := strings.CutPrefix(lic, fam+"v"); ok {
			lic = fam + "-" + rest
		}
	}
	if lic == "expat" {
		lic = "mit"
	}
	if !with {
		return lic
	}
	exc = strings.TrimSuffix(strings.TrimSuffix(exc, " exception"), "-exception")
	return lic + " with " + strings.ReplaceAll(exc, " ", "-")
}

// The known classes of license differences. Each has a test on the
// package (and the image's facts) and explains the license terms it
// accounts for; a difference is explained when nothing is left over.
var (
	// ReasonDocLink: Debian policy 12.5 lets /usr/share/doc/<package> be a
	// link to the directory of another package of the same source
	// (libgcc-s1 to gcc-12-base); slimship reads the copyright file there,
	// trivy only the one in a package's own directory.
	ReasonDocLink = Reason{"doc-link", "/usr/share/doc/<package> links to another package's directory (Debian policy 12.5, same source): slimship reads the copyright file there, trivy only a package's own"}
	// ReasonTrivyTable: this trivy maps some names to licenses by a table
	// of its own; slimship keeps a name without a version as found.
	ReasonTrivyTable = Reason{"trivy-table", "this trivy's own table maps the name to another license (GPL: GPL-3.0, LGPL: LGPL-3.0, BSD: BSD-3-Clause, GPL-3+-WITH-BISON-EXCEPTION: GPL-2.0-with-bison-exception); slimship keeps a name without a version as found"}
	// ReasonDEP5Texts: in a machine-readable copyright file the header and
	// Files paragraphs declare the licenses; stand-alone License
	// paragraphs hold texts and references to /usr/share/common-licenses
	// point to texts. trivy reads every License line and every reference.
	ReasonDEP5Texts = Reason{"dep5-license-texts", "a stand-alone License paragraph or a /usr/share/common-licenses reference of the machine-readable copyright file names it, no header or Files paragraph declares it: trivy reads every License line and reference, slimship the declarations (copyright-format 1.0)"}
	// ReasonLicenseText: a free-form copyright file's "License:" line that
	// holds a license's text ("License: Permission is hereby granted,
	// ...").
	ReasonLicenseText = Reason{"license-text", "a License line of the copyright file holds a license's text, not a name: this trivy takes it for names (split at its commas), slimship skips it (as trivy does since v0.56)"}
	// ReasonNpmLegacy: package.json's legacy "licenses" list.
	ReasonNpmLegacy = Reason{"npm-legacy-licenses", "package.json declares its licenses in the legacy licenses list: slimship reads it, this trivy reads license only"}
	// ReasonPythonClassifiers: several "License ::" classifiers.
	ReasonPythonClassifiers = Reason{"python-classifiers", "the metadata has several License :: classifiers: slimship reads each, this trivy the first"}
	// ReasonPomLicenses: a jar's pom.xml declares licenses.
	ReasonPomLicenses = Reason{"maven-pom-licenses", "the jar's pom.xml declares licenses: slimship reads them, this trivy reads none from a jar (trivy since 0.6x reads the pom.xml too)"}
)

// trivyTable maps, by LicenseKey, the names this trivy's table (v0.44)
// turns into another license to that license's key.
var trivyTable = map[string]string{
	"gpl":              "gpl-3",
	"lgpl":             "lgpl-3",
	"gnu lesser":       "lgpl-3",
	"bsd":              "bsd-3-clause",
	"apache":           "apache-2",
	"gpl-3 with bison": "gpl-2 with bison",
}

// explain sets d.Reasons to the classes that account for every term of
// the difference, or leaves it empty.
func explain(d *LicenseDiff, facts *Facts) {
	onlyS, onlyT := keys(d.OnlySlimship), keys(d.OnlyTrivy)
	var reasons []Reason
	use := func(r Reason) {
		if !slices.Contains(reasons, r) {
			reasons = append(reasons, r)
		}
	}
	deb := d.Type == "deb"
	if deb && len(d.Trivy) == 0 && facts.DocLinks[d.Name] {
		d.Reasons = []Reason{ReasonDocLink}
		return
	}
	for k := range onlyS {
		if tk, ok := trivyTable[k]; ok && (onlyT[tk] != "" || keysOf(d.Trivy)[tk]) {
			delete(onlyS, k)
			delete(onlyT, tk)
			use(ReasonTrivyTable)
		}
	}
	if c := copyrightOf(d, facts); c != nil {
		texts := keysOf(c.Texts)
		var dep5 map[string]bool
		if c.MachineReadable {
			dep5 = keysOf(append(slices.Clone(c.LicenseLines), c.References...))
		}
		for k := range onlyT {
			switch {
			case texts[k]:
				delete(onlyT, k)
				use(ReasonLicenseText)
			case dep5[k] || dep5[untable(k)]:
				delete(onlyT, k)
				use(ReasonDEP5Texts)
			}
		}
	}
	if len(onlyT) == 0 && len(onlyS) > 0 {
		switch {
		case len(d.Trivy) == 0 && d.Type == "maven" && all(d.Paths, facts.POMLicenses):
			onlyS = nil
			use(ReasonPomLicenses)
		case len(d.Trivy) == 0 && d.Type == "npm" && all(d.Paths, facts.NpmLegacy):
			onlyS = nil
			use(ReasonNpmLegacy)
		case len(d.Trivy) > 0 && d.Type == "pypi" && all(d.Paths, facts.PyClassifiers):
			onlyS = nil
			use(ReasonPythonClassifiers)
		}
	}
	if len(onlyS)+len(onlyT) == 0 {
		d.Reasons = reasons
	}
}

// copyrightOf is the copyright file a deb package's licenses come from on
// both sides (not through a /usr/share/doc link, which trivy does not
// follow).
func copyrightOf(d *LicenseDiff, facts *Facts) *sbom.Copyright {
	if d.Type != "deb" || facts.DocLinks[d.Name] {
		return nil
	}
	return facts.Copyrights[d.Name]
}

// untable is the key a name of trivy's table had before the table.
func untable(k string) string {
	for from, to := range trivyTable {
		if to == k {
			return from
		}
	}
	return k
}

func keysOf(ls []string) map[string]bool {
	m := map[string]bool{}
	for k := range keys(ls) {
		m[k] = true
	}
	return m
}

// all reports whether every path is in set.
func all(paths []string, set map[string]bool) bool {
	for _, p := range paths {
		if !set[p] {
			return false
		}
	}
	return len(paths) > 0
}
