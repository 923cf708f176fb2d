package lint

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/dockerfile"
)

// imageRef is an image reference as FROM (or a stage's base) gives it.
//
// It is split by hand rather than by go-containerregistry's name package:
// hadolint, whose rules these are, accepts what name.ParseReference
// refuses (upper case as in `FROM Ubuntu`, `${REGISTRY}/app` with ARGs,
// a tag such as `:-alpine`), and reports on such lines all the same.
// Where a reference must be valid (BuildKit's InvalidDefaultArgInFrom),
// validReference asks the name package.
type imageRef struct {
	// Registry is the first path component when it names a host: it
	// holds a dot or a colon, or is localhost (hadolint's and Docker's
	// test). "" for Docker Hub.
	Registry string
	// Path is the repository path after the registry, as written.
	Path   string
	Tag    string
	Digest string
	// Repo is registry and path lower-cased, docker.io/library/ removed:
	// "python", "gcr.io/distroless/static".
	Repo string
}

// parseImage splits an image reference; it never fails.
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
	r.Path = s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		if first := s[:i]; strings.ContainsAny(first, ".:") || first == "localhost" {
			r.Registry, r.Path = first, s[i+1:]
		}
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

// untagged is the reference without tag or digest, lower-cased, as
// hadolint names a stage that has no alias.
func (r imageRef) untagged() string {
	if r.Registry == "" {
		return strings.ToLower(r.Path)
	}
	return strings.ToLower(r.Registry + "/" + r.Path)
}

// String is Repo with the tag, for messages.
func (r imageRef) String() string {
	if r.Tag != "" {
		return r.Repo + ":" + r.Tag
	}
	return r.Repo
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

var tagRe = lazyre.New(`^[\w][\w.-]{0,127}$`)

// validReference approximates distribution/reference's
// ParseNormalizedNamed on top of go-containerregistry's parser, which is
// more lenient about tags ("golang:-alpine") and empty path components.
func validReference(ref string) bool {
	if _, err := name.ParseReference(ref); err != nil {
		return false
	}
	if strings.Contains(ref, "//") {
		return false
	}
	rest, _, _ := strings.Cut(ref, "@")
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		return tagRe.MatchString(rest[i+1:])
	}
	return true
}
