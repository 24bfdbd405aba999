// Package hookscmd is `secfirst hooks install|uninstall|status`: putting
// secfirst's git hooks in place, taking them out, and reporting them.
package hookscmd

import (
	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
)

// NewCmd builds `secfirst hooks` and its subcommands.
func NewCmd(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hooks <install|uninstall|status>",
		Short: "Install, uninstall or show secfirst's git hooks",
		Long: `Install, uninstall or show secfirst's git hooks.

Hooks go where git looks for them: .git/hooks, the common directory of linked
worktrees, a submodule's git directory, or core.hooksPath. A hook that is
already there is kept and runs first, under its own name; uninstall puts it
back byte for byte.
With husky, secfirst adds its lines to .husky/<hook>; when the pre-commit
framework or lefthook owns the hook, install prints the snippet for their
configuration instead.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newInstallCmd(ios), newUninstallCmd(ios), newStatusCmd(ios))
	return cmd
}

// failure turns an error of the hooks package into one line and exit 2.
// Its paths and file names come from the repository: termtext shows their
// control bytes visibly.
func failure(dir string, err error) error {
	if hooks.IsNotARepository(err) {
		return cmdutil.Failf("%s is not inside a git repository", termtext.Line(dir))
	}
	return cmdutil.Failf("%s", termtext.Line(err.Error()))
}
