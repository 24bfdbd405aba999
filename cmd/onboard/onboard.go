// Package onboard is `secfirst onboard`: the interactive walkthrough for a
// new engineer, which resumes where it stopped.
package onboard

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/tuilaunch"
)

// Options are the options of `secfirst onboard`.
type Options struct {
	IO  *iostreams.IOStreams
	Dir string
	// Launch runs the terminal interface with args (nil: tuilaunch.Launch).
	Launch func(args []string) error
}

// NewCmd builds `secfirst onboard`.
func NewCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &Options{IO: ios}
	return &cobra.Command{
		Use:   "onboard",
		Short: "Walk through secfirst and the team's security practices",
		Long: `An interactive walkthrough in the terminal: the shared responsibility model,
installing the pre-commit hook (you see exactly what changes first), a first
scan of this repository with its findings explained, and six short lessons
with a quiz (secrets, dependencies, containers, access, data and
infrastructure). Your progress is kept in your state directory
($XDG_STATE_HOME/secfirst): run it again to resume where you stopped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return Run(cmd.Context(), opts)
		},
	}
}

// Run starts the walkthrough in the terminal interface; it needs a terminal.
func Run(ctx context.Context, opts *Options) error {
	if !opts.IO.Interactive() {
		return cmdutil.Failf("onboard is interactive and needs a terminal: run it in one")
	}
	dir, err := cmdutil.WorkDir(opts.Dir)
	if err != nil {
		return err
	}
	args := []string{"onboard", "--dir", dir}
	if opts.Launch != nil {
		return opts.Launch(args)
	}
	return tuilaunch.Launch(opts.IO, args)
}
