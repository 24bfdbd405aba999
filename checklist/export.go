package checklist

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/secfirst-dev/secfirst/internal/termtext"
)

// statusMarks are the symbols of the Markdown export.
var statusMarks = map[Status]string{
	Pass:         "✅",
	Fail:         "❌",
	Todo:         "⬜",
	NA:           "➖",
	AcceptedRisk: "⚠️",
}

// Markdown renders the report as a page for a pull request or a wiki:
// items grouped by area with status, evidence, note, owner, reviewer,
// review date and stale marks. repo names the repository in the title.
func (r *Report) Markdown(repo string) string {
	var b strings.Builder
	title := "Security checklist"
	if repo != "" {
		title += ": " + repo
	}
	fmt.Fprintf(&b, "# %s\n\n", mdText(title))
	fmt.Fprintf(&b, "Exported on %s from `%s`. A review goes stale after %d days.\n\n", r.Now.Format(DateLayout), RelPath, r.StaleAfterDays)
	var counts []string
	for _, st := range Statuses {
		counts = append(counts, fmt.Sprintf("%s %d %s", statusMarks[st], r.Summary.Count(st), st))
	}
	counts = append(counts, fmt.Sprintf("⏰ %d stale", r.Summary.Stale))
	fmt.Fprintf(&b, "**%s:** %s\n", plural(r.Summary.Total(), "item", "items"), strings.Join(counts, " · "))
	for _, g := range r.Groups() {
		fmt.Fprintf(&b, "\n## %s\n\n", mdText(g.Title))
		b.WriteString("| Status | Item | Evidence and note | Owner | Reviewed |\n")
		b.WriteString("| --- | --- | --- | --- | --- |\n")
		for _, e := range g.Items {
			status := statusMarks[e.Status] + " " + string(e.Status)
			if e.Overridden {
				status += fmt.Sprintf(" (secfirst finds %s)", e.Computed)
			}
			item := fmt.Sprintf("**%s**<br>`%s` · %s", mdCell(e.Title), e.ID, e.Kind)
			if e.Lesson != "" {
				item += fmt.Sprintf(" · `secfirst learn %s`", mdCell(e.Lesson))
			}
			var details []string
			if e.Evidence != "" {
				label := "Evidence"
				if e.Kind == Auto {
					label = "Found"
				}
				details = append(details, fmt.Sprintf("%s: %s", label, mdCell(e.Evidence)))
				if e.Fresh != "" {
					details = append(details, "_"+mdCell(e.Fresh)+"_")
				}
			}
			if e.Note != "" {
				details = append(details, "Note: "+mdCell(e.Note))
			}
			reviewed := "not reviewed"
			if e.Reviewed {
				reviewed = mdCell(e.ReviewedBy) + ", " + e.ReviewedAt
			}
			if e.Stale {
				reviewed += fmt.Sprintf(" ⏰ **stale** (%d days)", e.AgeDays)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", status, item, strings.Join(details, "<br>"), mdCell(e.Owner), reviewed)
		}
	}
	return b.String()
}

// mdCell makes text safe inside a Markdown table cell: no pipe ends the
// cell, no newline ends the row, and no HTML from the file reaches the page.
func mdCell(s string) string {
	s = mdText(s)
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n")
	return strings.ReplaceAll(s, "\n", "<br>")
}

// mdText makes text from the repository safe in Markdown: no HTML reaches
// the page, and no control byte reaches the terminal the file is shown in
// (ESC is written as \x1b); newlines and tabs are kept for mdCell.
func mdText(s string) string {
	s = termtext.Block(s)
	s = strings.ReplaceAll(s, "&", "&amp;")
	s = strings.ReplaceAll(s, "<", "&lt;")
	return strings.ReplaceAll(s, ">", "&gt;")
}

// ExportDocument is `secfirst checklist export --format json`: the status
// document with when and from where it was exported.
type ExportDocument struct {
	Repository     string  `json:"repository"`
	File           string  `json:"file"`
	ExportedAt     string  `json:"exported_at"`
	StaleAfterDays int     `json:"stale_after_days"`
	Items          []Entry `json:"items"`
	Summary        Summary `json:"summary"`
}

// ExportJSON returns the export document, indented.
func (r *Report) ExportJSON(repo string) ([]byte, error) {
	doc := ExportDocument{
		Repository: repo, File: RelPath, ExportedAt: r.Now.Format(DateLayout),
		StaleAfterDays: r.StaleAfterDays, Items: r.Items, Summary: r.Summary,
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
