package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// runBK lints src with BuildKit's rule id only and returns "line: message"
// strings.
func runBK(t *testing.T, id, dir, src string) []string {
	t.Helper()
	name := "Dockerfile"
	if dir != "" {
		name = filepath.Join(dir, "Dockerfile")
	}
	f, err := dockerfile.ParseBytes(name, []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var rules []Rule
	for _, r := range allBuildKitRules() {
		if r.ID == id {
			rules = append(rules, r)
		}
	}
	if len(rules) != 1 {
		t.Fatalf("no BuildKit rule %s", id)
	}
	cfg := &config.Config{Override: config.Override{Warning: []string{id}}} // turns on default-off rules
	var out []string
	for _, fd := range Lint(f, Options{Config: cfg, Dir: dir, Rules: rules}) {
		out = append(out, fmt.Sprintf("%d: %s", fd.Line, fd.Message))
	}
	return out
}

func TestBuildKitRules(t *testing.T) {
	tests := []struct {
		id, src string
		want    []string
	}{
		{"StageNameCasing", "FROM alpine AS Build\nFROM alpine AS build2\n", []string{"1: Stage name 'Build' should be lowercase"}},
		{"FromAsCasing", "FROM alpine as build\nfrom alpine AS b\nFROM alpine AS c\n", []string{"1: 'as' and 'FROM' keywords' casing do not match", "2: 'AS' and 'from' keywords' casing do not match"}},
		{"NoEmptyContinuation", "FROM alpine\nRUN echo a \\\n\n  && echo b\n", []string{"4: Empty continuation line"}},
		{"ConsistentInstructionCasing", "FROM alpine\nRUN a\nrun b\nCOPY . .\n", []string{"3: Command 'run' should match the case of the command majority (uppercase)"}},
		{"ConsistentInstructionCasing", "from alpine\nrun a\nRun b\n", []string{"3: Command 'Run' should match the case of the command majority (lowercase)"}},
		{"DuplicateStageName", "FROM alpine AS a\nFROM alpine AS A\n", []string{`2: Duplicate stage name "a", stage names should be unique`}},
		{"ReservedStageName", "FROM alpine AS scratch\nFROM alpine AS context\nFROM alpine AS ok\n", []string{`1: Stage name should not use the same name as reserved stage "scratch"`, `2: Stage name should not use the same name as reserved stage "context"`}},
		{"JSONArgsRecommended", "FROM alpine\nCMD echo hi\nENTRYPOINT [\"x\"]\n", []string{"2: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals"}},
		{"JSONArgsRecommended", "FROM alpine AS a\nSHELL [\"/bin/bash\", \"-c\"]\nFROM a\nCMD echo hi\n", nil},
		{"MaintainerDeprecated", "FROM alpine\nMAINTAINER me\n", []string{"2: Maintainer instruction is deprecated in favor of using label"}},
		{"UndefinedArgInFrom", "ARG VERSION=1\nFROM alpine:$VERSON\nFROM --platform=$BUILDPLATFORM alpine:${VERSION}\n", []string{"2: FROM argument 'VERSON' is not declared (did you mean VERSION?)"}},
		{"WorkdirRelativePath", "FROM alpine AS a\nWORKDIR app\nWORKDIR sub\nFROM alpine\nWORKDIR /app\nWORKDIR rel\nFROM a\nWORKDIR x\nFROM alpine\nWORKDIR $HOME\n", []string{`2: Relative workdir "app" can have unexpected results if the base image changes`}},
		{"UndefinedVar", "FROM scratch\nARG A\nENV B=$A C=$D\nCOPY $B /x\n", []string{"3: Usage of undefined variable '$D'"}},
		{"UndefinedVar", "FROM alpine\nARG NODE_VERSION=1\nENV V=$NODE_VERSON P=$PATH:$JAVA_HOME\n", []string{"3: Usage of undefined variable '$NODE_VERSON' (did you mean $NODE_VERSION?)"}},
		{"UndefinedVar", "FROM scratch\nENV X=$HTTP_PROXY Y=$TARGETARCH\nENV PATH \"$PATH:/bin\"\n", nil},
		{"WorkdirRelativePath", "FROM alpine\nWORKDIR \"$APP\"\n", nil},
		{"MultipleInstructionsDisallowed", "FROM alpine\nCMD [\"a\"]\nCMD [\"b\"]\nFROM alpine\nCMD [\"c\"]\n", []string{"2: Multiple CMD instructions should not be used in the same stage because only the last one will be used"}},
		{"LegacyKeyValueFormat", "FROM alpine\nENV A 1\nENV B=2\nLABEL x y\n", []string{`2: "ENV key=value" should be used instead of legacy "ENV key value" format`, `4: "LABEL key=value" should be used instead of legacy "LABEL key value" format`}},
		{"RedundantTargetPlatform", "FROM --platform=$TARGETPLATFORM alpine\nFROM --platform=$BUILDPLATFORM alpine\n", []string{"1: Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior"}},
		{"SecretsUsedInArgOrEnv", "ARG TOKEN\nFROM alpine\nARG GITHUB_TOKEN\nENV DB_PASSWORD=x PUBLIC_KEY=y GPG_KEY_FILE=z NPM_VERSION=1 TOKENIZER=2\n", []string{`3: Do not use ARG or ENV instructions for sensitive data (ARG "GITHUB_TOKEN")`, `4: Do not use ARG or ENV instructions for sensitive data (ENV "DB_PASSWORD")`}},
		{"InvalidDefaultArgInFrom", "ARG BASE\nARG TAG=3\nARG V\nFROM $BASE\nFROM alpine:$TAG\nFROM Alpine$TAG\nFROM golang:${V}-alpine\nFROM reg.example.com:5000/a/b:$TAG\n", []string{"4: Default value for ARG $BASE results in empty or invalid base image name", "6: Default value for ARG Alpine$TAG results in empty or invalid base image name", "7: Default value for ARG golang:${V}-alpine results in empty or invalid base image name"}},
		{"FromPlatformFlagConstDisallowed", "FROM --platform=linux/amd64 alpine\nFROM --platform=linux/arm64 alpine AS build-arm64\nFROM --platform=$BUILDPLATFORM alpine\n", []string{`1: FROM --platform flag should not use constant value "linux/amd64"`}},
		{"InvalidDefinitionDescription", "# the version\nARG VERSION=1\n# the base stage\nFROM alpine AS base\n# VERSION is fine\nARG VERSION\n", []string{"2: Comment for ARG should follow the format: `# VERSION <description>`", "4: Comment for FROM should follow the format: `# base <description>`"}},
		{"ExposeProtoCasing", "FROM alpine\nEXPOSE 80/TCP 443/tcp $P/UDP\n", []string{"2: Defined protocol '80/TCP' in EXPOSE instruction should be lowercase"}},
		{"ExposeInvalidFormat", "FROM alpine\nEXPOSE 8080:80 80\nEXPOSE 127.0.0.1:80:80/tcp\n", []string{"2: EXPOSE instruction should not define an IP address or host-port mapping, found '8080:80'", "3: EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:80:80/tcp'"}},
		// Directives.
		{"MaintainerDeprecated", "# check=skip=MaintainerDeprecated\nFROM alpine\nMAINTAINER me\n", nil},
		{"MaintainerDeprecated", "# check=skip=all\nFROM alpine\nMAINTAINER me\n", nil},
		{"MaintainerDeprecated", "FROM alpine\n# check=skip=MaintainerDeprecated\nMAINTAINER me\nMAINTAINER you\n", []string{"4: Maintainer instruction is deprecated in favor of using label"}},
	}
	caught := map[string]bool{"CopyIgnoredFile": true} // TestBuildKitCopyIgnoredFile
	for _, tt := range tests {
		if len(tt.want) > 0 {
			caught[tt.id] = true
		}
	}
	for _, r := range allBuildKitRules() {
		if !caught[r.ID] {
			t.Errorf("%s has no bad case", r.ID)
		}
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got := runBK(t, tt.id, "", tt.src)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("%q:\ngot  %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestBuildKitCheckErrorDirective(t *testing.T) {
	f, err := dockerfile.ParseBytes("Dockerfile", []byte("# check=error=true\nFROM alpine\nMAINTAINER me\n"))
	if err != nil {
		t.Fatal(err)
	}
	fs := Lint(f, Options{Rules: allBuildKitRules()})
	if len(fs) != 1 || fs[0].Severity != finding.Error {
		t.Fatalf("want one error, got %+v", fs)
	}
}

func TestBuildKitCopyIgnoredFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("# comment\nnode_modules\n*.log\nsecret/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "FROM alpine\nCOPY node_modules/x /x\nCOPY app.log src/ /app/\nCOPY . /app\nCOPY --from=build /node_modules /n\nCOPY secret/key /k\nADD https://example.com/a.log /a\n"
	got := runBK(t, "CopyIgnoredFile", dir, src)
	want := []string{
		`2: Attempting to Copy file "node_modules/x" that is excluded by .dockerignore`,
		`3: Attempting to Copy file "app.log" that is excluded by .dockerignore`,
		`6: Attempting to Copy file "secret/key" that is excluded by .dockerignore`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// Exclusions make BuildKit (and us) skip the check.
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("*.log\n!keep.log\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := runBK(t, "CopyIgnoredFile", dir, src); len(got) != 0 {
		t.Errorf("with exclusions: got %q", got)
	}
	// No context directory (stdin): nothing.
	if got := runBK(t, "CopyIgnoredFile", "", src); len(got) != 0 {
		t.Errorf("without dir: got %q", got)
	}
}

// Every BuildKit rule carries BuildKit's docs URL and a description.
func TestBuildKitRuleMetadata(t *testing.T) {
	for _, r := range allBuildKitRules() {
		if r.DocsURL == "" || !strings.HasPrefix(r.DocsURL, "https://docs.docker.com/") || r.Description == "" || r.Severity != finding.Warning {
			t.Errorf("%s: incomplete metadata %+v", r.ID, r.Rule)
		}
	}
}
