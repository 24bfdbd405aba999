package hooks

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/report"
	"github.com/secfirst-dev/secfirst/lessons"
)

// maxQuiet is how many non-blocking findings are listed one per line.
const maxQuiet = 5

// Write prints the result for the person at the terminal (git shows a
// hook's standard error). Clean: one quiet line. Blocked: every blocking
// finding with where, why, the fix, the lesson and how to suppress exactly
// that finding, then a summary. Findings are redacted by the checks; this
// prints only their fields, never file content.
func (r *Result) Write(w io.Writer, st report.Styles) error {
	p := &printer{w: w}
	what, verb := "commit", "git commit"
	if r.Hook == PrePush {
		what, verb = "push", "git push"
	}
	var blocking, other []checks.Finding
	if r.Report != nil {
		for _, f := range r.Report.Findings {
			if f.Blocking {
				blocking = append(blocking, f)
			} else {
				other = append(other, f)
			}
		}
	}
	// The worst first; within a severity, the report's file and line order.
	for _, fs := range [][]checks.Finding{blocking, other} {
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity.Rank() > fs[j].Severity.Rank() })
	}

	if len(blocking) > 0 {
		noun := "finding"
		if len(blocking) > 1 {
			noun = "findings"
		}
		p.printf("%s %s\n", st.Severity[checks.High].Render("secfirst: this "+what+" is blocked:"),
			fmt.Sprintf("%d %s to fix first.", len(blocking), noun))
		for _, f := range blocking {
			writeFinding(p, st, f, r.Hook)
		}
	}
	if len(other) > 0 {
		p.printf("\n%s\n", st.Dim.Render(fmt.Sprintf("Also found, not blocking (fail_on = %s):", failOn(r.Policy))))
		for i, f := range other {
			if i == maxQuiet {
				p.printf("  … and %d more: run `secfirst scan --staged` to see them all\n", len(other)-maxQuiet)
				break
			}
			p.printf("  %s %s  %s  %s\n", st.SeverityLabel(f.Severity), f.Title, location(f), st.Dim.Render("secfirst learn "+f.Lesson))
		}
	}
	if r.Report != nil {
		first := true
		for _, warn := range r.Report.Warnings {
			if isError(r.Errors, warn) {
				continue // said below, with what it means for this commit
			}
			if first && (len(blocking) > 0 || len(other) > 0) {
				p.printf("\n")
			}
			first = false
			p.printf("%s %s\n", st.Warn.Render("secfirst: warning:"), warn)
		}
	}
	for _, n := range r.Notes {
		p.printf("%s %s\n", st.Warn.Render("secfirst: note:"), n)
	}
	if len(r.Errors) > 0 {
		if len(blocking) > 0 || len(other) > 0 {
			p.printf("\n")
		}
		for _, e := range r.Errors {
			p.printf("%s %s\n", st.Warn.Render("secfirst: ERROR:"), e)
		}
		if r.Policy != nil && r.Policy.Strict {
			p.printf("%s\n", st.Severity[checks.High].Render(fmt.Sprintf(
				"secfirst: this %s is blocked because a check could not run and %s sets strict = true.", what, checks.PolicyFile)))
		} else {
			p.printf("%s\n", st.Warn.Render(fmt.Sprintf(
				"secfirst: this %s was NOT fully checked; it goes ahead because strict mode is off (strict = true in %s blocks instead).", what, checks.PolicyFile)))
		}
	}

	switch {
	case len(blocking) > 0:
		them := plural(len(blocking), "finding", "findings")
		p.printf("\n%s\n", report.SummaryLine(r.Report, st))
		p.printf("Fix the %s above and %s again. `%s --no-verify` skips this hook, but the same %s will be reported by CI.\n",
			them, what, verb, them)
	case len(r.Errors) == 0 && r.Report != nil && len(other) == 0 && len(r.Report.Warnings) == 0:
		// The one quiet line of a clean run.
		scope := "staged changes"
		if r.Hook == PrePush {
			scope = fmt.Sprintf("%d %s to push", r.Commits, plural(r.Commits, "commit", "commits"))
		}
		p.printf("%s\n", st.Dim.Render(fmt.Sprintf("secfirst: %s checked (%s): no findings, %s.",
			scope, strings.Join(r.Checks, ", "), r.Elapsed.Round(time.Millisecond))))
	}
	return p.err
}

func writeFinding(p *printer, st report.Styles, f checks.Finding, hook string) {
	p.printf("\n%s %s  %s\n", st.SeverityLabel(f.Severity), st.Bold.Render(f.Title), st.File.Render(location(f)))
	if f.Message != "" {
		p.printf("  what:     %s\n", f.Message)
	}
	if f.Snippet != "" {
		p.printf("  line:     %s\n", st.Dim.Render(f.Snippet))
	}
	if l, ok := lessons.Get(f.Lesson); ok && l.Summary != "" {
		p.printf("  why:      %s\n", l.Summary)
	}
	if f.Package != nil && len(f.Package.Fixed) > 0 {
		p.printf("  fixed in: %s %s\n", f.Package.Name, strings.Join(f.Package.Fixed, ", "))
	}
	if f.Fix != "" {
		p.printf("  fix:      %s\n", f.Fix)
	}
	if hook == PrePush && f.Commit != "" {
		p.printf("  before pushing: the commit is still only yours; rewrite it (`git rebase -i` and edit %s) so the push does not carry it\n", short(f.Commit))
	}
	p.printf("  learn:    secfirst learn %s\n", f.Lesson)
	p.printf("  suppress: only if it is truly acceptable, add to %s (say why in reason):\n", checks.PolicyFile)
	for _, line := range strings.Split(IgnoreSnippet(f), "\n") {
		if line != "" {
			p.printf("              %s\n", st.Dim.Render(line))
		}
	}
}

// IgnoreSnippet is the .secfirst.toml entry that suppresses exactly this
// finding (by its fingerprint, which survives moving lines).
func IgnoreSnippet(f checks.Finding) string {
	where := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, f.Rule+" in "+f.File)
	return fmt.Sprintf("[[ignore]]\nfingerprint = %q  # %s\nreason = \"<why this is acceptable>\"\n", f.Fingerprint, where)
}

func location(f checks.Finding) string {
	loc := f.Location()
	if f.Commit != "" {
		loc += " in commit " + short(f.Commit)
	}
	return loc
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func failOn(p *checks.Policy) checks.FailOn {
	if p == nil || p.FailOn == "" {
		return checks.FailOn(checks.High)
	}
	return p.FailOn
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func isError(errs []string, warn string) bool {
	for _, e := range errs {
		if e == warn {
			return true
		}
	}
	return false
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
