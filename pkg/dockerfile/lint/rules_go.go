package lint

import (
	"fmt"
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

func goRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3062", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Pin versions in go install. Instead of `go install <package>` use `go install <package>@<version>`",
			Remediation: "Pin the module as `go install <package>@<version>`.",
			DocsURL:     hadolintWiki + "DL3062"}, checkDL3062),
		rule(finding.Spec{ID: "SS011", Severity: finding.Warning, Category: finding.Correctness,
			Description: "go build without CGO_ENABLED=0 whose binary is copied into a scratch, distroless/static or alpine stage.",
			Remediation: "Set `CGO_ENABLED=0` for the go build whose binary runs on the static or alpine stage."}, checkSS011),
		rule(finding.Spec{ID: "SS012", Severity: finding.Info, Category: finding.Size,
			Description: "A static binary runs on an alpine, debian or ubuntu final stage where scratch or distroless/static would do.",
			Remediation: "Base the final stage on scratch or gcr.io/distroless/static for the static binary."}, checkSS012),
	}
}

// goValueFlags are go build flags that take a separate value.
var goValueFlags = map[string]bool{"-tags": true, "-ldflags": true, "-gcflags": true, "-asmflags": true, "-o": true, "-mod": true,
	"-modfile": true, "-p": true, "-C": true, "-pkgdir": true, "-overlay": true, "-exec": true, "-toolexec": true, "-buildmode": true,
	"-compiler": true, "-gccgoflags": true, "-installsuffix": true, "-pgo": true, "-coverpkg": true, "-covermode": true}

func checkDL3062(c *Context, r *Reporter) {
	for _, run := range runScripts(c) {
		var bad []string
		for _, cmd := range run.Script.Commands {
			if baseName(cmd.Name) != "go" || len(cmd.Args) == 0 {
				continue
			}
			sub := cmd.Args[0]
			if sub != "install" && sub != "get" && sub != "run" {
				continue
			}
			var pkgs []string
			args := cmd.Args[1:]
			for i := 0; i < len(args); i++ {
				a := args[i]
				if strings.HasPrefix(a, "-") {
					if goValueFlags[a] {
						i++
					}
					continue
				}
				pkgs = append(pkgs, a)
				if sub == "run" {
					break // the rest are the program's arguments
				}
			}
			for _, p := range pkgs {
				if strings.HasPrefix(p, ".") || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "$") || strings.HasSuffix(p, ".go") {
					continue
				}
				if at := strings.LastIndexByte(p, '@'); at < 0 || p[at+1:] == "latest" || p[at+1:] == "" {
					bad = append(bad, p)
				}
			}
		}
		if len(bad) > 0 {
			r.At(run.In, "Pin the module version: use `go install <package>@<version>` instead of "+strings.Join(bad, ", ")+".")
		}
	}
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
			sc := c.Script(in)
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
			r.At(b.in, fmt.Sprintf("go build without CGO_ENABLED=0 may link libc dynamically, but the binary runs on %s: build with CGO_ENABLED=0 (or link statically)", img))
		}
	}
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
