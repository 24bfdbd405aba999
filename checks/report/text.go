package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/secfirst-dev/secfirst/checks"
)

// Styles colour the text report; a renderer without colour makes them plain.
type Styles struct {
	Severity map[checks.Severity]lipgloss.Style
	File     lipgloss.Style
	Dim      lipgloss.Style
	Bold     lipgloss.Style
	Warn     lipgloss.Style
	OK       lipgloss.Style
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
// with what, where, the fix and the lesson; then warnings and a summary.
func WriteText(w io.Writer, r *checks.Report, st Styles) error {
	p := &printer{w: w}
	file := "\x00"
	for _, f := range r.Findings {
		if f.File != file {
			file = f.File
			p.printf("\n%s\n", st.File.Render(file))
		}
		where := ""
		if f.Line > 0 {
			where = fmt.Sprintf("line %d  ", f.Line)
		}
		if f.Commit != "" {
			where += fmt.Sprintf("commit %s  ", f.Commit[:min(12, len(f.Commit))])
		}
		block := ""
		if f.Blocking {
			block = st.Bold.Render(" [blocking]")
		}
		p.printf("  %s %s%s\n", st.SeverityLabel(f.Severity), st.Bold.Render(f.Title), block)
		p.printf("           %s%s\n", st.Dim.Render(where), st.Dim.Render(f.Check+" · "+f.Rule))
		p.printf("           %s\n", f.Message)
		if f.Package != nil && len(f.Package.Fixed) > 0 {
			p.printf("           fixed in: %s\n", strings.Join(f.Package.Fixed, ", "))
		}
		p.printf("           fix: %s\n", f.Fix)
		p.printf("           learn: secfirst learn %s   ignore: fingerprint %s\n", f.Lesson, f.Fingerprint)
	}
	if len(r.Warnings) > 0 {
		p.printf("\n")
		for _, warn := range r.Warnings {
			p.printf("%s %s\n", st.Warn.Render("warning:"), warn)
		}
	}
	p.printf("\n%s\n", SummaryLine(r, st))
	return p.err
}

// SummaryLine is one line: "2 findings (1 high, 1 medium), 1 blocking" or
// "no findings".
func SummaryLine(r *checks.Report, st Styles) string {
	s := r.Summary
	if s.Total() == 0 {
		return st.OK.Render(fmt.Sprintf("secfirst: no findings (%s scan).", r.Mode))
	}
	var parts []string
	for _, sev := range checks.Severities {
		if n := s.Count(sev); n > 0 {
			parts = append(parts, st.Severity[sev].Render(fmt.Sprintf("%d %s", n, sev)))
		}
	}
	noun := "findings"
	if s.Total() == 1 {
		noun = "finding"
	}
	return fmt.Sprintf("secfirst: %d %s (%s), %d blocking.", s.Total(), noun, strings.Join(parts, ", "), s.Blocking)
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
