package lint

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/dockerfile"
)

type dlaImageRef struct {
	registry, name, tag, digest string
}

// dlaParseImage splits an image reference the way hadolint does: a registry
// only when the first component has a dot or a colon or is localhost.
func dlaParseImage(s string) dlaImageRef {
	var ref dlaImageRef
	if i := strings.Index(s, "@"); i >= 0 {
		ref.digest = s[i+1:]
		s = s[:i]
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		first := s[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			ref.registry = first
			s = s[i+1:]
		}
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 && !strings.Contains(s[i:], "/") {
		ref.tag = s[i+1:]
		s = s[:i]
	}
	ref.name = s
	return ref
}

// Instruction-level rules: ONBUILD, ENV, COPY, stages, users.

// dlbImageName is an image reference without tag or digest, lower-cased,
// as hadolint names a stage that has no alias.
func dlbImageName(ref string) string {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		ref = ref[:i]
	}
	return strings.ToLower(ref)
}

// imageRef is a parsed image reference.
type imageRef struct {
	// Repo is the repository path with docker.io/library/ removed,
	// lower-cased: "python", "gcr.io/distroless/static".
	Repo   string
	Tag    string
	Digest string
}

func parseImage(s string) imageRef {
	var r imageRef
	if i := strings.IndexByte(s, '@'); i >= 0 {
		r.Digest = s[i+1:]
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		r.Tag = s[i+1:]
		s = s[:i]
	}
	s = strings.ToLower(s)
	for _, p := range []string{"docker.io/library/", "index.docker.io/library/", "registry-1.docker.io/library/", "docker.io/", "library/"} {
		if strings.HasPrefix(s, p) {
			s = strings.TrimPrefix(s, p)
			break
		}
	}
	r.Repo = s
	return r
}

// Name is the last path element of the repository.
func (r imageRef) Name() string { return path.Base(r.Repo) }

// baseImage resolves the image a stage chain starts from (meta ARGs
// expanded). ok is false when it cannot be known (unset variables).
func baseImage(f *dockerfile.File, s *dockerfile.Stage) (imageRef, *dockerfile.Stage, bool) {
	root := rootStage(f, s)
	if root.From == nil || root.Base == "" {
		return imageRef{}, root, false
	}
	img, ok := expandMeta(root.Base, metaDefaults(f))
	if !ok {
		return imageRef{}, root, false
	}
	return parseImage(img), root, true
}

func (r imageRef) isScratch() bool { return r.Repo == "scratch" }

func (r imageRef) isDistroless() bool {
	return strings.Contains(r.Repo, "distroless") || strings.HasPrefix(r.Repo, "cgr.dev/chainguard/static")
}

// isStaticBase is scratch or distroless/static: no libc.
func (r imageRef) isStaticBase() bool {
	return r.isScratch() || (r.isDistroless() && strings.Contains(r.Repo, "static"))
}

func (r imageRef) isWindows() bool {
	t := r.Repo + ":" + r.Tag
	return strings.Contains(t, "windows") || strings.Contains(t, "nanoserver") || strings.Contains(t, "servercore") || strings.Contains(t, "ltsc")
}

func (r imageRef) isAlpine() bool {
	return r.Name() == "alpine" || strings.Contains(r.Tag, "alpine")
}

// interactive are CMDs of base and toolbox images (a shell or a REPL).
var interactive = lazyre.New(`^(/bin/|/usr/bin/|/usr/local/bin/)?(sh|bash|ash|zsh|jshell|python[0-9.]*|node|irb|iex|erl|ghci|php|deno|bun|pwsh|powershell|cmd|ruby)$`)

// baseImageFile reports whether the final stage builds a base or toolbox
// image rather than a service: no CMD, ENTRYPOINT or EXPOSE of its own, or
// a CMD that starts a shell or a REPL. Such images leave USER to the images
// built on them.
func baseImageFile(c *Context, s *dockerfile.Stage) bool {
	var cmd, entry *dockerfile.Instruction
	expose := false
	for _, in := range chainInstructions(c, s) {
		switch in.Cmd {
		case "cmd":
			cmd = in
		case "entrypoint":
			entry = in
		case "expose":
			expose = true
		}
	}
	if cmd == nil && entry == nil {
		return !expose
	}
	if cmd != nil && len(cmd.Args) > 0 {
		first := strings.Fields(cmd.Args[0])
		return len(first) > 0 && interactive.MatchString(first[0]) && (len(cmd.Args) == 1 && len(first) == 1)
	}
	return false
}

func imgName(r imageRef) string {
	if r.Tag != "" {
		return r.Repo + ":" + r.Tag
	}
	return r.Repo
}

// toolchainImage reports whether the Dockerfile builds an image meant to
// hold tools: a base image (see baseImageFile), or one whose file name or
// final stage name says builder, build, dev, ci or test
// (Dockerfile.builder, dev.Dockerfile, FROM ... AS dev). Size rules about
// toolchains in the final stage skip those.
func toolchainImage(c *Context, s *dockerfile.Stage) bool {
	if baseImageFile(c, s) {
		return true
	}
	words := strings.FieldsFunc(strings.ToLower(filepath.Base(c.File.Path)+" "+s.Name), func(r rune) bool {
		return r == '.' || r == '_' || r == '-' || r == ' '
	})
	for _, w := range words {
		switch w {
		case "builder", "build", "dev", "devel", "development", "devcontainer", "ci", "test", "tests", "toolchain", "sdk":
			return true
		}
	}
	return false
}

var bkTagRe = lazyre.New(`^[\w][\w.-]{0,127}$`)

// bkValidReference approximates distribution/reference's
// ParseNormalizedNamed on top of go-containerregistry's parser, which is
// more lenient about tags ("golang:-alpine") and empty path components.
func bkValidReference(ref string) bool {
	if _, err := name.ParseReference(ref); err != nil {
		return false
	}
	if strings.Contains(ref, "//") {
		return false
	}
	rest, _, _ := strings.Cut(ref, "@")
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		return bkTagRe.MatchString(rest[i+1:])
	}
	return true
}
