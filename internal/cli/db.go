package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/pkg/vuln/db"
	"github.com/slimship/slimship/pkg/vuln/osv"
)

// dbSubcommands lists the constructors of `slimship db` subcommands.
var dbSubcommands = []func(Streams) *cobra.Command{
	newDBImportCmd,
	newDBStatusCmd,
	newDBUpdateCmd,
}

// newDBCmd builds the `db` parent command.
func newDBCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the local vulnerability database that scan matches against",
		Long: `The local vulnerability database holds OSV records under the user cache
directory (slimship/vulndb), or under --db DIR. Import directories of OSV
JSON records, osv.dev's per-ecosystem all.zip, or the Go vulnerability
database layout; a malformed record is skipped with a warning naming it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	for _, add := range dbSubcommands {
		cmd.AddCommand(add(s))
	}
	return cmd
}

// dbDir resolves --db: the flag's directory, else the user cache's.
func dbDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	d, err := db.DefaultDir()
	if err != nil {
		return "", usageErr("no user cache directory (%v): give --db DIR", err)
	}
	return d, nil
}

// DBImportOptions are the flags of `slimship db import`.
type DBImportOptions struct {
	DB    string
	Paths []string
	store *db.Store
	s     Streams
}

func newDBImportCmd(s Streams) *cobra.Command {
	o := &DBImportOptions{s: s}
	cmd := &cobra.Command{
		Use: "import PATH...",
		Example: `  slimship db import ./osv-records/ Debian-all.zip
  slimship db import --db /tmp/vulndb vulndb/data/osv`,
		Short: "Import OSV records from directories, all.zip archives or JSON files",
		Long: `Import OSV records into the local database: a directory of *.json records
(searched recursively; the Go vulnerability database's index/ is passed
over), a .zip archive such as osv.dev's <ecosystem>/all.zip, or a single
record. Records replace those of the same ID unless older. Archive entries
named with ../ or an absolute path are skipped, and an archive that
decompresses past the limits is refused. Exit codes: 0 imported (with or
without warnings), 2 a path could not be read.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			o.Paths = args
			return run(o)
		},
	}
	cmd.Flags().StringVar(&o.DB, "db", "", "database directory (default: <user cache dir>/slimship/vulndb)")
	return cmd
}

// Complete resolves the database directory.
func (o *DBImportOptions) Complete() error {
	dir, err := dbDir(o.DB)
	if err != nil {
		return err
	}
	o.store = db.Open(dir)
	return nil
}

// Validate has nothing to check beyond cobra's argument count.
func (o *DBImportOptions) Validate() error { return nil }

// Run imports the paths.
func (o *DBImportOptions) Run() error {
	st, err := o.store.Import(o.Paths, db.ImportOptions{Warn: func(m string) { fmt.Fprintln(o.s.Err, "warning:", m) }})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	fmt.Fprintf(o.s.Out, "imported %d records into %s (%d skipped)\n", st.Records, o.store.Dir, st.Skipped)
	return nil
}

// DBStatusOptions are the flags of `slimship db status`.
type DBStatusOptions struct {
	DB     string
	Format string
	store  *db.Store
	s      Streams
}

func newDBStatusCmd(s Streams) *cobra.Command {
	o := &DBStatusOptions{s: s}
	cmd := &cobra.Command{
		Use: "status",
		Example: `  slimship db status
  slimship db status -f json`,
		Short: "Show the local vulnerability database: ecosystems, record counts, import time",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return run(o) },
	}
	cmd.Flags().StringVar(&o.DB, "db", "", "database directory (default: <user cache dir>/slimship/vulndb)")
	cmd.Flags().StringVarP(&o.Format, "format", "f", "text", "output format: text or json")
	return cmd
}

// Complete resolves the database directory.
func (o *DBStatusOptions) Complete() error {
	dir, err := dbDir(o.DB)
	if err != nil {
		return err
	}
	o.store = db.Open(dir)
	return nil
}

// Validate checks --format.
func (o *DBStatusOptions) Validate() error {
	if o.Format != "text" && o.Format != "json" {
		return usageErr("--format must be text or json, not %q", o.Format)
	}
	return nil
}

// Run prints the status.
func (o *DBStatusOptions) Run() error {
	m, err := o.store.Status()
	if errors.Is(err, db.ErrEmpty) {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if o.Format == "json" {
		enc := json.NewEncoder(o.s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Dir string `json:"dir"`
			*db.Meta
		}{o.store.Dir, m})
	}
	fmt.Fprintf(o.s.Out, "database %s, imported %s\n", o.store.Dir, m.Imported.Format(time.RFC3339))
	names := make([]string, 0, len(m.Ecosystems))
	for n := range m.Ecosystems {
		names = append(names, n)
	}
	sort.Strings(names)
	total := 0
	for _, n := range names {
		e := m.Ecosystems[n]
		total += e.Records
		fmt.Fprintf(o.s.Out, "  %-12s %8d records %8d packages\n", n, e.Records, e.Packages)
	}
	fmt.Fprintf(o.s.Out, "%d records in %d ecosystems\n", total, len(names))
	return nil
}

// DBUpdateOptions are the flags of `slimship db update`.
type DBUpdateOptions struct {
	DB         string
	Source     string
	Ecosystems []string
	SBOM       string
	store      *db.Store
	ctx        context.Context
	s          Streams
}

func newDBUpdateCmd(s Streams) *cobra.Command {
	o := &DBUpdateOptions{s: s}
	cmd := &cobra.Command{
		Use: "update",
		Example: `  slimship db update --sbom app.cdx.json
  slimship db update --ecosystem Go --ecosystem npm`,
		Short: "Download the ecosystems an SBOM needs from osv.dev and import them",
		Long: `Download <source>/<ecosystem>/all.zip for each --ecosystem, or for each
ecosystem the packages of --sbom belong to, and import them, replacing
those ecosystems' records in one swap. Requests are conditional on the last
download's ETag, an interrupted download resumes, and an archive is checked
against <url>.sha256 when the server publishes one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.ctx = cmd.Context()
			return run(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.DB, "db", "", "database directory (default: <user cache dir>/slimship/vulndb)")
	f.StringVar(&o.Source, "source", db.DefaultSource, "base URL of the per-ecosystem archives")
	f.StringSliceVar(&o.Ecosystems, "ecosystem", nil, "ecosystems to download (e.g. Debian, Alpine, Go, PyPI, npm)")
	f.StringVar(&o.SBOM, "sbom", "", "download the ecosystems this SBOM's packages belong to")
	return cmd
}

// Complete resolves the database and the ecosystems.
func (o *DBUpdateOptions) Complete() error {
	dir, err := dbDir(o.DB)
	if err != nil {
		return err
	}
	o.store = db.Open(dir)
	if o.SBOM != "" {
		pkgs, err := readSBOM(o.SBOM, o.s.Err)
		if err != nil {
			return err
		}
		for _, p := range pkgs {
			if b := osv.Base(p.Ecosystem); !slices.Contains(o.Ecosystems, b) {
				o.Ecosystems = append(o.Ecosystems, b)
			}
		}
	}
	return nil
}

// Validate checks that there is something to download.
func (o *DBUpdateOptions) Validate() error {
	if len(o.Ecosystems) == 0 {
		return usageErr("give --ecosystem or --sbom")
	}
	return nil
}

// Run downloads and imports.
func (o *DBUpdateOptions) Run() error {
	st, err := o.store.Update(orBackground(o.ctx), o.Ecosystems, db.UpdateOptions{Source: o.Source,
		ImportOptions: db.ImportOptions{Warn: func(m string) { fmt.Fprintln(o.s.Err, "warning:", m) }}})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	fmt.Fprintf(o.s.Out, "downloaded %d ecosystems (%d unchanged), imported %d records into %s (%d skipped)\n",
		len(st.Downloaded), len(st.Unchanged), st.Records, o.store.Dir, st.Skipped)
	return nil
}
