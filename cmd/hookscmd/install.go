package hookscmd

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/version"
	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
)

// InstallOptions are the flags of `secfirst hooks install`.
type InstallOptions struct {
	IO     *iostreams.IOStreams
	Dir    string
	Hooks  []string
	Force  bool
	DryRun bool
	// EditConfig adds secfirst to the pre-commit framework's or lefthook's
	// configuration when one of them owns the hook.
	EditConfig bool
	// Binary is the secfirst the hook calls (default: this program).
	Binary string
}

func newInstallCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &InstallOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Install secfirst's git hook (pre-commit by default)",
		Long: `Install secfirst's git hook in this repository.

The hook is a small sh script calling this secfirst binary by its absolute
path (falling back to secfirst on PATH). A hook that is already there is kept
in secfirst-chained/<hook> and runs first, under its own name: its failure
stops git. Installing
again changes nothing. With --dry-run, show what would change and stop.`,
		Example: `  secfirst hooks install
  secfirst hooks install --hook pre-commit,pre-push
  secfirst hooks install --dry-run
  secfirst hooks install --edit-config`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Dir, err = cmdutil.WorkDir(opts.Dir); err != nil {
				return err
			}
			return RunInstall(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.Hooks, "hook", nil, "hooks to install: pre-commit, pre-push (default pre-commit)")
	cmdutil.CompleteValues(cmd, "hook", hooks.Names...)
	f.BoolVar(&opts.Force, "force", false, "install secfirst's own hook even where the pre-commit framework or lefthook owns it (theirs is chained)")
	f.BoolVar(&opts.EditConfig, "edit-config", false, "where the pre-commit framework or lefthook owns the hook, add secfirst to its configuration (lines inserted, the rest of the file kept byte for byte) instead of showing the lines to add")
	f.BoolVar(&opts.DryRun, "dry-run", false, "show what would change, change nothing")
	return cmd
}

// RunInstall plans the install, applies it (unless DryRun) and says what
// changed on stdout.
func RunInstall(ctx context.Context, opts *InstallOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	v, _, _ := version.Info()
	plan, err := hooks.PlanInstall(ctx, opts.Dir, hooks.InstallOptions{
		Hooks: opts.Hooks, Force: opts.Force, Binary: opts.Binary, Version: v, EditConfig: opts.EditConfig,
	})
	if err != nil {
		return failure(opts.Dir, err)
	}
	out := opts.IO.Out
	if opts.DryRun {
		fmt.Fprintf(out, "secfirst hooks install would (nothing changed yet):\n")
		writePlan(opts.IO, plan)
		return nil
	}
	if err := plan.Apply(); err != nil {
		return failure(opts.Dir, err)
	}
	writePlan(opts.IO, plan)
	if plan.Changes() {
		var names []string
		for _, a := range plan.Actions {
			if a.Changes() && !slices.Contains(names, a.Hook) {
				names = append(names, a.Hook)
			}
		}
		fmt.Fprintf(out, "secfirst now runs on %s in %s. `secfirst hooks uninstall` undoes this.\n", strings.Join(names, " and "), termtext.Line(plan.Layout.Root))
	}
	return nil
}

func writePlan(ios *iostreams.IOStreams, plan *hooks.Plan) {
	st := ios.Renderer()
	bold := st.NewStyle().Bold(true)
	dim := st.NewStyle().Faint(true)
	// Summaries, snippets and notes name files of the repository: they
	// reach the terminal through termtext.
	for _, a := range plan.Actions {
		fmt.Fprintf(ios.Out, "  %s %s\n", bold.Render(a.Hook+":"), termtext.Line(a.Summary))
		if (a.Kind == hooks.ActSnippet || a.Kind == hooks.ActConfig) && a.Snippet != "" {
			fmt.Fprintln(ios.Out)
			for _, line := range strings.Split(strings.TrimRight(a.Snippet, "\n"), "\n") {
				fmt.Fprintf(ios.Out, "      %s\n", termtext.Line(line))
			}
			fmt.Fprintln(ios.Out)
		}
	}
	for _, n := range plan.Notes {
		fmt.Fprintf(ios.Out, "  %s %s\n", dim.Render("note:"), termtext.Line(n))
	}
}
