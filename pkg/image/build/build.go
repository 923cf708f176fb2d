// Package build turns a Go main package into a minimal container image
// without Docker, as ko does: a static CGO_ENABLED=0 build per platform on
// top of a tiny base that slimship assembles itself (CA certificates,
// /etc/passwd and /etc/group with nonroot 65532, /tmp) or a given base
// image, reproducible under SOURCE_DATE_EPOCH.
package build

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// NonRoot is the uid and gid the image runs as.
const NonRoot = 65532

// AppDir is where the binary goes.
const AppDir = "/app"

// Options describe a build.
type Options struct {
	// Package is the Go main package (import path or ./dir); Dir is the
	// directory go build runs in.
	Package string
	Dir     string
	// Platforms to build; empty means linux/amd64.
	Platforms []v1.Platform
	// Base returns the base image for a platform; nil means slimship's own
	// minimal base.
	Base func(ctx context.Context, p v1.Platform) (v1.Image, error)
	// KeepSymbols skips -s -w.
	KeepSymbols bool
	// Tzdata adds /usr/share/zoneinfo from the build machine to the base.
	Tzdata bool
	// Created is the image's creation time (SOURCE_DATE_EPOCH, else zero
	// time for reproducible digests).
	Created time.Time
	// Labels are added to the config (OCI source, revision, created...).
	Labels map[string]string
	// CACerts is the CA bundle to include (default: the build machine's).
	CACerts string
	// GoEnv is extra environment for go build (GOFLAGS, GOPROXY...).
	GoEnv []string
	// Log receives progress lines (may be nil).
	Log io.Writer
}

// Result is the built image, or an index when more than one platform was built.
type Result struct {
	Image v1.Image
	Index v1.ImageIndex
	// Binary sizes per platform, for reporting.
	BinarySizes map[string]int64
}

// ParsePlatforms parses "linux/amd64,linux/arm64,linux/arm/v7".
func ParsePlatforms(s string) ([]v1.Platform, error) {
	var out []v1.Platform
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := v1.ParsePlatform(part)
		if err != nil {
			return nil, err
		}
		if p.OS != "linux" {
			return nil, fmt.Errorf("platform %q: only linux images are built", part)
		}
		out = append(out, *p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no platform in %q", s)
	}
	return out, nil
}

// EpochFromEnv reads SOURCE_DATE_EPOCH; the zero time when unset.
func EpochFromEnv() (time.Time, error) {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: %v", v, err)
	}
	return time.Unix(n, 0).UTC(), nil
}

// Build compiles and assembles the image(s).
func Build(ctx context.Context, o Options) (*Result, error) {
	if len(o.Platforms) == 0 {
		o.Platforms = []v1.Platform{{OS: "linux", Architecture: "amd64"}}
	}
	if o.Package == "" {
		o.Package = "."
	}
	// A directory path builds in that directory, so its own go.mod applies.
	if o.Dir == "" && (filepath.IsAbs(o.Package) || strings.HasPrefix(o.Package, ".")) {
		if st, err := os.Stat(o.Package); err == nil && st.IsDir() {
			o.Dir, o.Package = o.Package, "."
		}
	}
	name, err := binaryName(ctx, o)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "slimship-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	res := &Result{BinarySizes: map[string]int64{}}
	// Platforms build concurrently: the compiler and linker of one
	// platform overlap with the other's, as ko does.
	type built struct {
		img  v1.Image
		size int64
		err  error
	}
	out := make([]built, len(o.Platforms))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, p := range o.Platforms {
		wg.Add(1)
		go func(i int, p v1.Platform) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			bin := filepath.Join(tmp, platformKey(p), name)
			if err := goBuild(ctx, o, p, bin); err != nil {
				out[i].err = err
				return
			}
			st, err := os.Stat(bin)
			if err != nil {
				out[i].err = err
				return
			}
			out[i].size = st.Size()
			out[i].img, out[i].err = assemble(ctx, o, p, name, bin)
		}(i, p)
	}
	wg.Wait()
	var adds []mutate.IndexAddendum
	for i, p := range o.Platforms {
		if out[i].err != nil {
			return nil, out[i].err
		}
		res.BinarySizes[p.String()] = out[i].size
		pc := p
		adds = append(adds, mutate.IndexAddendum{Add: out[i].img, Descriptor: v1.Descriptor{Platform: &pc}})
		res.Image = out[i].img
	}
	if len(adds) > 1 {
		idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
		res.Index = mutate.AppendManifests(idx, adds...)
		res.Image = nil
	}
	return res, nil
}

func platformKey(p v1.Platform) string {
	return strings.NewReplacer("/", "_").Replace(p.String())
}

func binaryName(ctx context.Context, o Options) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-f", "{{.Name}} {{.ImportPath}}", o.Package)
	cmd.Dir = o.Dir
	cmd.Env = append(os.Environ(), o.GoEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go list %s: %v: %s", o.Package, err, strings.TrimSpace(string(out)))
	}
	fields := strings.Fields(string(out))
	if len(fields) < 2 || fields[0] != "main" {
		return "", fmt.Errorf("%s is not a main package", o.Package)
	}
	return path.Base(fields[1]), nil
}

func goBuild(ctx context.Context, o Options, p v1.Platform, out string) error {
	ldflags := "-buildid="
	if !o.KeepSymbols {
		ldflags = "-s -w " + ldflags
	}
	args := []string{"build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, o.Package}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = o.Dir
	env := append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Architecture, "GOFLAGS=")
	if p.Architecture == "arm" && p.Variant != "" {
		env = append(env, "GOARM="+strings.TrimPrefix(p.Variant, "v"))
	}
	if p.Architecture == "amd64" && p.Variant != "" {
		env = append(env, "GOAMD64="+p.Variant)
	}
	cmd.Env = append(env, o.GoEnv...)
	if o.Log != nil {
		fmt.Fprintf(o.Log, "go build %s for %s\n", o.Package, p)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build for %s: %v\n%s", p, err, b)
	}
	return nil
}

func assemble(ctx context.Context, o Options, p v1.Platform, name, bin string) (v1.Image, error) {
	var base v1.Image
	var err error
	if o.Base != nil {
		if base, err = o.Base(ctx, p); err != nil {
			return nil, fmt.Errorf("base image for %s: %w", p, err)
		}
	} else {
		if base, err = MinimalBase(o, p); err != nil {
			return nil, err
		}
	}
	appLayer, err := layerFromFiles(o.Created, []file{
		{path: AppDir, dir: true, mode: 0o755},
		{path: path.Join(AppDir, name), src: bin, mode: 0o755},
	})
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(base, mutate.Addendum{Layer: appLayer, History: v1.History{
		Created: v1.Time{Time: o.Created}, CreatedBy: "slimship build " + o.Package, Comment: "go binary"}})
	if err != nil {
		return nil, err
	}
	cf, err := platformConfig(img, p, o.Created)
	if err != nil {
		return nil, err
	}
	cf.Config.User = fmt.Sprintf("%d:%d", NonRoot, NonRoot)
	cf.Config.Entrypoint = []string{path.Join(AppDir, name)}
	cf.Config.Cmd = nil
	cf.Config.WorkingDir = "/"
	cf.Config.Env = setEnv(cf.Config.Env, "PATH", "/usr/local/bin:/usr/bin:/bin:"+AppDir)
	cf.Config.Env = setEnv(cf.Config.Env, "SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
	if cf.Config.Labels == nil {
		cf.Config.Labels = map[string]string{}
	}
	cf.Config.Labels["org.opencontainers.image.created"] = o.Created.Format(time.RFC3339)
	for k, v := range o.Labels {
		cf.Config.Labels[k] = v
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, err
	}
	annotations := map[string]string{}
	for k, v := range cf.Config.Labels {
		if strings.HasPrefix(k, "org.opencontainers.image.") {
			annotations[k] = v
		}
	}
	return mutate.Annotations(img, annotations).(v1.Image), nil
}

func setEnv(env []string, key, val string) []string {
	for i, e := range env {
		if strings.HasPrefix(e, key+"=") {
			env[i] = key + "=" + val
			return env
		}
	}
	return append(env, key+"="+val)
}

// MinimalBase assembles slimship's base: CA certificates, passwd and group
// with root and nonroot (65532), a home for nonroot, /tmp, and optionally
// the build machine's tzdata. It is one reproducible layer.
func MinimalBase(o Options, p v1.Platform) (v1.Image, error) {
	certs := o.CACerts
	if certs == "" {
		for _, c := range []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"} {
			if _, err := os.Stat(c); err == nil {
				certs = c
				break
			}
		}
	}
	files := []file{
		{path: "/etc", dir: true, mode: 0o755},
		{path: "/etc/passwd", data: fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", NonRoot, NonRoot), mode: 0o644},
		{path: "/etc/group", data: fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", NonRoot), mode: 0o644},
		{path: "/etc/nsswitch.conf", data: "hosts: files dns\n", mode: 0o644},
		{path: "/home", dir: true, mode: 0o755},
		{path: "/home/nonroot", dir: true, mode: 0o700, uid: NonRoot},
		{path: "/root", dir: true, mode: 0o700},
		{path: "/tmp", dir: true, mode: 0o1777},
	}
	if certs != "" {
		files = append(files, file{path: "/etc/ssl", dir: true, mode: 0o755}, file{path: "/etc/ssl/certs", dir: true, mode: 0o755},
			file{path: "/etc/ssl/certs/ca-certificates.crt", src: certs, mode: 0o644})
	}
	if o.Tzdata {
		tz, err := treeFiles("/usr/share/zoneinfo")
		if err != nil {
			return nil, fmt.Errorf("tzdata: %w", err)
		}
		files = append(files, file{path: "/usr", dir: true, mode: 0o755}, file{path: "/usr/share", dir: true, mode: 0o755})
		files = append(files, tz...)
	}
	l, err := layerFromFiles(o.Created, files)
	if err != nil {
		return nil, err
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{Layer: l, History: v1.History{
		Created: v1.Time{Time: o.Created}, CreatedBy: "slimship minimal base", Comment: "ca-certificates, passwd, group, /tmp"}})
	if err != nil {
		return nil, err
	}
	cf, err := platformConfig(img, p, o.Created)
	if err != nil {
		return nil, err
	}
	return mutate.ConfigFile(img, cf)
}

type file struct {
	path string
	dir  bool
	mode int64
	uid  int
	data string
	src  string
	link string
}

func treeFiles(root string) ([]file, error) {
	var out []file
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		switch {
		case info.IsDir():
			out = append(out, file{path: p, dir: true, mode: 0o755})
		case info.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out = append(out, file{path: p, link: target, mode: 0o777})
		case info.Mode().IsRegular():
			out = append(out, file{path: p, src: p, mode: 0o644})
		}
		return nil
	})
	return out, err
}

// layerFromFiles writes a deterministic layer: sorted, fixed times, uid 0
// unless given, no user or group names.
func layerFromFiles(created time.Time, files []file) (v1.Layer, error) {
	sort.SliceStable(files, func(i, j int) bool { return files[i].path < files[j].path })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	seen := map[string]bool{}
	for _, f := range files {
		name := strings.TrimPrefix(path.Clean(f.path), "/")
		if seen[name] {
			continue
		}
		seen[name] = true
		hdr := &tar.Header{Name: name, Mode: f.mode, Uid: f.uid, Gid: f.uid, ModTime: created, Format: tar.FormatPAX}
		var body []byte
		switch {
		case f.dir:
			hdr.Typeflag, hdr.Name = tar.TypeDir, name+"/"
		case f.link != "":
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, f.link
		default:
			hdr.Typeflag = tar.TypeReg
			if f.src != "" {
				b, err := os.ReadFile(f.src)
				if err != nil {
					return nil, err
				}
				body = b
			} else {
				body = []byte(f.data)
			}
			hdr.Size = int64(len(body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// platformConfig returns a copy of img's config for platform p, created at
// t: what every image slimship assembles here needs before its own fields.
func platformConfig(img v1.Image, p v1.Platform, t time.Time) (*v1.ConfigFile, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Created = v1.Time{Time: t}
	return cf, nil
}
