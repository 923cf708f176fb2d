package lint

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// debianCodenames are tag suffixes naming a Debian or Ubuntu release.
var debianCodenames = map[string]bool{"stretch": true, "buster": true, "bullseye": true, "bookworm": true, "trixie": true,
	"focal": true, "jammy": true, "noble": true, "bionic": true}

var leadingVersion = lazyre.New(`^[0-9][0-9.]*`)

// slimVariant suggests a smaller image for a full-size one. fix is false
// when the suggestion is not a drop-in replacement (a multi-stage build is
// needed).
func slimVariant(r imageRef) (suggest string, fix bool) {
	tag := r.Tag
	if tag == "" {
		tag = "latest"
	}
	lt := strings.ToLower(tag)
	for _, small := range []string{"slim", "alpine", "jre", "distroless", "nonroot", "windowsservercore", "nanoserver", "chiseled", "minimal", "busybox"} {
		if strings.Contains(lt, small) {
			return "", false
		}
	}
	if strings.Contains(tag, "$") {
		return "", false
	}
	ver, rest := tag, ""
	if i := strings.IndexByte(tag, '-'); i >= 0 {
		ver, rest = tag[:i], tag[i+1:]
	}
	switch r.Repo {
	case "python", "ruby", "perl", "elixir", "erlang":
		switch {
		case tag == "latest":
			return r.Repo + ":slim", true
		case rest == "":
			return r.Repo + ":" + ver + "-slim", true
		case debianCodenames[rest]:
			return r.Repo + ":" + ver + "-slim-" + rest, true
		}
	case "node":
		switch {
		case tag == "latest":
			return "node:alpine", true
		case rest == "":
			return "node:" + ver + "-alpine", true
		case debianCodenames[rest]:
			return "node:" + ver + "-" + rest + "-slim", true
		}
	case "php":
		switch {
		case tag == "latest":
			return "php:alpine", true
		case rest == "":
			return "php:" + ver + "-alpine", true
		case rest == "fpm" || rest == "cli" || rest == "zts":
			return "php:" + ver + "-" + rest + "-alpine", true
		}
	case "debian":
		switch {
		case tag == "latest":
			return "debian:stable-slim", true
		case rest == "" && (debianCodenames[ver] || leadingVersion.MatchString(ver) || ver == "stable" || ver == "testing"):
			return "debian:" + ver + "-slim", true
		}
	case "buildpack-deps":
		if debianCodenames[ver] && rest == "" {
			return "debian:" + ver + "-slim", true
		}
		return "debian:stable-slim", false
	case "openjdk", "eclipse-temurin", "adoptopenjdk", "adoptopenjdk/openjdk8", "adoptopenjdk/openjdk11", "amazoncorretto":
		major := leadingVersion.FindString(tag)
		if i := strings.IndexByte(major, '.'); i >= 0 {
			major = major[:i]
		}
		if major == "" {
			for _, m := range []string{"8", "11", "17", "21"} {
				if strings.Contains(r.Repo, "openjdk"+m) {
					major = m
				}
			}
		}
		if major == "" {
			return "eclipse-temurin:21-jre-alpine", false
		}
		if major == "1" {
			return "", false
		}
		return "eclipse-temurin:" + major + "-jre-alpine", true
	case "golang":
		return "gcr.io/distroless/static-debian12 (build in a golang stage, copy the binary)", false
	case "rust":
		return "gcr.io/distroless/cc-debian12 or debian:bookworm-slim (build in a rust stage, copy the binary)", false
	case "maven", "gradle":
		return "eclipse-temurin:<version>-jre-alpine (build in a " + r.Repo + " stage, copy the jar)", false
	case "mcr.microsoft.com/dotnet/sdk", "mcr.microsoft.com/dotnet/core/sdk":
		return "mcr.microsoft.com/dotnet/aspnet or mcr.microsoft.com/dotnet/runtime (publish in an sdk stage)", false
	}
	return "", false
}

// checkSS001: full-size base image for the final stage.
func checkSS001(c *Context, r *Reporter) {
	final := finalStage(c)
	if final == nil {
		return
	}
	img, root, ok := baseImage(c.File, final)
	if !ok {
		return
	}
	suggest, canFix := slimVariant(img)
	if img.Digest != "" {
		canFix = false // a new digest has to be looked up
	}
	// Base images (python, node, buildpack-deps ...) pick their variant on
	// purpose; only images that run something are judged.
	if suggest == "" || baseImageFile(c, final) {
		return
	}
	via := ""
	if root != final {
		via = " (the final stage builds on it)"
	}
	if canFix && finalBuilds(c, final) {
		suggest += " after moving the build to its own stage"
		canFix = false
	}
	msg := fmt.Sprintf("%s is a full-size image for the final stage%s: use %s", imgName(img), via, suggest)
	var fix *finding.Fix
	if canFix && !strings.Contains(root.Base, "$") {
		off := instructionBody(c.File, root.From)
		if strings.HasPrefix(string(c.File.Source[off:]), root.Base) {
			fix = &finding.Fix{Description: "use " + suggest, OptIn: true,
				Edits: []finding.Edit{Edit(c.File, off, off+len(root.Base), suggest)}}
		}
	}
	r.Fix(root.From, msg, fix)
}

// stageUser returns the last USER of s's chain and whether one is set.
func stageUser(c *Context, s *dockerfile.Stage) (string, bool) {
	user, set := "", false
	for _, in := range chainInstructions(c, s) {
		if in.Cmd == "user" && len(in.Args) > 0 {
			user, set = in.Args[0], true
		}
	}
	return user, set
}

// nonRootBase lists bases whose default user is not root.
func nonRootBase(r imageRef) bool {
	switch {
	case strings.Contains(r.Tag, "nonroot") || strings.Contains(r.Tag, "chiseled"),
		strings.HasPrefix(r.Repo, "cgr.dev/chainguard/"),
		strings.HasPrefix(r.Repo, "bitnami/"),
		strings.Contains(r.Repo, "nginx-unprivileged"),
		strings.HasPrefix(r.Repo, "jenkins/"),
		strings.Contains(r.Repo, "linuxserver/"), // s6 init runs the app as PUID/PGID
		strings.Contains(r.Repo, "keycloak"), strings.HasPrefix(r.Repo, "grafana/"), strings.HasPrefix(r.Repo, "prom/"), r.Name() == "sonarqube",
		strings.Contains(r.Repo, "windows") || strings.Contains(r.Repo, "nanoserver") || strings.Contains(r.Tag, "nanoserver") || strings.Contains(r.Tag, "windowsservercore"):
		return true
	}
	return false
}

// dropsPrivileges reports whether the image installs a tool an entrypoint
// script uses to drop root (gosu, su-exec, setpriv, tini with a user).
func dropsPrivileges(c *Context, s *dockerfile.Stage) bool {
	for _, in := range chainInstructions(c, s) {
		if in.Cmd != "run" && in.Cmd != "copy" && in.Cmd != "add" {
			continue
		}
		t := strings.ToLower(in.Original)
		if strings.Contains(t, "gosu") || strings.Contains(t, "su-exec") || strings.Contains(t, "setpriv") || strings.Contains(t, "chpst") {
			return true
		}
	}
	return false
}

// checkSS007: the final stage runs as root because no USER is set.
func checkSS007(c *Context, r *Reporter) {
	final := finalStage(c)
	if final == nil {
		return
	}
	if _, set := stageUser(c, final); set {
		return // an explicit USER root is DL3002's business
	}
	img, _, ok := baseImage(c.File, final)
	if !ok || img.isScratch() || nonRootBase(img) || dropsPrivileges(c, final) || baseImageFile(c, final) || runsSelfDroppingServer(c, final) {
		return
	}
	msg := "no USER in the final stage, so the container runs as root: add a non-root user (e.g. USER 65532:65532) before CMD/ENTRYPOINT"
	var fix *finding.Fix
	ins := c.StageEffective(final)
	for i, in := range ins {
		if (in.Cmd == "cmd" || in.Cmd == "entrypoint") && !in.InOnBuild {
			if laterRun(ins[i+1:]) {
				break // those RUNs would lose root
			}
			start := c.File.LineOffset(in.Line)
			indent := string(c.File.Source[start:in.Offset])
			fix = &finding.Fix{Description: "run as UID 65532 (make sure it can read the app files)", OptIn: true,
				Edits: []finding.Edit{Edit(c.File, start, start, indent+"USER 65532:65532\n")}}
			break
		}
	}
	r.Fix(final.From, msg, fix)
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

// selfDropping are servers that start as root to bind their port and run
// their workers as an unprivileged user by design.
var selfDropping = lazyre.New(`^(/usr/sbin/|/usr/local/bin/|/usr/local/sbin/)?(nginx|httpd|httpd-foreground|apache2-foreground|apache2ctl|php-fpm[0-9.]*|postfix|dovecot|sshd)$`)

// runsSelfDroppingServer reports whether the final CMD/ENTRYPOINT starts
// such a server.
func runsSelfDroppingServer(c *Context, s *dockerfile.Stage) bool {
	var last *dockerfile.Instruction
	for _, in := range chainInstructions(c, s) {
		if in.Cmd == "cmd" {
			last = in
		}
	}
	if last == nil || len(last.Args) == 0 {
		return false
	}
	first := strings.Fields(last.Args[0])
	return len(first) > 0 && selfDropping.MatchString(first[0])
}

var serverWords = lazyre.New(`(?i)(^|[\s/"'\[,])(nginx|httpd|httpd-foreground|apache2-foreground|apache2ctl|gunicorn|uvicorn|hypercorn|daphne|waitress-serve|puma|unicorn|php-fpm[0-9.]*|caddy|traefik|http-server|runserver|catalina\.sh|tomcat|kestrel)($|[\s"',\]])`)

// checkSS008: service image without a HEALTHCHECK.
//
// Scratch and distroless bases are skipped: they have no shell, curl or
// wget, so a HEALTHCHECK would need a probe built into the app; liveness
// of such images belongs to the orchestrator's probes (Kubernetes ignores
// HEALTHCHECK anyway).
func checkSS008(c *Context, r *Reporter) {
	final := finalStage(c)
	if final == nil {
		return
	}
	img, _, ok := baseImage(c.File, final)
	if ok && (img.isScratch() || img.isDistroless() || strings.Contains(img.Tag, "chiseled") || img.isWindows()) || toolchainImage(c, final) {
		return
	}
	service := false
	for _, in := range chainInstructions(c, final) {
		switch in.Cmd {
		case "healthcheck":
			return
		case "expose":
			service = true
		case "cmd", "entrypoint":
			if serverWords.MatchString(strings.Join(in.Args, " ")) {
				service = true
			}
		}
	}
	if !service {
		return
	}
	r.At(final.From, "the final stage runs a service but has no HEALTHCHECK: add one (HEALTHCHECK CMD curl -f http://localhost:PORT/health || exit 1) or state HEALTHCHECK NONE")
}

// goBuild is a `go build` of a stage chain: whether it builds without cgo
// or links statically.
type goBuild struct {
	in     *dockerfile.Instruction
	noCgo  bool
	static bool
}

// stageGoBuilds returns the go builds of s's chain and whether the chain
// has a C compiler (cgo then stays on unless turned off).
func stageGoBuilds(c *Context, s *dockerfile.Stage) (builds []goBuild, cc bool) {
	img, _, _ := baseImage(c.File, s)
	// golang images on Debian ship gcc; the alpine ones do not, and Go
	// turns cgo off when no C compiler is found.
	cc = !img.isAlpine()
	envNoCgo := false
	for _, in := range chainInstructions(c, s) {
		switch in.Cmd {
		case "env", "arg":
			for _, p := range envPairs(in) {
				if p.Key == "CGO_ENABLED" {
					envNoCgo = p.Value == "0"
				}
			}
		case "run":
			sc := runScript(c, in)
			if sc == nil {
				continue
			}
			for _, cmd := range sc.Commands {
				if pk := installedPackages(cmd); len(pk) > 0 {
					for _, p := range pk {
						if p == "gcc" || p == "build-base" || p == "clang" || p == "build-essential" {
							cc = true
						}
					}
				}
				if cmd.Is("go") && cmd.Sub() == "env" && strings.Contains(strings.Join(cmd.Args, " "), "CGO_ENABLED=0") {
					envNoCgo = true
				}
				if !cmd.Is("go") || (cmd.Sub() != "build" && cmd.Sub() != "install") {
					continue
				}
				noCgo := envNoCgo || strings.Contains(sc.Source, "CGO_ENABLED=0")
				for _, e := range cmd.Env {
					if e == "CGO_ENABLED=1" {
						noCgo = false
					}
				}
				args := strings.Join(cmd.Args, " ")
				static := strings.Contains(args, "-static") || strings.Contains(args, "netgo")
				builds = append(builds, goBuild{in: in, noCgo: noCgo, static: static})
			}
		}
	}
	return builds, cc
}

// copiedStages returns the stages whose files the final stage chain copies
// (COPY --from=<stage>), in order.
func copiedStages(c *Context, s *dockerfile.Stage) ([]*dockerfile.Stage, []*dockerfile.Instruction) {
	var stages []*dockerfile.Stage
	var copies []*dockerfile.Instruction
	for _, in := range chainInstructions(c, s) {
		if in.Cmd != "copy" {
			continue
		}
		from := copyFrom(in)
		if from == "" {
			continue
		}
		if src := c.File.StageByRef(from, s.Index); src != nil {
			stages = append(stages, src)
			copies = append(copies, in)
		}
	}
	return stages, copies
}

// checkSS011: cgo binary copied into a libc-less or musl final stage.
func checkSS011(c *Context, r *Reporter) {
	final := finalStage(c)
	if final == nil {
		return
	}
	img, _, ok := baseImage(c.File, final)
	if !ok || !(img.isStaticBase() || img.isAlpine()) {
		return
	}
	srcs, _ := copiedStages(c, final)
	done := map[*dockerfile.Instruction]bool{}
	for _, src := range srcs {
		builds, cc := stageGoBuilds(c, src)
		bimg, _, _ := baseImage(c.File, src)
		for _, b := range builds {
			if b.noCgo || b.static || !cc || done[b.in] {
				continue
			}
			// An alpine builder links against musl, which an alpine
			// final stage has.
			if img.isAlpine() && bimg.isAlpine() {
				continue
			}
			done[b.in] = true
			r.At(b.in, fmt.Sprintf("go build without CGO_ENABLED=0 may link libc dynamically, but the binary runs on %s: build with CGO_ENABLED=0 (or link statically)", imgName(img)))
		}
	}
}

func imgName(r imageRef) string {
	if r.Tag != "" {
		return r.Repo + ":" + r.Tag
	}
	return r.Repo
}

// checkSS012: static binary on a distro final stage.
func checkSS012(c *Context, r *Reporter) {
	final := finalStage(c)
	if final == nil || parentStage(c.File, final) != nil {
		return
	}
	img, _, ok := baseImage(c.File, final)
	if !ok || img.Digest != "" {
		return
	}
	switch img.Name() {
	case "alpine", "debian", "ubuntu":
	default:
		return
	}
	srcs, _ := copiedStages(c, final)
	if len(srcs) == 0 {
		return
	}
	for _, in := range c.StageEffective(final) {
		switch in.Cmd {
		case "run", "add", "onbuild", "shell", "volume":
			return
		case "user":
			if len(in.Args) > 0 && !distrolessUser(in.Args[0]) {
				return
			}
		case "copy":
			if copyFrom(in) == "" {
				return // files from the context may be scripts needing a shell
			}
		case "cmd", "entrypoint":
			if !in.JSON {
				return // shell form needs /bin/sh
			}
			if len(in.Args) > 0 && (strings.HasSuffix(in.Args[0], "sh") || strings.HasSuffix(in.Args[0], "bash") || strings.HasSuffix(in.Args[0], ".sh")) {
				return
			}
		case "healthcheck":
			if len(in.Args) > 0 && strings.EqualFold(in.Args[0], "CMD-SHELL") || !in.JSON && !strings.Contains(strings.ToUpper(in.Original), "NONE") {
				return
			}
		}
	}
	for _, src := range srcs {
		builds, cc := stageGoBuilds(c, src)
		if len(builds) == 0 {
			return
		}
		for _, b := range builds {
			if !(b.noCgo || b.static || !cc) {
				return
			}
		}
	}
	const suggest = "gcr.io/distroless/static-debian12"
	msg := fmt.Sprintf("the final stage only runs a static Go binary: use %s (or scratch) instead of %s", suggest, final.Base)
	var fix *finding.Fix
	off := instructionBody(c.File, final.From)
	if !strings.Contains(final.Base, "$") && strings.HasPrefix(string(c.File.Source[off:]), final.Base) {
		fix = &finding.Fix{Description: "use " + suggest, OptIn: true, Edits: []finding.Edit{Edit(c.File, off, off+len(final.Base), suggest)}}
	}
	r.Fix(final.From, msg, fix)
}

// distrolessUser reports whether distroless/static knows a USER value.
func distrolessUser(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	switch name {
	case "root", "nobody", "nonroot":
		return true
	}
	return name != "" && strings.Trim(name, "0123456789") == ""
}

// finalBuilds reports whether the final stage chain runs a build tool.
func finalBuilds(c *Context, s *dockerfile.Stage) bool {
	for _, in := range chainInstructions(c, s) {
		if sc := runScript(c, in); sc != nil {
			for _, cmd := range sc.Commands {
				if buildTool(cmd) != "" {
					return true
				}
			}
		}
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

func laterRun(ins []*dockerfile.Instruction) bool {
	for _, in := range ins {
		if in.Cmd == "run" || in.Cmd == "copy" || in.Cmd == "add" {
			return true
		}
	}
	return false
}
