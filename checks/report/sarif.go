package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/lessons"
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
// Rule text is the rule's own, the same whatever was found and where (see
// ruleOf); what is particular to a finding, the fix included, is in its
// result's message. Suppressed findings are results with a suppression
// (GitHub shows them as closed, GitLab leaves them out), and the one
// invocation says whether every check ran (executionSuccessful) with the
// errors and warnings as notifications: a scan that could not do its job
// never looks clean.
func WriteSARIF(w io.Writer, r *checks.Report, version string) error {
	log := sarif.NewReport()
	run := sarif.NewRunWithInformationURI("secfirst", InformationURI)
	run.Tool.Driver.WithVersion(version).WithSemanticVersion(strings.TrimPrefix(version, "v"))
	all := append([]checks.Finding(nil), r.Findings...)
	for _, s := range r.Suppressed {
		all = append(all, s.Finding)
	}
	for _, rule := range rulesOf(all) {
		addRule(run, rule)
	}
	for _, f := range r.Findings {
		addResult(run, f)
	}
	for _, s := range r.Suppressed {
		addResult(run, s.Finding).AddSuppression(suppression(s))
	}
	run.AddInvocation(invocation(r))
	log.AddRun(run)
	return log.PrettyWrite(w)
}

// rule is what the findings of one rule say about the rule itself.
type rule struct {
	id, check, title, lesson string
	severity                 checks.Severity
	refs                     []string
}

// rulesOf gathers the rules of the findings, sorted by id. A rule's text
// must not depend on which findings a run has, so it takes nothing
// particular to a finding: the title without the package a dependency
// finding names, the highest severity, every ref.
func rulesOf(findings []checks.Finding) []*rule {
	byID := map[string]*rule{}
	var out []*rule
	for _, f := range findings {
		r := byID[f.Rule]
		if r == nil {
			r = &rule{id: f.Rule, check: f.Check, lesson: f.Lesson}
			byID[f.Rule] = r
			out = append(out, r)
		}
		if t := ruleTitle(f); r.title == "" || t != "" && t < r.title {
			r.title = t
		}
		if f.Severity.Rank() > r.severity.Rank() {
			r.severity = f.Severity
		}
		r.refs = append(r.refs, f.Refs...)
	}
	for _, r := range out {
		slices.Sort(r.refs)
		r.refs = slices.Compact(r.refs)
		if r.title == "" {
			r.title = r.id
		}
	}
	slices.SortFunc(out, func(a, b *rule) int { return strings.Compare(a.id, b.id) })
	return out
}

// ruleTitle is a finding's title as the rule's: a dependency finding's
// title names the package and version it was found in, then the advisory.
func ruleTitle(f checks.Finding) string {
	if f.Package != nil {
		return strings.TrimPrefix(f.Title, f.Package.Name+" "+f.Package.Version+": ")
	}
	return f.Title
}

// addRule describes a rule from its lesson: why it matters, how to fix it
// in general, where to learn more. The fix for one finding is in its
// result's message.
func addRule(run *sarif.Run, r *rule) {
	full, text, markdown := r.title, "", ""
	learn := fmt.Sprintf("secfirst learn %s", r.lesson)
	desc := run.AddRule(r.id).WithName(ruleName(r.id)).WithDescription(r.title)
	if l, ok := lessons.Get(r.lesson); ok {
		full = l.Summary
		fix := strings.TrimSpace(l.Sections.HowToFix)
		text = fmt.Sprintf("%s\n\nHow to fix:\n%s\n\nLearn more: %s", l.Summary, fix, learn)
		markdown = fmt.Sprintf("%s\n\n**How to fix**\n\n%s\n\n**Learn more:** `%s`", l.Summary, fix, learn)
		for _, ref := range l.Sections.References {
			markdown += fmt.Sprintf("\n- [%s](%s)", ref.Title, ref.URL)
		}
		if len(l.Sections.References) > 0 {
			desc.WithHelpURI(l.Sections.References[0].URL)
		}
	} else {
		text = "Learn more: " + learn
		markdown = "**Learn more:** `" + learn + "`"
	}
	desc.WithFullDescription(sarif.NewMultiformatMessageString().WithText(full)).
		WithHelp(sarif.NewMultiformatMessageString().WithText(text).WithMarkdown(markdown)).
		WithProperties(sarif.NewPropertyBag().
			Add("security-severity", securitySeverity[r.severity]).
			Add("precision", "high").
			WithTags(append([]string{"security", r.check}, r.refs...)))
}

// addResult adds a finding: its message says what was found and the fix
// for it.
func addResult(run *sarif.Run, f checks.Finding) *sarif.Result {
	line := f.Line
	if line < 1 {
		line = 1 // GitHub requires a line; whole-file findings point at the first
	}
	res := run.CreateResultForRule(f.Rule).
		WithLevel(level(f.Severity)).
		WithMessage(sarif.NewTextMessage(description(f))).
		AddLocation(sarif.NewLocationWithPhysicalLocation(fileLocation(f.File, line))).
		WithPartialFingerprints(map[string]string{"secfirst/v1": f.Fingerprint})
	props := sarif.NewPropertyBag().Add("severity", string(f.Severity)).Add("blocking", f.Blocking)
	if f.Commit != "" {
		props.Add("commit", f.Commit)
	}
	return res.WithProperties(props)
}

// sentence ends s with a full stop unless it ends a sentence already.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?") {
		return s
	}
	return s + "."
}

func fileLocation(file string, line int) *sarif.PhysicalLocation {
	return sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewSimpleArtifactLocation(file).WithURIBaseID("%SRCROOT%")).
		WithRegion(sarif.NewRegion().WithStartLine(line))
}

// suppression is SARIF's form of what hid a finding: "inSource" for a
// comment in the scanned file, "external" for a file beside it
// (.secfirst.toml, .gitleaksignore, osv-scanner.toml); accepted, with the
// reason given and where the suppression is.
func suppression(s checks.Suppression) *sarif.Suppression {
	kind := "external"
	if s.By == checks.SuppressedByInline {
		kind = "inSource"
	}
	why := s.Reason
	if why == "" {
		why = "suppressed " + suppressedByLabel(s.By)
	}
	sup := sarif.NewSuppression().WithKind(kind).WithStatus("accepted").WithJustification(why).
		WithProperties(sarif.NewPropertyBag().Add("suppressedBy", s.By))
	if file, line, ok := splitWhere(s.Where); ok {
		sup.WithLocation(sarif.NewLocationWithPhysicalLocation(fileLocation(file, line)))
	}
	return sup
}

// splitWhere splits a Suppression.Where of the form "path:line".
func splitWhere(where string) (string, int, bool) {
	i := strings.LastIndexByte(where, ':')
	if i <= 0 {
		return "", 0, false
	}
	line, err := strconv.Atoi(where[i+1:])
	if err != nil || line < 1 {
		return "", 0, false
	}
	return where[:i], line, true
}

// invocation says whether every check did its job. Per SARIF 2.1.0
// (3.20.21, 3.20.22), what went wrong while analysing (a check that failed,
// packages left unchecked) is a tool execution notification, and what is
// wrong with the configuration (an expired ignore in .secfirst.toml) a tool
// configuration notification.
func invocation(r *checks.Report) *sarif.Invocation {
	inv := sarif.NewInvocation().WithExecutionSuccessful(!r.Incomplete())
	for _, e := range r.Errors {
		inv.AddToolExecutionNotification(notification("error", e))
	}
	for _, w := range checkWarnings(r) {
		inv.AddToolExecutionNotification(notification("warning", w))
	}
	for _, w := range r.PolicyWarnings {
		inv.AddToolConfigurationNotification(notification("warning", w))
	}
	return inv
}

func notification(level, text string) *sarif.Notification {
	return sarif.NewNotification().WithLevel(level).WithMessage(sarif.NewTextMessage(text))
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
