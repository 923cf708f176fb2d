package sbompeer

import (
	"regexp"
	"slices"
	"sort"
	"strings"
)

// LicenseDiff is a package both SBOMs list whose license sets differ.
type LicenseDiff struct {
	Triple
	// Slimship and Trivy are the licenses each side gives the package.
	Slimship, Trivy []string
	// OnlySlimship and OnlyTrivy are the license terms (Terms) one side
	// has and the other lacks, by LicenseKey.
	OnlySlimship, OnlyTrivy []string
	// Reason is the explanation, nil when unexplained.
	Reason *Reason
}

// LicenseResult compares the licenses of the packages both SBOMs list.
type LicenseResult struct {
	// Packages is how many packages (triples) both sides list; Equal how
	// many of them have equal license sets as the SBOMs spell them;
	// SameTerms how many have equal sets of license terms by LicenseKey
	// (Equal ones included).
	Packages, Equal, SameTerms int
	Diffs                      []LicenseDiff
}

// Unexplained returns the differences without a reason.
func (r *LicenseResult) Unexplained() []LicenseDiff {
	var out []LicenseDiff
	for _, d := range r.Diffs {
		if d.Reason == nil {
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
	var res LicenseResult
	for t, s := range sl {
		tv, ok := tl[t]
		if !ok {
			continue
		}
		res.Packages++
		if slices.Equal(sorted(s), sorted(tv)) {
			res.Equal++
			res.SameTerms++
			continue
		}
		sk, tk := keys(s), keys(tv)
		d := LicenseDiff{Triple: t, Slimship: s, Trivy: tv, OnlySlimship: minus(sk, tk), OnlyTrivy: minus(tk, sk)}
		if len(d.OnlySlimship)+len(d.OnlyTrivy) == 0 {
			res.SameTerms++
			continue
		}
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
// without "-only", "-or-later", "+" or a version's ".0", Expat as MIT, an
// exception without the word "exception": GPL-2+, GPL-2.0 and
// GPL-2.0-or-later are all gpl-2. It tells a license from another, not
// "or later" from "only" (this trivy drops the "+").
func LicenseKey(t string) string {
	t = strings.ToLower(strings.Join(strings.Fields(t), " "))
	lic, exc, with := strings.Cut(t, " with ")
	lic = strings.TrimSuffix(lic, "+")
	for _, suf := range []string{"-or-later", "-only", ".0"} {
		lic = strings.TrimSuffix(lic, suf)
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
