package checklistcmd

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
)

// ExportOptions are the options of `secfirst checklist export`.
type ExportOptions struct {
	*Options
	// Format is markdown or json.
	Format string
	// Output is the file the export is written to ("" or "-": stdout).
	Output string
}

func newExportCmd(parent *Options) *cobra.Command {
	opts := &ExportOptions{Options: parent}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Print the checklist as a Markdown page or JSON, for a pull request or a wiki",
		Long: `Print the checklist with fresh evidence: a Markdown page grouped by area
(status, evidence, note, owner, reviewer, date and stale marks), or the same
as JSON. The export is a document, so it exits 0 even when items fail; use
'secfirst checklist status' to gate CI.`,
		Example: `  secfirst checklist export -o checklist.md
  secfirst checklist export -f json > checklist.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return RunExport(ctxOf(cmd), opts)
		},
	}
	cmdutil.FormatFlag(cmd, &opts.Format, "markdown", "markdown", "json")
	cmdutil.OutputFlag(cmd, &opts.Output)
	return cmd
}

// RunExport writes the export document to stdout.
func RunExport(ctx context.Context, opts *ExportOptions) error {
	switch opts.Format {
	case "markdown", "md", "json":
	default:
		return cmdutil.Failf("invalid --format %q (want markdown or json)", opts.Format)
	}
	repo, err := opts.openRepo(ctx)
	if err != nil {
		return err
	}
	f, err := load(repo)
	if err != nil {
		return err
	}
	rep, err := opts.assess(ctx, repo, f)
	if err != nil {
		return err
	}
	name := filepath.Base(repo.Root)
	return cmdutil.WriteOutput(opts.IO.Out, opts.Output, func(w io.Writer) error {
		if opts.Format == "json" {
			data, err := rep.ExportJSON(name)
			if err != nil {
				return cmdutil.Failf("cannot write the export: %v", err)
			}
			_, err = w.Write(data)
			return err
		}
		_, err := fmt.Fprint(w, rep.Markdown(name))
		return err
	})
}
