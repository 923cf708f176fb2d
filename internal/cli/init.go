package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/pkg/dockerfile/generate"
)

// InitOptions are the flags of `slimship init`.
type InitOptions struct {
	Dir    string
	Force  bool
	Stdout bool

	project *generate.Project
	s       Streams
}

func newInitCmd(s Streams) *cobra.Command {
	o := &InitOptions{s: s}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Detect the project and write a best-practice multi-stage Dockerfile and .dockerignore",
		Long: `Detect the project in DIR (Go modules; Node with npm, yarn or pnpm; Python with
requirements.txt, Poetry or uv; Java with Maven or Gradle; Rust with Cargo; a
static site) and write a multi-stage Dockerfile and .dockerignore: dependency
manifests installed before the source, BuildKit cache mounts, the smallest
runtime base that fits, a non-root USER, a HEALTHCHECK or exposed port where
detectable, pinned tags. An existing Dockerfile is refused and an existing .dockerignore
kept, unless --force.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dir = "."
			if len(args) == 1 {
				o.Dir = args[0]
			}
			if err := o.Complete(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "overwrite an existing Dockerfile and .dockerignore")
	cmd.Flags().BoolVar(&o.Stdout, "stdout", false, "print the Dockerfile instead of writing files")
	return cmd
}

// Complete detects the project.
func (o *InitOptions) Complete() error {
	p, err := generate.Detect(o.Dir)
	if err != nil {
		return usageErr("%s: %v", o.Dir, err)
	}
	o.project = p
	return nil
}

// Run generates and writes the files.
func (o *InitOptions) Run() error {
	out, err := generate.Generate(o.project)
	if err != nil {
		return err
	}
	if o.Stdout {
		_, err := o.s.Out.Write(out.Dockerfile)
		return err
	}
	written, kept, err := generate.WriteFiles(o.Dir, out, o.Force)
	if err != nil {
		return usageErr("%v", err)
	}
	port := "no port detected"
	if o.project.Port != 0 {
		port = fmt.Sprintf("port %d", o.project.Port)
	}
	fmt.Fprintf(o.s.Err, "detected a %s project %q (%s)\n", o.project.Kind, o.project.Name, port)
	for _, w := range written {
		fmt.Fprintf(o.s.Out, "wrote %s\n", w)
	}
	for _, k := range kept {
		fmt.Fprintf(o.s.Out, "kept %s (yours; --force replaces it)\n", k)
	}
	return nil
}
