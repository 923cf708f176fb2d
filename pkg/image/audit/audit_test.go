package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/finding"
)

// Test secrets are assembled at run time so the repository itself holds
// nothing a secret scanner would flag.
var (
	fakeAWSKey = "AKIA" + "Q3EGXNPVT7RJ5ZWM"
	fakeGHTok  = "ghp" + "_" + strings.Repeat("aB3dE5gH7j", 4)[:36]
	fakePEM    = "-----BEGIN RSA " + "PRIVATE KEY-----\n" + strings.Repeat("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV2", 3) + "\n-----END RSA PRIVATE KEY-----\n"
)

const passwd = "root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"

func audit(t *testing.T, img v1.Image, opts Options) []finding.Finding {
	t.Helper()
	fs, err := Audit(context.Background(), img, opts)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func ids(fs []finding.Finding) map[string]int {
	m := map[string]int{}
	for _, f := range fs {
		m[f.RuleID]++
	}
	return m
}

func badImage(t *testing.T) v1.Image {
	cfg := v1.Config{
		Env:          []string{"PATH=/usr/bin:/bin", "GITHUB_TOKEN=" + fakeGHTok, "GPG_KEY=ABCDEF", "APP_KEY="},
		ExposedPorts: map[string]struct{}{"22/tcp": {}, "8080/tcp": {}},
		Entrypoint:   []string{"/app/server"},
		Volumes:      map[string]struct{}{"/proc": {}, "/data": {}},
	}
	return image(t, cfg,
		step{"/bin/sh -c #(nop) ADD file:0123abcd in / ", []file{
			dir("etc", 0o755),
			reg("etc/passwd", 0o644, passwd+"toor:x:0:0::/root:/bin/sh\n"),
			reg("etc/group", 0o644, "root:x:0:\nwheel:x:0:\n"),
			reg("etc/shadow", 0o644, "root:*:19000:0:99999:7:::\nguest::19000:0:99999:7:::\n"),
			dir("usr", 0o755), dir("usr/bin", 0o755),
			reg("usr/bin/sudo", 0o4755, "\x7fELF sudo"),
			reg("usr/bin/oldsu", 0o4755, "\x7fELF oldsu"),
			symlink("bin", "usr/bin"),
			dir("tmp", 0o1777),
		}},
		step{"RUN |1 API_SECRET=s3cr3t /bin/sh -c sudo apt-get update && apt-get upgrade -y && apk add curl # buildkit", []file{
			dir("var/lib/apt/lists", 0o755),
			reg("var/lib/apt/lists/lock", 0o640, ""),
			reg("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", 0o644, strings.Repeat("x", 2048)),
		}},
		step{"ENV GITHUB_TOKEN=" + fakeGHTok, nil},
		step{"ADD app.tar /app # buildkit", []file{
			dir("app", 0o755),
			reg("app/.env", 0o644, "# app settings\nAWS_ACCESS_KEY_ID="+fakeAWSKey+"\nDB_PASSWORD=hunter22\nDEBUG=true\nEMPTY_SECRET=\n"),
			reg("app/old-key.pem", 0o600, fakePEM),
			reg("app/config.yaml", 0o644, "token: "+fakeGHTok+"\n"),
			dir("app/.git", 0o755),
			reg("app/.git/HEAD", 0o644, "ref: refs/heads/main\n"),
			reg("app/.DS_Store", 0o644, "junk"),
			dir("data", 0o777),
			reg("tmp/build.log", 0o644, "left over"),
			dir("root/.ssh", 0o700),
			reg("root/.ssh/id_rsa", 0o600, fakePEM),
		}},
		step{"RUN /bin/sh -c rm /app/old-key.pem /usr/bin/oldsu", []file{
			whiteout("app/old-key.pem"),
			whiteout("usr/bin/oldsu"),
		}},
	)
}

// TestBadImage: every problem of a deliberately bad image is reported.
func TestBadImage(t *testing.T) {
	fs := audit(t, badImage(t), Options{Reference: "registry.example/app"})
	got := ids(fs)
	for _, id := range []string{RootUser, NoHealthcheck, SetuidFile, AddInHistory, SecretInConfig, Sudo,
		SensitiveVolume, DistUpgrade, ApkAddCache, PackageCache, LatestTag, EmptyPassword, DuplicateID,
		UnnecessaryFile, WorldWritableDir, SSHPort, EntrypointMissing, ShadowReadable, PrivateKey, TokenInFile, SecretInLowerLyr} {
		if got[id] == 0 {
			t.Errorf("%s not reported", id)
		}
	}
	if got[ContentTrust] != 0 {
		t.Errorf("%s is off by default", ContentTrust)
	}
	for _, f := range fs {
		if strings.Contains(f.Path, "oldsu") {
			t.Errorf("deleted file reported: %+v", f)
		}
		if f.Path == "/app/old-key.pem" && f.RuleID != SecretInLowerLyr {
			t.Errorf("deleted key reported as %s, want %s", f.RuleID, SecretInLowerLyr)
		}
		for _, secret := range []string{fakeAWSKey, fakeGHTok, "hunter22", "s3cr3t", "MIIE"} {
			if strings.Contains(f.Message, secret) {
				t.Errorf("finding leaks a secret: %s", f.Message)
			}
		}
		if f.Layer == "" && f.Path != "" && f.RuleID != EntrypointMissing {
			t.Errorf("file finding without layer: %+v", f)
		}
	}
	b, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/bad.json", append(b, '\n'))
}

// TestDistrolessClean: a distroless-style static image has no findings.
func TestDistrolessClean(t *testing.T) {
	cfg := v1.Config{
		User:        "65532",
		Env:         []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"},
		Entrypoint:  []string{"/app"},
		Healthcheck: &v1.HealthConfig{Test: []string{"CMD", "/app", "-health"}},
	}
	img := image(t, cfg,
		step{"bazel build @distroless//base", []file{
			dir("etc", 0o755),
			reg("etc/passwd", 0o644, passwd),
			reg("etc/group", 0o644, "root:x:0:\nnonroot:x:65532:\n"),
			dir("etc/ssl/certs", 0o755),
			reg("etc/ssl/certs/ca-certificates.crt", 0o644, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
			dir("home/nonroot", 0o700),
			dir("tmp", 0o1777),
		}},
		step{"COPY /out/app /app # buildkit", []file{
			reg("app", 0o755, "\x7fELF\x02\x01\x01static binary"),
		}},
	)
	fs := audit(t, img, Options{Reference: "registry.example/app:v1.2.3"})
	if len(fs) != 0 {
		for _, f := range fs {
			t.Errorf("unexpected %s %s %s", f.RuleID, f.Path, f.Message)
		}
	}
}

func TestWhiteouts(t *testing.T) {
	cfg := v1.Config{User: "1000", Healthcheck: &v1.HealthConfig{Test: []string{"NONE"}}}
	tests := []struct {
		name  string
		steps []step
		want  map[string]int
	}{
		{"deleted setuid file", []step{
			{"a", []file{reg("bin/su", 0o4755, "x")}},
			{"b", []file{whiteout("bin/su")}},
		}, map[string]int{}},
		{"opaque directory hides lower files", []step{
			{"a", []file{dir("app", 0o755), reg("app/x.pem", 0o600, fakePEM), reg("app/su", 0o4755, "x")}},
			{"b", []file{dir("app", 0o755), reg("app/.wh..wh..opq", 0, ""), reg("app/new", 0o644, "ok")}},
		}, map[string]int{SecretInLowerLyr: 1}},
		{"key replaced by the same key", []step{
			{"a", []file{reg("k.pem", 0o600, fakePEM)}},
			{"b", []file{reg("k.pem", 0o400, fakePEM)}},
		}, map[string]int{PrivateKey: 1}},
		{"key replaced by other content", []step{
			{"a", []file{reg("k.pem", 0o600, fakePEM)}},
			{"b", []file{reg("k.pem", 0o600, "nothing")}},
		}, map[string]int{SecretInLowerLyr: 1}},
		{"directory replaced by a file", []step{
			{"a", []file{dir("d", 0o755), reg("d/.env", 0o600, "API_TOKEN=abcdefgh1234")}},
			{"b", []file{whiteout("d"), reg("d", 0o644, "file now")}},
		}, map[string]int{SecretInLowerLyr: 1}},
		{"setuid bit dropped later", []step{
			{"a", []file{reg("bin/ping", 0o4755, "x")}},
			{"b", []file{reg("bin/ping", 0o755, "x")}},
		}, map[string]int{}},
		{"hard link keeps a deleted key", []step{
			{"a", []file{reg("k.pem", 0o600, fakePEM), {name: "copy.pem", mode: 0o600, typ: '1', link: "k.pem"}}},
			{"b", []file{whiteout("k.pem")}},
		}, map[string]int{PrivateKey: 1, SecretInLowerLyr: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(audit(t, image(t, cfg, tc.steps...), Options{}))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEntrypoint(t *testing.T) {
	base := []file{
		dir("usr/bin", 0o755), symlink("bin", "usr/bin"),
		reg("usr/bin/tool", 0o755, "x"), reg("usr/bin/open", 0o777, "x"), reg("usr/bin/data", 0o644, "x"),
		symlink("usr/bin/rel", "../lib/real"), reg("usr/lib/real", 0o755, "x"),
		reg("usr/bin/sh", 0o755, "\x7fELF"), reg("usr/bin/env", 0o755, "\x7fELF"),
		reg("usr/bin/script.sh", 0o755, "#!/bin/sh -e\necho hi\n"),
		reg("usr/bin/envscript", 0o755, "#!/usr/bin/env sh\n"),
		reg("usr/bin/pyscript", 0o755, "#!/usr/bin/python3\nprint(1)\n"),
		reg("usr/bin/nodescript", 0o755, "#! /usr/bin/env node\n"),
	}
	tests := []struct {
		entrypoint, cmd []string
		want            string
	}{
		{[]string{"tool"}, nil, ""},
		{[]string{"/bin/tool"}, nil, ""},
		{nil, []string{"/bin/rel", "-x"}, ""},
		{[]string{"/bin/missing"}, nil, EntrypointMissing},
		{[]string{"missing"}, nil, EntrypointMissing},
		{[]string{"/bin/open"}, nil, EntrypointWorldW},
		{[]string{"/usr/bin/data"}, nil, EntrypointMissing},
		{nil, nil, ""},
		{[]string{"/usr/bin/script.sh"}, nil, ""},
		{[]string{"/usr/bin/envscript"}, nil, ""},
		{[]string{"/usr/bin/pyscript"}, nil, EntrypointMissing},
		{nil, []string{"/usr/bin/nodescript"}, EntrypointMissing},
		{[]string{"/bin/sh", "-c"}, []string{"set -e; exec tool --serve"}, ""},
		{[]string{"/bin/sh", "-c"}, []string{"cd /x && exec /opt/missing $ARGS"}, EntrypointMissing},
		{[]string{"/bin/sh", "-c", "$APP"}, nil, ""},
	}
	for _, tc := range tests {
		cfg := v1.Config{User: "1", Entrypoint: tc.entrypoint, Cmd: tc.cmd, Healthcheck: &v1.HealthConfig{Test: []string{"CMD", "true"}}}
		fs := audit(t, image(t, cfg, step{"base", base}), Options{})
		got := ""
		for _, f := range fs {
			got += f.RuleID
		}
		if got != tc.want {
			t.Errorf("entrypoint %v cmd %v: got %q, want %q (%v)", tc.entrypoint, tc.cmd, got, tc.want, fs)
		}
	}
}

func TestAccept(t *testing.T) {
	img := badImage(t)
	cfg := &config.Config{Ignored: []string{NoHealthcheck}, Override: config.Override{Info: []string{ContentTrust}}}
	fs := audit(t, img, Options{
		AcceptKeys:  []string{"github_token", "API_SECRET", "DB_PASSWORD"},
		AcceptFiles: []string{"/app/.env", "*.pem", "id_rsa", "/app/.git/"},
		Config:      cfg,
	})
	for _, f := range fs {
		switch {
		case f.RuleID == NoHealthcheck:
			t.Errorf("ignored rule reported")
		case strings.Contains(f.Message, "GITHUB_TOKEN"), strings.Contains(f.Message, "API_SECRET"):
			t.Errorf("accepted key reported: %s", f.Message)
		case f.Path == "/app/.env", strings.HasSuffix(f.Path, ".pem"), f.Path == "/root/.ssh/id_rsa", f.Path == "/app/.git":
			t.Errorf("accepted file reported: %s %s", f.RuleID, f.Path)
		}
	}
	if ids(fs)[ContentTrust] != 1 {
		t.Errorf("%s not turned on by the config override", ContentTrust)
	}
}

func TestRules(t *testing.T) {
	for _, r := range Rules() {
		if r.Domain != finding.Image || r.Description == "" || r.DocsURL == "" || r.Severity == finding.Off {
			t.Errorf("incomplete rule %+v", r)
		}
	}
}

// TestRuleDocs: every slimship rule has its page under docs/rules.
func TestRuleDocs(t *testing.T) {
	for _, r := range Rules() {
		if !strings.HasPrefix(r.ID, "SSA") {
			continue
		}
		if _, err := os.Stat(filepath.Join("..", "..", "..", "docs", "rules", r.ID+".md")); err != nil {
			t.Errorf("%s: %v", r.ID, err)
		}
	}
}

// Package caches are counted by the waste table: apt's locks are not
// caches, partial downloads and /etc/apk/cache are, and a directory that
// only starts like a cache (/var/cache/apkfoo) is not.
func TestPackageCacheCount(t *testing.T) {
	cfg := v1.Config{User: "1000", Healthcheck: &v1.HealthConfig{Test: []string{"NONE"}}}
	img := image(t, cfg, step{"/bin/sh -c apt-get update", []file{
		dir("var/lib/apt/lists/partial", 0o755),
		reg("var/lib/apt/lists/lock", 0o640, ""),
		reg("var/cache/apt/archives/lock", 0o640, ""),
		reg("var/cache/apt/archives/partial/x.deb", 0o644, "deb"),
		reg("etc/apk/cache/APKINDEX.tar.gz", 0o644, "idx"),
		reg("var/cache/apkfoo/x", 0o644, "x"),
	}})
	var got []string
	for _, f := range audit(t, img, Options{}) {
		if f.RuleID == PackageCache {
			got = append(got, f.Path+": "+f.Message)
		}
	}
	want := []string{
		"/etc/apk/cache: layer 0 ships 1 package cache file (3 B) under /etc/apk/cache: use `apk add --no-cache`",
		"/var/cache/apt: layer 0 ships 1 package cache file (3 B) under /var/cache/apt: run `apt-get clean` (or remove /var/cache/apt/*) in the same RUN as apt-get install",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("package cache findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
