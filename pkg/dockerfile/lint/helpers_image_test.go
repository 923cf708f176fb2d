package lint

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

// TestParseImage covers what the three former parsers (hadolint's
// registry split, the SS rules' normalized repository, and the stage name
// of an unnamed stage) each gave.
func TestParseImage(t *testing.T) {
	for _, tc := range []struct {
		in                          string
		registry, path, tag, digest string
		repo, untagged, display     string
	}{
		{"ubuntu", "", "ubuntu", "", "", "ubuntu", "ubuntu", "ubuntu"},
		{"Ubuntu:22.04", "", "Ubuntu", "22.04", "", "ubuntu", "ubuntu", "ubuntu:22.04"},
		{"docker.io/library/python:3.12-slim", "docker.io", "library/python", "3.12-slim", "", "python", "docker.io/library/python", "python:3.12-slim"},
		{"localhost/app:1", "localhost", "app", "1", "", "localhost/app", "localhost/app", "localhost/app:1"},
		{"localhost:5000/app", "localhost:5000", "app", "", "", "localhost:5000/app", "localhost:5000/app", "localhost:5000/app"},
		{"myorg/app:latest", "", "myorg/app", "latest", "", "myorg/app", "myorg/app", "myorg/app:latest"},
		{"gcr.io/distroless/static@sha256:abc", "gcr.io", "distroless/static", "", "sha256:abc", "gcr.io/distroless/static", "gcr.io/distroless/static", "gcr.io/distroless/static"},
		{"${REG}/app:${TAG}", "", "${REG}/app", "${TAG}", "", "${reg}/app", "${reg}/app", "${reg}/app:${TAG}"},
	} {
		r := parseImage(tc.in)
		if r.Registry != tc.registry || r.Path != tc.path || r.Tag != tc.tag || r.Digest != tc.digest || r.Repo != tc.repo ||
			r.untagged() != tc.untagged || r.String() != tc.display {
			t.Errorf("parseImage(%q) = %+v, untagged %q, String %q", tc.in, r, r.untagged(), r.String())
		}
	}
}

// TestLabelKeyNotDNS1123 pins where hadolint's label key test (DL3048)
// and apimachinery's DNS subdomain test disagree, the reason DL3048 keeps
// its own.
func TestLabelKeyNotDNS1123(t *testing.T) {
	for _, tc := range []struct {
		key      string
		hadolint bool
	}{
		{"org.opencontainers.image.title", true},
		{"1abc", false},
		{"a--b", false},
		{"a.-b", true},
		{strings.Repeat("a", 254), true},
	} {
		if got := validLabelKey(tc.key); got != tc.hadolint {
			t.Errorf("validLabelKey(%q) = %v, want %v", tc.key, got, tc.hadolint)
		}
		dns := len(validation.IsDNS1123Subdomain(tc.key)) == 0
		if tc.key != "org.opencontainers.image.title" && dns == tc.hadolint {
			t.Errorf("%q: hadolint and IsDNS1123Subdomain agree (%v): the comment on validLabelKey is out of date", tc.key, dns)
		}
	}
}
