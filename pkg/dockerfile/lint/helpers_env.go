package lint

import (
	"sort"
	"strings"

	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/slimship/slimship/pkg/dockerfile"
)

// keyValues returns the key/value pairs of an ENV or LABEL instruction.
// BuildKit gives them as triples (key, value, "=" or "" for the legacy
// `ENV key value` form).
func keyValues(in *dockerfile.Instruction) []kv {
	var out []kv
	for i := 0; i+1 < len(in.Args); i += 3 {
		out = append(out, kv{Key: unquoteWord(in.Args[i]), Value: unquoteWord(in.Args[i+1]), HasValue: true})
	}
	return out
}

// argPairs returns the names (and defaults) an ARG declares.
func argPairs(in *dockerfile.Instruction) []kv {
	var out []kv
	for _, a := range in.Args {
		k, v, ok := strings.Cut(a, "=")
		out = append(out, kv{Key: k, Value: unquoteWord(v), HasValue: ok})
	}
	return out
}

// metaDefaults are the defaults of ARGs before the first FROM.
func metaDefaults(f *dockerfile.File) map[string]string {
	m := map[string]string{}
	for _, in := range f.MetaArgs {
		for _, a := range in.Args {
			k, v, ok := strings.Cut(a, "=")
			if ok {
				m[k] = unquote(v)
			} else if _, seen := m[k]; !seen {
				m[k] = ""
			}
		}
	}
	return m
}

// expandMeta substitutes $VAR, ${VAR} and ${VAR:-default} from the meta
// ARG defaults. ok is false when a variable has no value.
func expandMeta(s string, vars map[string]string) (string, bool) {
	if !strings.Contains(s, "$") {
		return s, true
	}
	ok := true
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		name, def, end := "", "", i+1
		if s[i+1] == '{' {
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return s, false
			}
			inner := s[i+2 : i+j]
			end = i + j + 1
			if k := strings.Index(inner, ":-"); k >= 0 {
				name, def = inner[:k], inner[k+2:]
			} else if k := strings.IndexAny(inner, ":-+?"); k >= 0 {
				name = inner[:k]
			} else {
				name = inner
			}
		} else {
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			name, end = s[i+1:j], j
		}
		v, has := vars[name]
		if !has || v == "" {
			v = def
		}
		if v == "" {
			ok = false
		}
		b.WriteString(v)
		i = end - 1
	}
	return b.String(), ok
}

// kv is one key/value pair of ENV, LABEL or ARG; HasValue is false for an
// ARG without default.
type kv struct {
	Key, Value string
	HasValue   bool
}

// envPairs returns the key/value pairs of an ENV or ARG.
func envPairs(in *dockerfile.Instruction) []kv {
	switch in.Cmd {
	case "env":
		return keyValues(in)
	case "arg":
		return argPairs(in)
	}
	return nil
}

// bkBuiltinArgs are the ARGs BuildKit defines for every build, with the values
// of a linux/amd64 build.
var bkBuiltinArgs = map[string]string{
	"BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDOSVERSION": "", "BUILDARCH": "amd64", "BUILDVARIANT": "",
	"TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETOSVERSION": "", "TARGETARCH": "amd64", "TARGETVARIANT": "",
	"TARGETSTAGE": "default",
}

// bkPredefinedArgs are build args Docker accepts without an ARG
// instruction, and PATH, which BuildKit sets in every stage.
var bkPredefinedArgs = map[string]bool{"PATH": true,
	"HTTP_PROXY": true, "http_proxy": true, "HTTPS_PROXY": true, "https_proxy": true, "FTP_PROXY": true,
	"ftp_proxy": true, "NO_PROXY": true, "no_proxy": true, "ALL_PROXY": true, "all_proxy": true,
}

// bkEnvMap is a shell.EnvGetter over known names (values may be placeholders).
type bkEnvMap map[string]string

func (e bkEnvMap) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }

func (e bkEnvMap) Keys() []string {
	out := make([]string, 0, len(e))
	for k := range e {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func bkArgKeyValue(word string) (string, *string) {
	k, v, ok := strings.Cut(word, "=")
	if !ok {
		return k, nil
	}
	return k, &v
}

// bkGlobalArgs returns the meta ARGs with their defaults expanded, plus
// BuildKit's builtin args, as FROM sees them without --build-arg. It is
// built once per file; callers must not change it.
func (c *Context) bkGlobalArgs() bkEnvMap {
	if c.globalArgs == nil {
		c.globalArgs = c.buildGlobalArgs()
	}
	return c.globalArgs
}

func (c *Context) buildGlobalArgs() bkEnvMap {
	env := bkEnvMap{}
	for k, v := range bkBuiltinArgs {
		env[k] = v
	}
	lex := bkshell.NewLex(c.File.Escape)
	for _, in := range c.File.MetaArgs {
		for _, a := range in.Args {
			k, v := bkArgKeyValue(a)
			if v == nil {
				if _, ok := env[k]; !ok {
					env[k] = ""
				}
				continue
			}
			res, err := lex.ProcessWordWithMatches(*v, env)
			if err != nil {
				env[k] = *v
				continue
			}
			env[k] = res.Result
		}
	}
	return env
}
