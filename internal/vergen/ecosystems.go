package vergen

import "strconv"

// parts is first followed by up to max-1 more parts, each after a
// separator picked from seps.
func parts(c *Chooser, most int, first string, seps []string, part func() string) string {
	s := first
	for range c.Intn(most) {
		s += c.Pick(seps...) + part()
	}
	return s
}

// Debian is a Debian package version, [epoch:]upstream[-revision]: tildes
// (also doubled and trailing), pluses, dfsg/git/really suffixes, letters
// against digits, colons in upstream after an epoch, security and
// backport revisions, and now and then a character dpkg refuses.
func Debian(c *Chooser) string {
	s := ""
	if c.Chance(15) {
		s = c.Pick("0", "1", "2", "10", "01", "3") + ":"
	}
	hasRev := c.Chance(75)
	useps := []string{".", ".", ".", "+", "~", "~", "", "."}
	if hasRev {
		useps = append(useps, "-") // an upstream hyphen needs a revision
	}
	if s != "" {
		useps = append(useps, ":") // a colon in upstream needs an epoch
	}
	if c.Chance(2) {
		useps = append(useps, "_") // invalid
	}
	s += parts(c, 5, c.Num(), useps, func() string { return debianAtom(c) })
	if hasRev {
		s += "-" + parts(c, 4, c.Num(), []string{".", "+", "~", "", "."}, func() string { return debianAtom(c) })
	}
	return s
}

func debianAtom(c *Chooser) string {
	switch c.Intn(10) {
	case 0, 1, 2, 3:
		return c.Num()
	case 4, 5:
		return debianWord(c)
	case 6, 7, 8:
		return debianWord(c) + c.Num()
	default:
		return c.Pick("", "~", "deb12u", "really", "bpo11+", "Z")
	}
}

func debianWord(c *Chooser) string {
	return c.Pick("a", "b", "rc", "alpha", "beta", "pre", "dfsg", "ds", "git", "really",
		"svn", "bpo", "deb", "ubuntu", "build", "Z", "A", "z", "final", "b", "cvs")
}

// PyPI is a Python package version in PEP 440's spellings:
// [v][N!]N(.N)*[{a|b|rc|alpha|beta|c|pre|preview}N][.postN|-N|revN]
// [.devN][+local], with the separators, case and implicit numbers PEP 440
// normalises, whitespace around it, and now and then something it refuses.
func PyPI(c *Chooser) string {
	s := ""
	if c.Chance(3) {
		s += " "
	}
	if c.Chance(5) {
		s += c.Pick("v", "V")
	}
	if c.Chance(8) {
		s += c.Pick("0", "1", "2", "01") + "!"
	}
	s += parts(c, 4, c.Num(), []string{"."}, c.Num)
	if c.Chance(30) {
		s += c.Pick("", "", ".", "-", "_") +
			c.Pick("a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC", "Beta") +
			c.Pick("", "", ".", "-", "_")
		if c.Chance(85) {
			s += c.Num()
		}
	}
	if c.Chance(20) {
		s += c.Pick(".post", "post", "-post", "_post", ".r", "rev", "-", ".POST")
		if c.Chance(80) {
			s += c.Num()
		} else if s[len(s)-1] == '-' {
			s += "0"
		}
	}
	if c.Chance(20) {
		s += c.Pick(".dev", "dev", "-dev", "_dev", ".DEV")
		if c.Chance(80) {
			s += c.Num()
		}
	}
	if c.Chance(15) {
		s += "+" + parts(c, 3, pypiLocal(c), []string{".", "-", "_"}, func() string { return pypiLocal(c) })
	}
	if c.Chance(4) {
		s += c.Pick(".x", "-foo", "+", ".*", "..1", "final", " beta", "-")
	}
	if c.Chance(3) {
		s += " "
	}
	return s
}

func pypiLocal(c *Chooser) string {
	if c.Chance(50) {
		return c.Num()
	}
	return c.Pick("ubuntu", "abc", "cpu", "cu118", "local", "g1234abc", "Z", "deb12u1", "1a", "a1")
}

// RPM is a Red Hat package [epoch:]version[-release] as rpmbuild allows it
// (no hyphen inside version or release): dots, underscores, pluses,
// tildes and carets, letters against digits, leading zeros, dist tags.
func RPM(c *Chooser) string {
	s := ""
	if c.Chance(20) {
		s = c.Pick("0", "1", "2", "10", "01") + ":"
	}
	seps := []string{".", ".", ".", "_", "+", "~", "^", ""}
	s += parts(c, 5, c.Num(), seps, func() string { return rpmAtom(c) })
	if c.Chance(85) {
		s += "-" + parts(c, 4, c.Num(), seps, func() string {
			if c.Chance(30) {
				return c.Pick("el", "fc", "el9_", "module+el", "git", "rc", "beta", "bp", "p", "Z", "a") + c.Num()
			}
			return rpmAtom(c)
		})
	}
	return s
}

func rpmAtom(c *Chooser) string {
	switch c.Intn(10) {
	case 0, 1, 2, 3, 4:
		return c.Num()
	case 5, 6:
		return c.Pick("a", "b", "rc", "alpha", "beta", "git", "el", "fc", "svn", "p", "z", "Z", "A", "k", "pre")
	case 7, 8:
		return c.Pick("a", "b", "rc", "git", "el", "fc", "g1a2b3c", "k", "post") + c.Num()
	default:
		return c.Pick("", "~", "^", "0a", "1a")
	}
}

// Semver is an npm package version: [v]MAJOR.MINOR.PATCH[-pre][+build],
// with numeric and alphanumeric prerelease identifiers (hyphens in them,
// case), build metadata, and now and then what semver refuses (leading
// zeros, numbers beyond JavaScript's safe integers, two components).
func Semver(c *Chooser) string {
	s := ""
	if c.Chance(5) {
		s = "v"
	}
	n := 3
	if c.Chance(3) {
		n = c.Pick2(2, 4)
	}
	for i := range n {
		if i > 0 {
			s += "."
		}
		s += semverNum(c)
	}
	if c.Chance(40) {
		s += "-" + parts(c, 3, semverPre(c), []string{"."}, func() string { return semverPre(c) })
	}
	if c.Chance(15) {
		s += "+" + parts(c, 3, semverBuild(c), []string{"."}, func() string { return semverBuild(c) })
	}
	return s
}

func semverNum(c *Chooser) string {
	switch c.Intn(50) {
	case 0:
		return "0" + strconv.Itoa(1+c.Intn(9)) // invalid
	case 1:
		return c.Pick("9007199254740991", "9007199254740992", "18446744073709551616") // only the first is valid
	case 2, 3:
		return strconv.Itoa(10 + c.Intn(990))
	default:
		return strconv.Itoa(c.Intn(4))
	}
}

func semverPre(c *Chooser) string {
	if c.Chance(40) {
		return strconv.Itoa(c.Pick2(c.Intn(3), 10+c.Intn(3)))
	}
	if c.Chance(5) {
		return c.Pick("00", "01", "") // invalid
	}
	return c.Pick("alpha", "beta", "rc", "Alpha", "RC", "SNAPSHOT", "dev", "next", "canary",
		"alpha-1", "x-y-z", "-", "--", "-1", "-0", "a1", "1a", "0a", "9007199254740993", "pre")
}

func semverBuild(c *Chooser) string {
	return c.Pick("build", "1", "001", "sha", "5114f85", "exp-sha", "20230101", "Z", "-")
}

// Maven is a Maven artifact version in the shapes Maven Central has:
// dotted numbers (1 to 4 of them, sometimes zero-padded), then perhaps a
// qualifier in its usual spellings (-alpha-1, -beta2, .M1, -RC1, .CR2,
// .Final, .RELEASE, -SP1, -jre, .v20230217, -incubating, -1 as a build
// number) and perhaps -SNAPSHOT.
func Maven(c *Chooser) string {
	s := parts(c, 4, c.Num(), []string{"."}, c.Num)
	if c.Chance(60) {
		sep := c.Pick("-", "-", "-", ".", "")
		switch c.Intn(7) {
		case 0, 1, 2:
			q := c.Pick("alpha", "beta", "milestone", "rc", "cr", "a", "b", "m", "M", "RC", "CR", "Alpha", "Beta", "ALPHA", "pre", "ea", "preview", "dev")
			num := c.Pick("", "-", ".", "")
			if len(q) == 1 || num == "" {
				num = ""
			}
			if c.Chance(85) || len(q) == 1 {
				q += num + c.Num()
			}
			s += sep + q
		case 3:
			s += c.Pick(".", "-") + c.Pick("Final", "GA", "RELEASE", "final", "ga", "release")
		case 4:
			s += sep + c.Pick("SP", "sp") + c.Pick("", c.Num(), "-"+c.Num(), "."+c.Num())
		case 5:
			s += c.Pick("-jre", "-android", "-incubating", ".v"+c.Num(), "-"+c.Num(), "-ea", "-jdk8", ".x", "-b"+c.Num())
		default:
			s += c.Pick("-", ".") + c.Num()
		}
	}
	if c.Chance(20) {
		s += c.Pick("-SNAPSHOT", "-snapshot", ".SNAPSHOT", "-SNAPSHOT")
	}
	return s
}

// MavenAny is any run of Maven version tokens: numbers, '.' and '-'
// separators, digit/letter transitions with no separator, the qualifiers
// of Maven's version order (alpha beta milestone rc cr snapshot ga final
// release sp), their a1/b2/m3 shortcuts, any case, other words, and empty
// parts. Few real versions look like this; it probes the corners.
func MavenAny(c *Chooser) string {
	return parts(c, 6, c.Num(), []string{".", ".", "-", "-", ""}, func() string {
		switch c.Intn(20) {
		case 0:
			return ""
		case 1, 2:
			return c.Pick("a", "b", "m", "A", "B", "M") + c.Num()
		}
		if c.Chance(50) {
			return c.Num()
		}
		return c.Pick("alpha", "beta", "milestone", "rc", "cr", "snapshot", "SNAPSHOT", "sp", "final", "ga",
			"release", "Final", "GA", "RELEASE", "RC", "Alpha", "CR", "SP", "a", "b", "m", "foo", "jre", "android",
			"incubating", "preview", "dev", "pre", "v", "x")
	})
}
