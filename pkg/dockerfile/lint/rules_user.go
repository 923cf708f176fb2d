package lint

import (
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func userRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3000", Severity: finding.Error, Category: finding.Correctness,
			Description: "Use absolute WORKDIR.",
			Remediation: "Write WORKDIR with an absolute path, such as `WORKDIR /app`.",
			DocsURL:     hadolintWiki + "DL3000"}, checkDL3000).WithTwins(linter.RuleWorkdirRelativePath.Name),
		rule(finding.Spec{ID: "DL3002", Severity: finding.Warning, Category: finding.Security,
			Description: "Last user should not be root.",
			Remediation: "End the stage with `USER` set to a non-root user.",
			DocsURL:     hadolintWiki + "DL3002"}, checkDL3002),
		rule(finding.Spec{ID: "DL3003", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Use WORKDIR to switch to a directory.",
			Remediation: "Replace `cd dir && ...` in RUN with a `WORKDIR dir` instruction.",
			DocsURL:     hadolintWiki + "DL3003"}, checkDL3003),
		rule(finding.Spec{ID: "DL3011", Severity: finding.Error, Category: finding.Correctness,
			Description: "Valid UNIX ports range from 0 to 65535.",
			Remediation: "Use a port number between 0 and 65535 in EXPOSE.",
			DocsURL:     hadolintWiki + "DL3011"}, checkDL3011),
		rule(finding.Spec{ID: "DL3046", Severity: finding.Warning, Category: finding.Size,
			Description: "`useradd` without flag `-l` and high UID will result in excessively large Image.",
			Remediation: "Add `-l` (`--no-log-init`) to `useradd` when giving a high UID.",
			DocsURL:     hadolintWiki + "DL3046"}, checkDL3046),
		rule(finding.Spec{ID: "DL3066", Severity: finding.Info, Category: finding.Security,
			Description: "Non-numeric user-id may not be resolvable by host system",
			Remediation: "Give USER a numeric user ID (and group ID), such as `USER 10001:10001`.",
			DocsURL:     hadolintWiki + "DL3066"}, checkDL3066),
		rule(finding.Spec{ID: "SS007", Severity: finding.Warning, Category: finding.Security,
			Description: "The final stage runs as root because no USER is set.",
			Remediation: "Add `USER` with a non-root user to the final stage."}, checkSS007),
		bk(linter.RuleWorkdirRelativePath, finding.Spec{Category: finding.Correctness,
			Remediation: "Write WORKDIR with an absolute path, such as `WORKDIR /app`."}, bkCheckWorkdirRelativePath),
		bk(linter.RuleExposeProtoCasing, finding.Spec{Category: finding.Maintainability,
			Remediation: "Write the EXPOSE protocol in lowercase, such as `8080/tcp`."}, bkCheckExposeProtoCasing),
		bk(linter.RuleExposeInvalidFormat, finding.Spec{Category: finding.Correctness,
			Remediation: "Write EXPOSE as `port[/protocol]`, without an IP address or host port."}, bkCheckExposeInvalidFormat),
	}
}

var windowsAbsRe = lazyre.New(`^[A-Za-z]:[\\/]`)

func checkDL3000(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if in.Cmd != "workdir" || len(in.Args) == 0 {
			continue
		}
		dir := unquote(strings.TrimSpace(strings.Join(in.Args, " ")))
		if strings.HasPrefix(dir, "/") || strings.HasPrefix(dir, "$") || windowsAbsRe.MatchString(dir) {
			continue
		}
		r.At(in, "Use absolute WORKDIR: `WORKDIR "+dir+"` depends on the previous WORKDIR; write the full path, e.g. `WORKDIR /"+strings.TrimPrefix(dir, "./")+"`.")
	}
}

func isRootUser(u string) bool {
	return u == "root" || u == "0" || strings.HasPrefix(u, "root:") || strings.HasPrefix(u, "0:")
}

// checkDL3002 reports every stage whose last USER is root, as hadolint does
// (a stage built on such a stage inherits the user).
func checkDL3002(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		if st.From == nil {
			continue // hadolint only follows users after a FROM
		}
		var last *dockerfile.Instruction
		for _, in := range st.Instructions {
			if in.Cmd != "user" || len(in.Args) == 0 {
				continue
			}
			if isRootUser(unquote(in.Args[0])) {
				last = in
			} else {
				last = nil
			}
		}
		if last != nil {
			r.At(last, "Last USER should not be root: add `USER <non-root user>` (create one with useradd/adduser) after the steps that need root.")
		}
	}
}

func checkDL3003(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if s := c.Script(in); s != nil && s.Has("cd") {
			r.At(in, "Use WORKDIR to switch to a directory instead of `cd` in RUN (or a subshell `(cd dir && ...)`).")
		}
	}
}

func checkDL3011(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if in.Cmd != "expose" {
			continue
		}
		for _, a := range in.Args {
			a = unquote(a)
			if strings.Contains(a, "$") {
				continue
			}
			p, _, _ := strings.Cut(a, "/")
			for _, part := range strings.Split(p, "-") {
				n, err := strconv.Atoi(part)
				if err == nil && (n < 0 || n > 65535) {
					r.At(in, "Valid UNIX ports range from 0 to 65535: `"+a+"` is out of range; expose the port the process really listens on.")
					goto next
				}
			}
		}
	next:
	}
}

func checkDL3066(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if in.Cmd != "user" || len(in.Args) == 0 {
			continue
		}
		uid, _, _ := strings.Cut(in.Args[0], ":")
		if strings.HasPrefix(uid, "$") || strings.Trim(uid, "0123456789") == "" {
			continue
		}
		r.At(in, "`USER "+uid+"` is not numeric: use the numeric UID (e.g. `USER 10001`) so the host and Kubernetes (runAsNonRoot) can resolve it.")
	}
}

func checkDL3046(c *Context, r *Reporter) {
	for _, run := range runScripts(c) {
		var bad []shell.Command
		for _, cmd := range run.Script.Commands {
			if baseName(cmd.Name) != "useradd" || hasFlag(cmd, "l", "no-log-init") || !hasFlag(cmd, "u", "uid") {
				continue
			}
			if uid, _ := cmd.FlagValue("-u", "--uid"); len(uid) > 5 {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			r.Fix(run.In, "Add `-l` (`--no-log-init`) to useradd: with a high UID the lastlog and faillog files grow huge.",
				fixEachAfterWord(c.File, run, bad, func(cmd shell.Command) string { return cmd.Name }, " -l", "add -l to useradd"))
		}
	}
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

func laterRun(ins []*dockerfile.Instruction) bool {
	for _, in := range ins {
		if in.Cmd == "run" || in.Cmd == "copy" || in.Cmd == "add" {
			return true
		}
	}
	return false
}

func bkCheckWorkdirRelativePath(c *Context, r *Reporter, format func(string) string) {
	set := map[int]bool{}
	for _, s := range c.File.Stages {
		done := false
		if p := parentStage(c.File, s); p != nil {
			done = set[p.Index]
		}
		for _, in := range bkStageCommands(s) {
			if in.Cmd != "workdir" || len(in.Args) == 0 {
				continue
			}
			if !done {
				p := strings.Trim(in.Args[0], `"'`)
				// A path starting with a variable may well be absolute.
				if !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "$") && !strings.HasPrefix(p, `\`) && !windowsAbsRe.MatchString(p) {
					r.At(in, format(p))
				}
			}
			done = true
		}
		set[s.Index] = done
	}
}

// bkExposePorts yields EXPOSE words with the stage's variables unresolved
// ones skipped (their value is unknown).
func bkExposePorts(c *Context, yield func(in *dockerfile.Instruction, port string)) {
	for _, s := range c.File.Stages {
		for _, in := range bkStageCommands(s) {
			if in.Cmd != "expose" {
				continue
			}
			for _, p := range in.Args {
				if strings.Contains(p, "$") {
					continue
				}
				yield(in, strings.Trim(p, `"'`))
			}
		}
	}
}

func bkCheckExposeProtoCasing(c *Context, r *Reporter, format func(string) string) {
	bkExposePorts(c, func(in *dockerfile.Instruction, port string) {
		parts := strings.Split(port, ":")
		_, proto, _ := strings.Cut(parts[len(parts)-1], "/")
		if proto != strings.ToLower(proto) {
			r.At(in, format(port))
		}
	})
}

func bkCheckExposeInvalidFormat(c *Context, r *Reporter, format func(string) string) {
	bkExposePorts(c, func(in *dockerfile.Instruction, port string) {
		if strings.Contains(port, ":") {
			r.At(in, format(port))
		}
	})
}
