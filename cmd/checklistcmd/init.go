package checklistcmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
)

// InitOptions are the options of `secfirst checklist init`.
type InitOptions struct {
	*Options
}

func newInitCmd(parent *Options) *cobra.Command {
	opts := &InitOptions{Options: parent}
	return &cobra.Command{
		Use:   "init",
		Short: "Write the default checklist to .secfirst/checklist.yaml (never overwrites)",
		Long: `Write the default checklist: the practices of a secure cloud SaaS team over
six areas (code and supply chain, containers and clusters, infrastructure,
identity and access, data, operations), each linked to its lesson.

An existing checklist is never touched: init then says so and changes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return RunInit(ctxOf(cmd), opts)
		},
	}
}

// RunInit writes the template unless a checklist exists.
func RunInit(ctx context.Context, opts *InitOptions) error {
	root, err := opts.root(ctx)
	if err != nil {
		return err
	}
	path, created, err := checklist.Init(root)
	if err != nil {
		return cmdutil.Failf("%v", err)
	}
	rel := relPath(root, path)
	if !created {
		fmt.Fprintf(opts.IO.ErrOut, "%s already exists; left unchanged.\n", rel)
		return nil
	}
	auto := 0
	for _, t := range checklist.Template {
		if t.Kind == checklist.Auto {
			auto++
		}
	}
	fmt.Fprintf(opts.IO.ErrOut, "Wrote %s: %d items, %d verified by secfirst, %d for the team to review.\n", rel, len(checklist.Template), auto, len(checklist.Template)-auto)
	fmt.Fprintf(opts.IO.ErrOut, "Next: `secfirst checklist review`, then commit %s and %s/%s (it keeps the temporary file of an interrupted write out of git).\n", rel, checklist.Dir, checklist.IgnoreName)
	return nil
}
