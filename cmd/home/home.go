// Package home is what `secfirst` does with no command: on a terminal it
// opens the TUI on the repository's dashboard; without one (a pipe, CI, an
// editor's task runner) it prints a plain status summary and exits 0.
package home

import (
	"context"
	"errors"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/tui"
	"github.com/secfirst-dev/secfirst/tui/state"
)

// Options are what `secfirst` needs.
type Options struct {
	IO *iostreams.IOStreams
	// Dir is the working directory ("" for the process's).
	Dir string
	// Store and Now replace the user's state directory and the clock (tests).
	Store *state.Store
	Now   func() time.Time
}

// TUIOptions turns the command's streams into the TUI's options. Like the
// hooks, the TUI stays off the network when SECFIRST_OFFLINE is set.
func TUIOptions(ios *iostreams.IOStreams, dir string) tui.Options {
	return tui.Options{In: ios.In, Out: ios.Out, Dir: dir, Renderer: ios.Renderer(), Color: ios.ColorEnabled(), Offline: cmdutil.OfflineFromEnv()}
}

// Run opens the dashboard on a terminal, else prints the summary.
func Run(ctx context.Context, opts *Options) error {
	dir, err := cmdutil.WorkDir(opts.Dir)
	if err != nil {
		return err
	}
	o := TUIOptions(opts.IO, dir)
	o.Store, o.Now = opts.Store, opts.Now
	if opts.IO.Interactive() {
		err = tui.RunDashboard(ctx, o)
	} else {
		err = tui.WriteSummary(ctx, opts.IO.Out, o)
	}
	return Fail(err, dir)
}

// Fail turns an error of the TUI into the command's: one line, exit 2.
func Fail(err error, dir string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, checks.ErrNotARepository):
		return cmdutil.Failf("%s is not inside a git repository: run secfirst in one (secfirst --help lists the commands)", dir)
	}
	return cmdutil.Failf("%v", err)
}
