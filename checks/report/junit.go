package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/secfirst-dev/secfirst/checks"
)

// The JUnit XML that CI test views read (GitLab's artifacts:reports:junit,
// Jenkins, Azure DevOps): the common subset of the format, as gitleaks
// writes it, with suites, cases, failures, errors and skips.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: one suite per check that ran,
// in which every finding is a failed case (what was found, the fix, the
// lesson and the fingerprint), every suppressed finding a skipped case
// saying by what, a check that could not run an error, and a check with
// nothing to report one passing case; warnings are skipped cases of a
// "warnings" suite, so a CI test view never shows a scan that could not do
// its job as all green.
func WriteJUnit(w io.Writer, r *checks.Report) error {
	doc := junitSuites{Name: "secfirst"}
	for _, check := range reportChecks(r) {
		s := junitSuite{Name: check}
		for _, f := range r.Findings {
			if f.Check == check {
				c := junitFinding(f)
				c.Failure = &junitProblem{Message: f.Title, Type: f.Rule, Text: junitDetail(f)}
				s.Cases = append(s.Cases, c)
			}
		}
		for _, sup := range r.Suppressed {
			if sup.Finding.Check == check {
				why := "suppressed " + suppressedByLabel(sup.By)
				if sup.Where != "" {
					why += " (" + sup.Where + ")"
				}
				if sup.Reason != "" {
					why += ": " + sup.Reason
				}
				c := junitFinding(sup.Finding)
				c.Skipped = &junitProblem{Message: why}
				s.Cases = append(s.Cases, c)
			}
		}
		for _, e := range r.Errors {
			if failed, _ := checks.FailedCheck(e); failed == check {
				s.Cases = append(s.Cases, junitCase{Name: check + " check", Classname: check, Error: &junitProblem{Message: e}})
			}
		}
		if len(s.Cases) == 0 {
			s.Cases = append(s.Cases, junitCase{Name: check + ": no findings", Classname: check})
		}
		doc.Suites = append(doc.Suites, s)
	}
	if warns := append(checkWarnings(r), r.PolicyWarnings...); len(warns) > 0 {
		s := junitSuite{Name: "warnings"}
		for i, warn := range warns {
			s.Cases = append(s.Cases, junitCase{Name: fmt.Sprintf("warning %d", i+1), Classname: "secfirst", Skipped: &junitProblem{Message: warn}})
		}
		doc.Suites = append(doc.Suites, s)
	}
	for i := range doc.Suites {
		s := &doc.Suites[i]
		for _, c := range s.Cases {
			s.Tests++
			switch {
			case c.Failure != nil:
				s.Failures++
			case c.Error != nil:
				s.Errors++
			case c.Skipped != nil:
				s.Skipped++
			}
		}
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// reportChecks are the checks a report covers: those that ran, else those
// its findings, suppressions and errors name.
func reportChecks(r *checks.Report) []string {
	if len(r.Checks) > 0 {
		return r.Checks
	}
	var names []string
	for _, f := range r.Findings {
		names = append(names, f.Check)
	}
	for _, s := range r.Suppressed {
		names = append(names, s.Finding.Check)
	}
	for _, e := range r.Errors {
		if name, ok := checks.FailedCheck(e); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// junitFinding is a finding as a test case, named after the rule and where.
func junitFinding(f checks.Finding) junitCase {
	where := f.Location()
	if f.Commit != "" {
		where += " in commit " + f.Commit[:min(12, len(f.Commit))]
	}
	return junitCase{Name: f.Rule + " in " + where, Classname: f.Check + "." + f.Rule, File: f.File}
}

// junitDetail is the body of a failure: what, the fix, the lesson, the
// fingerprint to suppress it.
func junitDetail(f checks.Finding) string {
	lines := []string{
		fmt.Sprintf("%s %s at %s", strings.ToUpper(string(f.Severity)), f.Rule, f.Location()),
		f.Message,
		"fix: " + f.Fix,
		"learn: secfirst learn " + f.Lesson,
		"fingerprint: " + f.Fingerprint,
	}
	if f.Commit != "" {
		lines = append(lines[:1], append([]string{"commit: " + f.Commit}, lines[1:]...)...)
	}
	if f.Blocking {
		lines[0] += " (blocking)"
	}
	return strings.Join(lines, "\n")
}
