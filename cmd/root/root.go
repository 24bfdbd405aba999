// Package root assembles secfirst's command tree.
package root

import (
	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/cmd/checklistcmd"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/db"
	"github.com/secfirst-dev/secfirst/cmd/home"
	"github.com/secfirst-dev/secfirst/cmd/hook"
	"github.com/secfirst-dev/secfirst/cmd/hookscmd"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/learn"
	"github.com/secfirst-dev/secfirst/cmd/onboard"
	"github.com/secfirst-dev/secfirst/cmd/scan"
	"github.com/secfirst-dev/secfirst/cmd/version"
)

// NewCmd builds the root command with every subcommand.
func NewCmd(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secfirst",
		Short: "Security first: secrets, dependencies, Dockerfiles, Kubernetes and Terraform checked before every commit",
		Long: `secfirst checks every commit for leaked secrets, vulnerable dependencies,
insecure Dockerfiles, Kubernetes manifests and Terraform, explains each finding
with a fix and a short lesson, and keeps a security checklist for the
repository.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.String(),
		// No command: the TUI on a terminal, else a plain status summary.
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error { return home.Run(c.Context(), &home.Options{IO: ios}) },
	}
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SetVersionTemplate("{{.Version}}\n")
	cmdutil.NoColorFlag(cmd, ios)

	cmd.AddCommand(
		checklistcmd.NewCmd(ios),
		db.NewCmd(ios),
		hook.NewCmd(ios),
		hookscmd.NewCmd(ios),
		learn.NewCmd(ios),
		onboard.NewCmd(ios),
		scan.NewCmd(ios),
		version.NewCmd(ios),
	)
	// `secfirst completion bash|zsh|fish|powershell`, listed in the help;
	// made now rather than when the command runs, so the whole tree is
	// there for the walk below.
	cmd.InitDefaultCompletionCmd()
	cmdutil.RejectUnknownSubcommands(cmd)
	return cmd
}
