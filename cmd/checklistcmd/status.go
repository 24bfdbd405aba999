package checklistcmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/internal/termtext"
)

// StatusOptions are the options of `secfirst checklist status`.
type StatusOptions struct {
	*Options
	// Format is text or json.
	Format string
}

func newStatusCmd(parent *Options) *cobra.Command {
	opts := &StatusOptions{Options: parent}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show every item with fresh evidence; exit 1 while an item fails or is stale",
		Long: `Show the checklist: every item with its status, the evidence secfirst found
for the automatic ones (computed now, never read from the file), notes and
reviews. Exit codes: 0 nothing fails and nothing is stale, 1 an item fails or
its review is stale, 2 the file or the repository cannot be read.`,
		Example: `  secfirst checklist status
  secfirst checklist status -f json | jq '.items[] | select(.status == "fail")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return RunStatus(ctxOf(cmd), opts)
		},
	}
	cmdutil.FormatFlag(cmd, &opts.Format, "text", "text", "json")
	return cmd
}

// RunStatus prints the report; it returns exit 1 when CI should fail.
func RunStatus(ctx context.Context, opts *StatusOptions) error {
	switch opts.Format {
	case "text", "json":
	default:
		return cmdutil.Failf("invalid --format %q (want text or json)", opts.Format)
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
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return cmdutil.Failf("cannot write the report: %v", err)
		}
	} else {
		writeText(opts.IO.Out, opts.Options, rep)
	}
	if rep.Failing() {
		return cmdutil.Silent(cmdutil.ExitFindings)
	}
	return nil
}

// marks are the status symbols of the text output.
var marks = map[checklist.Status]string{
	checklist.Pass:         "✓",
	checklist.Fail:         "✗",
	checklist.Todo:         "○",
	checklist.NA:           "–",
	checklist.AcceptedRisk: "!",
}

type palette struct {
	status map[checklist.Status]lipgloss.Style
	head   lipgloss.Style
	dim    lipgloss.Style
	warn   lipgloss.Style
}

func newPalette(o *Options) palette {
	r := o.IO.Renderer()
	return palette{
		status: map[checklist.Status]lipgloss.Style{
			checklist.Pass:         r.NewStyle().Foreground(lipgloss.Color("2")),
			checklist.Fail:         r.NewStyle().Foreground(lipgloss.Color("1")).Bold(true),
			checklist.Todo:         r.NewStyle().Foreground(lipgloss.Color("4")),
			checklist.NA:           r.NewStyle().Foreground(lipgloss.Color("8")),
			checklist.AcceptedRisk: r.NewStyle().Foreground(lipgloss.Color("3")),
		},
		head: r.NewStyle().Bold(true),
		dim:  r.NewStyle().Foreground(lipgloss.Color("8")),
		warn: r.NewStyle().Foreground(lipgloss.Color("3")).Bold(true),
	}
}

// writeText is the human form of the report, grouped by area.
func writeText(w io.Writer, o *Options, rep *checklist.Report) {
	p := newPalette(o)
	fmt.Fprintf(w, "%s  %s (reviews go stale after %d days)\n", p.head.Render("Security checklist"), checklist.RelPath, rep.StaleAfterDays)
	for _, g := range rep.Groups() {
		fmt.Fprintf(w, "\n%s\n", p.head.Render(termtext.Line(g.Title)))
		for _, e := range g.Items {
			writeEntry(w, p, e)
		}
	}
	fmt.Fprintf(w, "\n%s\n", rep.Summary.Line())
	if rep.Failing() {
		var why []string
		if n := rep.Summary.Fail; n > 0 {
			why = append(why, fmt.Sprintf("%d failing", n))
		}
		if n := rep.Summary.Stale; n > 0 {
			why = append(why, fmt.Sprintf("%d stale", n))
		}
		fmt.Fprintf(w, "%s %s: fix the repository, or review with `secfirst checklist review`.\n", p.warn.Render("Not done:"), strings.Join(why, " and "))
	}
}

func writeEntry(w io.Writer, p palette, e checklist.Entry) {
	st := p.status[e.Status].Render(fmt.Sprintf("%s %-13s", marks[e.Status], e.Status))
	fmt.Fprintf(w, "  %s %s %s\n", st, oneLine(e.Title), p.dim.Render("("+termtext.Line(e.ID)+", "+string(e.Kind)+")"))
	indent := "                  "
	if e.Evidence != "" {
		label := ""
		if e.Overridden {
			label = fmt.Sprintf("secfirst finds %s: ", e.Computed)
		}
		fmt.Fprintf(w, "%s%s%s\n", indent, label, oneLine(e.Evidence))
		if e.Fresh != "" {
			fmt.Fprintf(w, "%s%s\n", indent, p.dim.Render("("+oneLine(e.Fresh)+")"))
		}
	}
	if e.Note != "" {
		fmt.Fprintf(w, "%snote: %s\n", indent, oneLine(e.Note))
	}
	var meta []string
	if e.Owner != "" {
		meta = append(meta, "owner "+oneLine(e.Owner))
	}
	if e.Reviewed {
		meta = append(meta, fmt.Sprintf("reviewed %s by %s", e.ReviewedAt, oneLine(e.ReviewedBy)))
	} else if e.Overridden || (e.Kind == checklist.Manual && e.Status != checklist.Todo) {
		meta = append(meta, "not reviewed yet")
	}
	line := strings.Join(meta, ", ")
	if e.Stale {
		line += " " + p.warn.Render(fmt.Sprintf("STALE (%d days)", e.AgeDays))
	}
	if strings.TrimSpace(line) != "" {
		fmt.Fprintf(w, "%s%s\n", indent, p.dim.Render(strings.TrimSpace(line)))
	}
}

// oneLine shows repository text (a title, evidence quoting file names, a
// note, a name) on one line of a terminal: runs of white space become one
// space, and control bytes are shown visibly (ESC as \x1b), so a note or a
// file name cannot move the cursor or retitle the window.
func oneLine(s string) string {
	return termtext.Line(strings.Join(strings.Fields(s), " "))
}
