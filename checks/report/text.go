package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
)

// Styles colour the text report; a renderer without colour makes them plain.
type Styles struct {
	Severity map[checks.Severity]lipgloss.Style
	File     lipgloss.Style
	Dim      lipgloss.Style
	Bold     lipgloss.Style
	Warn     lipgloss.Style
	OK       lipgloss.Style
	// Width is the terminal's width in cells that prose is wrapped to,
	// under its label; 0 leaves lines whole (not a terminal).
	Width int
}

// NewStyles builds the report's styles on a renderer.
func NewStyles(r *lipgloss.Renderer) Styles {
	return Styles{
		Severity: map[checks.Severity]lipgloss.Style{
			checks.Critical: r.NewStyle().Bold(true).Foreground(lipgloss.Color("201")),
			checks.High:     r.NewStyle().Bold(true).Foreground(lipgloss.Color("196")),
			checks.Medium:   r.NewStyle().Foreground(lipgloss.Color("214")),
			checks.Low:      r.NewStyle().Foreground(lipgloss.Color("39")),
			checks.Info:     r.NewStyle().Foreground(lipgloss.Color("245")),
		},
		File: r.NewStyle().Bold(true).Underline(true),
		Dim:  r.NewStyle().Foreground(lipgloss.Color("245")),
		Bold: r.NewStyle().Bold(true),
		Warn: r.NewStyle().Bold(true).Foreground(lipgloss.Color("214")),
		OK:   r.NewStyle().Foreground(lipgloss.Color("42")),
	}
}

// SeverityLabel is the fixed-width upper-case label of a severity.
func (s Styles) SeverityLabel(sev checks.Severity) string {
	return s.Severity[sev].Render(fmt.Sprintf("%-8s", strings.ToUpper(string(sev))))
}

// WriteText writes the report for a person: findings grouped by file, each
// with what, where, the fix and the lesson; then a summary that says how
// many findings were suppressed and whether a check could not run. Every
// piece of repository data passes through termtext. Warnings are
// diagnostics: WriteWarnings writes them, for standard error.
func WriteText(w io.Writer, r *checks.Report, st Styles) error {
	p := &printer{w: w}
	file := "\x00"
	for _, f := range r.Findings {
		if f.File != file {
			file = f.File
			p.printf("\n%s\n", st.File.Render(termtext.Line(file)))
		}
		where := ""
		if f.Line > 0 {
			where = fmt.Sprintf("line %d  ", f.Line)
		}
		if f.Commit != "" {
			where += fmt.Sprintf("commit %s  ", termtext.Line(f.Commit[:min(12, len(f.Commit))]))
		}
		block := ""
		if f.Blocking {
			block = st.Bold.Render(" [blocking]")
		}
		p.printf("  %s %s%s\n", st.SeverityLabel(f.Severity), st.Bold.Render(termtext.Line(f.Title)), block)
		p.printf("           %s%s\n", st.Dim.Render(where), st.Dim.Render(termtext.Line(f.Check+" · "+f.Rule)))
		p.printf("           %s\n", termtext.Line(f.Message))
		if f.Package != nil && len(f.Package.Fixed) > 0 {
			p.printf("           fixed in: %s\n", termtext.Line(strings.Join(f.Package.Fixed, ", ")))
		}
		p.printf("           fix: %s\n", Hanging(f.Fix, "                "))
		p.printf("           learn: secfirst learn %s   ignore: fingerprint %s\n", termtext.Line(f.Lesson), termtext.Line(f.Fingerprint))
	}
	if len(r.Findings) > 0 {
		p.printf("\n")
	}
	p.printf("%s\n", SummaryLine(r, st))
	return p.err
}

// Hanging makes text of several lines (a fix that shows a YAML or HCL
// block) safe for a terminal, with its continuation lines indented by
// indent so that they stand under the first; blank lines stay empty.
func Hanging(s, indent string) string {
	lines := strings.Split(termtext.Block(strings.TrimRight(s, "\n")), "\n")
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			lines[i] = indent + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// WriteWarnings writes the report's warnings, one "secfirst: warning: ..."
// line each, for standard error. The errors of checks that could not run
// are not among them: the caller makes them its exit status's cause.
func WriteWarnings(w io.Writer, r *checks.Report, st Styles) error {
	p := &printer{w: w}
	for _, warn := range append(checkWarnings(r), r.PolicyWarnings...) {
		p.printf("%s %s\n", st.Warn.Render("secfirst: warning:"), termtext.Line(warn))
	}
	return p.err
}

// SummaryLine is one line: "secfirst: 2 findings (1 high, 1 medium), 1
// blocking." or "secfirst: no findings (staged scan).", then how many
// findings were suppressed and by what, and whether the scan is incomplete.
func SummaryLine(r *checks.Report, st Styles) string {
	s := r.Summary
	var line string
	if s.Total() == 0 {
		line = fmt.Sprintf("secfirst: no findings (%s scan)", r.Mode)
		if r.Incomplete() {
			line += " from the checks that ran"
		}
		line = st.OK.Render(line)
	} else {
		var parts []string
		for _, sev := range checks.Severities {
			if n := s.Count(sev); n > 0 {
				parts = append(parts, st.Severity[sev].Render(fmt.Sprintf("%d %s", n, sev)))
			}
		}
		line = fmt.Sprintf("secfirst: %d %s (%s), %d blocking", s.Total(), plural(s.Total(), "finding", "findings"), strings.Join(parts, ", "), s.Blocking)
	}
	if sup := SuppressedText(r.Suppressed); sup != "" {
		line += "; " + sup
	}
	if n := len(r.Errors); n > 0 {
		line += "; " + st.Warn.Render(fmt.Sprintf("INCOMPLETE: %d %s could not run", n, plural(n, "check", "checks")))
	}
	return line + "."
}

// suppressedByLabel names what hid a finding: "by .secfirst.toml".
func suppressedByLabel(by string) string {
	return "by " + termtext.Line(checks.SuppressionSource(by))
}

// SuppressedText says how many findings were suppressed and by what: "3
// suppressed (2 by .secfirst.toml, 1 by inline comments)"; "" when none.
func SuppressedText(sups []checks.Suppression) string {
	if len(sups) == 0 {
		return ""
	}
	sum := checks.SummarizeSuppressed(sups)
	var parts []string
	for _, by := range checks.SuppressionKinds {
		if n := sum.By[by]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, suppressedByLabel(by)))
			delete(sum.By, by)
		}
	}
	other := make([]string, 0, len(sum.By))
	for by := range sum.By {
		other = append(other, by)
	}
	sort.Strings(other)
	for _, by := range other {
		parts = append(parts, fmt.Sprintf("%d %s", sum.By[by], suppressedByLabel(by)))
	}
	return fmt.Sprintf("%d suppressed (%s)", sum.Total, strings.Join(parts, ", "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
