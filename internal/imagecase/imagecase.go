// Package imagecase builds small test images from a text description, for
// the per-rule cases of the image domain (testdata/rules/<ID>/bad.image and
// good.image). A description is one directive a line:
//
//	# a comment
//	user 65532                      config: USER
//	env KEY=value                   config: one environment variable
//	entrypoint /app/server --flag   config: ENTRYPOINT (words split on spaces)
//	cmd /app/server                 config: CMD
//	healthcheck CMD curl -f http://localhost/
//	expose 8080/tcp                 config: an exposed port
//	volume /data                    config: a volume
//	option NAME VALUE               a setting for the domain's test (not the image)
//	history ENV X=1                 a step without a layer
//	layer RUN apt-get update        a new layer with its history line; the
//	                                entries below go into it
//	dir /etc 0755 [uid=N] [gid=N]
//	file /etc/passwd 0644 [uid=N] [gid=N] [size=N]
//	                                a regular file: size=N fills it with N
//	                                bytes; "<<END" at the end of the line
//	                                makes the lines up to a line "END" its content
//	symlink /bin usr/bin
//	whiteout /app/old-key.pem       deletes a path of a lower layer
//
// {{NAME}} in a line is replaced by vars[NAME] before it is read (tests
// assemble fake secrets at run time, so the repository holds none).
package imagecase

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Case is a parsed description.
type Case struct {
	Image   v1.Image
	Options map[string]string
}

type step struct {
	createdBy string
	layer     bool
	buf       bytes.Buffer
	tw        *tar.Writer
}

// Load reads and builds the description in file.
func Load(file string, vars map[string]string) (*Case, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(file, string(b), vars)
}

// Parse builds the description src; name is used in errors.
func Parse(name, src string, vars map[string]string) (*Case, error) {
	for k, v := range vars {
		src = strings.ReplaceAll(src, "{{"+k+"}}", v)
	}
	c := &Case{Options: map[string]string{}}
	var cfg v1.Config
	var steps []*step
	cur := func() *step {
		if len(steps) == 0 || !steps[len(steps)-1].layer {
			return nil
		}
		return steps[len(steps)-1]
	}
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		errf := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", name, n, fmt.Sprintf(format, args...))
		}
		verb, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch verb {
		case "user":
			cfg.User = rest
		case "env":
			cfg.Env = append(cfg.Env, rest)
		case "entrypoint":
			cfg.Entrypoint = strings.Fields(rest)
		case "cmd":
			cfg.Cmd = strings.Fields(rest)
		case "healthcheck":
			cfg.Healthcheck = &v1.HealthConfig{Test: []string{"CMD-SHELL", strings.TrimPrefix(rest, "CMD ")}}
			if rest == "NONE" {
				cfg.Healthcheck.Test = []string{"NONE"}
			}
		case "expose":
			if cfg.ExposedPorts == nil {
				cfg.ExposedPorts = map[string]struct{}{}
			}
			cfg.ExposedPorts[rest] = struct{}{}
		case "volume":
			if cfg.Volumes == nil {
				cfg.Volumes = map[string]struct{}{}
			}
			cfg.Volumes[rest] = struct{}{}
		case "option":
			k, v, _ := strings.Cut(rest, " ")
			c.Options[k] = strings.TrimSpace(v)
		case "history":
			steps = append(steps, &step{createdBy: rest})
		case "layer":
			s := &step{createdBy: rest, layer: true}
			s.tw = tar.NewWriter(&s.buf)
			steps = append(steps, s)
		case "dir", "file", "symlink", "whiteout":
			s := cur()
			if s == nil {
				return nil, errf("%s outside a layer", verb)
			}
			f := strings.Fields(rest)
			if len(f) < 1 || verb != "whiteout" && len(f) < 2 {
				return nil, errf("%s wants a path and a mode (or target)", verb)
			}
			h := &tar.Header{Name: strings.TrimPrefix(f[0], "/"), Format: tar.FormatPAX}
			var content []byte
			switch verb {
			case "symlink":
				h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, f[1], 0o777
			case "whiteout":
				d, b := path.Split(h.Name)
				h.Typeflag, h.Name, h.Mode = tar.TypeReg, d+".wh."+b, 0o644
			default:
				mode, err := strconv.ParseInt(f[1], 8, 64)
				if err != nil {
					return nil, errf("mode %q: %v", f[1], err)
				}
				h.Mode, h.Typeflag = mode, tar.TypeReg
				if verb == "dir" {
					h.Typeflag = tar.TypeDir
				}
				for _, a := range f[2:] {
					k, v, _ := strings.Cut(a, "=")
					if a == "<<END" && verb == "file" {
						var body strings.Builder
						for {
							if !sc.Scan() {
								return nil, errf("no END line after <<END")
							}
							n++
							if sc.Text() == "END" {
								break
							}
							body.WriteString(sc.Text() + "\n")
						}
						content = []byte(body.String())
						continue
					}
					i, err := strconv.Atoi(v)
					if err != nil {
						return nil, errf("%s: want a number", a)
					}
					switch k {
					case "uid":
						h.Uid = i
					case "gid":
						h.Gid = i
					case "size":
						content = bytes.Repeat([]byte("x"), i)
					default:
						return nil, errf("unknown attribute %q", a)
					}
				}
			}
			h.Size = int64(len(content))
			if err := s.tw.WriteHeader(h); err != nil {
				return nil, errf("%v", err)
			}
			if _, err := s.tw.Write(content); err != nil {
				return nil, errf("%v", err)
			}
		default:
			return nil, errf("unknown directive %q", verb)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	img := empty.Image
	for _, s := range steps {
		var err error
		hist := v1.History{CreatedBy: s.createdBy}
		if !s.layer {
			hist.EmptyLayer = true
			cf, err := img.ConfigFile()
			if err != nil {
				return nil, err
			}
			cf = cf.DeepCopy()
			cf.History = append(cf.History, hist)
			img, err = mutate.ConfigFile(img, cf)
			if err != nil {
				return nil, err
			}
			continue
		}
		if err := s.tw.Close(); err != nil {
			return nil, err
		}
		b := s.buf.Bytes()
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		if err != nil {
			return nil, err
		}
		if img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: hist}); err != nil {
			return nil, err
		}
	}
	img, err := mutate.Config(img, cfg)
	if err != nil {
		return nil, err
	}
	c.Image = img
	return c, nil
}
