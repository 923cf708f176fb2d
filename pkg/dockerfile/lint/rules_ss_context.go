package lint

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

// maxIgnoreFile bounds the .dockerignore files read.
const maxIgnoreFile = 1 << 20

// exists reports whether name exists in dir.
func exists(dir, name string) bool {
	_, err := os.Lstat(filepath.Join(dir, name))
	return err == nil
}

// ignoreFile finds the ignore file BuildKit would use for the Dockerfile:
// <Dockerfile>.dockerignore beside it, else .dockerignore in the context.
func ignoreFile(c *Context) (name string, content []byte, found bool) {
	cands := []string{".dockerignore"}
	if c.File.Path != "" && c.File.Path != "-" {
		cands = append([]string{filepath.Base(c.File.Path) + ".dockerignore"}, cands...)
	}
	for _, n := range cands {
		f, err := os.Open(filepath.Join(c.Dir, n))
		if err != nil {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(f, maxIgnoreFile))
		f.Close()
		if err != nil {
			continue
		}
		return n, b, true
	}
	return ".dockerignore", nil, false
}

// checkSS006: whole context copied without a .dockerignore excluding .git
// and local dependency trees.
func checkSS006(c *Context, r *Reporter) {
	if c.Dir == "" {
		return
	}
	var whole *dockerfile.Instruction
	for _, in := range c.Effective() {
		if wholeContext(in) {
			whole = in
			break
		}
	}
	if whole == nil {
		return
	}
	want := []string{".git"}
	for _, n := range []string{"node_modules", "venv", ".venv", "__pycache__", ".env"} {
		if exists(c.Dir, n) {
			want = append(want, n)
		}
	}
	name, content, found := ignoreFile(c)
	if !found {
		text := strings.Join(want, "\n") + "\n"
		r.Fix(whole, fmt.Sprintf("the whole context is sent to the builder and copied without a .dockerignore: add one excluding %s", strings.Join(want, ", ")),
			&finding.Fix{Description: "create .dockerignore", Edits: []finding.Edit{{File: filepath.Join(c.Dir, name), Create: true, NewText: text}}})
		return
	}
	patterns, err := ignorefile.ReadAll(bytes.NewReader(content))
	if err != nil {
		return
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return
	}
	var missing []string
	for _, w := range want {
		if ok, err := pm.MatchesOrParentMatches(w); err == nil && !ok {
			missing = append(missing, w)
		}
	}
	if len(missing) == 0 {
		return
	}
	text := strings.Join(missing, "\n") + "\n"
	if len(content) > 0 && content[len(content)-1] != '\n' {
		text = "\n" + text
	}
	r.Fix(whole, fmt.Sprintf("%s does not exclude %s, which the whole-context COPY then sends and copies: add them", name, strings.Join(missing, ", ")),
		&finding.Fix{Description: "add " + strings.Join(missing, ", ") + " to " + name, Edits: []finding.Edit{{File: filepath.Join(c.Dir, name), Offset: len(content), Line: bytes.Count(content, []byte("\n")) + 1, Column: len(content) - bytes.LastIndexByte(content, '\n'), NewText: text}}})
}

// secretWords are name parts that mark a secret (whole words of the
// variable name split on _ - and .).
var secretWords = map[string]bool{"password": true, "passwd": true, "pass": true, "pwd": true, "token": true, "secret": true,
	"apikey": true, "credentials": true, "credential": true, "privatekey": true, "accesskey": true, "secretkey": true, "authtoken": true}

// secretPairs are two adjacent name parts that mark a secret.
var secretPairs = map[string]bool{"api_key": true, "private_key": true, "access_key": true, "secret_key": true, "client_secret": true, "auth_token": true}

// notSecretWords as a name part mean the variable holds a reference to a
// secret, not the secret (TOKEN_URL, PASSWORD_FILE, SECRET_PATH).
var notSecretWords = map[string]bool{"url": true, "uri": true, "file": true, "path": true, "dir": true, "host": true, "port": true,
	"name": true, "user": true, "username": true, "length": true, "len": true, "type": true, "header": true, "endpoint": true,
	"id": true, "enabled": true, "enable": true, "disable": true, "disabled": true, "required": true, "public": true, "version": true,
	"env": true, "prefix": true, "policy": true, "mode": true, "expiry": true, "ttl": true, "timeout": true, "location": true, "ref": true, "method": true, "algorithm": true}

func secretName(name string) bool {
	parts := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	hit := false
	for i, p := range parts {
		if notSecretWords[p] {
			return false
		}
		if secretWords[p] {
			hit = true
		}
		if i+1 < len(parts) && secretPairs[p+"_"+parts[i+1]] {
			hit = true
		}
	}
	// A lone PWD is the working directory.
	if len(parts) == 1 && parts[0] == "pwd" {
		return false
	}
	return hit
}

// secretValues are values shaped like well-known credentials.
var secretValues = []struct {
	what string
	re   *lazyre.Regexp
}{
	{"an AWS access key", lazyre.New(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"a private key", lazyre.New(`-----BEGIN ([A-Z]+ )?PRIVATE KEY`)},
	{"a GitHub token", lazyre.New(`\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`)},
	{"a Slack token", lazyre.New(`\bxox[baprs]-[A-Za-z0-9-]{10,}`)},
	{"a GitLab token", lazyre.New(`\bglpat-[A-Za-z0-9_-]{20,}`)},
	{"a Stripe key", lazyre.New(`\b[sr]k_live_[A-Za-z0-9]{20,}`)},
	{"a Google API key", lazyre.New(`\bAIza[0-9A-Za-z_-]{35}\b`)},
}

// placeholderValue reports values that are not secrets: references,
// booleans, numbers, paths.
func placeholderValue(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" || strings.Contains(v, "$") || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.Contains(v, "://") {
		return true
	}
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off", "none", "null", "nil", "-", "\"\"", "''", "changeme", "change_me", "xxx", "<token>", "your_token", "your-token", "secret", "password", "placeholder", "dummy", "test":
		return true
	}
	return strings.Trim(v, "0123456789") == ""
}

// checkSS009: secret-looking ENV or ARG values.
func checkSS009(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if in.Cmd != "env" && in.Cmd != "arg" {
			continue
		}
		for _, p := range envPairs(in) {
			if urlCredentials(p.Value) {
				r.At(in, fmt.Sprintf("%s %s holds a URL with a password, which stays in the image: pass it with RUN --mount=type=secret or at run time", strings.ToUpper(in.Cmd), p.Key))
				continue
			}
			for _, sv := range secretValues {
				if sv.re.MatchString(p.Value) {
					r.At(in, fmt.Sprintf("%s %s holds what looks like %s, which stays in the image: pass it with RUN --mount=type=secret or at run time", strings.ToUpper(in.Cmd), p.Key, sv.what))
					goto next
				}
			}
			if p.HasValue && secretName(p.Key) && !placeholderValue(p.Value) {
				where := "the image config"
				if in.Cmd == "arg" {
					where = "the build history"
				}
				r.At(in, fmt.Sprintf("%s %s has a hard-coded secret-looking value that stays in %s: use RUN --mount=type=secret,id=%s, or set it at run time", strings.ToUpper(in.Cmd), p.Key, where, strings.ToLower(p.Key)))
			}
		next:
		}
	}
}

// npmLockCopied reports whether the stage chain copied an npm lockfile into
// the image before `before`.
func npmLockCopied(c *Context, s *dockerfile.Stage, before *dockerfile.Instruction) bool {
	for _, in := range chainInstructions(c, s) {
		if in == before {
			break
		}
		if in.Cmd != "copy" && in.Cmd != "add" {
			continue
		}
		srcs, _ := copyParts(in)
		for _, src := range srcs {
			src = strings.TrimSuffix(unquote(src), "/")
			base := filepath.Base(src)
			if wholeContext(in) || base == "package-lock.json" || base == "npm-shrinkwrap.json" || base == "package*.json" || base == "*.json" || base == "*" {
				return true
			}
			// A directory (no extension) may hold the lockfile.
			if copyFrom(in) == "" && filepath.Ext(base) == "" && !strings.Contains(base, "*") {
				return true
			}
		}
	}
	return false
}

var npmInstallRe = lazyre.New(`\bnpm(\s+(--?[A-Za-z][-A-Za-z=.]*))*\s+(install|i)\b`)

// checkSS010: installs that do not honour a lockfile.
func checkSS010(c *Context, r *Reporter) {
	unknown := c.Dir == ""
	npmLock := !unknown && (exists(c.Dir, "package-lock.json") || exists(c.Dir, "npm-shrinkwrap.json"))
	yarnLock := !unknown && exists(c.Dir, "yarn.lock")
	for _, s := range c.File.Stages {
		constrained := false
		for _, in := range c.StageEffective(s) {
			for _, p := range envPairs(in) {
				if p.Key == "PIP_CONSTRAINT" || p.Key == "PIP_REQUIRE_HASHES" {
					constrained = true
				}
			}
			sc := runScript(c, in)
			if sc == nil {
				continue
			}
			var npm, yarn, pip []shell.Command
			for _, cmd := range sc.Commands {
				switch {
				case cmd.Is("npm") && (cmd.Sub() == "install" || cmd.Sub() == "i") && len(cmd.Positional()) == 1 && !cmd.HasFlag("-g", "--global"):
					npm = append(npm, cmd)
				case cmd.Is("yarn") && (cmd.Sub() == "install" || bareCommand(cmd)) && !cmd.HasFlag("--frozen-lockfile", "--immutable"):
					yarn = append(yarn, cmd)
				case isPip(cmd):
					if cmd.HasFlag("-r", "--requirement", "-c", "--constraint") {
						constrained = true
						continue
					}
					if cmd.HasFlag("--no-deps", "--require-hashes") || constrained {
						continue
					}
					for _, a := range pipTargets(cmd) {
						if a == "." || a == "./" || strings.HasPrefix(a, ".[") || strings.HasPrefix(a, "./") && !strings.HasSuffix(a, ".whl") && !strings.HasSuffix(a, ".tar.gz") {
							pip = append(pip, cmd)
							break
						}
					}
				}
			}
			if len(npm) > 0 && (unknown || npmLock) {
				var fix *finding.Fix
				text := string(c.File.Source[in.Offset:in.EndOffset])
				locs := npmInstallRe.FindAllStringSubmatchIndex(text, -1)
				if npmLock && len(npm) == 1 && len(locs) == 1 && simpleShellRun(in) && npmLockCopied(c, s, in) {
					start, end := in.Offset+locs[0][6], in.Offset+locs[0][7]
					fix = &finding.Fix{Description: "use npm ci", Edits: []finding.Edit{Edit(c.File, start, end, "ci")}}
				}
				r.Fix(in, "npm install may resolve different versions than the lockfile: use npm ci (with package-lock.json copied in)", fix)
			}
			if len(yarn) > 0 && (unknown || yarnLock) {
				r.At(in, "yarn install may change the lockfile: use yarn install --frozen-lockfile (Yarn 1) or --immutable (Yarn 2+)")
			}
			if len(pip) > 0 {
				r.At(in, "pip install of the project resolves its dependencies afresh on every build: install pinned requirements first (pip install -r requirements.txt, or -c constraints.txt), then the project with --no-deps")
			}
		}
	}
}

// pipTargets returns the install targets of a pip command, with -e PATH
// folded into "-e PATH".
func pipTargets(cmd shell.Command) []string {
	var out []string
	args := cmd.Args
	started := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !started {
			if a == "install" {
				started = true
			}
			continue
		}
		switch {
		case a == "-e" || a == "--editable":
			if i+1 < len(args) {
				out = append(out, "-e "+args[i+1], args[i+1])
				i++
			}
		case strings.HasPrefix(a, "-"):
			switch a {
			case "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--trusted-host", "--platform", "--python-version", "--src", "--cache-dir":
				i++
			}
		default:
			out = append(out, a)
		}
	}
	return out
}

var urlUserinfo = lazyre.New(`[a-z][a-z0-9+.-]*://([^/\s:@$]+):([^/\s@$]+)@([^/\s:?#]+)`)

// urlCredentials reports a URL with a real-looking password. Build-time
// dummies (postgresql://user:pass@localhost/dummy, placeholder:placeholder@)
// are left alone.
func urlCredentials(v string) bool {
	m := urlUserinfo.FindStringSubmatch(v)
	if m == nil {
		return false
	}
	pass, host := strings.ToLower(m[2]), strings.ToLower(m[3])
	switch host {
	case "localhost", "127.0.0.1", "placeholder", "example.com", "host", "db", "postgres", "mysql", "redis":
		return false
	}
	return !placeholderValue(pass) && pass != "pass" && pass != "placeholder" && pass != m[1]
}
