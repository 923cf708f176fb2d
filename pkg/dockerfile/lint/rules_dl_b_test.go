package lint

import (
	"sort"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// dlbLint runs one rule of part B over src.
func dlbLint(t *testing.T, id, src string, cfg *config.Config) (*dockerfile.File, []finding.Finding) {
	t.Helper()
	var rule *Rule
	for _, r := range dlRulesB() {
		if r.ID == id {
			rule = &r
			break
		}
	}
	if rule == nil {
		t.Fatalf("no rule %s", id)
	}
	if cfg == nil {
		cfg = &config.Config{}
	}
	if rule.DefaultOff {
		cfg.Override.Info = append(cfg.Override.Info, id)
	}
	f, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return f, Lint(f, Options{Config: cfg, Rules: []Rule{*rule}, Dir: ""})
}

type dlbCase struct {
	id   string
	src  string
	want int // findings expected; 0 means the Dockerfile is good
	cfg  *config.Config
}

func schema(m map[string]string, strict bool) *config.Config {
	return &config.Config{LabelSchema: m, StrictLabels: strict}
}

var dlbCases = []dlbCase{
	{"DL3034", "FROM opensuse/leap\nRUN zypper install httpd=2.4.24 && zypper clean\n", 1, nil},
	{"DL3034", "FROM opensuse/leap\nRUN zypper install -y httpd=2.4.24 && zypper clean\n", 0, nil},
	{"DL3034", "FROM opensuse/leap\nRUN zypper --non-interactive install httpd=2.4.24\n", 0, nil},
	{"DL3034", "FROM opensuse/leap\nONBUILD RUN zypper rm httpd\n", 1, nil},
	{"DL3035", "FROM opensuse/leap\nRUN zypper dist-upgrade\n", 1, nil},
	{"DL3035", "FROM opensuse/leap\nRUN zypper dup -y\n", 1, nil},
	{"DL3035", "FROM opensuse/leap\nRUN zypper install -y x=1\n", 0, nil},
	{"DL3036", "FROM opensuse/leap\nRUN zypper install -y httpd=2.4.24\n", 1, nil},
	{"DL3036", "FROM opensuse/leap\nRUN zypper clean && zypper install -y httpd=2.4.24\n", 1, nil},
	{"DL3036", "FROM opensuse/leap\nRUN zypper install -y httpd=2.4.24 && zypper cc\n", 0, nil},
	{"DL3036", "FROM opensuse/leap\nRUN --mount=type=cache,target=/var/cache/zypp zypper install -y httpd=2.4.24\n", 0, nil},
	{"DL3037", "FROM opensuse/leap\nRUN zypper install -y httpd && zypper clean\n", 1, nil},
	{"DL3037", "FROM opensuse/leap\nRUN zypper in -y 'httpd>=2.4' ./local.rpm\n", 0, nil},
	{"DL3038", "FROM fedora\nRUN dnf install httpd-2.4.24 && dnf clean all\n", 1, nil},
	{"DL3038", "FROM fedora\nRUN microdnf --assumeyes install httpd-2.4.24\n", 0, nil},
	{"DL3040", "FROM fedora\nRUN dnf install -y httpd-2.4.24\n", 1, nil},
	{"DL3040", "FROM fedora\nRUN microdnf clean all && dnf in -y httpd-2.4.24\n", 1, nil},
	{"DL3040", "FROM fedora\nRUN dnf -y upgrade && dnf clean all\n", 0, nil},
	{"DL3040", "FROM fedora\nRUN dnf install -y httpd-2.4.24 && rm -rf /var/cache/yum/*\n", 0, nil},
	{"DL3040", "FROM fedora\nRUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y httpd-2.4.24\n", 0, nil},
	{"DL3041", "FROM fedora\nRUN dnf install -y tomcat && dnf clean all\n", 1, nil},
	{"DL3041", "FROM fedora\nRUN dnf module install -y tomcat && dnf clean all\n", 1, nil},
	{"DL3041", "FROM fedora\nRUN dnf install -y tomcat-9.0.1 openssl-1:1.1.1k ./x-1.0.rpm && dnf module install -y nodejs:18\n", 0, nil},
	{"DL3041", "FROM fedora\nRUN dnf group install -y \"Development Tools\"\n", 0, nil},
	{"DL3041", "FROM fedora AS a\nENV v=2.51.0-2.fc42\nFROM a\nRUN dnf -y install git-core-${v}\n", 0, nil},
	{"DL3041", "FROM fedora AS a\nENV v=2.51.0-2.fc42\nFROM fedora\nRUN dnf -y install git-core-${v}\n", 1, nil},
	{"DL3042", "FROM python\nRUN pip install requests==2.0\n", 1, nil},
	{"DL3042", "FROM python\nRUN python3 -m pip install requests==2.0\n", 1, nil},
	{"DL3042", "FROM python\nRUN pip install --no-cache-dir requests==2.0\n", 0, nil},
	{"DL3042", "FROM python\nRUN pipx install black\n", 0, nil},
	{"DL3042", "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install requests\n", 0, nil},
	{"DL3042", "FROM python AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install requests\n", 0, nil},
	{"DL3042", "FROM python AS base\nENV PIP_NO_CACHE_DIR=1\nFROM python\nRUN pip install requests\n", 1, nil},
	{"DL3042", "FROM python\nENV PIP_NO_CACHE_DIR=off\nRUN pip install requests\n", 1, nil},
	{"DL3042", "FROM python\nRUN PIP_NO_CACHE_DIR=1 pip install requests\n", 0, nil},
	{"DL3042", "FROM python\nRUN --mount=type=cache,target=/root/.cache/pip pip install requests\n", 0, nil},
	{"DL3042", "FROM python\nRUN --mount=type=cache,target=/root/.cache pip install requests\n", 0, nil},
	{"DL3042", "FROM python\nRUN --mount=type=cache,target=/var/cache/apt pip install requests\n", 1, nil},
	{"DL3042", "FROM python\nRUN <<EOF\nset -e\npip install requests\nEOF\n", 1, nil},
	{"DL3042", "FROM python\nSHELL [\"pwsh\", \"-c\"]\nRUN pip install requests\n", 0, nil},
	{"DL3043", "FROM debian\nONBUILD ONBUILD RUN x\n", 1, nil},
	{"DL3043", "FROM debian\nONBUILD FROM debian\n", 1, nil},
	{"DL3043", "FROM debian\nONBUILD RUN x\n", 0, nil},
	{"DL3044", "FROM debian\nENV A=1 B=${A}/x\n", 1, nil},
	{"DL3044", "FROM debian\nENV A=1 B=$A\n", 1, nil},
	{"DL3044", "FROM debian\nENV A=1 B=$AB\n", 0, nil},
	{"DL3044", "FROM debian\nENV A=1\nENV B=${A}\n", 0, nil},
	{"DL3044", "FROM debian\nENV PATH=/x:${PATH}\n", 0, nil},
	{"DL3045", "FROM debian\nCOPY a b\n", 1, nil},
	{"DL3045", "FROM debian\nCOPY --chmod=755 a \"rel/\"\n", 1, nil},
	{"DL3045", "FROM debian\nCOPY a /b\nCOPY a $X\nCOPY a c:\\\\x\n", 0, nil},
	{"DL3045", "ARG ENV=git\nFROM debian:12 AS build\nWORKDIR /app\nFROM build AS build_git\nFROM build AS build_copy\nFROM build_${ENV}\nCOPY a b\n", 0, nil},
	{"DL3045", "ARG ENV=git\nFROM debian:12 AS build_git\nFROM debian:12 AS build_copy\nWORKDIR /app\nFROM build_${ENV}\nCOPY a b\n", 1, nil},
	{"DL3045", "FROM debian\nWORKDIR /app\nCOPY a b\n", 0, nil},
	{"DL3045", "FROM debian AS base\nWORKDIR /app\nFROM base\nCOPY a b\n", 0, nil},
	{"DL3045", "FROM debian AS base\nWORKDIR /app\nFROM debian\nCOPY a b\n", 1, nil},
	{"DL3046", "FROM debian\nRUN useradd -u 123456 app\n", 1, nil},
	{"DL3046", "FROM debian\nRUN useradd -l -u 123456 app\n", 0, nil},
	{"DL3046", "FROM debian\nRUN useradd -u 1000 app\n", 0, nil},
	{"DL3047", "FROM debian\nRUN wget https://x/y.tgz\n", 1, nil},
	{"DL3047", "FROM debian\nRUN wget -q https://x/y.tgz && wget -nv https://x/z && wget --progress=dot:giga https://x\n", 0, nil},
	{"DL3048", "FROM debian\nLABEL com.docker.x=1\n", 1, nil},
	{"DL3048", "FROM debian\nLABEL Invalid=1 a..b=2\n", 1, nil},
	{"DL3048", "FROM debian\nLABEL org.opencontainers.image.title=x valid-1=y\n", 0, nil},
	{"DL3049", "FROM debian\n", 1, schema(map[string]string{"maintainer": "text"}, false)},
	{"DL3049", "FROM debian\nLABEL maintainer=x\n", 0, schema(map[string]string{"maintainer": "text"}, false)},
	{"DL3049", "FROM debian AS base\nLABEL maintainer=x\nFROM base\n", 0, schema(map[string]string{"maintainer": "text"}, false)},
	{"DL3049", "FROM debian AS build\nFROM alpine\nLABEL maintainer=x\nCOPY --from=build /a /a\n", 0, schema(map[string]string{"maintainer": "text"}, false)},
	{"DL3049", "FROM debian AS build\nFROM alpine\nLABEL maintainer=x\n", 1, schema(map[string]string{"maintainer": "text"}, false)},
	{"DL3049", "FROM debian\n", 0, nil},
	{"DL3050", "FROM debian\nLABEL a=1 b=2\n", 1, schema(map[string]string{"a": "text"}, true)},
	{"DL3050", "FROM debian\nLABEL a=1 b=2\n", 0, schema(map[string]string{"a": "text"}, false)},
	{"DL3050", "FROM debian\nLABEL a=1\n", 0, schema(map[string]string{"a": "text"}, true)},
	{"DL3051", "FROM debian\nLABEL a=\"\"\n", 1, schema(map[string]string{"a": "text"}, false)},
	{"DL3051", "FROM debian\nLABEL a=x b=\"\"\n", 0, schema(map[string]string{"a": "text"}, false)},
	{"DL3052", "FROM debian\nLABEL u=not-a-url\n", 1, schema(map[string]string{"u": "url"}, false)},
	{"DL3052", "FROM debian\nLABEL u=https://example.com/x\n", 0, schema(map[string]string{"u": "url"}, false)},
	{"DL3053", "FROM debian\nLABEL d=yesterday\n", 1, schema(map[string]string{"d": "rfc3339"}, false)},
	{"DL3053", "FROM debian\nLABEL d=2021-03-10T10:26:33.564595127+01:00\n", 0, schema(map[string]string{"d": "rfc3339"}, false)},
	{"DL3054", "FROM debian\nLABEL l=not-spdx\n", 1, schema(map[string]string{"l": "spdx"}, false)},
	{"DL3054", "FROM debian\nLABEL l=Apache-2.0\n", 0, schema(map[string]string{"l": "spdx"}, false)},
	{"DL3055", "FROM debian\nLABEL h=xyz\n", 1, schema(map[string]string{"h": "hash"}, false)},
	{"DL3055", "FROM debian\nLABEL h=abc1234\n", 0, schema(map[string]string{"h": "hash"}, false)},
	{"DL3056", "FROM debian\nLABEL v=v1.0\n", 1, schema(map[string]string{"v": "semver"}, false)},
	{"DL3056", "FROM debian\nLABEL v=2.0.1-rc1+build.5\n", 0, schema(map[string]string{"v": "semver"}, false)},
	{"DL3057", "FROM debian\n", 1, nil},
	{"DL3057", "FROM debian AS base\nHEALTHCHECK NONE\nFROM base\n", 0, nil},
	{"DL3057", "FROM debian AS base\nHEALTHCHECK NONE\nFROM debian\n", 1, nil},
	{"DL3058", "FROM debian\nLABEL m=not-email\n", 1, schema(map[string]string{"m": "email"}, false)},
	{"DL3058", "FROM debian\nLABEL m=team@example.com\n", 0, schema(map[string]string{"m": "email"}, false)},
	{"DL3059", "FROM debian\nRUN a\nRUN b\n", 1, nil},
	{"DL3059", "FROM debian\nRUN a\n# c\nRUN b\n", 1, nil},
	{"DL3059", "FROM debian\nRUN a && b\nRUN c\n", 0, nil},
	{"DL3059", "FROM debian\nRUN a\nWORKDIR /\nRUN b\n", 0, nil},
	{"DL3059", "FROM debian\nRUN --mount=type=secret,id=a a\nRUN b\n", 0, nil},
	{"DL3060", "FROM node\nRUN yarn install\n", 1, nil},
	{"DL3060", "FROM node\nRUN yarn install && yarn cache clean\n", 0, nil},
	{"DL3060", "FROM node\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n", 0, nil},
	{"DL3060", "FROM node AS build\nRUN yarn install\nFROM scratch\nCOPY --from=build /a /a\n", 0, nil},
	{"DL3060", "FROM node AS build\nRUN yarn install\nFROM build\n", 1, nil},
	{"DL3061", "LABEL a=b\nFROM debian\n", 1, nil},
	{"DL3061", "ARG V=1\nFROM debian:$V\nLABEL a=b\n", 0, nil},
	{"DL3062", "FROM golang\nRUN go install example.com/cmd/x\n", 1, nil},
	{"DL3062", "FROM golang\nRUN go install example.com/cmd/x@latest\n", 1, nil},
	{"DL3062", "FROM golang\nRUN go install -tags netgo example.com/cmd/x@v1.2.3 && go run ./cmd/y && go run example.com/z@v1.0.0 arg\n", 0, nil},
	{"DL3063", "FROM debian AS scratch\n", 1, nil},
	{"DL3063", "FROM debian AS build\n", 0, nil},
	{"DL3064", "ARG GITHUB_TOKEN\nFROM debian\n", 1, nil},
	{"DL3064", "FROM debian\nENV db_password=x\n", 1, nil},
	{"DL3064", "FROM debian\nENV APP_HOME=/app\nARG VERSION\n", 0, nil},
	{"DL3065", "FROM --platform=$TARGETPLATFORM debian\n", 1, nil},
	{"DL3065", "FROM --platform=$BUILDPLATFORM debian\n", 0, nil},
	{"DL3066", "FROM debian\nUSER app\n", 1, nil},
	{"DL3066", "FROM debian\nUSER 1000:1000\n", 0, nil},
	{"DL3066", "FROM debian\nUSER ${UID}\n", 0, nil},
	{"DL3067", "FROM debian\nCOPY --from=build / /\n", 1, nil},
	{"DL3067", "FROM debian\nCOPY --from=build /app /\n", 0, nil},
	{"DL3067", "FROM debian\nCOPY / /\n", 0, nil},
	{"DL4000", "FROM debian\nMAINTAINER me\n", 1, nil},
	{"DL4000", "FROM debian\nLABEL maintainer=me\n", 0, nil},
	{"DL4001", "FROM debian\nRUN wget x\nRUN curl y\n", 1, nil},
	{"DL4001", "FROM debian\nRUN wget x && curl y\n", 1, nil},
	{"DL4001", "FROM debian\nRUN wget x\nFROM debian\nRUN curl y\n", 0, nil},
	{"DL4003", "FROM debian\nCMD a\nCMD b\n", 1, nil},
	{"DL4003", "FROM debian\nCMD a\nFROM debian\nCMD b\n", 0, nil},
	{"DL4004", "FROM debian\nENTRYPOINT a\nENTRYPOINT b\n", 1, nil},
	{"DL4004", "FROM debian\nENTRYPOINT a\n", 0, nil},
	{"DL4005", "FROM debian\nRUN ln -sf /bin/bash /bin/sh\n", 1, nil},
	{"DL4005", "FROM debian\nRUN ln -sf /bin/bash /bin/bash2\n", 0, nil},
	{"DL4006", "FROM debian\nRUN a | b\n", 1, nil},
	{"DL4006", "FROM debian\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN a | b\n", 0, nil},
	{"DL4006", "FROM debian\nSHELL [\"/bin/sh\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b\n", 1, nil},
	{"DL4006", "FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b\nFROM debian\nRUN a | b\n", 1, nil},
}

func TestDLRulesB(t *testing.T) {
	covered := map[string][2]bool{}
	for _, tc := range dlbCases {
		t.Run(tc.id, func(t *testing.T) {
			_, got := dlbLint(t, tc.id, tc.src, tc.cfg)
			if len(got) != tc.want {
				t.Errorf("%q: got %d findings, want %d: %v", tc.src, len(got), tc.want, got)
			}
			for _, f := range got {
				if f.Message == "" || f.Line < 1 {
					t.Errorf("%q: finding without message or line: %+v", tc.src, f)
				}
			}
		})
		c := covered[tc.id]
		c[min(tc.want, 1)] = true
		covered[tc.id] = c
	}
	// Every rule has a good and a bad case.
	for _, r := range dlRulesB() {
		if c := covered[r.ID]; !c[0] || !c[1] {
			t.Errorf("%s: needs both a good and a bad case (have %v)", r.ID, c)
		}
	}
}

// TestDLRulesBOnBuild checks that ONBUILD RUN is linted like RUN.
func TestDLRulesBOnBuild(t *testing.T) {
	for _, id := range []string{"DL3034", "DL3036", "DL3038", "DL3040", "DL3042", "DL3047", "DL3060"} {
		var src string
		for _, tc := range dlbCases {
			if tc.id == id && tc.want == 1 && strings.Contains(tc.src, "\nRUN ") {
				src = strings.Replace(tc.src, "\nRUN ", "\nONBUILD RUN ", 1)
				break
			}
		}
		if _, got := dlbLint(t, id, src, nil); len(got) != 1 {
			t.Errorf("%s: %q: got %v, want one finding", id, src, got)
		}
	}
}

func TestDLRulesBMeta(t *testing.T) {
	var ids []string
	for _, r := range dlRulesB() {
		ids = append(ids, r.ID)
		if r.Description == "" || r.Category == "" || r.Domain != finding.Dockerfile || r.DocsURL != "https://github.com/hadolint/hadolint/wiki/"+r.ID {
			t.Errorf("%s: incomplete rule %+v", r.ID, r.Rule)
		}
		if r.DefaultOff != (r.ID == "DL3057") {
			t.Errorf("%s: DefaultOff = %v", r.ID, r.DefaultOff)
		}
	}
	if !sort.StringsAreSorted(ids) || len(ids) != 39 {
		t.Errorf("rules %v: want 39 sorted IDs", ids)
	}
}

func dlbApply(src string, fix *finding.Fix) string {
	edits := append([]finding.Edit(nil), fix.Edits...)
	sort.Slice(edits, func(i, j int) bool { return edits[i].Offset > edits[j].Offset })
	for _, e := range edits {
		src = src[:e.Offset] + e.NewText + src[e.Offset+e.Length:]
	}
	return src
}

func TestDLRulesBFixes(t *testing.T) {
	cases := []struct{ id, src, want string }{
		{"DL3042", "FROM python\nRUN pip install requests\n", "FROM python\nRUN pip install --no-cache-dir requests\n"},
		{"DL3042", "FROM python\nRUN --mount=type=secret,id=x apt-get update \\\n  # comment\n  && pip3 install \\\n     requests\n",
			"FROM python\nRUN --mount=type=secret,id=x apt-get update \\\n  # comment\n  && pip3 install --no-cache-dir \\\n     requests\n"},
		{"DL3042", "FROM python\nONBUILD RUN pip install requests\n", "FROM python\nONBUILD RUN pip install --no-cache-dir requests\n"},
		{"DL3042", "FROM python\nRUN <<EOF\nset -e\npip install requests\nEOF\n", "FROM python\nRUN <<EOF\nset -e\npip install --no-cache-dir requests\nEOF\n"},
		{"DL3036", "FROM opensuse/leap\nRUN zypper install -y x=1 \\\n && echo done\n", "FROM opensuse/leap\nRUN zypper install -y x=1 && zypper clean \\\n && echo done\n"},
		{"DL3040", "FROM fedora\nRUN microdnf install -y x-1\n", "FROM fedora\nRUN microdnf install -y x-1 && microdnf clean all\n"},
		{"DL3034", "FROM opensuse/leap\nRUN zypper install x=1\n", "FROM opensuse/leap\nRUN zypper install -y x=1\n"},
		{"DL3038", "FROM fedora\nRUN dnf install x-1\n", "FROM fedora\nRUN dnf install -y x-1\n"},
		{"DL3047", "FROM debian\nRUN wget https://x/y\n", "FROM debian\nRUN wget --progress=dot:giga https://x/y\n"},
		{"DL3047", "FROM debian\nRUN wget https://x/y && \\\n    wget -O- https://x/z | sh\n", "FROM debian\nRUN wget --progress=dot:giga https://x/y && \\\n    wget --progress=dot:giga -O- https://x/z | sh\n"},
		{"DL3047", "# escape=`\nFROM debian\nRUN wget https://x/y `\n    && true\n", "# escape=`\nFROM debian\nRUN wget --progress=dot:giga https://x/y `\n    && true\n"},
		{"DL3042", "FROM python\nRUN --mount=type=bind,source=req.txt,target=/r.txt <<EOF\npip install -r /r.txt\nEOF\n", "FROM python\nRUN --mount=type=bind,source=req.txt,target=/r.txt <<EOF\npip install --no-cache-dir -r /r.txt\nEOF\n"},
		{"DL3046", "FROM debian\nRUN useradd -u 123456 app\n", "FROM debian\nRUN useradd -l -u 123456 app\n"},
		{"DL3060", "FROM node\nRUN yarn install --frozen-lockfile\n", "FROM node\nRUN yarn install --frozen-lockfile && yarn cache clean\n"},
		{"DL3065", "FROM --platform=$TARGETPLATFORM debian\n", "FROM debian\n"},
		{"DL4000", "FROM debian\nMAINTAINER Jane \"JD\" Doe <jd@example.com>\n", "FROM debian\nLABEL maintainer=\"Jane \\\"JD\\\" Doe <jd@example.com>\"\n"},
	}
	for _, tc := range cases {
		_, got := dlbLint(t, tc.id, tc.src, nil)
		if len(got) != 1 || got[0].Fix == nil {
			t.Errorf("%s %q: want one finding with a fix, got %+v", tc.id, tc.src, got)
			continue
		}
		if out := dlbApply(tc.src, got[0].Fix); out != tc.want {
			t.Errorf("%s fix:\n got %q\nwant %q", tc.id, out, tc.want)
		}
		// The fixed file no longer triggers the rule.
		if _, again := dlbLint(t, tc.id, tc.want, nil); len(again) != 0 {
			t.Errorf("%s: fixed file still reports %v", tc.id, again)
		}
	}
}

// TestDLRulesBNoFixWhenUnsure: code inside `sh -c` has no file position.
func TestDLRulesBNoFixWhenUnsure(t *testing.T) {
	_, got := dlbLint(t, "DL3042", "FROM python\nRUN sh -c 'pip install requests'\n", nil)
	if len(got) != 1 || got[0].Fix != nil {
		t.Fatalf("want one finding without fix, got %+v", got)
	}
}

func FuzzDLRulesB(f *testing.F) {
	for _, tc := range dlbCases {
		f.Add(tc.src)
	}
	cfg := schema(map[string]string{"a": "url", "b": "semver", "c": "email", "d": "spdx", "e": "hash", "f": "rfc3339"}, true)
	cfg.Override.Info = []string{"DL3057"}
	f.Fuzz(func(t *testing.T, src string) {
		df, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
		if err != nil {
			return
		}
		for _, fd := range Lint(df, Options{Config: cfg, Rules: dlRulesB()}) {
			if fd.Fix == nil {
				continue
			}
			for _, e := range fd.Fix.Edits {
				if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > len(src) {
					t.Fatalf("%s: edit out of range: %+v (len %d)", fd.RuleID, e, len(src))
				}
			}
		}
	})
}
