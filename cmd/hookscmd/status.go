package hookscmd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
)

// StatusOptions are the flags of `secfirst hooks status`.
type StatusOptions struct {
	IO     *iostreams.IOStreams
	Dir    string
	Format string
}

func newStatusCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &StatusOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show which of secfirst's git hooks are installed",
		Long: `Show each hook secfirst can install: whether git runs secfirst for it,
the file that does, and whether it chains a hook that was there before.
Works from any directory of any worktree.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Dir, err = cmdutil.WorkDir(opts.Dir); err != nil {
				return err
			}
			return RunStatus(cmd.Context(), opts)
		},
	}
	cmdutil.FormatFlag(cmd, &opts.Format, "text", "text", "json")
	return cmd
}

// RunStatus writes the hooks' status: text for people, JSON
// ({"hooks": [{"name", "installed", "path", "chained"}]}) for scripts.
func RunStatus(ctx context.Context, opts *StatusOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.Format != "text" && opts.Format != "json" {
		return cmdutil.Failf("invalid --format %q (want text or json)", opts.Format)
	}
	rep, err := hooks.Status(ctx, opts.Dir)
	if err != nil {
		return failure(opts.Dir, err)
	}
	out := opts.IO.Out
	if opts.Format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rep)
	}
	r := opts.IO.Renderer()
	ok := r.NewStyle().Foreground(lipgloss.Color("42"))
	no := r.NewStyle().Foreground(lipgloss.Color("214"))
	dim := r.NewStyle().Faint(true)
	for _, h := range rep.Hooks {
		state := no.Render("not installed")
		if h.Installed {
			state = ok.Render("installed    ")
		}
		// Paths and problems name files of the repository: they reach the
		// terminal through termtext.
		line := fmt.Sprintf("%-11s %s  %s", h.Name, state, termtext.Line(rep.Layout.Rel(h.Path)))
		var extra []string
		if h.RunBy != "" {
			extra = append(extra, h.RunBy)
		} else if h.Manager != "" {
			extra = append(extra, "via "+h.Manager.Title())
		}
		if h.Chained && h.ChainedPath != "" {
			extra = append(extra, "runs "+termtext.Line(rep.Layout.Rel(h.ChainedPath))+" first")
		} else if h.Chained {
			extra = append(extra, "with other commands")
		}
		if h.Outdated {
			extra = append(extra, "an older script: `secfirst hooks install` updates it")
		}
		if len(extra) > 0 {
			line += dim.Render("  (" + strings.Join(extra, "; ") + ")")
		}
		fmt.Fprintln(out, line)
		if h.Problem != "" {
			fmt.Fprintf(out, "            %s %s\n", no.Render("problem:"), termtext.Line(h.Problem))
		}
		if !h.Installed && h.Manager == "" && h.Problem == "" {
			fmt.Fprintf(out, "            %s\n", dim.Render("install: secfirst hooks install --hook "+h.Name))
		}
	}
	return nil
}
