package unit

import (
	"path"
	"strings"
)

// Run is a `podman run` command line of an ExecStart.
type Run struct {
	// At is the ExecStart assignment.
	At    Option
	Flags Flags
	// Image is the first argument after the flags; Args follow it.
	Image string
	Args  []string
}

// Flags are podman run options in order.
type Flags []Flag

// Flag is one option of podman run, by its long name without dashes.
type Flag struct {
	Name  string
	Value string
	// Inline is set for --name=value (and for booleans given a value).
	Inline bool
}

// podmanRunBools are podman run's boolean options (4.x and 5.x): every
// other option takes a value, as the next word when not given inline.
var podmanRunBools = map[string]bool{
	"detach": true, "rm": true, "replace": true, "read-only": true, "read-only-tmpfs": true,
	"privileged": true, "interactive": true, "tty": true, "init": true, "no-healthcheck": true,
	"no-hosts": true, "no-hostname": true, "oom-kill-disable": true, "publish-all": true, "sig-proxy": true,
	"quiet": true, "rmi": true, "http-proxy": true, "env-host": true, "tls-verify": true, "passwd": true,
	"disable-content-trust": true, "help": true, "rootfs": true, "unsetenv-all": true,
}

// podmanShort maps podman run's one-letter options to their long names.
var podmanShort = map[byte]string{
	'd': "detach", 'i': "interactive", 't': "tty", 'P': "publish-all", 'q': "quiet",
	'u': "user", 'e': "env", 'p': "publish", 'v': "volume", 'w': "workdir", 'h': "hostname",
	'm': "memory", 'c': "cpu-shares", 'l': "label", 'a': "attach",
}

// podmanGlobalBools are podman's global boolean options (before "run").
var podmanGlobalBools = map[string]bool{"remote": true, "syslog": true, "noout": true, "help": true, "version": true, "debug": true}

// PodmanRun returns the `podman run` of f's ExecStart, if it is one.
func (f *File) PodmanRun() (*Run, bool) {
	at, ok := f.Last(Service, "ExecStart")
	if !ok {
		return nil, false
	}
	c, err := SplitCommand(at.Value)
	if err != nil || len(c.Args) == 0 || path.Base(c.Args[0]) != "podman" {
		return nil, false
	}
	args := c.Args[1:]
	// global options, then run or container run
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		name := strings.TrimLeft(args[0], "-")
		args = args[1:]
		if !strings.Contains(name, "=") && !podmanGlobalBools[name] && len(args) > 0 && args[0] != "run" && args[0] != "container" {
			args = args[1:]
		}
	}
	switch {
	case len(args) > 0 && args[0] == "run":
		args = args[1:]
	case len(args) > 1 && args[0] == "container" && args[1] == "run":
		args = args[2:]
	default:
		return nil, false
	}
	flags, rest := ParseRunFlags(args)
	if len(rest) == 0 {
		return nil, false
	}
	return &Run{At: at, Flags: flags, Image: rest[0], Args: rest[1:]}, true
}

// ParseRunFlags reads podman run options from the start of words (as in
// an ExecStart or a Quadlet PodmanArgs=) and returns them with the words
// after them: the image and its arguments.
func ParseRunFlags(words []string) (flags Flags, rest []string) {
	args := words
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return flags, args[1:]
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			return flags, args
		}
		args = args[1:]
		if strings.HasPrefix(a, "--") {
			name, val, inline := strings.Cut(a[2:], "=")
			if !inline && !podmanRunBools[name] && len(args) > 0 {
				val, args = args[0], args[1:]
			}
			flags = append(flags, Flag{Name: name, Value: val, Inline: inline})
			continue
		}
		// -dit, -u 65532, -u65532
		letters := a[1:]
		for i := 0; i < len(letters); i++ {
			name, ok := podmanShort[letters[i]]
			if !ok {
				name = letters[i : i+1]
			}
			if podmanRunBools[name] {
				flags = append(flags, Flag{Name: name})
				continue
			}
			val := letters[i+1:]
			inline := val != ""
			if !inline && len(args) > 0 {
				val, args = args[0], args[1:]
			}
			flags = append(flags, Flag{Name: name, Value: val, Inline: inline})
			break
		}
	}
	return flags, nil
}

// Values returns the values of every use of option name.
func (fs Flags) Values(name string) []string {
	var out []string
	for _, f := range fs {
		if f.Name == name {
			out = append(out, f.Value)
		}
	}
	return out
}

// Has reports whether option name is given.
func (fs Flags) Has(name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

// Bool is the value of boolean option name: def when absent, true when
// given without a value.
func (fs Flags) Bool(name string, def bool) bool {
	v := def
	for _, f := range fs {
		if f.Name != name {
			continue
		}
		v = true
		if f.Inline {
			if b, ok := Bool(f.Value); ok {
				v = b
			}
		}
	}
	return v
}
