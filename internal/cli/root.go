// Package cli holds slimship's commands, one file each. Every command has an
// Options struct bound to flags with Complete (resolve), Validate (pure) and
// Run (work, printing to the injected streams), as kubectl's commands do.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/gctarget"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitUsage    = 2
)

// Streams are a command's input and outputs.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// ExitError carries an exit code out of a command. A nil Err means the
// command already printed what there was to say.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// options is what most commands' Options are: Complete resolves (reads
// files, loads configuration), Validate checks flags without side effects,
// and Run does the work, printing to the command's streams.
type options interface {
	Complete() error
	Validate() error
	Run() error
}

// run completes, validates and runs o, stopping at the first error.
func run(o options) error {
	if err := o.Complete(); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	return o.Run()
}

// orBackground is ctx, or the background context when a test built the
// options without one.
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// usageErr marks bad input or usage (exit 2).
func usageErr(format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, a...)}
}

// NewRoot builds the command tree.
func NewRoot(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "slimship",
		Short:         "Make container images small, fast and safe, and ship them to Kubernetes well",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetVersionTemplate(versionLine())
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err}
	})
	for _, add := range commands {
		root.AddCommand(add(s))
	}
	return root
}

// commands lists every top-level command constructor, explicitly.
var commands = []func(Streams) *cobra.Command{
	newVersionCmd,
	newRulesCmd,
	newLintCmd,
	newAnalyzeCmd,
	newAuditCmd,
	newFixCmd,
	newBuildCmd,
	newInitCmd,
	newSlimCmd,
	newSBOMCmd,
	newK8sCmd,
	newEdgeCmd,
	newDBCmd,
	newScanCmd,
	newFleetCmd,
	newCopyCmd,
	newTagsCmd,
	newRegistryCmd,
	newGenerateKeyPairCmd,
	newSignCmd,
	newVerifyCmd,
	newAttestCmd,
	newVerifyAttestationCmd,
	newAttachCmd,
}

// Execute runs slimship with args and returns the exit code.
func Execute(ctx context.Context, args []string, s Streams) int {
	gctarget.Start()
	root := NewRoot(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintln(s.Err, "slimship:", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintln(s.Err, "slimship:", err)
	return ExitUsage
}

// isTerminal reports whether w is a character device (for colour and
// progress bars).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil {
		return false
	}
	return st.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == ""
}
