package lint

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func copyRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3010", Severity: finding.Info, Category: finding.Size,
			Description: "Use ADD for extracting archives into an image.",
			Remediation: "Let ADD extract the archive (`ADD file.tar.gz /dest/`) instead of COPY and a RUN that unpacks it.",
			DocsURL:     hadolintWiki + "DL3010"}, checkDL3010),
		rule(finding.Spec{ID: "DL3020", Severity: finding.Error, Category: finding.Security,
			Description: "Use `COPY` instead of `ADD` for files and folders.",
			Remediation: "Use COPY for local files and folders; keep ADD for URLs and archives to extract.",
			DocsURL:     hadolintWiki + "DL3020"}, checkDL3020),
		rule(finding.Spec{ID: "DL3021", Severity: finding.Error, Category: finding.Correctness,
			Description: "`COPY` with more than 2 arguments requires the last argument to end with `/`",
			Remediation: "End the COPY destination with `/` when copying more than one source.",
			DocsURL:     hadolintWiki + "DL3021"}, checkDL3021),
		rule(finding.Spec{ID: "DL3022", Severity: finding.Warning, Category: finding.Correctness,
			Description: "`COPY --from` should reference a previously defined `FROM` alias",
			Remediation: "Name a stage defined earlier (FROM ... AS name) in `COPY --from`, or an image.",
			DocsURL:     hadolintWiki + "DL3022"}, checkDL3022),
		rule(finding.Spec{ID: "DL3023", Severity: finding.Error, Category: finding.Correctness,
			Description: "`COPY --from` cannot reference its own `FROM` alias",
			Remediation: "Copy from another stage or image, not from the stage being built.",
			DocsURL:     hadolintWiki + "DL3023"}, checkDL3023),
		rule(finding.Spec{ID: "DL3045", Severity: finding.Warning, Category: finding.Correctness,
			Description: "`COPY` to a relative destination without `WORKDIR` set.",
			Remediation: "Set WORKDIR before copying to a relative destination, or use an absolute destination.",
			DocsURL:     hadolintWiki + "DL3045"}, checkDL3045),
		rule(finding.Spec{ID: "DL3067", Severity: finding.Warning, Category: finding.Size,
			Description: "Do not copy an entire filesystem from another stage",
			Remediation: "Copy only the paths you need from the other stage, not `/`.",
			DocsURL:     hadolintWiki + "DL3067"}, checkDL3067),
		rule(finding.Spec{ID: "SS006", Severity: finding.Warning, Category: finding.Speed,
			Description: "The whole context is copied without a .dockerignore that excludes .git and local dependency trees.",
			Remediation: "Add a .dockerignore that excludes .git and local dependency trees (node_modules, .venv, ...)."}, checkSS006),
		rule(finding.Spec{ID: "SS015", Severity: finding.Warning, Category: finding.Size,
			Description: "RUN chown/chmod -R over files copied in an earlier layer duplicates them: use COPY --chown/--chmod.",
			Remediation: "Set ownership and mode while copying with `COPY --chown`/`--chmod` instead of a later chown/chmod -R."}, checkSS015),
	}
}

var archiveExts = []string{".tar", ".tar.bz2", ".tb2", ".tbz", ".tbz2", ".tar.gz", ".tgz", ".tpz", ".tar.lz", ".tlz",
	".tar.lzma", ".tlzma", ".tar.xz", ".txz", ".tar.Z", ".tZ", ".gz", ".bz2", ".xz", ".lz", ".lzma", ".Z", ".zst", ".tar.zst"}

func isArchive(p string) bool {
	p = unquote(p)
	for _, e := range archiveExts {
		if strings.HasSuffix(p, e) {
			return true
		}
	}
	return false
}

func baseNameAny(p string) string {
	p = unquote(p)
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

var unpackCommands = []string{"unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat", "gzcat"}

func isExtract(cmd interface {
	Is(string) bool
}, args []string) bool {
	if cmd.Is("tar") {
		for _, a := range args {
			if a == "--extract" || a == "--get" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "x") {
				return true
			}
		}
		return false
	}
	for _, u := range unpackCommands {
		if cmd.Is(u) {
			return true
		}
	}
	return false
}

// checkDL3010 reports a local archive COPYed in and then extracted by a RUN
// of the same stage: ADD extracts it in one layer.
func checkDL3010(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		type archive struct {
			in   *dockerfile.Instruction
			name string
		}
		var archives []archive
		reported := map[*dockerfile.Instruction]bool{}
		for _, in := range st.Instructions {
			switch in.Cmd {
			case "copy":
				paths := copyPaths(in)
				if _, ok := in.Flag("from"); ok || len(paths) < 2 {
					continue
				}
				dst := paths[len(paths)-1]
				if isArchive(dst) {
					archives = append(archives, archive{in, baseNameAny(dst)})
					continue
				}
				for _, src := range paths[:len(paths)-1] {
					if isArchive(src) {
						archives = append(archives, archive{in, baseNameAny(src)})
					}
				}
			case "run":
				s := c.Script(in)
				if s == nil {
					continue
				}
				for _, cmd := range s.Commands {
					if !isExtract(cmd, cmd.Args) {
						continue
					}
					for _, a := range archives {
						if reported[a.in] {
							continue
						}
						for _, arg := range cmd.Positional() {
							if baseNameAny(arg) == a.name {
								reported[a.in] = true
								r.At(a.in, "Use ADD for extracting archives into an image: `ADD "+a.name+" <dir>` unpacks it in one layer instead of COPY plus a RUN that extracts it.")
								break
							}
						}
					}
				}
			}
		}
	}
}

// copyPaths returns the source and destination words of COPY or ADD. BuildKit
// splits the shell form on whitespace only; hadolint keeps quoted words
// ("C:\\Program Files\\x") together, so the words are re-joined here.
func copyPaths(in *dockerfile.Instruction) []string {
	if in.JSON {
		return in.Args
	}
	var out []string
	text := strings.Join(in.Args, " ")
	start, quote := -1, byte(0)
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == ' ' || ch == '\t':
			if start >= 0 {
				out = append(out, text[start:i])
				start = -1
			}
			continue
		case ch == '"' || ch == '\'':
			quote = ch
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, text[start:])
	}
	return out
}

func isURL(s string) bool {
	s = unquote(s)
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "git://")
}

func checkDL3020(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		paths := copyPaths(in)
		if in.Cmd != "add" || len(paths) < 2 || len(in.Heredocs) > 0 {
			continue
		}
		bad := false
		for _, src := range paths[:len(paths)-1] {
			if !isURL(src) && !isArchive(src) {
				bad = true
			}
		}
		if !bad {
			continue
		}
		r.Fix(in, "Use `COPY` instead of `ADD` for files and folders: ADD only adds remote URLs and archive extraction.", addToCopyFix(c, in, paths[:len(paths)-1]))
	}
}

func checkDL3021(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		paths := copyPaths(in)
		if in.Cmd != "copy" || len(in.Heredocs) > 0 || len(paths) <= 2 {
			continue
		}
		dst := unquote(paths[len(paths)-1])
		if strings.HasSuffix(dst, "/") || strings.HasSuffix(dst, `\`) {
			continue
		}
		r.At(in, "`COPY` with more than 2 arguments requires the last argument to end with `/`: write `"+dst+"/`.")
	}
}

func checkDL3022(c *Context, r *Reporter) {
	for _, in := range c.File.Instructions {
		if in.Cmd != "copy" {
			continue
		}
		from, ok := in.Flag("from")
		if !ok || from == "" || strings.Contains(from, ":") || strings.Contains(from, "$") {
			continue
		}
		cur := max(in.Stage, 0)
		if n, err := strconv.Atoi(from); err == nil {
			if n >= 0 && n < cur {
				continue
			}
		} else if stageNamesBefore(c.File, cur)[strings.ToLower(from)] {
			continue
		} else if cur < len(c.File.Stages) && c.File.Stages[cur].Name == strings.ToLower(from) {
			continue // DL3023's case
		}
		if strings.ContainsAny(from, "/.") {
			r.At(in, "`COPY --from="+from+"` should reference a previously defined `FROM` alias; to copy from an image, pin it with a tag: `--from="+from+":<version>`.")
		} else {
			r.At(in, "`COPY --from="+from+"` should reference a previously defined `FROM` alias: name a stage with `FROM <image> AS "+from+"` above it.")
		}
	}
}

func checkDL3023(c *Context, r *Reporter) {
	for _, in := range c.File.Instructions {
		if in.Cmd != "copy" || in.Stage < 0 {
			continue
		}
		from, ok := in.Flag("from")
		if !ok {
			continue
		}
		if st := c.File.Stages[in.Stage]; st.Name != "" && st.Name == strings.ToLower(from) {
			r.At(in, "`COPY --from` cannot reference its own `FROM` alias `"+from+"`: copy from an earlier stage or from the build context.")
		}
	}
}

// addToCopyFix turns ADD into COPY, keeping the keyword's case. ADD
// unpacks a local tar archive, which it finds by content, not by name, so
// the fix needs every source in the build context and none an archive.
func addToCopyFix(c *Context, in *dockerfile.Instruction, srcs []string) *finding.Fix {
	f := c.File
	for _, fl := range []string{"checksum", "keep-git-dir", "unpack", "from"} {
		if _, ok := in.Flag(fl); ok {
			return nil // ADD-only flags, or sources not in the context
		}
	}
	if c.Dir == "" {
		return nil
	}
	for _, src := range srcs {
		if isURL(src) || isArchive(src) || strings.Contains(src, "$") || filepath.IsAbs(src) || strings.HasPrefix(filepath.Clean(src), "..") {
			return nil
		}
		matches, err := filepath.Glob(filepath.Join(c.Dir, src))
		if err != nil || len(matches) == 0 {
			return nil
		}
		for _, m := range matches {
			if archiveContent(m) {
				return nil
			}
		}
	}
	off := keywordOffset(f, in)
	if off+3 > len(f.Source) || !strings.EqualFold(string(f.Source[off:off+3]), "add") {
		return nil
	}
	word := "COPY"
	if string(f.Source[off:off+3]) == "add" {
		word = "copy"
	}
	return editFix(f, "replace ADD with COPY", off, off+3, word)
}

// archiveContent reports whether a file (not a directory) could be one
// ADD unpacks: compressed (gzip, bzip2, xz, zstd) or a tar, or unreadable.
func archiveContent(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return true
	}
	if st.IsDir() {
		return false
	}
	fh, err := os.Open(path)
	if err != nil {
		return true
	}
	defer fh.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(fh, head)
	head = head[:n]
	for _, magic := range [][]byte{{0x1f, 0x8b}, []byte("BZh"), {0xfd, '7', 'z', 'X', 'Z', 0}, {0x28, 0xb5, 0x2f, 0xfd}} {
		if bytes.HasPrefix(head, magic) {
			return true
		}
	}
	return n >= 262 && string(head[257:262]) == "ustar" || n == 512 && bytes.Count(head, []byte{0}) == 512
}

func checkDL3045(c *Context, r *Reporter) {
	workdir := map[string]bool{}
	for _, st := range c.File.Stages {
		name := stageName(st)
		if st.From != nil {
			workdir[name] = workdir[parseImage(st.Base).untagged()]
			// FROM build_${ENV}: when every earlier stage the pattern can
			// name sets WORKDIR, so does this one.
			if pre, _, ok := strings.Cut(strings.ToLower(st.Base), "$"); ok && pre != "" {
				matched, all := false, true
				for _, prev := range c.File.Stages[:st.Index] {
					if prev.Name != "" && strings.HasPrefix(prev.Name, pre) {
						matched, all = true, all && workdir[stageName(prev)]
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

// checkSS015: chown/chmod -R over copied files.
func checkSS015(c *Context, r *Reporter) {
	final, ins, ok := finalInstructions(c)
	if !ok {
		return
	}
	var copies []copyRecord
	lastRun := map[*dockerfile.Instruction]int{}
	for step := range fileSteps(c, ins) {
		in, sc, wd := step.in, step.sc, step.wd
		if sc == nil {
			copies = append(copies, step.copy)
			lastRun[in] = step.idx
			continue
		}
		for _, cmd := range sc.Commands {
			if !cmd.Is("chown") && !cmd.Is("chmod") {
				continue
			}
			recursive := cmd.HasFlag("-R", "--recursive")
			pos := cmd.Positional()
			if len(pos) < 2 {
				continue
			}
			owner, targets := pos[0], pos[1:]
			var matched []copyRecord
			var where []string
			for _, t := range targets {
				if strings.Contains(t, "$") && !strings.HasPrefix(t, "$HOME") {
					continue
				}
				ta := wd.abs(t)
				for _, cp := range copies {
					hit := false
					for _, p := range cp.paths {
						if recursive && pathCovers(ta, p) || !recursive && ta == p && p != cp.dest+"/" && !wholeContext(cp.in) && !strings.HasSuffix(copyDestRaw(cp.in), "/") {
							hit = true
						}
					}
					if hit && !containsCopy(matched, cp.in) {
						matched = append(matched, cp)
						where = append(where, fmt.Sprintf("line %d", cp.in.Line))
					}
				}
			}
			if len(matched) == 0 {
				continue
			}
			verb, flag := "chown", "--chown"
			if cmd.Is("chmod") {
				verb, flag = "chmod", "--chmod"
				if !recursive {
					continue
				}
			}
			msg := fmt.Sprintf("RUN %s rewrites files copied at %s into a new layer, doubling their size: use COPY %s=%s instead", verb, strings.Join(where, ", "), flag, owner)
			r.Fix(in, msg, ss015Fix(c, final, in, sc, ins, lastRun, matched, flag, owner))
			break
		}
	}
}

func copyDestRaw(in *dockerfile.Instruction) string {
	_, d := copyParts(in)
	return d
}

func containsCopy(list []copyRecord, in *dockerfile.Instruction) bool {
	for _, c := range list {
		if c.in == in {
			return true
		}
	}
	return false
}

// ss015Fix moves the owner/mode onto the COPYs when the RUN is only that
// command, every matched COPY is in the final stage without the flag, and
// no RUN sits between the COPYs and the chown.
func ss015Fix(c *Context, final *dockerfile.Stage, run *dockerfile.Instruction, sc *shell.Script, ins []*dockerfile.Instruction,
	pos map[*dockerfile.Instruction]int, matched []copyRecord, flag, owner string) *finding.Fix {
	if len(sc.Commands) != 1 || !simpleShellRun(run) || strings.Contains(owner, "$") {
		return nil
	}
	if flag == "--chmod" && strings.Trim(owner, "01234567") != "" {
		return nil
	}
	runIdx := -1
	for i, in := range ins {
		if in == run {
			runIdx = i
		}
	}
	first := runIdx
	for _, m := range matched {
		if m.in.Stage != final.Index || m.in.InOnBuild {
			return nil
		}
		if _, has := m.in.Flag(strings.TrimPrefix(flag, "--")); has {
			return nil
		}
		if pos[m.in] < first {
			first = pos[m.in]
		}
	}
	for _, in := range ins[first+1 : runIdx] {
		if in.Cmd == "run" {
			return nil
		}
	}
	fix := &finding.Fix{Description: "set " + flag + " on the COPY and drop the RUN (directories created before the COPY keep their owner)", OptIn: true}
	for _, m := range matched {
		body := instructionBody(c.File, m.in)
		fix.Edits = append(fix.Edits, Edit(c.File, body, body, flag+"="+owner+" "))
	}
	start, end := lineSpan(c.File, run)
	fix.Edits = append(fix.Edits, Edit(c.File, start, end, ""))
	return fix
}

// maxIgnoreFile bounds the .dockerignore files read.
const maxIgnoreFile = 1 << 20

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
