package hooks

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/dockerfile"
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/pragma"
	"github.com/secfirst-dev/secfirst/checks/report"
	"github.com/secfirst-dev/secfirst/checks/terraform"
	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/lessons"
)

// maxQuiet is how many non-blocking findings are listed one per line.
const maxQuiet = 5

// Write prints the result for the person at the terminal (git shows a
// hook's standard error). Clean: one quiet line. Blocked: every blocking
// finding with where, why, the fix, the lesson and how to suppress exactly
// that finding, then a summary; either way, how many findings were
// suppressed and by what. Findings are redacted by the checks; this prints
// only their fields, never file content, and every piece of repository data
// (names, messages, snippets, warnings) passes through termtext.
func (r *Result) Write(w io.Writer, st report.Styles) error {
	p := &printer{w: w}
	what, verb := "commit", "git commit"
	if r.Hook == PrePush {
		what, verb = "push", "git push"
	}
	var blocking, other []checks.Finding
	// Past checks.HookFindingsPerRule of a rule in a file, findings are
	// counted, not listed (see checks.Unlisted).
	var unlistedBlocking []checks.Unlisted
	nBlocking, nOther := 0, 0
	if r.Report != nil {
		for _, f := range r.Report.Findings {
			if f.Blocking {
				blocking = append(blocking, f)
			} else {
				other = append(other, f)
			}
		}
		for _, u := range r.Report.Unlisted {
			if u.Blocking {
				unlistedBlocking = append(unlistedBlocking, u)
				nBlocking += u.Count()
			} else {
				nOther += u.Count()
			}
		}
	}
	nBlocking += len(blocking)
	nOther += len(other)
	// The worst first; within a severity, the report's file and line order.
	for _, fs := range [][]checks.Finding{blocking, other} {
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity.Rank() > fs[j].Severity.Rank() })
	}

	if nBlocking > 0 {
		p.printf("%s %s\n", st.Severity[checks.High].Render("secfirst: this "+what+" is blocked:"),
			fmt.Sprintf("%d %s to fix first.", nBlocking, plural(nBlocking, "finding", "findings")))
		for _, f := range blocking {
			writeFinding(p, st, f, r.Hook)
		}
		if len(unlistedBlocking) > 0 {
			p.printf("\n")
		}
		listed := map[string]bool{} // file and rule of the blocking findings shown
		for _, f := range blocking {
			listed[f.File+"\x00"+f.Rule] = true
		}
		for _, u := range unlistedBlocking {
			// An [[ignore]] may have hidden all those listed: then none of
			// the rule in the file is shown, and there are no "more".
			more := "… and " + strconv.Itoa(u.Count()) + " more"
			if !listed[u.File+"\x00"+u.Rule] {
				more = strconv.Itoa(u.Count())
			}
			p.printf("%s\n", st.Dim.Render(fmt.Sprintf("  %s %s (%s) in %s, not listed here: the hook lists the first %d of a rule in a file; `secfirst scan --staged` lists them all",
				more, termtext.Line(u.Title), termtext.Line(u.Rule), termtext.Line(u.File), checks.HookFindingsPerRule)))
		}
	}
	if nOther > 0 {
		p.printf("\n%s\n", st.Dim.Render(fmt.Sprintf("Also found, not blocking (fail_on = %s):", failOn(r.Policy))))
		for i, f := range other {
			if i == maxQuiet {
				break
			}
			p.printf("  %s %s  %s  %s\n", st.SeverityLabel(f.Severity), termtext.Line(f.Title), location(f), st.Dim.Render("secfirst learn "+termtext.Line(f.Lesson)))
		}
		switch shown := min(len(other), maxQuiet); {
		case shown == 0:
			p.printf("  %d, not listed here: run `secfirst scan --staged` to see them all\n", nOther)
		case nOther > shown:
			p.printf("  … and %d more: run `secfirst scan --staged` to see them all\n", nOther-shown)
		}
	}
	// Warnings and notes, set apart from the findings above them.
	first := true
	say := func(label, text string) {
		if first && (nBlocking > 0 || nOther > 0) {
			p.printf("\n")
		}
		first = false
		p.printf("%s %s\n", st.Warn.Render(label), termtext.Line(text))
	}
	if r.Report != nil {
		for _, warn := range r.Report.Warnings {
			if !isError(r.Errors, warn) { // errors are said below, with what they mean for this commit
				say("secfirst: warning:", warn)
			}
		}
	}
	for _, n := range r.Notes {
		say("secfirst: note:", n)
	}
	if len(r.Errors) > 0 {
		if nBlocking > 0 || nOther > 0 {
			p.printf("\n")
		}
		for _, e := range r.Errors {
			p.printf("%s %s\n", st.Warn.Render("secfirst: ERROR:"), termtext.Line(e))
		}
		if r.Policy != nil && r.Policy.Strict {
			p.printf("%s\n", st.Severity[checks.High].Render(fmt.Sprintf(
				"secfirst: this %s is blocked because a check could not run and %s sets strict = true.", what, checks.PolicyFile)))
		} else {
			p.printf("%s\n", st.Warn.Render(fmt.Sprintf(
				"secfirst: this %s was NOT fully checked; it goes ahead because strict mode is off (strict = true in %s blocks instead).", what, checks.PolicyFile)))
		}
	}

	// Suppression is never silent: the summary, the clean line or a line of
	// its own says how many findings were suppressed and by what.
	suppressed := ""
	if r.Report != nil {
		suppressed = report.SuppressedText(r.Report.Suppressed)
	}
	switch {
	case nBlocking > 0:
		them := plural(nBlocking, "finding", "findings")
		p.printf("\n%s\n", report.SummaryLine(r.Report, st))
		p.printf("Fix the %s above and %s again. `%s --no-verify` skips this hook, but the same %s will be reported by CI.\n",
			them, what, verb, them)
	case len(r.Errors) == 0 && r.Report != nil && nOther == 0 && len(r.Report.Warnings) == 0:
		// The one quiet line of a clean run.
		scope := "staged changes"
		if r.Hook == PrePush {
			scope = fmt.Sprintf("%d %s to push", r.Commits, plural(r.Commits, "commit", "commits"))
		}
		result := "no findings"
		if suppressed != "" {
			result += ", " + suppressed
		}
		p.printf("%s\n", st.Dim.Render(fmt.Sprintf("secfirst: %s checked (%s): %s, %s.",
			scope, strings.Join(r.Checks, ", "), result, r.Elapsed.Round(time.Millisecond))))
	case suppressed != "":
		p.printf("%s\n", st.Dim.Render("secfirst: "+suppressed+"."))
	}
	return p.err
}

func writeFinding(p *printer, st report.Styles, f checks.Finding, hook string) {
	p.printf("\n%s %s  %s\n", st.SeverityLabel(f.Severity), st.Bold.Render(termtext.Line(f.Title)), st.File.Render(location(f)))
	if f.Message != "" {
		p.printf("  what:     %s\n", wrapped(st, termtext.Line(f.Message)))
	}
	if f.Snippet != "" {
		p.printf("  line:     %s\n", st.Dim.Render(termtext.Line(f.Snippet)))
	}
	if l, ok := lessons.Get(f.Lesson); ok && l.Summary != "" {
		p.printf("  why:      %s\n", wrapped(st, l.Summary))
	}
	if f.Package != nil && len(f.Package.Fixed) > 0 {
		p.printf("  fixed in: %s\n", termtext.Line(f.Package.Name+" "+strings.Join(f.Package.Fixed, ", ")))
	}
	if f.Fix != "" {
		// The first line is prose; what follows is a YAML or HCL block,
		// shown as written under it.
		first, rest, more := strings.Cut(f.Fix, "\n")
		fix := wrapped(st, termtext.Line(first))
		if more {
			fix += report.Hanging("\n"+rest, fieldIndent)
		}
		p.printf("  fix:      %s\n", fix)
	}
	if hook == PrePush && f.Commit != "" {
		p.printf("  before pushing: the commit is still only yours; rewrite it (`git rebase -i` and edit %s) so the push does not carry it\n", termtext.Line(short(f.Commit)))
	}
	p.printf("  learn:    secfirst learn %s\n", termtext.Line(f.Lesson))
	if where := inlineWhere(f); where != "" {
		p.printf("  suppress: only if it is truly acceptable, write %s %s, and stage it\n", st.Dim.Render("`"+termtext.Line(pragma.Comment(f.Rule))+"`"), where)
		return
	}
	p.printf("  suppress: only if it is truly acceptable, add to %s and stage it (say why in reason):\n", checks.PolicyFile)
	for _, line := range strings.Split(IgnoreSnippet(f), "\n") {
		if line != "" {
			p.printf("              %s\n", st.Dim.Render(line))
		}
	}
}

// fieldIndent puts a field's continuation lines under its first.
const fieldIndent = "            "

// wrapped wraps one line of prose to the terminal's width under its
// label (st.Width 0: as it is). A word longer than the line stays whole.
func wrapped(st report.Styles, s string) string {
	w := st.Width - len(fieldIndent)
	if st.Width <= 0 || w < 30 {
		return s
	}
	return strings.ReplaceAll(ansi.Wordwrap(s, w, ""), "\n", "\n"+fieldIndent)
}

// inlineWhere says where the comment that suppresses a finding goes, for
// the checks that read suppression comments (package pragma); "" for the
// others, whose findings are suppressed in .secfirst.toml.
func inlineWhere(f checks.Finding) string {
	switch f.Check {
	case dockerfile.CheckName:
		return "on the line above its instruction"
	case kubernetes.CheckName, terraform.CheckName:
		return fmt.Sprintf("at the end of line %d or on the line above", f.Line)
	}
	return ""
}

// IgnoreSnippet is the .secfirst.toml entry that suppresses exactly this
// finding (by its fingerprint, which survives moving lines). The comment
// naming the rule and file is one line, control characters shown visibly.
func IgnoreSnippet(f checks.Finding) string {
	return fmt.Sprintf("[[ignore]]\nfingerprint = %q  # %s\nreason = \"<why this is acceptable>\"\n",
		f.Fingerprint, termtext.Line(f.Rule+" in "+f.File))
}

// location is where a finding is, safe to show on a terminal.
func location(f checks.Finding) string {
	loc := f.Location()
	if f.Commit != "" {
		loc += " in commit " + short(f.Commit)
	}
	return termtext.Line(loc)
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
