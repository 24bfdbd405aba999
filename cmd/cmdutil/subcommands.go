package cmdutil

import (
	"fmt"

	"github.com/spf13/cobra"
)

// RejectUnknownSubcommands makes every command of the tree under root that
// has subcommands refuse an unknown one: exit 2 with "unknown command …;
// did you mean …?" (cobra's own suggestions). Cobra does that for the root
// only: a group such as `secfirst hooks` printed its help and exited 0 on
// `secfirst hooks instal`, so a typo in a hook script or a CI step passed
// every commit. A group given no subcommand still prints its help.
func RejectUnknownSubcommands(root *cobra.Command) {
	if root.HasSubCommands() {
		root.Args = noUnknownSubcommand
		if root.SuggestionsMinimumDistance <= 0 {
			root.SuggestionsMinimumDistance = 2 // cobra's default, set only on its own path
		}
		if root.Run == nil && root.RunE == nil {
			root.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
		}
	}
	for _, c := range root.Commands() {
		RejectUnknownSubcommands(c)
	}
}

// noUnknownSubcommand accepts no positional argument: cobra has already
// taken any that names a subcommand.
func noUnknownSubcommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if near := c.SuggestionsFor(args[0]); len(near) > 0 && !c.DisableSuggestions {
		msg += fmt.Sprintf("; did you mean %q?", near[0])
	} else {
		msg += fmt.Sprintf(" (%s --help lists its commands)", c.CommandPath())
	}
	return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s", msg)}
}
