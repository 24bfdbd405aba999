package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/secfirst-dev/secfirst/checks"
)

// InformationURI is where the SARIF tool driver points.
const InformationURI = "https://github.com/secfirst-dev/secfirst"

// securitySeverity is GitHub code scanning's numeric scale (0-10), which it
// maps back to critical (>= 9), high (>= 7), medium (>= 4) and low.
var securitySeverity = map[checks.Severity]string{
	checks.Critical: "9.5", checks.High: "8.0", checks.Medium: "5.5", checks.Low: "3.0", checks.Info: "0.0",
}

func level(s checks.Severity) string {
	switch s {
	case checks.Critical, checks.High:
		return "error"
	case checks.Medium:
		return "warning"
	}
	return "note"
}

// WriteSARIF writes a SARIF 2.1.0 log accepted by GitHub code scanning:
// stable rule ids, paths relative to the repository root (%SRCROOT%) and the
// finding's fingerprint as a partial fingerprint so alerts survive edits.
func WriteSARIF(w io.Writer, r *checks.Report, version string) error {
	log := sarif.NewReport()
	run := sarif.NewRunWithInformationURI("secfirst", InformationURI)
	run.Tool.Driver.WithVersion(version).WithSemanticVersion(strings.TrimPrefix(version, "v"))
	for _, f := range r.Findings {
		rule := run.AddRule(f.Rule)
		if rule.ShortDescription == nil {
			rule.WithName(ruleName(f.Rule)).
				WithDescription(f.Title).
				WithFullDescription(sarif.NewMultiformatMessageString().WithText(f.Title)).
				WithHelp(sarif.NewMultiformatMessageString().
					WithText(fmt.Sprintf("%s Learn more: secfirst learn %s", f.Fix, f.Lesson)).
					WithMarkdown(fmt.Sprintf("**Fix:** %s\n\n**Learn more:** `secfirst learn %s`", f.Fix, f.Lesson))).
				WithProperties(sarif.NewPropertyBag().
					Add("security-severity", securitySeverity[f.Severity]).
					Add("precision", "high").
					WithTags(append([]string{"security", f.Check}, f.Refs...)))
		}
		line := f.Line
		if line < 1 {
			line = 1 // GitHub requires a line; whole-file findings point at the first
		}
		msg := f.Message
		if f.Commit != "" && !strings.Contains(msg, f.Commit[:min(12, len(f.Commit))]) {
			msg += " (commit " + f.Commit + ")"
		}
		loc := sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(f.File).WithURIBaseID("%SRCROOT%")).
			WithRegion(sarif.NewRegion().WithStartLine(line))
		res := run.CreateResultForRule(f.Rule).
			WithLevel(level(f.Severity)).
			WithMessage(sarif.NewTextMessage(msg)).
			AddLocation(sarif.NewLocationWithPhysicalLocation(loc)).
			WithPartialFingerprints(map[string]string{"secfirst/v1": f.Fingerprint})
		props := sarif.NewPropertyBag().Add("severity", string(f.Severity)).Add("blocking", f.Blocking)
		if f.Commit != "" {
			props.Add("commit", f.Commit)
		}
		res.WithProperties(props)
	}
	log.AddRun(run)
	return log.PrettyWrite(w)
}

func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		switch {
		case r == '-' || r == '/' || r == '_' || r == '.':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
