package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// buildkitCases are the checks of rules_buildkit.go: the findings
// ("line: message") each Dockerfile gives.
var buildkitCases = []bkCase{
	{"ConsistentInstructionCasing", "FROM alpine\nRUN a\nrun b\nCOPY . .\n", []string{"3: Command 'run' should match the case of the command majority (uppercase)"}},
	{"ConsistentInstructionCasing", "from alpine\nrun a\nRun b\n", []string{"3: Command 'Run' should match the case of the command majority (lowercase)"}},
	{"FromAsCasing", "FROM alpine as build\nfrom alpine AS b\nFROM alpine AS c\n", []string{"1: 'as' and 'FROM' keywords' casing do not match", "2: 'AS' and 'from' keywords' casing do not match"}},
	{"InvalidDefaultArgInFrom", "ARG BASE\nARG TAG=3\nARG V\nFROM $BASE\nFROM alpine:$TAG\nFROM Alpine$TAG\nFROM golang:${V}-alpine\nFROM reg.example.com:5000/a/b:$TAG\n", []string{"4: Default value for ARG $BASE results in empty or invalid base image name", "6: Default value for ARG Alpine$TAG results in empty or invalid base image name", "7: Default value for ARG golang:${V}-alpine results in empty or invalid base image name"}},
	{"InvalidDefinitionDescription", "# the version\nARG VERSION=1\n# the base stage\nFROM alpine AS base\n# VERSION is fine\nARG VERSION\n", []string{"2: Comment for ARG should follow the format: `# VERSION <description>`", "4: Comment for FROM should follow the format: `# base <description>`"}},
	{"LegacyKeyValueFormat", "FROM alpine\nENV A 1\nENV B=2\nLABEL x y\n", []string{`2: "ENV key=value" should be used instead of legacy "ENV key value" format`, `4: "LABEL key=value" should be used instead of legacy "LABEL key value" format`}},
	{"NoEmptyContinuation", "FROM alpine\nRUN echo a \\\n\n  && echo b\n", []string{"4: Empty continuation line"}},
	{"StageNameCasing", "FROM alpine AS Build\nFROM alpine AS build2\n", []string{"1: Stage name 'Build' should be lowercase"}},
	{"UndefinedArgInFrom", "ARG VERSION=1\nFROM alpine:$VERSON\nFROM --platform=$BUILDPLATFORM alpine:${VERSION}\n", []string{"2: FROM argument 'VERSON' is not declared (did you mean VERSION?)"}},
	{"UndefinedVar", "FROM scratch\nARG A\nENV B=$A C=$D\nCOPY $B /x\n", []string{"3: Usage of undefined variable '$D'"}},
	{"UndefinedVar", "FROM alpine\nARG NODE_VERSION=1\nENV V=$NODE_VERSON P=$PATH:$JAVA_HOME\n", []string{"3: Usage of undefined variable '$NODE_VERSON' (did you mean $NODE_VERSION?)"}},
	{"UndefinedVar", "FROM scratch\nENV X=$HTTP_PROXY Y=$TARGETARCH\nENV PATH \"$PATH:/bin\"\n", nil},
}

func TestBuildKitRules(t *testing.T) { runBKCases(t, buildkitCases) }

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
