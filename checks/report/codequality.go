package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/secfirst-dev/secfirst/checks"
)

// codeQualityIssue is one issue of GitLab's Code Quality report, the subset
// of the Code Climate issue format that GitLab reads.
type codeQualityIssue struct {
	Type        string              `json:"type"`
	CheckName   string              `json:"check_name"`
	Description string              `json:"description"`
	Categories  []string            `json:"categories"`
	Severity    string              `json:"severity"`
	Fingerprint string              `json:"fingerprint"`
	Location    codeQualityLocation `json:"location"`
}

type codeQualityLocation struct {
	Path  string `json:"path"`
	Lines struct {
		Begin int `json:"begin"`
	} `json:"lines"`
}

// codeQualitySeverity maps secfirst's five levels onto GitLab's five, in
// order: info, minor, major, critical, blocker.
var codeQualitySeverity = map[checks.Severity]string{
	checks.Critical: "blocker", checks.High: "critical", checks.Medium: "major", checks.Low: "minor", checks.Info: "info",
}

// WriteCodeQuality writes GitLab's Code Quality report (a JSON array of
// issues), which the merge request widget reads on every tier: the rule as
// check_name, what was found and the fix as description, the file and line.
// GitLab shows one issue per fingerprint, so each is unique: the finding's
// fingerprint with its commit (history mode) and, should the same finding
// come twice, its occurrence. Suppressed findings are left out, as GitLab
// has no notion of them.
func WriteCodeQuality(w io.Writer, r *checks.Report) error {
	issues := make([]codeQualityIssue, 0, len(r.Findings))
	seen := map[string]int{}
	for _, f := range r.Findings {
		key := f.Fingerprint + "\x00" + f.Commit
		seen[key]++
		sum := sha256.Sum256([]byte(key + "\x00" + strconv.Itoa(seen[key])))
		is := codeQualityIssue{Type: "issue", CheckName: f.Rule, Description: description(f), Categories: []string{"Security"},
			Severity: codeQualitySeverity[f.Severity], Fingerprint: hex.EncodeToString(sum[:16])}
		is.Location.Path = f.File
		is.Location.Lines.Begin = max(f.Line, 1) // whole-file findings point at the first line
		issues = append(issues, is)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(issues)
}

// description is a finding in one line for a reader of a CI report: what
// was found, where in history, and the fix.
func description(f checks.Finding) string {
	d := f.Message
	if f.Commit != "" && !strings.Contains(d, f.Commit[:min(12, len(f.Commit))]) {
		d += " (commit " + f.Commit + ")"
	}
	if f.Fix != "" {
		d = sentence(d) + " Fix: " + f.Fix
	}
	return d
}
