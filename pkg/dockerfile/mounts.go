package dockerfile

import (
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Mount is one RUN --mount, as BuildKit's instruction parser reads it.
type Mount struct {
	// Type is bind (BuildKit's default), cache, tmpfs, secret or ssh.
	Type   string
	Target string
	Source string
	From   string
	ID     string
}

// Transient reports whether what the RUN writes under the mount stays out
// of the image (a cache or tmpfs mount).
func (m Mount) Transient() bool { return m.Type == "cache" || m.Type == "tmpfs" }

// Covers reports whether dir lies at or under the mount's target, compared
// by path components: a mount at /var/cache covers /var/cache/apk, one at
// /var/cache/apkfoo does not.
func (m Mount) Covers(dir string) bool {
	if m.Target == "" || dir == "" {
		return false
	}
	t, d := path.Clean("/"+m.Target), path.Clean("/"+dir)
	return t == d || t == "/" || strings.HasPrefix(d, t+"/")
}

// CachesDir reports whether a RUN keeps one of dirs out of the image with a
// cache or tmpfs mount at the directory or a parent of it. It is the one
// place rules ask whether a cache directory is mounted.
func (in *Instruction) CachesDir(dirs ...string) bool {
	for _, m := range in.Mounts {
		if !m.Transient() {
			continue
		}
		for _, d := range dirs {
			if m.Covers(d) {
				return true
			}
		}
	}
	return false
}

// parseMounts reads the --mount flags of a RUN with BuildKit's instruction
// parser, variables left as written. A mount BuildKit refuses (a typo'd key,
// a $VAR type) is read leniently, key by key, so rules still see it; the
// build itself reports the error.
func parseMounts(n *parser.Node, flags []string) []Mount {
	var raw []string
	for _, fl := range flags {
		k, v, _ := strings.Cut(strings.TrimPrefix(fl, "--"), "=")
		if strings.EqualFold(k, "mount") {
			raw = append(raw, v)
		}
	}
	if len(raw) == 0 {
		return nil
	}
	if mounts, ok := bkMounts(n); ok && len(mounts) == len(raw) {
		return mounts
	}
	out := make([]Mount, 0, len(raw))
	for _, r := range raw {
		out = append(out, lenientMount(r))
	}
	return out
}

func bkMounts(n *parser.Node) (out []Mount, ok bool) {
	defer func() {
		if recover() != nil {
			out, ok = nil, false
		}
	}()
	cmd, err := instructions.ParseInstruction(n)
	if err != nil {
		return nil, false
	}
	run, isRun := cmd.(*instructions.RunCommand)
	if !isRun {
		return nil, false
	}
	if err := run.Expand(func(word string) (string, error) { return word, nil }); err != nil {
		return nil, false
	}
	for _, m := range instructions.GetMounts(run) {
		out = append(out, Mount{Type: string(m.Type), Target: m.Target, Source: m.Source, From: m.From, ID: m.CacheID})
	}
	return out, true
}

func lenientMount(s string) Mount {
	m := Mount{Type: "bind"}
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "type":
			m.Type = strings.ToLower(v)
		case "target", "dst", "destination":
			m.Target = v
		case "source", "src":
			m.Source = v
		case "from":
			m.From = v
		case "id":
			m.ID = v
		}
	}
	return m
}
