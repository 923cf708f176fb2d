package prune

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -run %s -update):\n%s", name, t.Name(), got)
	}
}

func reportPlan() *Plan {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	es := []Entry{
		{"latest", "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", now.Add(-time.Hour)},
		{"v3", "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", now.Add(-time.Hour)},
		{"v2", "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", now.Add(-26 * time.Hour)},
		{"v1", "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", now.Add(-50 * time.Hour)},
		{"release-0", "sha256:0000000000000000000000000000000000000000000000000000000000000000", now.Add(-900 * time.Hour)},
		{"ko", "sha256:1111111111111111111111111111111111111111111111111111111111111111", time.Time{}},
	}
	pol := Policy{Last: 1, Daily: 2, Max: 3, KeepTags: []TagPattern{MustTagPattern("release-.*")}}
	p := &Plan{Repository: "127.0.0.1:5000/team/app", Policy: pol, Now: now}
	for _, im := range Decide(pol, es, now) {
		pl := &Planned{Image: im, MediaType: "application/vnd.oci.image.manifest.v1+json", CreatedFrom: "config"}
		if im.Created.IsZero() {
			pl.CreatedFrom = ""
		}
		if !im.Keep {
			pl.Artifacts = []Artifact{
				{Kind: KindSignature, Tag: "sha256-" + im.Digest[7:] + ".sig", Digest: "sha256:5151515151515151515151515151515151515151515151515151515151515151", Subject: im.Digest},
				{Kind: KindReferrer, Digest: "sha256:7272727272727272727272727272727272727272727272727272727272727272", Subject: im.Digest, ArtifactType: "application/spdx+json"},
			}
		}
		p.Images = append(p.Images, pl)
	}
	return p
}

func TestReportGolden(t *testing.T) {
	p := reportPlan()
	var text, js bytes.Buffer
	if err := WriteText(&text, p, nil); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.txt", text.Bytes())
	if err := WriteJSON(&js, p, nil); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.json", js.Bytes())
	res := &Result{
		Deleted: []Deletion{{Digest: "sha256:5151515151515151515151515151515151515151515151515151515151515151", Kind: KindSignature, Subject: "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},
		Skipped: []Skip{{Digest: "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", Tags: []string{"v2"}, Kind: KindImage, Why: "tag hotfix points at it now"}},
		Err:     errors.New("deleting 127.0.0.1:5000/team/app@sha256:aaaa: boom"),
		NotDone: []string{"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
	}
	text.Reset()
	if err := WriteText(&text, p, res); err != nil {
		t.Fatal(err)
	}
	golden(t, "result.txt", text.Bytes())
}
