package lint

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func fromRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3006", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Always tag the version of an image explicitly.",
			Remediation: "Give the FROM image an explicit tag or digest, such as `debian:12-slim`.",
			DocsURL:     hadolintWiki + "DL3006"}, checkDL3006),
		rule(finding.Spec{ID: "DL3007", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag.",
			Remediation: "Replace the `latest` tag with a release tag or digest.",
			DocsURL:     hadolintWiki + "DL3007"}, checkDL3007),
		rule(finding.Spec{ID: "DL3024", Severity: finding.Error, Category: finding.Correctness,
			Description: "`FROM` aliases (stage names) must be unique",
			Remediation: "Give every stage a unique name in `FROM ... AS name`.",
			DocsURL:     hadolintWiki + "DL3024"}, checkDL3024).WithTwins(linter.RuleDuplicateStageName.Name),
		rule(finding.Spec{ID: "DL3026", Severity: finding.Error, Category: finding.Security,
			Description: "Use only an allowed registry in the `FROM image`",
			Remediation: "Use a base image from a registry listed in trustedRegistries, or add the registry there.",
			DocsURL:     hadolintWiki + "DL3026"}, checkDL3026),
		rule(finding.Spec{ID: "DL3029", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Do not use --platform flag with FROM.",
			Remediation: "Remove `--platform` from FROM, or set it from a build argument such as `$BUILDPLATFORM`.",
			DocsURL:     hadolintWiki + "DL3029"}, checkDL3029).WithTwins(linter.RuleFromPlatformFlagConstDisallowed.Name),
		rule(finding.Spec{ID: "DL3043", Severity: finding.Error, Category: finding.Correctness,
			Description: "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction.",
			Remediation: "Remove ONBUILD, FROM and MAINTAINER from inside ONBUILD.",
			DocsURL:     hadolintWiki + "DL3043"}, checkDL3043),
		rule(finding.Spec{ID: "DL3061", Severity: finding.Error, Category: finding.Correctness,
			Description: "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.",
			Remediation: "Start the Dockerfile with FROM, after ARG instructions and comments only.",
			DocsURL:     hadolintWiki + "DL3061"}, checkDL3061),
		rule(finding.Spec{ID: "DL3063", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Stage name should not be a reserved word",
			Remediation: "Rename the stage: `scratch`, `context` and other reserved words are not stage names.",
			DocsURL:     hadolintWiki + "DL3063"}, checkDL3063),
		rule(finding.Spec{ID: "DL3065", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Setting FROM --platform to predefined $TARGETPLATFORM in is redundant as this is the default behavior",
			Remediation: "Remove `--platform=$TARGETPLATFORM` from FROM: it is the default.",
			DocsURL:     hadolintWiki + "DL3065"}, checkDL3065),
		rule(finding.Spec{ID: "SS001", Severity: finding.Info, Category: finding.Size,
			Description: "Final stage uses a full-size base image where a slim, alpine, JRE or distroless variant exists.",
			Remediation: "Base the final stage on the slim, alpine, JRE or distroless variant the finding names."}, checkSS001),
		rule(finding.Spec{ID: "SS002", Severity: finding.Warning, Category: finding.Size,
			Description: "Build toolchain runs in the final stage: build in a separate stage and copy only the output.",
			Remediation: "Build in a separate stage and COPY --from it only the output into the final stage."}, checkSS002),
		rule(finding.Spec{ID: "SS013", Severity: finding.Warning, Category: finding.Size,
			Description: "Compilers or build tools installed in the final stage and not removed in the same RUN.",
			Remediation: "Remove the build tools in the same RUN that installs them, or build in a separate stage."}, checkSS013),
		bk(linter.RuleDuplicateStageName, finding.Spec{Category: finding.Correctness,
			Remediation: "Give every stage a unique name in `FROM ... AS name`."}, bkCheckDuplicateStageName),
		bk(linter.RuleReservedStageName, finding.Spec{Category: finding.Correctness,
			Remediation: "Rename the stage: `scratch` and `context` are reserved."}, bkCheckReservedStageName),
		bk(linter.RuleRedundantTargetPlatform, finding.Spec{Category: finding.Maintainability,
			Remediation: "Remove `--platform=$TARGETPLATFORM` from FROM: it is the default."}, bkCheckRedundantTargetPlatform),
		bk(linter.RuleFromPlatformFlagConstDisallowed, finding.Spec{Category: finding.Correctness,
			Remediation: "Remove the constant `--platform` from FROM, or set it from a build argument."}, bkCheckFromPlatformConst),
	}
}

func checkDL3006(c *Context, r *Reporter) {
	for i, st := range c.File.Stages {
		if st.From == nil || st.Base == "" || strings.Contains(st.Base, "$") {
			continue
		}
		if stageNamesBefore(c.File, i)[strings.ToLower(st.Base)] {
			continue
		}
		ref := parseImage(st.Base)
		if ref.Path == "scratch" && ref.Registry == "" || ref.Tag != "" || ref.Digest != "" {
			continue
		}
		r.At(st.From, "Always tag the version of an image explicitly: `FROM "+st.Base+":<version>` (or pin a digest with @sha256:...).")
	}
}

func checkDL3007(c *Context, r *Reporter) {
	for i, st := range c.File.Stages {
		if st.From == nil || st.Base == "" || stageNamesBefore(c.File, i)[strings.ToLower(st.Base)] {
			continue
		}
		ref := parseImage(st.Base)
		if ref.Tag == "latest" && ref.Digest == "" {
			r.At(st.From, "Using latest is prone to errors if the image will ever update: pin `"+ref.Path+"` to a release tag or a digest.")
		}
	}
}

func checkDL3024(c *Context, r *Reporter) {
	seen := map[string]bool{}
	for _, st := range c.File.Stages {
		if st.Name == "" {
			continue
		}
		if seen[st.Name] {
			r.At(st.From, "`FROM` aliases (stage names) must be unique: `"+st.NameRaw+"` is already used; rename this stage.")
		}
		seen[st.Name] = true
	}
}

func registryAllowed(reg string, trusted []string) bool {
	for _, t := range trusted {
		switch {
		case t == "*":
			return true
		case strings.HasPrefix(t, "*."):
			if strings.HasSuffix(reg, t[1:]) {
				return true
			}
		case t == reg:
			return true
		}
	}
	return false
}

func imageAllowed(image string, trusted []string) bool {
	ref := parseImage(image)
	if ref.Registry == "" {
		if ref.Path == "scratch" {
			return true
		}
		return registryAllowed("docker.io", trusted) || registryAllowed("hub.docker.com", trusted)
	}
	return registryAllowed(ref.Registry, trusted)
}

func checkDL3026(c *Context, r *Reporter) {
	if c.Config == nil || len(c.Config.TrustedRegistries) == 0 {
		return
	}
	trusted := c.Config.TrustedRegistries
	if len(trusted) == 0 {
		return
	}
	msg := func(image string) string {
		return "Use only an allowed registry in the `FROM image`: `" + image + "` is not from a trusted registry (" + strings.Join(trusted, ", ") + ")."
	}
	isStage := func(ref string, before int) bool {
		if _, err := strconv.Atoi(ref); err == nil {
			return true
		}
		return stageNamesBefore(c.File, before)[strings.ToLower(ref)]
	}
	for _, in := range c.File.Instructions {
		cur := max(in.Stage, 0)
		switch in.Cmd {
		case "from":
			st := c.File.Stages[in.Stage]
			if st.Base == "" || strings.Contains(st.Base, "$") || isStage(st.Base, st.Index) {
				continue
			}
			if !imageAllowed(st.Base, trusted) {
				r.At(in, msg(st.Base))
			}
		case "copy":
			from, ok := in.Flag("from")
			if !ok || from == "" || strings.Contains(from, "$") || isStage(from, cur+1) {
				continue
			}
			if !imageAllowed(from, trusted) {
				r.At(in, msg(from))
			}
		case "run":
			for _, m := range in.Mounts {
				from := m.From
				if from == "" || strings.Contains(from, "$") || isStage(from, cur+1) {
					continue
				}
				if !imageAllowed(from, trusted) {
					r.At(in, msg(from))
				}
			}
		}
	}
}

func checkDL3029(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		if st.From == nil {
			continue
		}
		p, ok := st.From.Flag("platform")
		if !ok || strings.HasPrefix(unquote(p), "$") {
			continue
		}
		r.At(st.From, "Do not use --platform flag with FROM: `--platform="+p+"` pins the build to one platform; drop it, or use `--platform=$BUILDPLATFORM`/`$TARGETPLATFORM`.")
	}
}

func checkDL3043(c *Context, r *Reporter) {
	for _, in := range c.File.Instructions {
		if in.Cmd != "onbuild" || in.Inner == nil {
			continue
		}
		switch in.Inner.Cmd {
		case "onbuild", "from", "maintainer":
			r.At(in, fmt.Sprintf("`ONBUILD %s` is not allowed: ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER; move it out of the ONBUILD.", strings.ToUpper(in.Inner.Cmd)))
		}
	}
}

func checkDL3061(c *Context, r *Reporter) {
	for _, in := range c.File.Instructions {
		if in.Cmd == "from" {
			return
		}
		if in.Cmd != "arg" {
			r.At(in, "Invalid instruction order: `"+strings.ToUpper(in.Cmd)+"` before the first `FROM`; a Dockerfile must begin with `FROM`, `ARG` or a comment.")
		}
	}
}

func checkDL3063(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		switch st.Name {
		case "scratch", "context":
			r.At(st.From, "Stage name `"+st.NameRaw+"` is a reserved word: choose another name after AS.")
		}
	}
}

func checkDL3065(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		if st.From == nil || (st.Platform != "$TARGETPLATFORM" && st.Platform != "${TARGETPLATFORM}") {
			continue
		}
		r.Fix(st.From, "`FROM --platform="+st.Platform+"` is redundant: it is the default; remove the flag.", removeFlag(c.File, st.From, "--platform="+st.Platform))
	}
}

// buildTool names the build a command runs, or "".
func buildTool(cmd shell.Command) string {
	sub := cmd.Sub()
	switch {
	case cmd.Is("go") && sub == "build":
		return "go build"
	case cmd.Is("cargo") && (sub == "build" || sub == "install"):
		return "cargo " + sub
	case cmd.Is("mvn") || cmd.Is("mvnw"):
		for _, a := range cmd.Positional() {
			if a == "package" || a == "install" || a == "verify" || a == "compile" || strings.HasSuffix(a, ":repackage") {
				return "mvn " + a
			}
		}
	case cmd.Is("gradle") || cmd.Is("gradlew"):
		for _, a := range cmd.Positional() {
			switch a {
			case "build", "assemble", "bootJar", "jar", "shadowJar", "installDist", "war":
				return "gradle " + a
			}
		}
	case (cmd.Is("npm") || cmd.Is("pnpm") || cmd.Is("yarn")) && (sub == "build" || sub == "run" && len(cmd.Positional()) > 1 && cmd.Positional()[1] == "build"):
		return path.Base(cmd.Name) + " run build"
	case cmd.Is("gcc") || cmd.Is("g++") || cmd.Is("cc") || cmd.Is("c++") || cmd.Is("clang") || cmd.Is("make") || cmd.Is("cmake") || cmd.Is("ninja"):
		return path.Base(cmd.Name)
	case cmd.Is("dotnet") && (sub == "build" || sub == "publish"):
		return "dotnet " + sub
	}
	return ""
}

// removesPackages reports whether a script uninstalls packages (the
// official-image pattern of installing build deps and purging them in the
// same RUN).
func removesPackages(sc *shell.Script) bool {
	for _, cmd := range sc.Commands {
		switch {
		case (cmd.Is("apt-get") || cmd.Is("apt")) && (cmd.Sub() == "purge" || cmd.Sub() == "remove" || cmd.Sub() == "autoremove"):
			return true
		case cmd.Is("apk") && cmd.Sub() == "del":
			return true
		case (cmd.Is("yum") || cmd.Is("dnf") || cmd.Is("microdnf")) && (cmd.Sub() == "remove" || cmd.Sub() == "erase" || cmd.Sub() == "autoremove"):
			return true
		}
	}
	return false
}

// checkSS002: build toolchain runs in the final stage.
func checkSS002(c *Context, r *Reporter) {
	runs := finalStageTools(c, func(cmd shell.Command) []string {
		if t := buildTool(cmd); t != "" {
			return []string{t}
		}
		return nil
	})
	if len(runs) > 0 {
		r.At(runs[0].in, fmt.Sprintf("%s runs in the final stage, so the toolchain and sources ship in the image: build in a separate stage (FROM ... AS build) and COPY --from=build only the output", joinMax(uniq(runs[0].tools), 3)))
	}
}

// runTools is a RUN and the tools found in it.
type runTools struct {
	in    *dockerfile.Instruction
	tools []string
}

// finalStageTools returns the RUNs of the final stage, in order, whose
// commands pick finds tools in, skipping RUNs that remove packages; none
// when the final stage is built on a toolchain image.
func finalStageTools(c *Context, pick func(shell.Command) []string) []runTools {
	final := finalStage(c)
	if final == nil || toolchainImage(c, final) {
		return nil
	}
	var out []runTools
	for _, in := range chainInstructions(c, final) {
		sc := c.Script(in)
		if sc == nil || removesPackages(sc) {
			continue
		}
		var tools []string
		for _, cmd := range sc.Commands {
			tools = append(tools, pick(cmd)...)
		}
		if len(tools) > 0 {
			out = append(out, runTools{in, tools})
		}
	}
	return out
}

// buildToolPackage reports whether a package is a compiler, build tool or
// development headers.
func buildToolPackage(p string) bool {
	switch p {
	case "gcc", "g++", "gcc-c++", "make", "cmake", "clang", "build-essential", "build-base", "autoconf", "automake",
		"libtool", "linux-headers", "musl-dev", "ninja-build", "cargo", "rust", "golang", "golang-go", "go":
		return true
	}
	if strings.HasSuffix(p, "-base") || strings.HasPrefix(p, "lib") && !strings.HasSuffix(p, "-dev") && !strings.HasSuffix(p, "-devel") {
		return false // gcc-12-base, libgcc-s1: runtime pieces
	}
	if strings.HasPrefix(p, "gcc-") || strings.HasPrefix(p, "g++-") || strings.HasPrefix(p, "clang-") {
		return true
	}
	return strings.HasSuffix(p, "-dev") || strings.HasSuffix(p, "-devel")
}

// checkSS013: compilers or build tools left in the final stage.
func checkSS013(c *Context, r *Reporter) {
	runs := finalStageTools(c, func(cmd shell.Command) []string {
		var tools []string
		for _, p := range installedPackages(cmd) {
			if buildToolPackage(p) {
				tools = append(tools, p)
			}
		}
		return tools
	})
	for _, run := range runs {
		r.At(run.in, fmt.Sprintf("build tools (%s) are installed in the final stage and never removed: compile in a build stage, or remove them in the same RUN (apt-get purge -y --auto-remove, apk add --virtual .build-deps ... && apk del .build-deps)", joinMax(uniq(run.tools), 4)))
	}
}

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
	msg := fmt.Sprintf("%s is a full-size image for the final stage%s: use %s", img, via, suggest)
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

// finalBuilds reports whether the final stage chain runs a build tool.
func finalBuilds(c *Context, s *dockerfile.Stage) bool {
	for _, in := range chainInstructions(c, s) {
		if sc := c.Script(in); sc != nil {
			for _, cmd := range sc.Commands {
				if buildTool(cmd) != "" {
					return true
				}
			}
		}
	}
	return false
}

func bkCheckDuplicateStageName(c *Context, r *Reporter, format func(string) string) {
	seen := map[string]bool{}
	for _, s := range c.File.Stages {
		if s.Name == "" {
			continue
		}
		if seen[s.Name] {
			r.At(s.From, format(s.Name))
		}
		seen[s.Name] = true
	}
}

func bkCheckReservedStageName(c *Context, r *Reporter, format func(string) string) {
	for _, s := range c.File.Stages {
		if s.Name == "context" || s.Name == "scratch" {
			r.At(s.From, format(s.Name))
		}
	}
}

func bkCheckRedundantTargetPlatform(c *Context, r *Reporter, format func(string) string) {
	env := c.bkGlobalArgs()
	lex := bkshell.NewLex(c.File.Escape)
	for _, s := range c.File.Stages {
		if s.From == nil || s.Platform == "" {
			continue
		}
		res, err := lex.ProcessWordWithMatches(s.Platform, env)
		if err != nil || len(res.Matched) != 1 || len(res.Unmatched) != 0 {
			continue
		}
		if _, ok := res.Matched["TARGETPLATFORM"]; ok && res.Result == env["TARGETPLATFORM"] {
			r.At(s.From, format(s.Platform))
		}
	}
}

var bkArchAliases = map[string]string{
	"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "armhf": "arm", "armel": "arm",
	"i386": "386", "i486": "386", "i586": "386", "i686": "386",
}

var bkKnownOS = map[string]bool{
	"aix": true, "android": true, "darwin": true, "dragonfly": true, "freebsd": true, "illumos": true, "ios": true,
	"js": true, "linux": true, "netbsd": true, "openbsd": true, "plan9": true, "solaris": true, "wasip1": true, "windows": true,
}

// bkParsePlatform splits os/arch[/variant] the way containerd's platforms
// package normalises it; ok is false for what it would reject.
func bkParsePlatform(s string) (os, arch string, ok bool) {
	parts := strings.Split(strings.ToLower(s), "/")
	norm := func(a string) string {
		if n, ok := bkArchAliases[a]; ok {
			return n
		}
		return a
	}
	switch len(parts) {
	case 1:
		if bkKnownOS[parts[0]] {
			return parts[0], "amd64", true
		}
		return "linux", norm(parts[0]), parts[0] != ""
	case 2, 3:
		if parts[0] == "" || parts[1] == "" {
			return "", "", false
		}
		return parts[0], norm(parts[1]), true
	}
	return "", "", false
}

func bkCheckFromPlatformConst(c *Context, r *Reporter, format func(string) string) {
	lex := bkshell.NewLex(c.File.Escape)
	env := c.bkGlobalArgs()
	for _, s := range c.File.Stages {
		if s.From == nil || s.Platform == "" {
			continue
		}
		res, err := lex.ProcessWordWithMatches(s.Platform, env)
		if err != nil || len(res.Matched) > 0 || len(res.Unmatched) > 0 {
			continue
		}
		osName, arch, ok := bkParsePlatform(res.Result)
		if !ok || strings.Contains(s.Name, osName) || strings.Contains(s.Name, arch) {
			continue
		}
		r.At(s.From, format(res.Result))
	}
}
