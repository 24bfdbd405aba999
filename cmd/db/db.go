// Package db is `secfirst db update`: download the OSV databases the deps
// check reads offline, in osv-scanner's local layout.
package db

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/deps"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
)

// UpdateOptions are the flags of `secfirst db update`.
type UpdateOptions struct {
	IO         *iostreams.IOStreams
	Dir        string // working directory
	DB         string
	Ecosystems []string

	// baseURL and httpClient point the download at a local server in tests.
	baseURL    string
	httpClient *http.Client
}

// NewCmd builds `secfirst db`.
func NewCmd(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the offline vulnerability database",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newUpdateCmd(ios))
	return cmd
}

func newUpdateCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &UpdateOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the OSV databases the repository's dependencies need",
		Long: `Download the OSV vulnerability databases for the ecosystems of the
repository's lockfiles (or those named with --ecosystem) into the database
directory: --db, else $SECFIRST_OSV_DB, else the user cache. The layout is
osv-scanner's own (<dir>/osv-scalibr/<Ecosystem>/all.zip), so
'osv-scanner scan source --offline' can read the same copy.

A download is checked, replaces the old database in one step, and resumes
where it stopped when it is interrupted. Progress goes to stderr.`,
		Example: `  secfirst db update
  secfirst db update --ecosystem npm --ecosystem PyPI
  secfirst db update --db /srv/osv --ecosystem Go`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Dir, err = cmdutil.WorkDir(opts.Dir); err != nil {
				return err
			}
			return RunUpdate(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.Ecosystems, "ecosystem", nil, "ecosystem to download, as OSV names it (npm, PyPI, Go, crates.io, Maven, ...); repeatable (default: those of the repository's lockfiles)")
	f.StringVar(&opts.DB, "db", "", "database directory (default $SECFIRST_OSV_DB or the user cache)")
	return cmd
}

// RunUpdate downloads the databases.
func RunUpdate(ctx context.Context, opts *UpdateOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var ecos []string
	seen := map[string]bool{}
	for _, e := range opts.Ecosystems {
		c, err := deps.CanonicalEcosystem(e)
		if err != nil {
			return cmdutil.Failf("%v", err)
		}
		if !seen[c] {
			seen[c] = true
			ecos = append(ecos, c)
		}
	}
	if len(ecos) == 0 {
		src, err := checks.NewRepoSource(ctx, opts.Dir, checks.ModeWorktree)
		if err != nil {
			return cmdutil.Failf("not inside a git repository: name the databases to download with --ecosystem (e.g. --ecosystem npm)")
		}
		ecos, err = deps.Ecosystems(ctx, src)
		if err != nil {
			return cmdutil.Failf("cannot read the repository's lockfiles: %v", err)
		}
		if len(ecos) == 0 {
			return cmdutil.Failf("no lockfile or manifest in %s: name the databases to download with --ecosystem", src.Root)
		}
	}
	dir := deps.ResolveDBDir(opts.DB)
	errOut := opts.IO.ErrOut
	fmt.Fprintf(errOut, "Downloading OSV databases to %s: %s\n", dir, strings.Join(ecos, ", "))
	// On a terminal one line shows the progress, redrawn in place; without
	// one (CI logs) no control sequence is written at all.
	tty := opts.IO.IsStderrTTY()
	redraw := "\r" + ansi.EraseLineRight
	started := map[string]bool{}
	progress := func(p deps.Progress) {
		switch {
		case p.Finished:
			if tty {
				fmt.Fprint(errOut, redraw)
			}
			if p.Advisories == 0 {
				// Not an error (the download is what the server holds), but
				// never mistaken for a clean bill of health: scans say so too.
				fmt.Fprintf(errOut, "%s: warning: the download holds no advisories; scans will report %s packages as NOT checked\n", p.Ecosystem, p.Ecosystem)
				break
			}
			fmt.Fprintf(errOut, "%s: %d advisories, indexed\n", p.Ecosystem, p.Advisories)
		case tty:
			fmt.Fprint(errOut, redraw+p.Ecosystem+": "+sizes(p))
		case !started[p.Ecosystem]:
			// Not a terminal (CI logs): one line per download, not a stream.
			started[p.Ecosystem] = true
			what := "downloading"
			if p.Resumed > 0 {
				what = fmt.Sprintf("resuming at %s", mb(p.Resumed))
			}
			fmt.Fprintf(errOut, "%s: %s %s\n", p.Ecosystem, what, total(p.Total))
		}
	}
	err := deps.Update(ctx, deps.UpdateOptions{
		DBDir:      dir,
		Ecosystems: ecos,
		BaseURL:    opts.baseURL,
		HTTPClient: opts.httpClient,
		Progress:   progress,
	})
	if err != nil {
		if tty {
			fmt.Fprintln(errOut)
		}
		if errors.Is(err, context.Canceled) {
			return cmdutil.Failf("download cancelled; run `secfirst db update` again to resume")
		}
		return cmdutil.Failf("%v", err)
	}
	return nil
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func total(n int64) string {
	if n <= 0 {
		return ""
	}
	return "(" + mb(n) + ")"
}

func sizes(p deps.Progress) string {
	if p.Total <= 0 {
		return mb(p.Done)
	}
	return fmt.Sprintf("%s / %s  %3.0f%%", mb(p.Done), mb(p.Total), 100*float64(p.Done)/float64(p.Total))
}
