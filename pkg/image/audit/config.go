package audit

import (
	"archive/tar"
	"path"
	"sort"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/image/walk"
)

func locationOf(layer, p string) finding.Location { return finding.Location{Layer: layer, Path: p} }

func (a *auditor) reportAt(rule string, n *node, p string, format string, args ...any) {
	a.report(rule, locationOf(a.layerDigest(n.layer), p), format, args...)
}

func sortKeys(ks []cacheKey) {
	sort.Slice(ks, func(i, j int) bool {
		if ks[i].layer != ks[j].layer {
			return ks[i].layer < ks[j].layer
		}
		return ks[i].dir < ks[j].dir
	})
}

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// checkConfig runs the checks of the image configuration.
func (a *auditor) checkConfig() {
	c := a.cf.Config
	none := finding.Location{}
	if a.runsAsRoot(c.User) {
		who := "root (no USER)"
		if u, _, _ := strings.Cut(c.User, ":"); u != "" && u != "root" && u != "0" {
			who = "root (USER " + c.User + " is UID 0 in /etc/passwd)"
		} else if c.User != "" {
			who = "root (USER " + c.User + ")"
		}
		a.report(RootUser, none, "the image runs as %s: add a non-root USER", who)
	}
	// HEALTHCHECK NONE is a deliberate choice and passes.
	if c.Healthcheck == nil || len(c.Healthcheck.Test) == 0 {
		a.report(NoHealthcheck, none, "no HEALTHCHECK: add one, or probe the container from the orchestrator")
	}
	for _, kv := range c.Env {
		k, v, _ := strings.Cut(kv, "=")
		if v != "" && suspiciousKey(k) && !a.acceptKey(k) {
			a.report(SecretInConfig, none, "ENV %s looks like a secret and is visible to anyone with the image: pass it at run time (or --accept-key %s)", k, k)
		}
	}
	vols := make([]string, 0, len(c.Volumes))
	for v := range c.Volumes {
		vols = append(vols, v)
	}
	sort.Strings(vols)
	for _, v := range vols {
		cv := path.Clean("/" + v)
		for _, s := range []string{"/dev", "/proc", "/sys"} {
			if cv == s || strings.HasPrefix(cv, s+"/") {
				a.report(SensitiveVolume, none, "VOLUME %s mounts a sensitive directory", v)
			}
		}
	}
	for p := range c.ExposedPorts {
		if port, proto, _ := strings.Cut(p, "/"); port == "22" && (proto == "" || proto == "tcp") {
			a.report(SSHPort, none, "the image exposes SSH (port 22): use kubectl exec / podman exec instead of an SSH daemon")
		}
	}
	if a.opts.Reference != "" {
		if ref, err := name.ParseReference(a.opts.Reference); err == nil {
			if t, ok := ref.(name.Tag); ok && t.TagStr() == "latest" {
				a.report(LatestTag, none, "%s uses the latest tag: pin a version tag or a digest", a.opts.Reference)
			}
		}
	}
	if !a.opts.ContentTrust {
		a.report(ContentTrust, none, "DOCKER_CONTENT_TRUST is not 1: pulls are not signature-checked")
	}
}

// runsAsRoot tells whether USER u is root, by name or by UID 0 in the
// final /etc/passwd.
func (a *auditor) runsAsRoot(u string) bool {
	user, _, _ := strings.Cut(u, ":")
	if user == "" || user == "root" || user == "0" {
		return true
	}
	if n := a.tree.get("/etc/passwd"); n != nil {
		for _, e := range a.passwd[n] {
			if e.Name == user {
				return e.ID == "0"
			}
		}
	}
	return false
}

// checkHistory looks at every build step: sudo, upgrades, apk caches, ADD
// and secrets in build arguments and RUN lines.
func (a *auditor) checkHistory() {
	layer := 0
	for i, h := range a.cf.History {
		loc := finding.Location{}
		if !h.EmptyLayer {
			loc.Layer = a.layerDigest(layer)
			layer++
		}
		st := ParseStep(h.CreatedBy)
		short := shorten(redactLine(st.Args))
		if st.Instruction == "ADD" && i > 0 {
			a.report(AddInHistory, loc, "step %d uses ADD: use COPY (ADD fetches URLs and unpacks archives): %s", i, short)
		}
		for _, kv := range st.BuildArgs {
			k, v, _ := strings.Cut(kv, "=")
			if v != "" && suspiciousKey(k) && !a.acceptKey(k) {
				a.report(SecretInConfig, loc, "step %d ran with build argument %s, which looks like a secret and stays in the image history: use a build secret mount", i, k)
			}
		}
		if st.Instruction == "ENV" && a.inFinalEnv(st.Args) {
			continue // checkConfig reports the final ENV
		}
		if st.Instruction == "ENV" {
			for _, k := range envKeys(st.Args) {
				if suspiciousKey(k) && !a.acceptKey(k) {
					a.report(SecretInConfig, loc, "step %d set ENV %s, which looks like a secret and stays in the image history", i, k)
				}
			}
		}
		for _, s := range scanSecrets("", []byte(h.CreatedBy), a.acceptKey) {
			a.report(SecretInConfig, loc, "step %d has a %s in its command line, kept in the image history", i, s.what)
		}
		if st.Instruction != "RUN" {
			continue
		}
		script := st.Script()
		for _, cmd := range script.Commands {
			for _, kv := range cmd.Env {
				k, v, _ := strings.Cut(kv, "=")
				if v != "" && suspiciousKey(k) && !a.acceptKey(k) && !strings.HasPrefix(v, "$") {
					a.report(SecretInConfig, loc, "step %d sets %s on a command line kept in the image history", i, k)
				}
			}
			if cmd.Is("export") {
				for _, arg := range cmd.Args {
					k, v, ok := strings.Cut(arg, "=")
					if ok && v != "" && suspiciousKey(k) && !a.acceptKey(k) && !strings.HasPrefix(v, "$") {
						a.report(SecretInConfig, loc, "step %d exports %s on a command line kept in the image history", i, k)
					}
				}
			}
			switch {
			case cmd.Is("sudo"):
				a.report(Sudo, loc, "step %d runs sudo: build steps already run as the USER set, switch with USER instead: %s", i, short)
			case (cmd.Is("apt-get") || cmd.Is("apt") || cmd.Is("aptitude")) && (cmd.HasArg("upgrade") || cmd.HasArg("dist-upgrade") || cmd.HasArg("full-upgrade")):
				a.report(DistUpgrade, loc, "step %d upgrades every package (%s %s): pin a newer base image instead", i, cmd.Name, cmd.Sub())
			case cmd.Is("apk") && cmd.Sub() == "upgrade":
				a.report(DistUpgrade, loc, "step %d runs apk upgrade: pin a newer base image instead", i)
			case cmd.Is("apk") && cmd.Sub() == "add" && !cmd.HasFlag("--no-cache"):
				a.report(ApkAddCache, loc, "step %d runs apk add without --no-cache: %s", i, short)
			}
		}
	}
}

// inFinalEnv reports whether every key an ENV step sets is still in the
// config (then checkConfig has reported it).
func (a *auditor) inFinalEnv(args string) bool {
	for _, k := range envKeys(args) {
		found := false
		for _, kv := range a.cf.Config.Env {
			if strings.HasPrefix(kv, k+"=") {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// envKeys returns the names an ENV step sets ("A=1 B=2" or "A 1").
func envKeys(args string) []string {
	var out []string
	fields := strings.Fields(args)
	if len(fields) > 0 && !strings.Contains(fields[0], "=") {
		return fields[:1]
	}
	for _, f := range fields {
		if k, _, ok := strings.Cut(f, "="); ok && k != "" {
			out = append(out, k)
		}
	}
	return out
}

var assignRe = lazyre.New(`([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|]+)`)

// redactLine hides the values of secret-looking assignments and tokens in
// a command line before it is quoted in a message.
func redactLine(s string) string {
	s = assignRe.ReplaceAllStringFunc(s, func(m string) string {
		k, _, _ := strings.Cut(m, "=")
		if suspiciousKey(k) {
			return k + "=…"
		}
		return m
	})
	for _, t := range tokenRes {
		s = t.re.ReplaceAllString(s, "…")
	}
	return pemKeyRe.ReplaceAllString(s, "…")
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

// checkEntrypoint resolves the program ENTRYPOINT/CMD runs in the final
// image, and the interpreter of a #! script.
func (a *auditor) checkEntrypoint() {
	c := a.cf.Config
	argv := append(append([]string{}, c.Entrypoint...), c.Cmd...)
	if len(argv) == 0 || argv[0] == "" {
		return
	}
	n, real, ok := a.checkProgram(argv[0], "the entrypoint")
	if !ok {
		return
	}
	if isShell(argv[0]) && len(argv) > 2 && argv[1] == "-c" {
		a.checkShellForm(argv[2])
		return
	}
	if n.shebang == "" {
		return
	}
	fields := strings.Fields(n.shebang)
	if len(fields) == 0 {
		return
	}
	interp := fields[0]
	if path.Base(interp) == "env" && len(fields) > 1 {
		if _, _, ok := a.checkProgram(interp, "the interpreter of "+real); !ok {
			return
		}
		interp = fields[1]
		if strings.HasPrefix(interp, "-") { // env -S ...
			return
		}
	}
	a.checkProgram(interp, "the interpreter of "+real)
}

func isShell(prog string) bool {
	switch path.Base(prog) {
	case "sh", "bash", "ash", "dash", "zsh":
		return true
	}
	return false
}

// shellBuiltins run without a program file.
var shellBuiltins = map[string]bool{
	"exec": true, "cd": true, "set": true, "echo": true, "export": true, "test": true, "[": true, "true": true,
	"false": true, "trap": true, "ulimit": true, "umask": true, "source": true, ".": true, "eval": true,
	"printf": true, "read": true, "wait": true, ":": true, "unset": true, "shift": true, "exit": true,
	"local": true, "command": true, "type": true, "[[": true,
}

// checkShellForm checks the programs a shell-form ENTRYPOINT/CMD runs
// (the words are literal; $VARS are left alone).
func (a *auditor) checkShellForm(script string) {
	seen := map[string]bool{}
	for _, cmd := range shell.Parse(script).Commands {
		prog := cmd.Name
		if prog == "exec" {
			if p := cmd.Positional(); len(p) > 0 {
				prog = p[0]
			}
		}
		if prog == "" || shellBuiltins[prog] || seen[prog] || strings.ContainsAny(prog, "$`*?") {
			continue
		}
		seen[prog] = true
		a.checkProgram(prog, "the entrypoint command")
	}
}

// checkProgram finds prog as execve would (PATH for a bare name, the
// working directory for a relative path) and reports when it is missing,
// not executable or writable by every user. ok is true when it was found.
func (a *auditor) checkProgram(prog, what string) (n *node, real string, ok bool) {
	c := a.cf.Config
	var candidates []string
	switch {
	case path.IsAbs(prog):
		candidates = []string{prog}
	case strings.Contains(prog, "/"):
		wd := c.WorkingDir
		if wd == "" {
			wd = "/"
		}
		candidates = []string{path.Join(wd, prog)}
	default:
		p := defaultPath
		for _, kv := range c.Env {
			if v, ok := strings.CutPrefix(kv, "PATH="); ok {
				p = v
			}
		}
		for _, dir := range strings.Split(p, ":") {
			if dir != "" {
				candidates = append(candidates, path.Join(dir, prog))
			}
		}
	}
	for _, cand := range candidates {
		n, real := a.tree.resolve(cand)
		if n == nil {
			continue
		}
		if n.typ == tar.TypeLink {
			target, _ := walk.CleanPath(n.link)
			if t := a.tree.get(target); t != nil {
				n, real = t, target
			}
		}
		if n.typ != tar.TypeReg {
			if len(candidates) == 1 {
				a.reportAt(EntrypointMissing, n, real, "%s %s is not a regular file", what, prog)
				return nil, "", false
			}
			continue
		}
		shown := prog
		if real != prog {
			shown = prog + " (" + real + ")"
		}
		if n.mode&0o111 == 0 {
			a.reportAt(EntrypointMissing, n, real, "%s %s is not executable (mode %04o)", what, shown, n.mode&0o7777)
		}
		if n.mode&0o002 != 0 {
			a.reportAt(EntrypointWorldW, n, real, "%s %s is writable by every user (mode %04o): chmod o-w", what, shown, n.mode&0o7777)
		}
		return n, real, true
	}
	if len(candidates) > 1 {
		a.report(EntrypointMissing, finding.Location{}, "%s %s is not in the image (looked in PATH)", what, prog)
		return nil, "", false
	}
	a.report(EntrypointMissing, locationOf("", candidates[0]), "%s %s is not in the image", what, prog)
	return nil, "", false
}
