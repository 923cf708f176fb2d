package lint

import (
	"sort"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

type dlaCase struct {
	name string // starts with the rule ID
	src  string
	want int // findings of the rule
	cfg  *config.Config
}

// dlaCases are bad (want > 0) and good (want 0) Dockerfiles per rule.
var dlaCases = []dlaCase{
	{"DL1001 inline ignore", "# hadolint ignore=DL3003\nRUN cd /x\n", 1, nil},
	{"DL1001 global ignore is fine", "# hadolint global ignore=DL3003\nRUN cd /x\n", 0, nil},
	{"DL1001 shell pragma", "# hadolint shell=powershell\nRUN foo\n", 0, nil},

	{"DL3000 relative", "FROM a:1\nWORKDIR app\n", 1, nil},
	{"DL3000 quoted relative", "FROM a:1\nWORKDIR \"app\"\n", 1, nil},
	{"DL3000 absolute", "FROM a:1\nWORKDIR /app\n", 0, nil},
	{"DL3000 variable", "FROM a:1\nWORKDIR ${HOME}\n", 0, nil},
	{"DL3000 windows", "FROM a:1\nWORKDIR C:\\app\n", 0, nil},
	{"DL3000 onbuild", "FROM a:1\nONBUILD WORKDIR app\n", 1, nil},

	{"DL3001 top", "FROM a:1\nRUN top\n", 1, nil},
	{"DL3001 install ssh", "FROM a:1\nRUN apt-get install ssh\n", 0, nil},
	{"DL3001 powershell skipped", "FROM a:1\nSHELL [\"powershell\", \"-Command\"]\nRUN kill 1\n", 0, nil},

	{"DL3002 last user root", "FROM a:1\nUSER root\n", 1, nil},
	{"DL3002 uid 0 with group", "FROM a:1\nUSER 0:0\n", 1, nil},
	{"DL3002 switched back", "FROM a:1\nUSER root\nRUN x\nUSER app\n", 0, nil},
	{"DL3002 root in a base stage", "FROM a:1 AS base\nUSER root\nFROM base\nRUN x\n", 1, nil},
	{"DL3002 no FROM", "USER root\n", 0, nil},

	{"DL3003 cd", "FROM a:1\nRUN cd /opt && make\n", 1, nil},
	{"DL3003 workdir", "FROM a:1\nWORKDIR /opt\n", 0, nil},

	{"DL3004 sudo", "FROM a:1\nRUN apt-get update && sudo apt-get install x\n", 1, nil},
	{"DL3004 install sudo", "FROM a:1\nRUN apt-get install sudo\n", 0, nil},
	{"DL3004 onbuild", "FROM a:1\nONBUILD RUN sudo make\n", 1, nil},

	{"DL3006 untagged", "FROM debian\n", 1, nil},
	{"DL3006 untagged with alias", "FROM debian AS build\n", 1, nil},
	{"DL3006 tagged", "FROM debian:12\n", 0, nil},
	{"DL3006 digest", "FROM debian@sha256:abc\n", 0, nil},
	{"DL3006 registry port", "FROM localhost:5000/debian\n", 1, nil},
	{"DL3006 stage name", "FROM debian:12 AS build\nFROM build\n", 0, nil},
	{"DL3006 scratch", "FROM scratch\n", 0, nil},
	{"DL3006 variable", "ARG IMG=x:1\nFROM ${IMG}\n", 0, nil},

	{"DL3007 latest", "FROM debian:latest\n", 1, nil},
	{"DL3007 latest with digest", "FROM debian:latest@sha256:abc\n", 0, nil},
	{"DL3007 tag", "FROM debian:12\n", 0, nil},

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

	{"DL3010 copy then extract", "FROM a:1\nCOPY app.tar.gz /src/\nRUN tar -xzf /src/app.tar.gz\n", 1, nil},
	{"DL3010 copy without extract", "FROM a:1\nCOPY app.tar.gz /src/\n", 0, nil},
	{"DL3010 copy from stage", "FROM a:1\nCOPY --from=b /x.tar /x.tar\nRUN tar -xf /x.tar\n", 0, nil},
	{"DL3010 other stage", "FROM a:1\nCOPY app.tar /src/\nFROM b:1\nRUN tar -xf app.tar\n", 0, nil},

	{"DL3011 too high", "FROM a:1\nEXPOSE 80000\n", 1, nil},
	{"DL3011 range too high", "FROM a:1\nEXPOSE 40000-80000/tcp\n", 1, nil},
	{"DL3011 fine", "FROM a:1\nEXPOSE 8080 53/udp\n", 0, nil},
	{"DL3011 variable", "FROM a:1\nEXPOSE ${PORT}\n", 0, nil},

	{"DL3012 two healthchecks", "FROM a:1\nHEALTHCHECK CMD [\"a\"]\nHEALTHCHECK CMD [\"b\"]\n", 1, nil},
	{"DL3012 one per stage", "FROM a:1\nHEALTHCHECK CMD [\"a\"]\nFROM b:1\nHEALTHCHECK CMD [\"b\"]\n", 0, nil},

	{"DL3013 unpinned", "FROM a:1\nRUN pip install flask\n", 1, nil},
	{"DL3013 python -m pip", "FROM a:1\nRUN python3 -m pip install flask\n", 1, nil},
	{"DL3013 pinned", "FROM a:1\nRUN pip install flask==3.0.0\n", 0, nil},
	{"DL3013 requirements", "FROM a:1\nRUN pip install -r requirements.txt\n", 0, nil},
	{"DL3013 index url value", "FROM a:1\nRUN pip install --index-url https://x/simple flask==3\n", 0, nil},
	{"DL3013 constraint", "FROM a:1\nRUN pip install -c constraints.txt flask\n", 0, nil},
	{"DL3013 vcs unpinned", "FROM a:1\nRUN pip install git+https://x/y.git#egg=y\n", 1, nil},
	{"DL3013 pipenv", "FROM a:1\nRUN pipenv install black\n", 0, nil},

	{"DL3014 no -y", "FROM a:1\nRUN apt-get install x\n", 1, nil},
	{"DL3014 -y", "FROM a:1\nRUN apt-get install -y x\n", 0, nil},
	{"DL3014 -qq", "FROM a:1\nRUN apt-get install -qq x\n", 0, nil},
	{"DL3014 --assume-yes", "FROM a:1\nRUN apt-get --assume-yes install x\n", 0, nil},

	{"DL3015 recommends", "FROM a:1\nRUN apt-get install -y x\n", 1, nil},
	{"DL3015 no recommends", "FROM a:1\nRUN apt-get install -y --no-install-recommends x\n", 0, nil},
	{"DL3015 option", "FROM a:1\nRUN apt-get -o APT::Install-Recommends=false install -y x\n", 0, nil},

	{"DL3016 unpinned", "FROM a:1\nRUN npm install express\n", 1, nil},
	{"DL3016 scoped unpinned", "FROM a:1\nRUN npm install @org/pkg\n", 1, nil},
	{"DL3016 pinned", "FROM a:1\nRUN npm install express@4.1.1 @org/pkg@1.0.0\n", 0, nil},
	{"DL3016 package.json", "FROM a:1\nRUN npm install\n", 0, nil},
	{"DL3016 registry value", "FROM a:1\nRUN npm install --registry https://r sax@0.1.1\n", 0, nil},

	{"DL3018 unpinned", "FROM a:1\nRUN apk add curl\n", 1, nil},
	{"DL3018 pinned", "FROM a:1\nRUN apk add --no-cache curl=8.5.0-r0 'git>=2.40'\n", 0, nil},
	{"DL3018 virtual value", "FROM a:1\nRUN apk add --virtual .build gcc=13.2.1-r0\n", 0, nil},

	{"DL3019 cache", "FROM a:1\nRUN apk add curl=1\n", 1, nil},
	{"DL3019 no-cache", "FROM a:1\nRUN apk add --no-cache curl=1\n", 0, nil},
	{"DL3019 cache mount", "FROM a:1\nRUN --mount=type=cache,target=/var/cache/apk apk add curl=1\n", 0, nil},

	{"DL3020 add file", "FROM a:1\nADD app /app/\n", 1, nil},
	{"DL3020 add zip", "FROM a:1\nADD app.zip /app/\n", 1, nil},
	{"DL3020 add tarball", "FROM a:1\nADD app.tar.gz /app/\n", 0, nil},
	{"DL3020 add url", "FROM a:1\nADD https://x/y /y\n", 0, nil},
	{"DL3020 add git", "FROM a:1\nADD git@github.com:a/b.git /src\n", 0, nil},

	{"DL3021 no slash", "FROM a:1\nCOPY a b c\n", 1, nil},
	{"DL3021 slash", "FROM a:1\nCOPY a b c/\n", 0, nil},
	{"DL3021 two args", "FROM a:1\nCOPY a b\n", 0, nil},
	{"DL3021 quoted path with space", "FROM a:1\nCOPY a \"C:\\Program Files\\\"\n", 0, nil},

	{"DL3022 unknown alias", "FROM a:1\nCOPY --from=build /x /x\n", 1, nil},
	{"DL3022 alias defined later", "FROM a:1\nCOPY --from=build /x /x\nFROM b:1 AS build\n", 1, nil},
	{"DL3022 known alias", "FROM a:1 AS build\nFROM b:1\nCOPY --from=build /x /x\n", 0, nil},
	{"DL3022 image", "FROM a:1\nCOPY --from=alpine:3 /x /x\n", 0, nil},
	{"DL3022 index", "FROM a:1\nFROM b:1\nCOPY --from=0 /x /x\n", 0, nil},
	{"DL3022 index out of range", "FROM a:1\nCOPY --from=0 /x /x\n", 1, nil},

	{"DL3023 own alias", "FROM a:1 AS app\nCOPY --from=app /x /x\n", 1, nil},
	{"DL3023 other alias", "FROM a:1 AS build\nFROM b:1 AS app\nCOPY --from=build /x /x\n", 0, nil},

	{"DL3024 duplicate", "FROM a:1 AS x\nFROM b:1 AS x\n", 1, nil},
	{"DL3024 unique", "FROM a:1 AS x\nFROM b:1 AS y\n", 0, nil},

	{"DL3025 shell form cmd", "FROM a:1\nCMD node app.js\n", 1, nil},
	{"DL3025 shell form healthcheck", "FROM a:1\nHEALTHCHECK CMD curl -f http://localhost/\n", 1, nil},
	{"DL3025 exec form", "FROM a:1\nENTRYPOINT [\"node\"]\nCMD [\"app.js\"]\nHEALTHCHECK NONE\n", 0, nil},

	{"DL3026 untrusted", "FROM random.com/debian:12\n", 1, &config.Config{TrustedRegistries: []string{"docker.io"}}},
	{"DL3026 hub image untrusted", "FROM debian:12\n", 1, &config.Config{TrustedRegistries: []string{"trusted.com"}}},
	{"DL3026 trusted", "FROM random.com/debian:12\n", 0, &config.Config{TrustedRegistries: []string{"random.com"}}},
	{"DL3026 wildcard", "FROM a.random.com/debian:12\n", 0, &config.Config{TrustedRegistries: []string{"*.random.com"}}},
	{"DL3026 stage", "FROM random.com/x:1 AS b\nFROM b\n", 0, &config.Config{TrustedRegistries: []string{"random.com"}}},
	{"DL3026 copy from image", "FROM t.com/x:1\nCOPY --from=u.com/x:1 /a /a\n", 1, &config.Config{TrustedRegistries: []string{"t.com"}}},
	{"DL3026 mount from image", "FROM t.com/x:1\nRUN --mount=type=bind,from=u.com/x:1,target=/a ls\n", 1, &config.Config{TrustedRegistries: []string{"t.com"}}},
	{"DL3026 no config", "FROM random.com/debian:12\n", 0, nil},

	{"DL3027 apt", "FROM a:1\nRUN apt install -y x\n", 1, nil},
	{"DL3027 apt-get", "FROM a:1\nRUN apt-get install -y x\n", 0, nil},

	{"DL3028 unpinned", "FROM a:1\nRUN gem install bundler\n", 1, nil},
	{"DL3028 pinned", "FROM a:1\nRUN gem install bundler:2.5.0\n", 0, nil},
	{"DL3028 -v", "FROM a:1\nRUN gem install bundler -v 2.5.0\n", 0, nil},
	{"DL3028 build options", "FROM a:1\nRUN gem install nokogiri:1.16.0 -- --use-system-libraries\n", 0, nil},

	{"DL3029 platform", "FROM --platform=linux/amd64 a:1\n", 1, nil},
	{"DL3029 build platform", "FROM --platform=$BUILDPLATFORM a:1\n", 0, nil},

	{"DL3030 no -y", "FROM a:1\nRUN yum install httpd-2.4 && yum clean all\n", 1, nil},
	{"DL3030 -y", "FROM a:1\nRUN yum install -y httpd-2.4 && yum clean all\n", 0, nil},

	{"DL3032 no clean", "FROM a:1\nRUN yum install -y httpd-2.4\n", 1, nil},
	{"DL3032 clean before install", "FROM a:1\nRUN yum clean all && yum install -y httpd-2.4\n", 1, nil},
	{"DL3032 clean", "FROM a:1\nRUN yum install -y httpd-2.4 && yum clean all\n", 0, nil},
	{"DL3032 cache mount", "FROM a:1\nRUN --mount=type=cache,target=/var/cache/yum yum install -y httpd-2.4\n", 0, nil},

	{"DL3033 unpinned", "FROM a:1\nRUN yum install -y tomcat && yum clean all\n", 1, nil},
	{"DL3033 dashed name unpinned", "FROM a:1\nRUN yum install -y python3-devel\n", 1, nil},
	{"DL3033 pinned", "FROM a:1\nRUN yum install -y gcc-c++-11.4.1\n", 0, nil},
	{"DL3033 module", "FROM a:1\nRUN yum module install -y nodejs\n", 1, nil},
	{"DL3033 module pinned", "FROM a:1\nRUN yum module install -y nodejs:20\n", 0, nil},
	{"DL3033 version from ENV", "FROM a:1\nENV V=2.4\nRUN yum install -y httpd-${V}\n", 0, nil},
	{"DL3033 version from ARG without braces", "ARG V=2.4\nFROM a:1\nRUN yum install -y httpd-$V\n", 0, nil},
	{"DL3033 other variable", "FROM a:1\nENV V=2.4\nRUN yum install -y httpd-$VX\n", 1, nil},
	{"DL3033 ENV of another stage", "FROM a:1 AS b\nENV V=2.4\nFROM a:1\nRUN yum install -y httpd-${V}\n", 1, nil},
	{"DL3033 ENV of the base stage", "FROM a:1 AS b\nENV V=2.4\nFROM b\nRUN yum install -y httpd-${V}\n", 0, nil},
}

func dlaRuleByID(t *testing.T, id string) Rule {
	t.Helper()
	for _, r := range dlRulesA() {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no rule %s", id)
	return Rule{}
}

func dlaLint(t *testing.T, rule Rule, src string, cfg *config.Config) []finding.Finding {
	t.Helper()
	f, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if cfg == nil {
		cfg = &config.Config{}
	}
	if rule.DefaultOff {
		c := *cfg
		c.Override.Info = append(append([]string{}, cfg.Override.Info...), rule.ID)
		cfg = &c
	}
	return Lint(f, Options{Config: cfg, Rules: []Rule{rule}})
}

func TestDLRulesA(t *testing.T) {
	for _, tc := range dlaCases {
		t.Run(tc.name, func(t *testing.T) {
			id, _, _ := strings.Cut(tc.name, " ")
			got := dlaLint(t, dlaRuleByID(t, id), tc.src, tc.cfg)
			if len(got) != tc.want {
				t.Errorf("got %d findings, want %d:\n%s\n%v", len(got), tc.want, tc.src, got)
			}
			for _, f := range got {
				if f.RuleID != id || f.Line < 1 || f.Message == "" {
					t.Errorf("bad finding %+v", f)
				}
			}
		})
	}
}

// TestDLRulesAMeta checks every rule's metadata and that each has a bad and
// a good case above.
func TestDLRulesAMeta(t *testing.T) {
	bad, good := map[string]bool{}, map[string]bool{}
	for _, tc := range dlaCases {
		id, _, _ := strings.Cut(tc.name, " ")
		if tc.want > 0 {
			bad[id] = true
		} else {
			good[id] = true
		}
	}
	for _, r := range dlRulesA() {
		if r.Domain != finding.Dockerfile || r.Description == "" || r.Category == "" || r.Severity == finding.Off ||
			r.DocsURL != "https://github.com/hadolint/hadolint/wiki/"+r.ID || r.Check == nil {
			t.Errorf("%s: incomplete rule %+v", r.ID, r.Rule)
		}
		if !bad[r.ID] || !good[r.ID] {
			t.Errorf("%s: needs a bad and a good test case", r.ID)
		}
	}
}

func TestDL1001DefaultOff(t *testing.T) {
	r := dlaRuleByID(t, "DL1001")
	f, _ := dockerfile.ParseBytes("Dockerfile", []byte("# hadolint ignore=DL3003\nRUN cd /x\n"))
	if got := Lint(f, Options{Config: &config.Config{}, Rules: []Rule{r}}); len(got) != 0 {
		t.Errorf("DL1001 must be off by default, got %v", got)
	}
}

// dlaApply applies a finding's edits (the fix engine's job; enough here).
func dlaApply(src string, fixes []*finding.Fix) string {
	var edits []finding.Edit
	for _, fx := range fixes {
		edits = append(edits, fx.Edits...)
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].Offset > edits[j].Offset })
	for _, e := range edits {
		src = src[:e.Offset] + e.NewText + src[e.Offset+e.Length:]
	}
	return src
}

func TestDLRulesAFixes(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
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
		{"DL3019 no-cache", "FROM a:1\nRUN apk add curl=1\n", "FROM a:1\nRUN apk --no-cache add curl=1\n"},
		{"DL3027 apt-get", "FROM a:1\nRUN apt-get update && apt install -y x=1\n", "FROM a:1\nRUN apt-get update && apt-get install -y x=1\n"},
		{"DL3027 every apt", "FROM a:1\nRUN apt update && apt install -y x=1\n", "FROM a:1\nRUN apt-get update && apt-get install -y x=1\n"},
		{"DL3019 every apk", "FROM a:1\nRUN apk update && apk add a=1 && apk add b=2\n", "FROM a:1\nRUN apk update && apk --no-cache add a=1 && apk --no-cache add b=2\n"},
		{"DL3030 -y", "FROM a:1\nRUN yum install x-1 && yum clean all\n", "FROM a:1\nRUN yum -y install x-1 && yum clean all\n"},
		{"DL3032 clean", "FROM a:1\nRUN yum install -y x-1\n", "FROM a:1\nRUN yum install -y x-1 && yum clean all\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, _, _ := strings.Cut(tc.name, " ")
			got := dlaLint(t, dlaRuleByID(t, id), tc.src, nil)
			var fixes []*finding.Fix
			for _, f := range got {
				if f.Fix == nil {
					t.Fatalf("finding without fix: %+v", f)
				}
				fixes = append(fixes, f.Fix)
			}
			if len(fixes) == 0 {
				t.Fatalf("no finding")
			}
			if out := dlaApply(tc.src, fixes); out != tc.want {
				t.Errorf("fixed:\n%s\nwant:\n%s", out, tc.want)
			}
		})
	}
}

func TestDLRulesAOptInFixes(t *testing.T) {
	for _, tc := range []struct {
		id, src string
		optIn   bool
	}{
		{"DL3009", "FROM a:1\nRUN apt-get update && apt-get install -y x\n", false},
		{"DL3009", "FROM a:1\nRUN apt-get update && apt-get install -y x\nRUN apt-get install -y y\n", true},
		{"DL3015", "FROM a:1\nRUN apt-get install -y x\n", true},
	} {
		got := dlaLint(t, dlaRuleByID(t, tc.id), tc.src, nil)
		if len(got) == 0 || got[0].Fix == nil || got[0].Fix.OptIn != tc.optIn {
			t.Errorf("%s %q: want a fix with OptIn=%v, got %+v", tc.id, tc.src, tc.optIn, got)
		}
	}
}

func TestDLRulesANoFixWhenUnsafe(t *testing.T) {
	// A heredoc, an exec form or a trailing operator gives no append fix.
	for _, src := range []string{
		"FROM a:1\nRUN <<EOF\napt-get update\nEOF\n",
		"FROM a:1\nRUN [\"sh\", \"-c\", \"apt-get update\"]\n",
		"FROM a:1\nRUN apt-get update;\n",
	} {
		got := dlaLint(t, dlaRuleByID(t, "DL3009"), src, nil)
		if len(got) != 1 || got[0].Fix != nil {
			t.Errorf("%q: want one finding without fix, got %+v", src, got)
		}
	}
}

// FuzzDLRulesA runs the part-A rules over arbitrary Dockerfiles: no panic,
// and every fix edit stays inside the file.
func FuzzDLRulesA(f *testing.F) {
	for _, tc := range dlaCases {
		f.Add(tc.src)
	}
	f.Add("FROM a:1\nRUN apt-get update \\\n  # c\n\n  && apt-get install x \\\n  && apk add y\nONBUILD ADD a b\n")
	f.Fuzz(func(t *testing.T, src string) {
		df, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
		if err != nil {
			return
		}
		cfg := &config.Config{TrustedRegistries: []string{"t.com"}, Override: config.Override{Info: []string{"DL1001"}}}
		for _, fd := range Lint(df, Options{Config: cfg, Rules: dlRulesA()}) {
			if fd.Fix == nil {
				continue
			}
			for _, e := range fd.Fix.Edits {
				if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > len(src) {
					t.Fatalf("%s: edit %+v outside the file (%d bytes)", fd.RuleID, e, len(src))
				}
			}
		}
	})
}
