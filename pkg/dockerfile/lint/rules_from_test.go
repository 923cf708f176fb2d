package lint

import (
	"testing"

	"github.com/slimship/slimship/pkg/config"
)

// fromCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_from.go; a name starts with its rule's ID.
var fromCases = table([]tableCase{
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

	{"DL3024 duplicate", "FROM a:1 AS x\nFROM b:1 AS x\n", 1, nil},
	{"DL3024 unique", "FROM a:1 AS x\nFROM b:1 AS y\n", 0, nil},

	{"DL3026 untrusted", "FROM random.com/debian:12\n", 1, &config.Config{TrustedRegistries: []string{"docker.io"}}},
	{"DL3026 hub image untrusted", "FROM debian:12\n", 1, &config.Config{TrustedRegistries: []string{"trusted.com"}}},
	{"DL3026 trusted", "FROM random.com/debian:12\n", 0, &config.Config{TrustedRegistries: []string{"random.com"}}},
	{"DL3026 wildcard", "FROM a.random.com/debian:12\n", 0, &config.Config{TrustedRegistries: []string{"*.random.com"}}},
	{"DL3026 stage", "FROM random.com/x:1 AS b\nFROM b\n", 0, &config.Config{TrustedRegistries: []string{"random.com"}}},
	{"DL3026 copy from image", "FROM t.com/x:1\nCOPY --from=u.com/x:1 /a /a\n", 1, &config.Config{TrustedRegistries: []string{"t.com"}}},
	{"DL3026 mount from image", "FROM t.com/x:1\nRUN --mount=type=bind,from=u.com/x:1,target=/a ls\n", 1, &config.Config{TrustedRegistries: []string{"t.com"}}},
	{"DL3026 no config", "FROM random.com/debian:12\n", 0, nil},

	{"DL3029 platform", "FROM --platform=linux/amd64 a:1\n", 1, nil},
	{"DL3029 build platform", "FROM --platform=$BUILDPLATFORM a:1\n", 0, nil},

	{"DL3043", "FROM debian\nONBUILD ONBUILD RUN x\n", 1, nil},
	{"DL3043", "FROM debian\nONBUILD FROM debian\n", 1, nil},
	{"DL3043", "FROM debian\nONBUILD RUN x\n", 0, nil},

	{"DL3061", "LABEL a=b\nFROM debian\n", 1, nil},
	{"DL3061", "ARG V=1\nFROM debian:$V\nLABEL a=b\n", 0, nil},

	{"DL3063", "FROM debian AS scratch\n", 1, nil},
	{"DL3063", "FROM debian AS build\n", 0, nil},

	{"DL3065", "FROM --platform=$TARGETPLATFORM debian\n", 1, nil},
	{"DL3065", "FROM --platform=$BUILDPLATFORM debian\n", 0, nil},

	{"SS001", "FROM python:3.9@sha256:0000000000000000000000000000000000000000000000000000000000000000\nCMD [\"python\", \"app.py\"]\n", 1, nil},
	{"SS001", "ARG PY=3.11\nFROM python:${PY}\nCMD [\"python\", \"app.py\"]\n", 1, nil},
	{"SS001", "FROM python:3.11-slim\nCMD [\"python\", \"app.py\"]\n", 0, nil},
	{"SS001", "FROM node:20 AS build\nRUN npm ci\nFROM nginx:alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n", 0, nil},

	{"SS013", "FROM alpine:3.20\nRUN apk add --no-cache --virtual .b gcc musl-dev && make && apk del .b\n", 0, nil},
	{"SS013", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y gcc-12-base libgcc-s1 && rm -rf /var/lib/apt/lists/*\n", 0, nil},
})

func TestFromRules(t *testing.T) { runTableCases(t, fromCases) }

// fromFixes are the in-file fixes of the rules of rules_from.go.
var fromFixes = []fixCase{
	{"DL3065", "FROM --platform=$TARGETPLATFORM debian\n", "FROM debian\n"},
}

func TestFromFixes(t *testing.T) { runFixCases(t, fromFixes) }

// fromBuildKitCases are the BuildKit checks of rules_from.go: the findings
// ("line: message") each Dockerfile gives.
var fromBuildKitCases = []bkCase{
	{"DuplicateStageName", "FROM alpine AS a\nFROM alpine AS A\n", []string{`2: Duplicate stage name "a", stage names should be unique`}},
	{"FromPlatformFlagConstDisallowed", "FROM --platform=linux/amd64 alpine\nFROM --platform=linux/arm64 alpine AS build-arm64\nFROM --platform=$BUILDPLATFORM alpine\n", []string{`1: FROM --platform flag should not use constant value "linux/amd64"`}},
	{"RedundantTargetPlatform", "FROM --platform=$TARGETPLATFORM alpine\nFROM --platform=$BUILDPLATFORM alpine\n", []string{"1: Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior"}},
	{"ReservedStageName", "FROM alpine AS scratch\nFROM alpine AS context\nFROM alpine AS ok\n", []string{`1: Stage name should not use the same name as reserved stage "scratch"`, `2: Stage name should not use the same name as reserved stage "context"`}},
}

func TestFromBuildKitRules(t *testing.T) { runBKCases(t, fromBuildKitCases) }
