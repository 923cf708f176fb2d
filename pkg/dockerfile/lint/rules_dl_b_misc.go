package lint

import (
	"fmt"
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

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

func checkDL3044(c *Context, r *Reporter) {
	defined := map[string]bool{}
	for _, in := range c.Effective() {
		switch in.Cmd {
		case "arg":
			for _, a := range dlbArgs(in) {
				defined[a.Key] = true
			}
		case "env":
			pairs := dlbPairs(in)
			var bad []string
			for i, p := range pairs {
				if defined[p.Key] {
					continue
				}
				for j, q := range pairs {
					if i != j && dlbRefersTo(q.Value, p.Key) {
						bad = append(bad, p.Key)
						break
					}
				}
			}
			for _, p := range pairs {
				defined[p.Key] = true
			}
			if len(bad) > 0 {
				r.At(in, "`"+strings.Join(bad, "`, `")+"` is defined and used in the same `ENV`: the reference still sees the old value; split it into two ENV instructions.")
			}
		}
	}
}

func dlbVarChar(ch byte) bool {
	return ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch == '_'
}

// dlbRefersTo reports ${name} or $name (not $nameX) in text.
func dlbRefersTo(text, name string) bool {
	if strings.Contains(text, "${"+name+"}") {
		return true
	}
	v := "$" + name
	if !strings.Contains(text, v) {
		return false
	}
	for _, rest := range strings.Split(text, v)[1:] {
		if rest == "" || !dlbVarChar(rest[0]) {
			return true
		}
	}
	return false
}

func checkDL3045(c *Context, r *Reporter) {
	workdir := map[string]bool{}
	for _, st := range c.File.Stages {
		name := dlbStageName(st)
		if st.From != nil {
			workdir[name] = workdir[dlbImageName(st.Base)]
			// FROM build_${ENV}: when every earlier stage the pattern can
			// name sets WORKDIR, so does this one.
			if pre, _, ok := strings.Cut(strings.ToLower(st.Base), "$"); ok && pre != "" {
				matched, all := false, true
				for _, prev := range c.File.Stages[:st.Index] {
					if prev.Name != "" && strings.HasPrefix(prev.Name, pre) {
						matched, all = true, all && workdir[dlbStageName(prev)]
					}
				}
				workdir[name] = workdir[name] || matched && all
			}
		}
		for _, in := range c.StageEffective(st) {
			switch in.Cmd {
			case "workdir":
				workdir[name] = true
			case "copy":
				if workdir[name] || len(in.Args) < 2 {
					continue
				}
				dest := strings.Trim(in.Args[len(in.Args)-1], `"'`)
				if strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "$") ||
					len(dest) > 1 && (strings.HasPrefix(dest[1:], `:\`) || strings.HasPrefix(dest[1:], ":/")) {
					continue
				}
				r.At(in, "`COPY` to the relative destination `"+dest+"` without `WORKDIR` set: use an absolute path or set `WORKDIR` first.")
			}
		}
	}
}

func checkDL3057(c *Context, r *Reporter) {
	final := c.File.Final()
	if final == nil || final.From == nil {
		return
	}
	for idx := range dlbFinalChain(c.File) {
		for _, in := range c.File.Stages[idx].Instructions {
			if in.Cmd == "healthcheck" {
				return
			}
		}
	}
	r.At(final.From, "`HEALTHCHECK` instruction missing: add `HEALTHCHECK CMD <probe>` (or `HEALTHCHECK NONE` to say there is none on purpose).")
}

func checkDL3059(c *Context, r *Reporter) {
	var prev *dockerfile.Instruction
	prevCount := 0
	count := func(in *dockerfile.Instruction) int {
		s := c.Script(in)
		if s == nil {
			return 1
		}
		n := 0
		for _, cmd := range s.Commands {
			if !cmd.Nested {
				n++
			}
		}
		return n
	}
	for _, in := range c.File.Instructions {
		if in.Cmd != "run" {
			prev = nil
			continue
		}
		n := count(in)
		if prev != nil && dlbSameFlags(prev, in) && n <= 1 && prevCount <= 1 {
			r.At(in, "Multiple consecutive `RUN` instructions: join them with `&&` into one RUN to save a layer.")
		}
		prev, prevCount = in, n
	}
}

func dlbSameFlags(a, b *dockerfile.Instruction) bool {
	if len(a.Flags) != len(b.Flags) {
		return false
	}
	seen := map[string]int{}
	for _, f := range a.Flags {
		seen[f]++
	}
	for _, f := range b.Flags {
		if seen[f] == 0 {
			return false
		}
		seen[f]--
	}
	return true
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

// dlbSensitiveNames are hadolint's known secret variable names.
var dlbSensitiveNames = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`ACCESS_TOKEN APPLICATION_KEY APP_SECRET AUTH_TOKEN AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
		BITTREX_API_KEY BITTREX_API_SECRET CF_PASSWORD CF_USERNAME CIRCLE_TOKEN CI_DEPLOY_PASSWORD CI_DEPLOY_USER
		DOCKERHUB_PASSWORD DOCKER_EMAIL DOCKER_PASSWORD DOCKER_USERNAME FACEBOOK_ACCESS_TOKEN FACEBOOK_APP_ID
		FACEBOOK_APP_SECRET FIREBASE_API_TOKEN FIREBASE_TOKEN FOSSA_API_KEY GH_ENTERPRISE_TOKEN GH_TOKEN
		GITHUB_ENTERPRISE_TOKEN GITHUB_TOKEN HEROKU_API_KEY HEROKU_API_USER NPM_AUTH_TOKEN NPM_TOKEN
		OKTA_AUTHN_GROUPID OKTA_CLIENT_ORGURL OKTA_CLIENT_TOKEN OKTA_OAUTH2_CLIENTID OKTA_OAUTH2_CLIENTSECRET
		OPENAI_API_KEY OS_PASSWORD OS_USERNAME POSTGRES_PASSWORD SLACK_TOKEN STRIPE_API_KEY STRIPE_DEVICE_NAME
		TRAVIS_OS_NAME TRAVIS_SECURE_ENV_VARS TRAVIS_SUDO VAULT_CLIENT_KEY VAULT_TOKEN`) {
		m[n] = true
	}
	return m
}()

var dlbSuspicious = []string{"api_key", "client_key", "password", "private", "secret", "token", "username"}

func dlbSensitive(name string) bool {
	if dlbSensitiveNames[strings.ToUpper(name)] {
		return true
	}
	low := strings.ToLower(name)
	for _, s := range dlbSuspicious {
		if strings.Contains(low, s) {
			return true
		}
	}
	return false
}

func checkDL3064(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		var names []string
		switch in.Cmd {
		case "arg":
			for _, a := range dlbArgs(in) {
				if dlbSensitive(a.Key) {
					names = append(names, a.Key)
				}
			}
		case "env":
			for _, p := range dlbPairs(in) {
				if dlbSensitive(p.Key) {
					names = append(names, p.Key)
				}
			}
		default:
			continue
		}
		if len(names) > 0 {
			what := "looks like a secret"
			if len(names) > 1 {
				what = "look like secrets"
			}
			r.At(in, "`"+strings.Join(names, "`, `")+"` "+what+": ARG and ENV values stay in the image history; pass secrets with `RUN --mount=type=secret` instead.")
		}
	}
}

func checkDL3065(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		if st.From == nil || (st.Platform != "$TARGETPLATFORM" && st.Platform != "${TARGETPLATFORM}") {
			continue
		}
		r.Fix(st.From, "`FROM --platform="+st.Platform+"` is redundant: it is the default; remove the flag.", dlbRemoveFlag(c.File, st.From, "--platform="+st.Platform))
	}
}

// dlbRemoveFlag builds a fix deleting flag (and the blanks after it) from
// the instruction's first line.
func dlbRemoveFlag(f *dockerfile.File, in *dockerfile.Instruction, flag string) *finding.Fix {
	if in.Offset < 0 || in.EndOffset > len(f.Source) || in.Offset >= in.EndOffset {
		return nil
	}
	raw := string(f.Source[in.Offset:in.EndOffset])
	i := strings.Index(raw, flag)
	if i < 0 {
		return nil
	}
	end := i + len(flag)
	for end < len(raw) && (raw[end] == ' ' || raw[end] == '\t') {
		end++
	}
	return &finding.Fix{Description: "remove " + flag, Edits: []finding.Edit{Edit(f, in.Offset+i, in.Offset+end, "")}}
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

func checkDL3067(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if in.Cmd != "copy" || len(in.Args) < 2 {
			continue
		}
		if _, ok := in.Flag("from"); !ok {
			continue
		}
		dest := strings.Trim(in.Args[len(in.Args)-1], `"'`)
		if dest != "/" {
			continue
		}
		for _, src := range in.Args[:len(in.Args)-1] {
			if strings.Trim(src, `"'`) == "/" {
				r.At(in, "Do not copy an entire filesystem from another stage: copy only the files the image needs.")
				break
			}
		}
	}
}

var dlbQuoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

func checkDL4000(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if in.Cmd != "maintainer" {
			continue
		}
		who := strings.TrimSpace(strings.Join(in.Args, " "))
		if len(who) >= 2 && who[0] == '"' && who[len(who)-1] == '"' {
			who = who[1 : len(who)-1]
		}
		var fix *finding.Fix
		if !in.InOnBuild && strings.IndexByte(who, '\n') < 0 {
			q := dlbQuoteEscaper.Replace(who)
			fix = &finding.Fix{Description: "replace MAINTAINER with LABEL maintainer=",
				Edits: []finding.Edit{Edit(c.File, in.Offset, in.EndOffset, `LABEL maintainer="`+q+`"`)}}
		}
		r.Fix(in, "`MAINTAINER` is deprecated: use `LABEL maintainer=\""+who+"\"` instead.", fix)
	}
}

func dlbMultiple(c *Context, r *Reporter, cmd, msg string) {
	for _, st := range c.File.Stages {
		seen := false
		for _, in := range st.Instructions {
			if in.Cmd != cmd {
				continue
			}
			if seen {
				r.At(in, msg)
			}
			seen = true
		}
	}
}

func checkDL4003(c *Context, r *Reporter) {
	dlbMultiple(c, r, "cmd", "Multiple `CMD` instructions found: only the last `CMD` takes effect; keep one per stage.")
}

func checkDL4004(c *Context, r *Reporter) {
	dlbMultiple(c, r, "entrypoint", "Multiple `ENTRYPOINT` instructions found: only the last `ENTRYPOINT` takes effect; keep one per stage.")
}
