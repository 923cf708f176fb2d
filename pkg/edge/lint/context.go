package lint

import (
	"strings"

	"github.com/slimship/slimship/pkg/edge/unit"
)

// Context is one unit as the checks see it.
type Context struct {
	File *unit.File
	Kind unit.Kind
	// Run is the `podman run` of a podman service.
	Run *unit.Run
	// Flags are the container's podman run options: the podman
	// service's, or a Quadlet's PodmanArgs=.
	Flags unit.Flags
}

func newContext(f *unit.File) *Context {
	c := &Context{File: f, Kind: f.Kind()}
	switch c.Kind {
	case unit.PodmanRun:
		c.Run, _ = f.PodmanRun()
		c.Flags = c.Run.Flags
	case unit.Quadlet:
		for _, o := range f.All(unit.Container, "PodmanArgs") {
			words, err := unit.SplitWords(o.Value)
			if err != nil {
				continue
			}
			fl, _ := unit.ParseRunFlags(words)
			c.Flags = append(c.Flags, fl...)
		}
	}
	return c
}

// sectionLine is where a missing setting of section belongs: the
// section's header, else the first line.
func (c *Context) sectionLine(section string) int {
	if l, ok := c.File.Sections[section]; ok {
		return l
	}
	if section == unit.Service {
		// a Quadlet without [Service]: its [Container]
		if l, ok := c.File.Sections[unit.Container]; ok {
			return l
		}
	}
	return 1
}

// service returns the last assignment of a [Service] key.
func (c *Context) service(key string) (unit.Option, bool) {
	return c.File.Last(unit.Service, key)
}

// missing is a gap for an unset [Service] key.
func (c *Context) missing(msg string) []Gap {
	return []Gap{{Line: c.sectionLine(unit.Service), Message: msg}}
}

// at is a gap at o's line.
func at(o unit.Option, msg string) []Gap {
	return []Gap{{Line: o.Line, Message: msg}}
}

// runLine is the line of the container's command: ExecStart of a podman
// service, the [Container] header of a Quadlet.
func (c *Context) runLine() int {
	if c.Run != nil {
		return c.Run.At.Line
	}
	return c.sectionLine(unit.Container)
}

// container returns the last assignment of a Quadlet [Container] key.
func (c *Context) container(key string) (unit.Option, bool) {
	if c.Kind != unit.Quadlet {
		return unit.Option{}, false
	}
	return c.File.Last(unit.Container, key)
}

// flagLine is where a container option is: the ExecStart, or the line of
// the Quadlet's PodmanArgs= holding it.
func (c *Context) flagLine(name string) int {
	if c.Run != nil {
		return c.Run.At.Line
	}
	for _, o := range c.File.All(unit.Container, "PodmanArgs") {
		if strings.Contains(o.Value, "--"+name) {
			return o.Line
		}
	}
	return c.runLine()
}

// dynamicUser reports whether the service runs as a transient user.
func (c *Context) dynamicUser() bool { return c.File.True(unit.Service, "DynamicUser") }
