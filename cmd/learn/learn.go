// Package learn is `secfirst learn`: list the lesson library, or show one
// lesson by its id or by the id of a rule it covers.
package learn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/tuilaunch"
	"github.com/secfirst-dev/secfirst/lessons"
)

// Options are the flags and arguments of `secfirst learn`.
type Options struct {
	IO *iostreams.IOStreams
	// Query is a lesson id or a rule id; empty lists the library.
	Query string
	// Format is text, markdown or json.
	Format string
	// Answer shows the quiz's answer and explanation with the lesson.
	Answer bool
	// Width wraps the library's summaries; 0 means the terminal's width.
	Width int
	// Launch runs the terminal interface with args (nil:
	// tuilaunch.Launch), which renders a lesson on a terminal.
	Launch func(args []string) error
}

// NewCmd builds `secfirst learn`.
func NewCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &Options{IO: ios}
	cmd := &cobra.Command{
		Use:   "learn [LESSON-ID|RULE-ID]",
		Short: "Read the lesson behind a finding, or browse the lesson library",
		Long: `Every finding links to a short lesson: why it matters, how to fix it, a
before/after example, references and a one-question quiz.

With no argument, list the library grouped by topic. With a lesson id, the id
of a rule a finding reported (gitleaks rule, dockerfile/<slug>, advisory id)
or any id in a finding's refs (hadolint DL3002, Trivy AVD-DS-0002, Checkov
CKV_DOCKER_8), show that lesson: rendered on a terminal, plain Markdown
otherwise. The quiz's answer stays hidden unless --answer asks for it (JSON
holds the whole lesson).`,
		Example: `  secfirst learn
  secfirst learn secrets-history
  secfirst learn aws-access-token
  secfirst learn DL3002
  secfirst learn dockerfile/root-user -f markdown --answer
  secfirst learn -f json`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var ids []cobra.Completion
			for _, l := range lessons.All() {
				ids = append(ids, cobra.CompletionWithDesc(l.ID, l.Title))
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Query = args[0]
			}
			return Run(opts)
		},
	}
	cmdutil.FormatFlag(cmd, &opts.Format, "text", Formats...)
	cmd.Flags().BoolVar(&opts.Answer, "answer", false, "show the quiz's answer and its explanation")
	return cmd
}

// Run lists the library or shows one lesson. An unknown id or format is an
// ExitError with code 2.
func Run(opts *Options) error {
	format := strings.ToLower(strings.TrimSpace(opts.Format))
	if format == "" {
		format = "text"
	}
	if err := cmdutil.CheckValue("format", format, Formats); err != nil {
		return err
	}
	if err := lessons.Err(); err != nil {
		return cmdutil.Failf("lesson library is broken: %v", err)
	}
	query := strings.TrimSpace(opts.Query)
	if query == "" {
		return list(opts, format)
	}
	l, ok := Resolve(query)
	if !ok {
		msg := fmt.Sprintf("no lesson or rule %q", query)
		if near := Closest(query, 3); len(near) > 0 {
			msg += "; closest: " + strings.Join(near, ", ")
		}
		return cmdutil.Failf("%s (run `secfirst learn` for the list)", msg)
	}
	return show(opts, format, l)
}

// Formats are what learn writes.
var Formats = []string{"text", "markdown", "json"}

// Resolve finds a lesson by its id, else by a rule id it covers, else by
// an id another tool gives one of the rules it covers (a finding's refs).
func Resolve(query string) (*lessons.Lesson, bool) {
	if l, ok := lessons.Get(query); ok {
		return l, true
	}
	if l, ok := lessons.Get(strings.ToLower(query)); ok {
		return l, true
	}
	for _, rule := range all.RulesForRef(query) {
		if l, ok := lessons.ForRule(rule); ok {
			return l, true
		}
	}
	return lessons.ForRule(query)
}

// summaryJSON is one lesson in the library listing.
type summaryJSON struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Summary string   `json:"summary"`
	Rules   []string `json:"rules"`
	Topics  []string `json:"topics"`
}

// lessonJSON is one lesson with its sections.
type lessonJSON struct {
	summaryJSON
	Sections lessons.Sections `json:"sections"`
}

func summaryOf(l *lessons.Lesson) summaryJSON {
	s := summaryJSON{ID: l.ID, Title: l.Title, Summary: l.Summary, Rules: l.Rules, Topics: l.Topics}
	// Empty lists are [] in JSON, never null.
	if s.Rules == nil {
		s.Rules = []string{}
	}
	if s.Topics == nil {
		s.Topics = []string{}
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func list(opts *Options, format string) error {
	all := lessons.All()
	switch format {
	case "json":
		out := make([]summaryJSON, 0, len(all))
		for _, l := range all {
			out = append(out, summaryOf(l))
		}
		return writeJSON(opts.IO.Out, out)
	case "markdown":
		var b strings.Builder
		b.WriteString("# secfirst lessons\n")
		for _, g := range lessons.ByTopic(all) {
			fmt.Fprintf(&b, "\n## %s\n\n", g.Topic.Title)
			for _, l := range g.Lessons {
				fmt.Fprintf(&b, "- **%s** (`%s`): %s\n", l.Title, l.ID, l.Summary)
			}
		}
		_, err := io.WriteString(opts.IO.Out, b.String())
		return err
	}
	r := opts.IO.Renderer()
	heading := r.NewStyle().Bold(true)
	id := r.NewStyle().Foreground(lipgloss.Color("6"))
	dim := r.NewStyle().Faint(true)
	width := 0
	for _, l := range all {
		width = max(width, len(l.ID))
	}
	var b strings.Builder
	for i, g := range lessons.ByTopic(all) {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(heading.Render(g.Topic.Title) + "\n")
		for _, l := range g.Lessons {
			pad := strings.Repeat(" ", width-len(l.ID))
			fmt.Fprintf(&b, "  %s%s  %s\n", id.Render(l.ID), pad, l.Title)
			for _, line := range wrap(l.Summary, max(opts.width()-6, 40)) {
				fmt.Fprintf(&b, "      %s\n", dim.Render(line))
			}
		}
	}
	fmt.Fprintf(&b, "\n%d lessons. Read one: secfirst learn <lesson or rule id>\n", len(all))
	_, err := io.WriteString(opts.IO.Out, b.String())
	return err
}

func show(opts *Options, format string, l *lessons.Lesson) error {
	switch format {
	case "json":
		return writeJSON(opts.IO.Out, lessonJSON{summaryJSON: summaryOf(l), Sections: l.Sections})
	case "markdown":
		_, err := io.WriteString(opts.IO.Out, l.ReadingMarkdown(opts.Answer))
		return err
	}
	if opts.IO.IsStdoutTTY() {
		// On a terminal the lesson is rendered (glamour) by the terminal
		// interface, which secfirst does not link (see tuilaunch).
		args := []string{"learn", l.ID}
		if opts.Answer {
			args = append(args, "--answer")
		}
		err := opts.launch(args)
		if !errors.Is(err, tuilaunch.ErrNotFound) {
			return err
		}
		fmt.Fprintln(opts.IO.ErrOut, "secfirst: "+firstLine(err.Error())+"; showing the lesson as Markdown")
	}
	// Piped or redirected: plain Markdown, readable and greppable.
	_, err := io.WriteString(opts.IO.Out, l.ReadingMarkdown(opts.Answer))
	return err
}

func (o *Options) launch(args []string) error {
	if o.Launch != nil {
		return o.Launch(args)
	}
	return tuilaunch.Launch(o.IO, args)
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func (o *Options) width() int {
	if o.Width > 0 {
		return o.Width
	}
	w := o.IO.Width()
	if w == 0 {
		w = 80
	}
	// Long lines are hard to read; glamour adds its own margins.
	return min(w, 100)
}

// wrap splits text into lines of at most width terminal cells, at spaces
// and hyphens (a wide character takes two cells, an emoji too); a word
// longer than width stays whole.
func wrap(text string, width int) []string {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return nil
	}
	return strings.Split(ansi.Wordwrap(text, width, ""), "\n")
}

// Closest returns up to n lesson or rule ids nearest to query: ids that
// start with it, then ids that contain it, then by edit distance, only when
// reasonably close.
func Closest(query string, n int) []string {
	q := strings.ToLower(query)
	seen := map[string]bool{}
	var candidates []string
	for _, l := range lessons.All() {
		for _, c := range append([]string{l.ID}, l.Rules...) {
			if strings.ContainsAny(c, "*?[") || seen[c] {
				continue
			}
			seen[c] = true
			candidates = append(candidates, c)
		}
	}
	type scored struct {
		id    string
		score int
	}
	var near []scored
	limit := max(2, len(q)/3)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := levenshtein.Distance(q, lc, nil)
		switch {
		case strings.HasPrefix(lc, q) && len(q) >= 3:
			d = 0
		case strings.Contains(lc, q) && len(q) >= 3:
			d = 1
		case d > limit:
			continue
		}
		near = append(near, scored{c, d})
	}
	sort.Slice(near, func(i, j int) bool {
		if near[i].score != near[j].score {
			return near[i].score < near[j].score
		}
		if len(near[i].id) != len(near[j].id) {
			return len(near[i].id) < len(near[j].id)
		}
		return near[i].id < near[j].id
	})
	var out []string
	for _, s := range near {
		if len(out) == n {
			break
		}
		out = append(out, s.id)
	}
	return out
}
