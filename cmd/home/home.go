// Package home is what `secfirst` does with no command: on a terminal it
// opens the terminal interface on the repository's dashboard (secfirst-tui,
// see tuilaunch); without one (a pipe, CI, an editor's task runner) it
// prints a plain status summary and exits 0.
package home

import (
	"context"
	"errors"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/tuilaunch"
	"github.com/secfirst-dev/secfirst/tui/state"
	"github.com/secfirst-dev/secfirst/tui/status"
)

// Options are what `secfirst` needs.
type Options struct {
	IO *iostreams.IOStreams
	// Dir is the working directory ("" for the process's).
	Dir string
	// Store and Now replace the user's state directory and the clock (tests).
	Store *state.Store
	Now   func() time.Time
	// Launch runs the terminal interface with args (nil: tuilaunch.Launch).
	Launch func(args []string) error
}

// Run opens the dashboard on a terminal, else prints the summary.
func Run(ctx context.Context, opts *Options) error {
	dir, err := cmdutil.WorkDir(opts.Dir)
	if err != nil {
		return err
	}
	if opts.IO.Interactive() {
		args := []string{"dashboard", "--dir", dir}
		if opts.Launch != nil {
			return opts.Launch(args)
		}
		return tuilaunch.Launch(opts.IO, args)
	}
	store := opts.Store
	if store == nil {
		store, _ = state.Open() // no state directory: no last scan to show
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	return Fail(status.WriteSummary(ctx, opts.IO.Out, dir, status.Options{Store: store, Now: now()}), dir)
}

// Fail turns an error into the command's: one line, exit 2.
func Fail(err error, dir string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, checks.ErrNotARepository):
		return cmdutil.Failf("%s is not inside a git repository: run secfirst in one (secfirst --help lists the commands)", dir)
	}
	return cmdutil.Failf("%v", err)
}
