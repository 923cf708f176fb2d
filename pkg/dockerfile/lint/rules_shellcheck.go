package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// ShellCheckID is the rule that runs ShellCheck. Its findings carry
// ShellCheck's own codes (SC2086, ...) as rule IDs, so each code can be
// ignored or re-graded by itself; ignoring "SC" turns ShellCheck off.
const ShellCheckID = "SC"

// shellcheckExcluded are the codes hadolint excludes, plus SC1091 (a
// sourced file is not in the build context) and SC2148 (the shebang is
// ours).
var shellcheckExcluded = []string{"SC1090", "SC1091", "SC2148", "SC2187"}

// shellcheckTimeout bounds one ShellCheck run over a Dockerfile.
const shellcheckTimeout = 60 * time.Second

func shellcheckRules() []Rule {
	return []Rule{rule(finding.Spec{ID: ShellCheckID, Severity: finding.Warning, Category: finding.Correctness,
		Description: "ShellCheck findings in shell-form RUN instructions, with ShellCheck's codes (SC1000-SC9999) and levels",
		Remediation: "Change the shell code in RUN as the ShellCheck finding says (see its wiki page for the code).",
		DocsURL:     "https://www.shellcheck.net/wiki/", Requires: "shellcheck"}, checkShellCheck)}
}

// scScript is one RUN prepared for ShellCheck.
type scScript struct {
	in      *dockerfile.Instruction
	dialect string // sh, bash, dash or ksh
	header  string // shebang and exports, prepended to code
	code    string
}

// scDialect maps a SHELL executable to a ShellCheck dialect ("" = skip).
func scDialect(sh string) string {
	base := strings.ToLower(sh)
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	switch strings.TrimSuffix(base, ".exe") {
	case "bash":
		return "bash"
	case "dash":
		return "dash"
	case "ksh":
		return "ksh"
	case "sh", "ash", "busybox":
		return "sh"
	}
	return ""
}

// scScripts collects every shell-form RUN with the shell and the names
// hadolint exports before it: the proxy build args, and the ARG and ENV
// names of the stage so far (so SC2154 stays quiet about them). A stage
// built FROM an earlier stage starts with that stage's SHELL and ENV names;
// a fragment without FROM sees the ARGs at its top.
func scScripts(c *Context) []scScript {
	var out []scScript
	type stageEnd struct {
		shell string
		env   map[string]bool
	}
	ends := map[int]stageEnd{}
	for _, s := range c.File.Stages {
		shellPath := "/bin/sh"
		vars := map[string]bool{"HTTP_PROXY": true, "http_proxy": true, "HTTPS_PROXY": true, "https_proxy": true,
			"FTP_PROXY": true, "ftp_proxy": true, "NO_PROXY": true, "no_proxy": true}
		env := map[string]bool{}
		if p := parentStage(c.File, s); p != nil {
			if e, ok := ends[p.Index]; ok {
				shellPath = e.shell
				for k := range e.env {
					vars[k], env[k] = true, true
				}
			}
		}
		if s.From == nil {
			for _, in := range c.File.MetaArgs {
				for _, a := range in.Args {
					k, _, _ := strings.Cut(a, "=")
					vars[k] = true
				}
			}
		}
		for _, in := range c.StageEffective(s) {
			switch in.Cmd {
			case "arg":
				for _, a := range in.Args {
					k, _, _ := strings.Cut(a, "=")
					vars[k] = true
				}
			case "env":
				for i := 0; i < len(in.Args); i += 3 {
					vars[in.Args[i]], env[in.Args[i]] = true, true
				}
			case "shell":
				if in.JSON && len(in.Args) > 0 {
					shellPath = in.Args[0]
				}
			case "run":
				if in.JSON || !c.IsPOSIX(in) {
					continue
				}
				dialect := scDialect(shellPath)
				if dialect == "" {
					continue
				}
				code := in.Code.Text
				if strings.TrimSpace(code) == "" {
					continue
				}
				names := make([]string, 0, len(vars))
				for k := range vars {
					if scValidName(k) {
						names = append(names, k)
					}
				}
				sort.Strings(names)
				var h strings.Builder
				fmt.Fprintf(&h, "#!%s\n", shellPath)
				for _, k := range names {
					fmt.Fprintf(&h, "export %s=1\n", k)
				}
				out = append(out, scScript{in: in, dialect: dialect, header: h.String(), code: code})
			}
		}
		ends[s.Index] = stageEnd{shell: shellPath, env: env}
	}
	return out
}

func scValidName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// scComment is one entry of ShellCheck's json1 output (tabs count as one
// column there).
type scComment struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	EndLine   int    `json:"endLine"`
	Column    int    `json:"column"`
	EndColumn int    `json:"endColumn"`
	Level     string `json:"level"`
	Code      int    `json:"code"`
	Message   string `json:"message"`
	Fix       *struct {
		Replacements []struct {
			Line        int    `json:"line"`
			Column      int    `json:"column"`
			EndLine     int    `json:"endLine"`
			EndColumn   int    `json:"endColumn"`
			Replacement string `json:"replacement"`
		} `json:"replacements"`
	} `json:"fix"`
}

// ShellCheckMissing is the warning a lint run gives (Options.Warn) when
// ShellCheck is not on PATH.
const ShellCheckMissing = "shellcheck not found on PATH: ShellCheck (SC) rules are skipped"

// ShellCheckAvailable reports whether the ShellCheck binary is on PATH.
func ShellCheckAvailable() bool {
	_, err := exec.LookPath("shellcheck")
	return err == nil
}

func checkShellCheck(c *Context, r *Reporter) {
	bin, err := exec.LookPath("shellcheck")
	if err != nil {
		// ShellCheck is optional: without it, SC rules are skipped, and
		// the run says so.
		c.Warn(ShellCheckMissing)
		return
	}
	scripts := scScripts(c)
	if len(scripts) == 0 {
		return
	}
	dir, err := os.MkdirTemp("", "slimship-sc-")
	if err != nil {
		return
	}
	defer os.RemoveAll(dir)
	byFile := map[string]*scScript{}
	byDialect := map[string][]string{}
	for i := range scripts {
		p := filepath.Join(dir, fmt.Sprintf("run%d.sh", i))
		if err := os.WriteFile(p, []byte(scripts[i].header+scripts[i].code), 0o600); err != nil {
			return
		}
		byFile[p] = &scripts[i]
		byDialect[scripts[i].dialect] = append(byDialect[scripts[i].dialect], p)
	}
	dialects := make([]string, 0, len(byDialect))
	for d := range byDialect {
		dialects = append(dialects, d)
	}
	sort.Strings(dialects)
	ctx, cancel := context.WithTimeout(context.Background(), shellcheckTimeout)
	defer cancel()
	for _, d := range dialects {
		args := append([]string{"--norc", "--format=json1", "-s", d, "-e", strings.Join(shellcheckExcluded, ",")}, byDialect[d]...)
		var stdout bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Stdout = &stdout
		_ = cmd.Run() // exit 1 means "found something"; the JSON tells.
		var doc struct {
			Comments []scComment `json:"comments"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
			continue
		}
		for _, cm := range doc.Comments {
			s := byFile[cm.File]
			if s == nil {
				continue
			}
			scReport(c, r, s, cm)
		}
	}
}

var scLevels = map[string]finding.Severity{"error": finding.Error, "warning": finding.Warning, "info": finding.Info, "style": finding.Style}

func scReport(c *Context, r *Reporter, s *scScript, cm scComment) {
	id := fmt.Sprintf("SC%04d", cm.Code)
	for _, ex := range shellcheckExcluded {
		if ex == id {
			return
		}
	}
	sev, ok := scLevels[cm.Level]
	if !ok {
		sev = finding.Warning
	}
	m := newSCMap(s)
	line, col := s.in.Line, s.in.Column
	if off, ok := m.offset(cm.Line, cm.Column); ok {
		line, col = c.File.LineCol(off)
	}
	f := finding.New(finding.Rule{ID: id, Severity: sev, Category: finding.Correctness},
		finding.Location{File: c.File.Path, Line: line, Column: col}, cm.Message)
	if cm.EndLine > 0 {
		if off, ok := m.offset(cm.EndLine, cm.EndColumn); ok {
			el, ec := c.File.LineCol(off)
			if el > line || el == line && ec > col {
				f.EndLine, f.EndColumn = el, ec
			}
		}
	}
	if cm.Fix != nil && len(cm.Fix.Replacements) > 0 {
		fix := &finding.Fix{Description: "apply ShellCheck's suggestion", OptIn: true}
		for _, rep := range cm.Fix.Replacements {
			start, ok1 := m.offset(rep.Line, rep.Column)
			end, ok2 := m.offset(rep.EndLine, rep.EndColumn)
			if !ok1 || !ok2 || end < start {
				fix = nil
				break
			}
			fix.Edits = append(fix.Edits, Edit(c.File, start, end, rep.Replacement))
		}
		f.Fix = fix
	}
	r.out = append(r.out, f)
}

// scMap maps ShellCheck's line and column in the script it was given
// (our header, then the RUN's code) back to Dockerfile offsets, through the
// parser's map of the code.
type scMap struct {
	headerLines int
	code        *dockerfile.Code
	lineStarts  []int // byte offsets of code lines
}

func newSCMap(s *scScript) *scMap {
	m := &scMap{headerLines: strings.Count(s.header, "\n"), code: s.in.Code, lineStarts: []int{0}}
	for i := 0; i < len(s.code); i++ {
		if s.code[i] == '\n' {
			m.lineStarts = append(m.lineStarts, i+1)
		}
	}
	return m
}

// offset turns ShellCheck's 1-based line and character column into a
// Dockerfile byte offset.
func (m *scMap) offset(line, col int) (int, bool) {
	l := line - m.headerLines - 1
	if l < 0 || l >= len(m.lineStarts) || col < 1 {
		return 0, false
	}
	text := m.code.Text
	i := m.lineStarts[l]
	for n := 1; n < col && i < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	off := m.code.At(i)
	return off, off >= 0
}
