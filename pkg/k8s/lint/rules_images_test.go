package lint

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/slimship/slimship/pkg/k8s/manifest"
)

// TestImagePinned reads references as go-containerregistry does: a
// registry port is not a tag, a truncated digest or an upper-case
// repository is no reference at all (a hand parse took both for pins).
func TestImagePinned(t *testing.T) {
	cases := []struct {
		image   string
		pinned  bool
		invalid bool
	}{
		{"nginx", false, false},
		{"nginx:latest", false, false},
		{"nginx:1.27", true, false},
		{"localhost:5000/app", false, false},
		{"localhost:5000/app:1", true, false},
		{"registry.example.com/team/app:v2", true, false},
		{"app@sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d", true, false},
		{"busybox:1.38.0@sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d", true, false},
		{"app@sha256:abc", false, true},
		{"Registry/App:1", false, true},
		{"", false, true},
	}
	for _, c := range cases {
		pinned, err := imagePinned(c.image)
		if pinned != c.pinned || (err != nil) != c.invalid {
			t.Errorf("imagePinned(%q) = %v, %v; want %v, invalid %v", c.image, pinned, err, c.pinned, c.invalid)
		}
	}
}

// TestInvalidImageReference: container-image-tag says a reference is not
// one, rather than calling it pinned.
func TestInvalidImageReference(t *testing.T) {
	const in = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: a, image: "App:1", imagePullPolicy: Always}
  - {name: b, image: "app@sha256:abc", imagePullPolicy: Always}
`
	objs, err := manifest.DecodeBytes("p.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got := byRule(Lint(objs, Options{}).Findings, "container-image-tag")
	if len(got) != 2 {
		t.Fatalf("got %v, want 2 findings", got)
	}
	for _, f := range got {
		if !strings.Contains(f.Message, "is not a valid image reference") {
			t.Errorf("message %q", f.Message)
		}
	}
}

// FuzzImagePinned: going straight to name.NewTag or name.NewDigest reads
// every reference as name.ParseReference does.
func FuzzImagePinned(f *testing.F) {
	for _, s := range []string{"nginx", "nginx:latest", "a:1", "localhost:5000/app", "app@sha256:abc", "Registry/App:1", "",
		"busybox:1.38.0@sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d", "a@b@c", "a:b:c", "@", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, image string) {
		pinned, err := imagePinned(image)
		ref, perr := name.ParseReference(image)
		if (err == nil) != (perr == nil) {
			t.Fatalf("imagePinned(%q) error %v, ParseReference error %v", image, err, perr)
		}
		if perr != nil {
			return
		}
		tag, isTag := ref.(name.Tag)
		if want := !isTag || tag.TagStr() != "latest"; pinned != want {
			t.Fatalf("imagePinned(%q) = %v, ParseReference says %v", image, pinned, want)
		}
	})
}
