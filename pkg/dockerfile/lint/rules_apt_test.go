package lint

import "testing"

// aptCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_apt.go; a name starts with its rule's ID.
var aptCases = table([]tableCase{
	{"DL3008 unpinned", "FROM a:1\nRUN apt-get install -y python\n", 1, nil},
	{"DL3008 pinned", "FROM a:1\nRUN apt-get install -y python=3.11\n", 0, nil},
	{"DL3008 target release value", "FROM a:1\nRUN apt-get install -y -t bookworm-backports x=1\n", 0, nil},
	{"DL3008 deb file", "FROM a:1\nRUN apt-get install ./x.deb\n", 0, nil},
	{"DL3008 heredoc", "FROM a:1\nRUN <<EOF\napt-get install -y curl\nEOF\n", 1, nil},

	{"DL3009 no cleanup", "FROM a:1\nRUN apt-get update && apt-get install -y x\n", 1, nil},
	{"DL3009 cleanup", "FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n", 0, nil},
	{"DL3009 dist-clean", "FROM a:1\nRUN apt-get update; apt-get install -y x; apt-get dist-clean\n", 0, nil},
	{"DL3009 cache mount on lists", "FROM a:1\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y x\n", 0, nil},
	{"DL3009 cache mounts on lib and cache", "FROM a:1\nRUN --mount=type=cache,target=/var/lib/apt --mount=type=cache,target=/var/cache/apt apt-get update\n", 0, nil},
	{"DL3009 cache mount on archives only", "FROM a:1\nRUN --mount=type=cache,target=/var/cache/apt apt-get update\n", 1, nil},
	{"DL3009 unused intermediate stage", "FROM a:1 AS build\nRUN apt-get update\nFROM b:1\nRUN x\n", 0, nil},
	{"DL3009 stage used as base", "FROM a:1 AS build\nRUN apt-get update\nFROM build\nRUN x\n", 1, nil},
	{"DL3009 onbuild in intermediate stage", "FROM a:1 AS build\nONBUILD RUN apt-get update\nFROM b:1\n", 1, nil},
	{"DL3009 apt", "FROM a:1\nRUN apt update\n", 1, nil},

	{"DL3014 no -y", "FROM a:1\nRUN apt-get install x\n", 1, nil},
	{"DL3014 -y", "FROM a:1\nRUN apt-get install -y x\n", 0, nil},
	{"DL3014 -qq", "FROM a:1\nRUN apt-get install -qq x\n", 0, nil},
	{"DL3014 --assume-yes", "FROM a:1\nRUN apt-get --assume-yes install x\n", 0, nil},

	{"DL3015 recommends", "FROM a:1\nRUN apt-get install -y x\n", 1, nil},
	{"DL3015 no recommends", "FROM a:1\nRUN apt-get install -y --no-install-recommends x\n", 0, nil},
	{"DL3015 option", "FROM a:1\nRUN apt-get -o APT::Install-Recommends=false install -y x\n", 0, nil},

	{"DL3027 apt", "FROM a:1\nRUN apt install -y x\n", 1, nil},
	{"DL3027 apt-get", "FROM a:1\nRUN apt-get install -y x\n", 0, nil},
})

func TestAptRules(t *testing.T) { runTableCases(t, aptCases) }

// aptFixes are the in-file fixes of the rules of rules_apt.go.
var aptFixes = []fixCase{
	{"DL3009 append", "FROM a:1\nRUN apt-get update && apt-get install -y x\n",
		"FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n"},
	{"DL3009 continued lines", "FROM a:1\nRUN apt-get update \\\n  # comment\n  && apt-get install -y x\n",
		"FROM a:1\nRUN apt-get update \\\n  # comment\n  && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n"},
	{"DL3009 backtick escape", "# escape=`\nFROM a:1\nRUN apt-get update `\n && apt-get install -y x\n",
		"# escape=`\nFROM a:1\nRUN apt-get update `\n && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n"},
	{"DL3009 CRLF", "FROM a:1\r\nRUN apt-get update \\\r\n && apt-get install -y x\r\n",
		"FROM a:1\r\nRUN apt-get update \\\r\n && apt-get install -y x && rm -rf /var/lib/apt/lists/*\r\n"},
	{"DL3014 CRLF", "FROM a:1\r\nRUN apt-get update \\\r\n && apt-get install x=1\r\n",
		"FROM a:1\r\nRUN apt-get update \\\r\n && apt-get -y install x=1\r\n"},
	{"DL3014 -y", "FROM a:1\nRUN apt-get update && \\\n    apt-get install --no-install-recommends x=1\n",
		"FROM a:1\nRUN apt-get update && \\\n    apt-get -y install --no-install-recommends x=1\n"},
	{"DL3015 no recommends", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache apt-get install -y x=1\n",
		"FROM a:1\nRUN --mount=type=cache,target=/root/.cache apt-get --no-install-recommends install -y x=1\n"},
	{"DL3027 apt-get", "FROM a:1\nRUN apt-get update && apt install -y x=1\n", "FROM a:1\nRUN apt-get update && apt-get install -y x=1\n"},
	{"DL3027 every apt", "FROM a:1\nRUN apt update && apt install -y x=1\n", "FROM a:1\nRUN apt-get update && apt-get install -y x=1\n"},
}

func TestAptFixes(t *testing.T) { runFixCases(t, aptFixes) }

func TestAptFixOptIn(t *testing.T) {
	for _, tc := range []struct {
		id, src string
		optIn   bool
	}{
		{"DL3009", "FROM a:1\nRUN apt-get update && apt-get install -y x\n", false},
		{"DL3009", "FROM a:1\nRUN apt-get update && apt-get install -y x\nRUN apt-get install -y y\n", true},
		{"DL3015", "FROM a:1\nRUN apt-get install -y x\n", true},
	} {
		got := lintRule(t, tc.id, tc.src, nil)
		if len(got) == 0 || got[0].Fix == nil || got[0].Fix.OptIn != tc.optIn {
			t.Errorf("%s %q: want a fix with OptIn=%v, got %+v", tc.id, tc.src, tc.optIn, got)
		}
	}
}

func TestDL3009NoFixWhenUnsafe(t *testing.T) {
	// A heredoc, an exec form or a trailing operator gives no append fix.
	for _, src := range []string{
		"FROM a:1\nRUN <<EOF\napt-get update\nEOF\n",
		"FROM a:1\nRUN [\"sh\", \"-c\", \"apt-get update\"]\n",
		"FROM a:1\nRUN apt-get update;\n",
	} {
		got := lintRule(t, "DL3009", src, nil)
		if len(got) != 1 || got[0].Fix != nil {
			t.Errorf("%q: want one finding without fix, got %+v", src, got)
		}
	}
}
