package lint

import (
	"testing"

	"github.com/slimship/slimship/pkg/config"
)

// The package-cache rules ask one helper (Instruction.CachesDir) whether a
// RUN mounts its cache: a mount at a parent directory covers the cache, a
// mount whose name merely starts like it does not.
func TestCacheMountRulesAgree(t *testing.T) {
	tests := []struct {
		id, src string
		want    int
	}{
		// A cache mount on /var/cache covers yum's and dnf's caches alike
		// (DL3032 used to fire where DL3040 did not).
		{"DL3032", "FROM centos:7\nRUN --mount=type=cache,target=/var/cache yum install -y x-1.0\n", 0},
		{"DL3040", "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache dnf install -y x-1.0\n", 0},
		{"DL3036", "FROM opensuse/leap\nRUN --mount=type=cache,target=/var/cache zypper install -y x=1.0\n", 0},
		{"DL3032", "FROM centos:7\nRUN --mount=type=cache,target=/var/cache/yum yum install -y x-1.0\n", 0},
		{"DL3032", "FROM centos:7\nRUN --mount=type=cache,target=/var/cache/yumfoo yum install -y x-1.0\n", 1},
		// /var/cache/apkfoo is not /var/cache/apk (it used to silence DL3019).
		{"DL3019", "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apkfoo apk add x=1.0\n", 1},
		{"DL3019", "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add x=1.0\n", 0},
		{"DL3019", "FROM alpine:3.20\nRUN --mount=type=tmpfs,target=/var/cache apk add x=1.0\n", 0},
		{"DL3019", "FROM alpine:3.20\nRUN --mount=type=bind,target=/var/cache/apk apk add x=1.0\n", 1},
		{"DL3042", "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install x==1.0\n", 0},
		{"DL3042", "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cachefoo pip install x==1.0\n", 1},
	}
	for _, tt := range tests {
		got := lintRule(t, tt.id, tt.src, &config.Config{})
		if len(got) != tt.want {
			t.Errorf("%s %q: %d findings, want %d: %v", tt.id, tt.src, len(got), tt.want, got)
		}
	}
}
