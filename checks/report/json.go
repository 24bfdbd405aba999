// Package report writes scan reports: text for people, JSON and SARIF for
// machines. It never sees a raw secret: findings are redacted by the checks.
package report

import (
	"encoding/json"
	"io"

	"github.com/secfirst-dev/secfirst/checks"
)

// jsonDocument is the report as PRODUCT.md's JSON document, plus how many
// findings were suppressed and by what (suppression is never silent).
type jsonDocument struct {
	*checks.Report
	Suppressed checks.SuppressedSummary `json:"suppressed"`
}

// WriteJSON writes the JSON findings document of PRODUCT.md: findings,
// summary, warnings, the errors of checks that could not run (also among
// the warnings) and a "suppressed" summary: {"total": 3, "by": {"policy": 2,
// "inline": 1}}. Arrays are never null.
func WriteJSON(w io.Writer, r *checks.Report) error {
	rep := *r
	rep.Findings = nonNil(rep.Findings)
	rep.Warnings = nonNil(rep.Warnings)
	rep.Errors = nonNil(rep.Errors)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(jsonDocument{Report: &rep, Suppressed: checks.SummarizeSuppressed(r.Suppressed)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// checkWarnings are the report's warnings that are neither check errors nor
// about the policy file: the Report keeps those in Warnings too.
func checkWarnings(r *checks.Report) []string {
	skip := map[string]int{}
	for _, s := range r.Errors {
		skip[s]++
	}
	for _, s := range r.PolicyWarnings {
		skip[s]++
	}
	var out []string
	for _, w := range r.Warnings {
		if skip[w] > 0 {
			skip[w]--
			continue
		}
		out = append(out, w)
	}
	return out
}
