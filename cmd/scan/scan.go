// Package scan is `secfirst scan`: run the checks on the working tree, the
// staged changes, the history or given paths, and report.
package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/checks/report"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/version"
	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/tui/state"
)

// Options are the flags and arguments of `secfirst scan`.
type Options struct {
	IO      *iostreams.IOStreams
	Dir     string // working directory
	Staged  bool
	History bool
	Checks  []string
	Format  string
	// Output is the file the report is written to ("" or "-": stdout).
	Output string
	// Config is the policy file to use instead of the repository's
	// .secfirst.toml.
	Config  string
	FailOn  string
	Offline bool
	DB      string
	Paths   []string
}

// NewCmd builds `secfirst scan`.
func NewCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &Options{IO: ios}
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Scan the working tree, the staged changes, the history or paths",
		Long: `Scan for leaked secrets, vulnerable dependencies and insecure Dockerfiles.

With no mode, scan the tracked files of the working tree. --staged scans the
index exactly as 'git commit' would record it; --history every commit
reachable from HEAD. Given PATHs (files or folders, inside or outside a
repository), scan those.

Exit codes: 0 nothing at or above the fail-on level, 1 blocking findings,
2 usage or runtime error, or a check that could not run (the report is
still written, and says so).`,
		Example: `  secfirst scan
  secfirst scan --staged
  secfirst scan --history --check secrets -f sarif -o secfirst.sarif
  secfirst scan -f codequality --fail-on never -o gl-code-quality-report.json
  secfirst scan -f json ./deploy/Dockerfile
  secfirst scan --config ci/strict.secfirst.toml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			var err error
			if opts.Dir, err = cmdutil.WorkDir(opts.Dir); err != nil {
				return err
			}
			opts.Offline = opts.Offline || cmdutil.OfflineFromEnv()
			return Run(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Staged, "staged", false, "scan the index as 'git commit' would record it")
	f.BoolVar(&opts.History, "history", false, "scan every commit reachable from HEAD")
	f.StringSliceVar(&opts.Checks, "check", nil, "checks to run: "+strings.Join(checks.KnownChecks, ", ")+" (default all)")
	cmdutil.CompleteValues(cmd, "check", checks.KnownChecks...)
	cmdutil.FormatFlag(cmd, &opts.Format, report.FormatText, report.Formats...)
	cmdutil.OutputFlag(cmd, &opts.Output)
	f.StringVar(&opts.Config, "config", "", "the policy `FILE` to use instead of the repository's .secfirst.toml")
	f.StringVar(&opts.FailOn, "fail-on", "", "lowest severity that fails the scan: critical, high, medium, low, info or never (default from .secfirst.toml, else high)")
	cmdutil.CompleteValues(cmd, "fail-on", "critical", "high", "medium", "low", "info", "never")
	f.BoolVar(&opts.Offline, "offline", false, "never use the network (vulnerability data from the local database only; also $SECFIRST_OFFLINE=1)")
	f.StringVar(&opts.DB, "db", "", "the OSV database `DIR` (default $SECFIRST_OSV_DB or the user cache)")
	cmd.MarkFlagsMutuallyExclusive("staged", "history")
	return cmd
}

// Run runs a scan and writes the report. It returns an ExitError with code 1
// when findings block, 2 on a usage or runtime error.
func Run(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := report.CheckFormat(opts.Format); err != nil {
		return cmdutil.Failf("--format: %v", err)
	}
	var failOn checks.FailOn
	if opts.FailOn != "" {
		fo, err := checks.ParseFailOn(opts.FailOn)
		if err != nil {
			return cmdutil.Failf("%v", err)
		}
		failOn = fo
	}
	if len(opts.Paths) > 0 && (opts.Staged || opts.History) {
		return cmdutil.Failf("PATH arguments cannot be combined with --staged or --history")
	}

	src, err := source(ctx, opts)
	if err != nil {
		return err
	}
	var pol *checks.Policy
	switch {
	case opts.Config != "":
		if pol, err = checks.LoadPolicyFile(opts.Config); err != nil {
			return cmdutil.Failf("--config: %s", termtext.Line(err.Error()))
		}
	case src.InRepo:
		// --staged reads the staged .secfirst.toml, as the hook does.
		if pol, err = checks.LoadSourcePolicy(ctx, src); err != nil {
			return cmdutil.Failf("%s", termtext.Line(err.Error()))
		}
		if pol.UnstagedEdit() {
			fmt.Fprintln(opts.IO.ErrOut, "secfirst: note: "+checks.UnstagedPolicyNote)
		}
	default:
		pol = checks.DefaultPolicy()
	}
	list, err := checks.Select(all.Checks(all.Options{DBDir: opts.DB, Offline: opts.Offline}), opts.Checks, pol)
	if err != nil {
		return cmdutil.Failf("%v", err)
	}
	rep := checks.Scan(ctx, src, list, pol, checks.Options{FailOn: failOn})
	if ctx.Err() != nil {
		return cmdutil.Failf("scan interrupted")
	}
	// The report first, whole, in the format asked; then the diagnostics.
	if err := write(opts, rep); err != nil {
		return cmdutil.Failf("cannot write the report: %v", err)
	}
	if src.InRepo && len(opts.Paths) == 0 {
		recordLastScan(opts, src, list, rep)
	}
	if err := report.WriteWarnings(opts.IO.ErrOut, rep, report.NewStyles(opts.IO.RendererErr())); err != nil {
		return cmdutil.Failf("cannot write to standard error: %v", err)
	}
	if rep.Incomplete() {
		// A check that could not do its job is never a clean result, and
		// outranks findings: exit 2 with the causes on one line.
		return cmdutil.Failf("scan incomplete: %s", termtext.Line(strings.Join(rep.Errors, "; ")))
	}
	if rep.Summary.Blocking > 0 {
		return cmdutil.Silent(cmdutil.ExitFindings)
	}
	return nil
}

func source(ctx context.Context, opts *Options) (*checks.Source, error) {
	if len(opts.Paths) > 0 {
		src, err := checks.NewPathsSource(ctx, opts.Dir, opts.Paths)
		if err != nil {
			return nil, cmdutil.Failf("%v", err)
		}
		return src, nil
	}
	mode := checks.ModeWorktree
	switch {
	case opts.Staged:
		mode = checks.ModeStaged
	case opts.History:
		mode = checks.ModeHistory
	}
	src, err := checks.NewRepoSource(ctx, opts.Dir, mode)
	if errors.Is(err, checks.ErrNotARepository) {
		return nil, cmdutil.Failf("%s is not inside a git repository; give the files or folders to scan: secfirst scan PATH...", opts.Dir)
	}
	if err != nil {
		return nil, cmdutil.Failf("%v", err)
	}
	return src, nil
}

func write(opts *Options, rep *checks.Report) error {
	v, _, _ := version.Info()
	styles := report.NewStyles(opts.IO.Renderer())
	if opts.Output != "" && opts.Output != "-" {
		styles = report.NewStyles(iostreams.PlainRenderer()) // a file gets no colour
	}
	return cmdutil.WriteOutput(opts.IO.Out, opts.Output, func(w io.Writer) error {
		return report.Write(w, opts.Format, rep, report.Options{Styles: styles, Version: v})
	})
}

// recordLastScan keeps the scan's counts (never a finding's text) as the
// repository's last scan, which the dashboard and the plain summary show.
// A user without a state directory (a read-only CI home) is not told off.
func recordLastScan(opts *Options, src *checks.Source, list []checks.Check, rep *checks.Report) {
	store, err := state.Open()
	if err != nil {
		return
	}
	ran := make([]string, 0, len(list))
	for _, c := range list {
		ran = append(ran, c.Name())
	}
	if err := store.SaveLastScan(src.Root, state.Summarize(rep, ran, time.Now())); err != nil {
		fmt.Fprintln(opts.IO.ErrOut, "secfirst: note: the dashboard's last scan was not updated: "+termtext.Line(err.Error()))
	}
}
