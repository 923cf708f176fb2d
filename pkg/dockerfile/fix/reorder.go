package fix

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/lint"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

// CacheOrderID is the rule whose findings the reorder answers.
const CacheOrderID = "SS003"

// installManifests maps a dependency install to the files it reads; a
// trailing * marks a file that may be absent.
func installManifests(c shell.Command) ([]string, bool) {
	switch {
	case (c.Is("pip") || c.Is("pip3")) && c.Sub() == "install":
		req, ok := c.FlagValue("-r", "--requirement")
		if !ok || req == "" || strings.Contains(req, "$") {
			return nil, false
		}
		// Only a plain `pip install -r FILE [flags]`: no packages or paths.
		for _, p := range c.Positional()[1:] {
			if p != req {
				return nil, false
			}
		}
		return []string{req}, true
	case c.Is("npm") && (c.Sub() == "ci" || c.Sub() == "install") && len(c.Positional()) == 1:
		return []string{"package.json", "package-lock.json*", "npm-shrinkwrap.json*"}, true
	case c.Is("yarn") && (c.Sub() == "" || c.Sub() == "install") && len(c.Positional()) <= 1:
		return []string{"package.json", "yarn.lock*"}, true
	case c.Is("go") && c.Sub() == "mod" && len(c.Positional()) == 2 && c.Positional()[1] == "download":
		return []string{"go.mod", "go.sum*"}, true
	case c.Is("bundle") && c.Sub() == "install":
		return []string{"Gemfile", "Gemfile.lock*"}, true
	case c.Is("mvn") && c.HasArg("dependency:go-offline") && len(c.Positional()) == 1:
		return []string{"pom.xml"}, true
	case c.Is("composer") && c.Sub() == "install":
		return []string{"composer.json", "composer.lock*"}, true
	}
	return nil, false
}

// reorderInstalls answers SS003: where a stage copies the whole context and
// a later RUN only installs dependencies, the manifests are copied and the
// install runs before `COPY . .`, so source edits no longer bust the
// dependency layer. It acts only where the move cannot change meaning: no
// RUN, ENV, ARG, WORKDIR, USER or SHELL between the two, a destination that
// is the working directory, an install RUN with nothing else in it, and
// manifests, read from the build context, that name no other file of it
// (without the context, nothing moves).
func reorderInstalls(f *dockerfile.File, dir string, flagged map[int]finding.Finding) []pending {
	c := lint.NewContext(f, &config.Config{}, dir)
	var out []pending
	for _, st := range f.Stages {
		workdir := "/"
		for i, in := range st.Instructions {
			if in.Cmd == "workdir" && len(in.Args) > 0 {
				workdir = path.Join(workdir, in.Args[0])
			}
			fd, isFlagged := flagged[in.Line]
			if !isFlagged || !copiesWholeContext(in) {
				continue
			}
			dest := in.Args[len(in.Args)-1]
			if !sameDir(dest, workdir) {
				continue
			}
			for _, run := range st.Instructions[i+1:] {
				if blocksMove(run) && run.Cmd != "run" {
					break
				}
				if run.Cmd != "run" {
					continue
				}
				files, ok := installOnly(c, run)
				if ok {
					if p, ok := moveFix(f, in, run, dest, files, dir); ok {
						p.lines = []int{fd.Line}
						out = append(out, p)
					}
				}
				break // only the first RUN after the copy may move
			}
		}
	}
	return out
}

func copiesWholeContext(in *dockerfile.Instruction) bool {
	if (in.Cmd != "copy" && in.Cmd != "add") || len(in.Args) != 2 || len(in.Heredocs) > 0 {
		return false
	}
	if _, from := in.Flag("from"); from {
		return false
	}
	src := strings.TrimSuffix(in.Args[0], "/")
	return src == "." || src == "./"
}

func sameDir(dest, workdir string) bool {
	if dest == "." || dest == "./" {
		return true
	}
	return path.IsAbs(dest) && path.Clean(dest) == path.Clean(workdir)
}

func blocksMove(in *dockerfile.Instruction) bool {
	switch in.Cmd {
	case "run", "env", "arg", "workdir", "user", "shell", "from", "onbuild":
		return true
	}
	return false
}

func installOnly(c *lint.Context, run *dockerfile.Instruction) ([]string, bool) {
	if run.JSON || len(run.Heredocs) > 0 {
		return nil, false
	}
	s := c.Script(run)
	if s == nil || s.Err != nil || s.HasPipe || len(s.Commands) == 0 {
		return nil, false
	}
	seen := map[string]bool{}
	var files []string
	for _, cmd := range s.Commands {
		fs, ok := installManifests(cmd)
		if !ok {
			return nil, false
		}
		for _, f := range fs {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	return files, true
}

func moveFix(f *dockerfile.File, cp, run *dockerfile.Instruction, dest string, files []string, dir string) (pending, bool) {
	var srcs []string
	for _, m := range files {
		optional := strings.HasSuffix(m, "*")
		name := strings.TrimSuffix(m, "*")
		if path.IsAbs(name) || strings.Contains(name, "..") {
			return pending{}, false
		}
		if dir == "" {
			return pending{}, false // the manifests cannot be read: unsure
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil && !optional {
			return pending{}, false // the manifest is not in the context: unsure
		}
		if err != nil {
			continue
		}
		if readsContext(name, string(data)) {
			return pending{}, false // the install needs more of the context
		}
		srcs = append(srcs, name)
	}
	if len(srcs) == 0 {
		return pending{}, false
	}
	d := dest
	if d == "." {
		d = "./"
	}
	if !strings.HasSuffix(d, "/") {
		d += "/"
	}
	keyword := "COPY"
	if cp.Keyword == strings.ToLower(cp.Keyword) {
		keyword = "copy"
	}
	flags := ""
	for _, fl := range cp.Flags {
		if strings.HasPrefix(fl, "--chown") || strings.HasPrefix(fl, "--chmod") {
			flags += fl + " "
		}
	}
	runText := f.Text(run)
	insert := fmt.Sprintf("%s %s%s %s\n%s\n", keyword, flags, strings.Join(srcs, " "), d, runText)
	// Delete the RUN with its line break.
	end := run.EndOffset
	if end < len(f.Source) && f.Source[end] == '\n' {
		end++
	} else if end < len(f.Source)-1 && f.Source[end] == '\r' {
		end += 2
	}
	return pending{ruleID: CacheOrderID, fix: finding.Fix{
		Description: fmt.Sprintf("copy %s and install before the whole context (line %d), so source edits keep the dependency layer cached", strings.Join(srcs, ", "), cp.Line),
		Edits:       []finding.Edit{lint.Edit(f, cp.Offset, cp.Offset, insert), lint.Edit(f, run.Offset, end, "")},
	}}, true
}

// readsContext reports whether installing from a manifest reads other files
// of the build context (a nested requirements file, a local package, an
// install script of the project itself), which only `COPY . .` brings:
// then the install cannot move before it.
func readsContext(name, data string) bool {
	base := path.Base(name)
	switch {
	case strings.HasSuffix(base, ".txt") || strings.HasSuffix(base, ".in"):
		for _, line := range strings.Split(data, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if strings.HasPrefix(line, "-") || strings.HasPrefix(line, ".") || strings.HasPrefix(line, "/") ||
				strings.Contains(line, "file:") || strings.Contains(line, "@ file") {
				return true
			}
		}
		return false
	case base == "package.json":
		for _, k := range []string{`"file:`, `"link:`, `"workspace:`, `"portal:`, `"workspaces"`, `"preinstall"`, `"install"`, `"postinstall"`, `"prepare"`} {
			if strings.Contains(data, k) {
				return true
			}
		}
		return false
	case base == "go.mod":
		return lazyReplaceLocal(data)
	case base == "Gemfile":
		return strings.Contains(data, "path:") || strings.Contains(data, ":path") || strings.Contains(data, "gemspec")
	case base == "composer.json":
		return strings.Contains(data, `"scripts"`) || strings.Contains(data, `"path"`)
	case base == "pom.xml":
		return strings.Contains(data, "<modules>") || strings.Contains(data, "<relativePath>") || strings.Contains(data, "<parent>")
	}
	return false
}

// lazyReplaceLocal: a go.mod replace directive pointing at a local path.
func lazyReplaceLocal(data string) bool {
	for _, line := range strings.Split(data, "\n") {
		if i := strings.Index(line, "=>"); i >= 0 {
			t := strings.TrimSpace(line[i+2:])
			if strings.HasPrefix(t, ".") || strings.HasPrefix(t, "/") {
				return true
			}
		}
	}
	return false
}
