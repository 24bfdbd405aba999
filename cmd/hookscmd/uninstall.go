package hookscmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/hooks"
)

// UninstallOptions are the flags of `secfirst hooks uninstall`.
type UninstallOptions struct {
	IO     *iostreams.IOStreams
	Dir    string
	Hooks  []string
	DryRun bool
}

func newUninstallCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &UninstallOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "uninstall",
		Short: "Remove secfirst's git hooks and put back the hooks they chain",
		Long: `Remove secfirst's git hooks (all of them unless --hook says which).

A hook that was there before secfirst is put back byte for byte, with its
mode. secfirst's lines are removed from husky hook files; entries in the
pre-commit framework's or lefthook's configuration are left for you to remove.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Dir, err = cmdutil.WorkDir(opts.Dir); err != nil {
				return err
			}
			return RunUninstall(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.Hooks, "hook", nil, "hooks to uninstall: pre-commit, pre-push (default all)")
	cmdutil.CompleteValues(cmd, "hook", hooks.Names...)
	f.BoolVar(&opts.DryRun, "dry-run", false, "show what would change, change nothing")
	return cmd
}

// RunUninstall plans the uninstall, applies it (unless DryRun) and says
// what changed on stdout.
func RunUninstall(ctx context.Context, opts *UninstallOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	plan, err := hooks.PlanUninstall(ctx, opts.Dir, hooks.UninstallOptions{Hooks: opts.Hooks})
	if err != nil {
		return failure(opts.Dir, err)
	}
	if opts.DryRun {
		fmt.Fprintf(opts.IO.Out, "secfirst hooks uninstall would (nothing changed yet):\n")
		writePlan(opts.IO, plan)
		return nil
	}
	if err := plan.Apply(); err != nil {
		return failure(opts.Dir, err)
	}
	writePlan(opts.IO, plan)
	return nil
}
