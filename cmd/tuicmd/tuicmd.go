// Package tuicmd is the command line of secfirst-tui, secfirst's terminal
// interface: the program secfirst hands the terminal to when a command
// needs a screen (`secfirst` on a terminal, `secfirst onboard`, `secfirst
// checklist review`, `secfirst learn ID` on a terminal). It is a program of
// its own so that secfirst itself, which runs the git hook, links none of
// bubbletea, glamour or chroma (see tuilaunch). Run alone, it opens the
// dashboard.
package tuicmd

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/home"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/learn"
	"github.com/secfirst-dev/secfirst/cmd/tuilaunch"
	"github.com/secfirst-dev/secfirst/cmd/version"
	"github.com/secfirst-dev/secfirst/tui"
	tuilearn "github.com/secfirst-dev/secfirst/tui/learn"
)

// Options are what every screen needs.
type Options struct {
	IO *iostreams.IOStreams
	// Dir is any directory of the repository (default: the working directory).
	Dir string
	// DB is the vulnerability database directory ("" for the default).
	DB string
}

// NewCmd builds secfirst-tui's commands.
func NewCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &Options{IO: ios}
	dashboard := func(c *cobra.Command, args []string) error {
		return opts.run(c.Context(), tui.RunDashboard)
	}
	cmd := &cobra.Command{
		Use:   tuilaunch.Program,
		Short: "secfirst's terminal interface",
		Long: `secfirst's terminal interface: the dashboard, findings, lessons, the
checklist review and the onboarding walkthrough. secfirst starts it when a
command needs a screen; run alone, it opens the dashboard.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.String(),
		Args:          cobra.NoArgs,
		RunE:          dashboard,
	}
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SetVersionTemplate("{{.Version}}\n")
	cmd.CompletionOptions.DisableDefaultCmd = true
	cmdutil.NoColorFlag(cmd, ios)
	cmd.PersistentFlags().StringVar(&opts.Dir, "dir", "", "a directory of the repository (default: the current one)")
	cmd.PersistentFlags().StringVar(&opts.DB, "db", "", "the OSV database `DIR` (default $SECFIRST_OSV_DB or the user cache)")
	cmd.AddCommand(
		&cobra.Command{Use: "dashboard", Short: "The repository's dashboard", Args: cobra.NoArgs, RunE: dashboard},
		&cobra.Command{Use: "onboard", Short: "The onboarding walkthrough", Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, args []string) error { return opts.run(c.Context(), tui.RunOnboarding) }},
		&cobra.Command{Use: "review", Short: "The checklist review", Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, args []string) error {
				return opts.run(c.Context(), func(ctx context.Context, o tui.Options) error {
					o.Offline = true // evidence never touches the network
					return tui.RunChecklistReview(ctx, o)
				})
			}},
		learnCmd(opts),
	)
	cmdutil.RejectUnknownSubcommands(cmd)
	return cmd
}

// run opens a screen on the terminal.
func (o *Options) run(ctx context.Context, screen func(context.Context, tui.Options) error) error {
	if !o.IO.Interactive() {
		return cmdutil.Failf("the terminal interface needs a terminal: run it in one (secfirst with no terminal prints a plain summary)")
	}
	dir, err := cmdutil.WorkDir(o.Dir)
	if err != nil {
		return err
	}
	hook, err := hookBinary()
	if err != nil {
		return err
	}
	err = screen(ctx, tui.Options{
		In: o.IO.In, Out: o.IO.Out, Dir: dir,
		Renderer: o.IO.Renderer(), Color: o.IO.ColorEnabled(),
		DBDir: o.DB, Offline: cmdutil.OfflineFromEnv(),
		HookBinary: hook,
	})
	return home.Fail(err, dir)
}

// hookBinary is the secfirst the hooks installed from the interface call:
// the one that started it, else the one beside it or on PATH. Never this
// program: a hook must not start a screen.
func hookBinary() (string, error) {
	if p := os.Getenv(tuilaunch.EnvSecfirst); p != "" {
		return p, nil
	}
	p, err := tuilaunch.Sibling("secfirst")
	if err != nil {
		return "", cmdutil.Failf("secfirst itself is not installed (%v): the hooks the interface installs run it", err)
	}
	return p, nil
}

func learnCmd(o *Options) *cobra.Command {
	var answer bool
	cmd := &cobra.Command{Use: "learn LESSON-ID|RULE-ID", Short: "Print a lesson rendered for this terminal", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return o.lesson(args[0], answer) }}
	cmd.Flags().BoolVar(&answer, "answer", false, "show the quiz's answer and its explanation")
	return cmd
}

// lesson prints a lesson rendered with glamour for this terminal.
func (o *Options) lesson(query string, answer bool) error {
	l, ok := learn.Resolve(query)
	if !ok {
		return cmdutil.Failf("no lesson or rule %q (run `secfirst learn` for the list)", query)
	}
	width := o.IO.Width()
	if width == 0 {
		width = 80
	}
	out, err := tuilearn.Render(l, min(width, 100), o.IO.Profile(), answer)
	if err != nil {
		return cmdutil.Failf("cannot render lesson %s: %v", l.ID, err)
	}
	_, err = fmt.Fprint(o.IO.Out, out)
	return err
}
