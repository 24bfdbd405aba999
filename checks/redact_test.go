package checks_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// quoting is a check whose finding and warning quote a file's line, as a
// Dockerfile or lockfile check may, without masking what is on it.
type quoting struct{ line string }

func (quoting) Name() string { return "quoting" }

func (q quoting) Run(context.Context, *checks.Source) (checks.Result, error) {
	f := checks.Finding{Check: "quoting", Rule: "quoting/rule", Severity: checks.High, Title: "t", File: "f", Line: 1,
		Message: "found in: " + q.line, Fix: "remove " + q.line, Snippet: q.line}
	return checks.Result{Findings: []checks.Finding{f}, Warnings: []string{"f:1: cannot parse " + q.line},
		Suppressed: []checks.Suppression{{Finding: f, By: checks.SuppressedByInline, Where: "f:1"}}}, nil
}

// Scan passes everything a report shows through the installed redactor,
// whatever check wrote it; without a redactor no snippet leaves a scan.
func TestScanRedactsWhatEveryCheckShows(t *testing.T) {
	token := gittest.FakeGitHubToken()
	src := &checks.Source{Mode: checks.ModeWorktree, Root: t.TempDir()}
	list := []checks.Check{quoting{line: "RUN deploy --key " + token}}
	t.Cleanup(func() { checks.SetRedactor(secrets.NewRedactor()) })

	checks.SetRedactor(secrets.NewRedactor())
	rep := checks.Scan(context.Background(), src, list, nil, checks.Options{})
	f, s := rep.Findings[0], rep.Suppressed[0].Finding
	for _, text := range []string{f.Snippet, f.Message, f.Fix, s.Snippet, rep.Warnings[0]} {
		if strings.Contains(text, token) || !strings.Contains(text, "--key ****") {
			t.Errorf("want the token masked: %q", strings.ReplaceAll(text, token, "<token>"))
		}
	}

	checks.SetRedactor(nil)
	rep = checks.Scan(context.Background(), src, list, nil, checks.Options{})
	if rep.Findings[0].Snippet != "" || rep.Suppressed[0].Finding.Snippet != "" {
		t.Errorf("without a redactor the snippets must be dropped")
	}
	f = rep.Findings[0]
	for _, text := range []string{f.Message, f.Fix, rep.Warnings[0]} {
		if strings.Contains(text, token) || !strings.Contains(text, "--key "+token[:4]+"****") {
			t.Errorf("without a redactor, want token-like words masked: %q", strings.ReplaceAll(text, token, "<token>"))
		}
	}

	// A redactor that fails (a scan cancelled half-way): the same, and said.
	checks.SetRedactor(failingRedactor{})
	rep = checks.Scan(context.Background(), src, list, nil, checks.Options{})
	if f := rep.Findings[0]; f.Snippet != "" || strings.Contains(f.Message, token) {
		t.Errorf("a failed redaction left %q / %q", strings.ReplaceAll(f.Snippet, token, "<token>"), strings.ReplaceAll(f.Message, token, "<token>"))
	}
	if !strings.Contains(strings.Join(rep.Warnings, "\n"), "lines of the findings are not shown") {
		t.Errorf("dropping the lines must be said: %q", rep.Warnings)
	}
}

type failingRedactor struct{}

func (failingRedactor) Redact(context.Context, *checks.Source, []string) ([]string, error) {
	return nil, context.Canceled
}

// titled is a check whose rule's title holds a token (a secrets rule's
// title is its description in a repository's .gitleaks.toml), and that
// lists one finding of the rule under a cap of one.
type titled struct{ title string }

func (titled) Name() string { return "titled" }

func (q titled) Run(_ context.Context, src *checks.Source) (checks.Result, error) {
	listed := src.RuleCap()
	var res checks.Result
	for i := range 3 {
		f := checks.Finding{Check: "titled", Rule: "titled/rule", Severity: checks.High, Title: q.title, File: "f", Line: i + 1,
			Fingerprint: checks.Fingerprint("titled", "titled/rule", "f", strconv.Itoa(i))}
		if listed.Keep(f) {
			res.Findings = append(res.Findings, f)
		}
	}
	res.Unlisted = listed.Unlisted()
	return res, nil
}

// The findings a cap only counts are redacted like those it lists.
func TestScanRedactsTheTitlesOfUnlistedFindings(t *testing.T) {
	token := gittest.FakeGitHubToken()
	src := &checks.Source{Mode: checks.ModeWorktree, Root: t.TempDir(), FindingsPerRule: 1}
	checks.SetRedactor(secrets.NewRedactor())
	t.Cleanup(func() { checks.SetRedactor(secrets.NewRedactor()) })
	rep := checks.Scan(context.Background(), src, []checks.Check{titled{title: "Custom token " + token}}, nil, checks.Options{})
	if len(rep.Findings) != 1 || len(rep.Unlisted) != 1 || rep.Unlisted[0].Count() != 2 || rep.Summary.High != 3 {
		t.Fatalf("findings %d, unlisted %+v, summary %+v: want 1 listed and 2 counted", len(rep.Findings), rep.Unlisted, rep.Summary)
	}
	for _, title := range []string{rep.Findings[0].Title, rep.Unlisted[0].Title} {
		if strings.Contains(title, token) || !strings.Contains(title, "token ****") {
			t.Errorf("want the token masked: %q", strings.ReplaceAll(title, token, "<token>"))
		}
	}
}
