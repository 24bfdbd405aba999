package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sample is a fixed report: golden files must be deterministic and hold no
// secret-shaped string, so findings are written by hand with redacted text.
func sample() *checks.Report {
	fs := []checks.Finding{
		{Check: "secrets", Rule: "github-pat", Severity: checks.High, Title: "Detected a GitHub Personal Access Token",
			File: "src/config.py", Line: 12, Message: "GitHub PAT found: ghp_**** (40 characters, redacted)",
			Fix: "Revoke and rotate this GitHub PAT.", Lesson: "secrets-vcs-tokens", Refs: []string{"CWE-798"},
			Fingerprint: "0123456789abcdef0123", Blocking: true},
		{Check: "deps", Rule: "GHSA-35jh-r3h4-6jhm", Severity: checks.High, Title: "lodash: command injection",
			File: "package-lock.json", Line: 0, Message: "lodash 4.17.15 is affected by GHSA-35jh-r3h4-6jhm",
			Fix: "Upgrade lodash to 4.17.21.", Lesson: "deps-vulnerable", Refs: []string{"CVE-2021-23337"},
			Fingerprint: "fedcba9876543210fedc", Blocking: true,
			Package: &checks.Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.15", Fixed: []string{"4.17.21"}}},
		{Check: "dockerfile", Rule: "dockerfile/root-user", Severity: checks.Medium, Title: "The final stage runs as root",
			File: "Dockerfile", Line: 1, Message: "no USER instruction in the final stage",
			Fix: "Add `USER 10001` after the last RUN.", Lesson: "containers-non-root", Refs: []string{"DL3002", "AVD-DS-0002", "CKV_DOCKER_3"},
			Fingerprint: "aaaabbbbccccddddeeee"},
		{Check: "secrets", Rule: "aws-access-token", Severity: checks.Critical, Title: "Identified a pattern that may indicate AWS credentials",
			File: "old.txt", Line: 3, Commit: "1234567890abcdef1234567890abcdef12345678",
			Message: "AWS access token found in commit 1234567890ab: AKIA**** (20 characters, redacted)",
			Fix:     "Revoke, rotate, purge.", Lesson: "secrets-history", Fingerprint: "99998888777766665555", Blocking: true},
	}
	checks.SortFindings(fs)
	expired := ".secfirst.toml:9: ignore (path docs/**) expired on 2026-01-01 and no longer suppresses; fix the finding or renew the ignore with a reason"
	return &checks.Report{Version: 1, Mode: checks.ModeWorktree, Findings: fs, Summary: checks.Summarize(fs),
		Warnings:       []string{"no vulnerability database for PyPI: run `secfirst db update`", expired},
		PolicyWarnings: []string{expired},
		Suppressed: []checks.Suppression{
			{By: checks.SuppressedByPolicy, Reason: "test fixture, revoked", Where: ".secfirst.toml:3",
				Finding: checks.Finding{Check: "secrets", Rule: "github-pat", Severity: checks.High, Title: "Detected a GitHub Personal Access Token",
					File: "tests/fixture.py", Line: 4, Message: "GitHub PAT found: ghp_**** (40 characters, redacted)",
					Fix: "Revoke and rotate this GitHub PAT.", Lesson: "secrets-vcs-tokens", Fingerprint: "1111222233334444aaaa"}},
			{By: checks.SuppressedByPolicy, Reason: "build image, never deployed", Where: ".secfirst.toml:6",
				Finding: checks.Finding{Check: "dockerfile", Rule: "dockerfile/root-user", Severity: checks.Medium, Title: "The final stage runs as root",
					File: "tools/Dockerfile", Line: 1, Message: "no USER instruction in the final stage",
					Fix: "Add `USER 10001` after the last RUN.", Lesson: "containers-non-root", Fingerprint: "5555666677778888bbbb"}},
			{By: checks.SuppressedByInline, Where: "src/config.py:20",
				Finding: checks.Finding{Check: "secrets", Rule: "aws-access-token", Severity: checks.Critical, Title: "Identified a pattern that may indicate AWS credentials",
					File: "src/config.py", Line: 20, Message: "AWS access token found: AKIA**** (20 characters, redacted)",
					Fix: "Revoke, rotate, purge.", Lesson: "secrets-history", Fingerprint: "9999aaaabbbbccccdddd"}},
		}}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./checks/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file; if the change is intended run with -update\n--- got ---\n%s", name, got)
	}
}

func TestSARIFGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteSARIF(&buf, sample(), "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.sarif", buf.Bytes())

	// Valid against the SARIF 2.1.0 schema, as GitHub code scanning requires.
	log, err := sarif.FromBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Validate(); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
	run := log.Runs[0]
	if len(run.Results) != 7 || len(run.Tool.Driver.Rules) != 4 {
		t.Fatalf("want 7 results (3 suppressed) over 4 rules, got %d/%d", len(run.Results), len(run.Tool.Driver.Rules))
	}
	suppressed := map[string]string{}
	for _, r := range run.Results {
		if len(r.Suppressions) == 0 {
			continue
		}
		sup := r.Suppressions[0]
		if sup.Status == nil || *sup.Status != "accepted" || sup.Justification == nil || *sup.Justification == "" {
			t.Errorf("suppression of %s: status and justification required: %+v", *r.RuleID, sup)
		}
		suppressed[r.PartialFingerprints["secfirst/v1"]] = *sup.Kind
	}
	if len(suppressed) != 3 || suppressed["9999aaaabbbbccccdddd"] != "inSource" || suppressed["1111222233334444aaaa"] != "external" {
		t.Fatalf("suppressed results by fingerprint: %v (inline is inSource, the policy external)", suppressed)
	}
	if len(run.Invocations) != 1 {
		t.Fatalf("want one invocation, got %d", len(run.Invocations))
	}
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful == nil || !*inv.ExecutionSuccessful {
		t.Fatal("every check ran: executionSuccessful must be true")
	}
	if len(inv.ToolExecutionNotifications) != 1 || !strings.Contains(*inv.ToolExecutionNotifications[0].Message.Text, "no vulnerability database") ||
		inv.ToolExecutionNotifications[0].Level != "warning" {
		t.Fatalf("the missing database must be a tool execution notification: %+v", inv.ToolExecutionNotifications)
	}
	if len(inv.ToolConfigurationNotifications) != 1 || !strings.Contains(*inv.ToolConfigurationNotifications[0].Message.Text, "expired") {
		t.Fatalf("the expired ignore must be a tool configuration notification: %+v", inv.ToolConfigurationNotifications)
	}
	for _, r := range run.Results {
		uri := *r.Locations[0].PhysicalLocation.ArtifactLocation.URI
		if filepath.IsAbs(uri) {
			t.Errorf("absolute artifact uri %q: GitHub needs paths relative to the repository", uri)
		}
		if r.PartialFingerprints["secfirst/v1"] == "" {
			t.Errorf("result %s has no partial fingerprint", *r.RuleID)
		}
		if *r.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %s: startLine must be >= 1", *r.RuleID)
		}
		if idx := r.RuleIndex; idx < 0 || *run.Tool.Driver.Rules[idx].ID != *r.RuleID {
			t.Errorf("result %s points at the wrong rule", *r.RuleID)
		}
	}
}

func TestJSONDocument(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json", buf.Bytes())
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "mode", "findings", "summary", "warnings", "errors", "suppressed"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON document lacks %q", k)
		}
	}
	fs := doc["findings"].([]any)
	for _, raw := range fs {
		f := raw.(map[string]any)
		_, hasPkg := f["package"]
		if hasPkg != (f["check"] == "deps") {
			t.Errorf("package must appear on deps findings only: %v", f["rule"])
		}
		_, hasCommit := f["commit"]
		if hasCommit && f["commit"] == "" {
			t.Errorf("empty commit must be omitted")
		}
	}
	sum := doc["summary"].(map[string]any)
	if sum["high"].(float64) != 2 || sum["critical"].(float64) != 1 || sum["blocking"].(float64) != 3 {
		t.Fatalf("summary = %v", sum)
	}
	if len(fs) != 4 {
		t.Fatalf("suppressed findings stay out of findings: %d", len(fs))
	}
	sup := doc["suppressed"].(map[string]any)
	by := sup["by"].(map[string]any)
	if sup["total"].(float64) != 3 || by["policy"].(float64) != 2 || by["inline"].(float64) != 1 {
		t.Fatalf("suppressed = %v", sup)
	}
}

func TestEmptyReportHasEmptyArrays(t *testing.T) {
	var buf bytes.Buffer
	rep := &checks.Report{Version: 1, Mode: checks.ModeStaged, Findings: []checks.Finding{}, Warnings: []string{}}
	if err := report.WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"findings": []`, `"warnings": []`, `"errors": []`, `"suppressed": {
    "total": 0,
    "by": {}
  }`} {
		if !strings.Contains(buf.String(), want) {
			t.Fatalf("want %s: arrays and objects, never null:\n%s", want, buf.String())
		}
	}
}

func TestTextGroupsByFileWithoutColour(t *testing.T) {
	var buf bytes.Buffer
	r := lipgloss.NewRenderer(&buf)
	r.SetColorProfile(termenv.Ascii)
	if err := report.WriteText(&buf, sample(), report.NewStyles(r)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	golden(t, "report.txt", buf.Bytes())
	if strings.Contains(out, "\x1b[") {
		t.Fatal("colour codes without a terminal")
	}
	for _, want := range []string{"Dockerfile\n", "src/config.py\n", "line 12", "fix: Revoke and rotate this GitHub PAT.",
		"secfirst learn secrets-vcs-tokens", "fixed in: 4.17.21", "commit 1234567890ab",
		"4 findings (1 critical, 2 high, 1 medium), 3 blocking; 3 suppressed (2 by .secfirst.toml, 1 by inline comments)."} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	if strings.Contains(out, "warning") {
		t.Error("warnings are diagnostics: they go to WriteWarnings (standard error), not the report")
	}

	buf.Reset()
	if err := report.WriteWarnings(&buf, sample(), report.NewStyles(r)); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "secfirst: warning: no vulnerability database for PyPI: run `secfirst db update`\n"+
		"secfirst: warning: "+sample().PolicyWarnings[0]+"\n" {
		t.Fatalf("diagnostics:\n%s", buf.String())
	}
}

// incomplete is a scan in which the secrets check could not run.
func incomplete() *checks.Report {
	e := "secrets check failed: git log: fatal: unable to read e0d6d1980c11ac216395532e33de7b2e919e7a91"
	return &checks.Report{Version: 1, Mode: checks.ModeHistory, Findings: []checks.Finding{},
		Warnings: []string{"2 packages NOT checked: no vulnerability data", e}, Errors: []string{e}}
}

func TestIncompleteScanIsNeverClean(t *testing.T) {
	out, run := validSARIF(t, incomplete())
	inv := run.Invocations
	if len(inv) != 1 || inv[0].ExecutionSuccessful == nil || *inv[0].ExecutionSuccessful {
		t.Fatalf("a failed check must make executionSuccessful false: %s", out)
	}
	notes := inv[0].ToolExecutionNotifications
	if len(notes) != 2 || notes[0].Level != "error" || !strings.Contains(*notes[0].Message.Text, "secrets check failed") ||
		notes[1].Level != "warning" || !strings.Contains(*notes[1].Message.Text, "NOT checked") {
		t.Fatalf("tool execution notifications: %s", out)
	}

	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, incomplete()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Errors   []string `json:"errors"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || len(doc.Errors) != 1 || len(doc.Warnings) != 2 {
		t.Fatalf("JSON errors %q, warnings %q (%v)", doc.Errors, doc.Warnings, err)
	}

	buf.Reset()
	r := lipgloss.NewRenderer(&buf)
	r.SetColorProfile(termenv.Ascii)
	if err := report.WriteText(&buf, incomplete(), report.NewStyles(r)); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "secfirst: no findings (history scan) from the checks that ran; INCOMPLETE: 1 check could not run.\n" {
		t.Fatalf("text summary of an incomplete scan: %q", got)
	}
	buf.Reset()
	if err := report.WriteWarnings(&buf, incomplete(), report.NewStyles(r)); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "secfirst: warning: 2 packages NOT checked: no vulnerability data\n" {
		t.Fatalf("diagnostics: %q", got)
	}
}

// hostile is a report whose repository data holds terminal escapes: a file
// named with ESC ] 0 ; pwned BEL (sets the window title) and a message with
// ESC [ 2 J (clears the screen).
func hostile() *checks.Report {
	title := "evil\x1b]0;pwned\x07.env"
	fs := []checks.Finding{{Check: "secrets", Rule: "custom\x1b[31m", Severity: checks.High, Title: "Custom \x9b31m rule",
		File: title, Line: 1, Message: "found: x\x1b[2J****", Fix: "remove it from " + title, Lesson: "secrets-basics",
		Fingerprint: "0123456789abcdef0123", Blocking: true,
		Package: &checks.Package{Name: "p\x1b[2J", Fixed: []string{"1.0\x1b[2J"}}}}
	warn := "cannot read " + title
	return &checks.Report{Version: 1, Mode: checks.ModeWorktree, Findings: fs, Summary: checks.Summarize(fs),
		Warnings: []string{warn, "secrets check failed: " + title}, Errors: []string{"secrets check failed: " + title},
		Suppressed: []checks.Suppression{{By: "x\x1b[2J", Finding: fs[0]}}}
}

func TestTextHoldsNoTerminalEscapeFromRepositoryData(t *testing.T) {
	var buf bytes.Buffer
	r := lipgloss.NewRenderer(&buf)
	r.SetColorProfile(termenv.Ascii)
	st := report.NewStyles(r)
	if err := report.WriteText(&buf, hostile(), st); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteWarnings(&buf, hostile(), st); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\x07\u009b") {
		t.Fatalf("a control byte from repository data reached the terminal:\n%q", out)
	}
	for _, want := range []string{`evil\x1b]0;pwned\x07.env`, `found: x\x1b[2J****`, `warning: cannot read evil\x1b]0;pwned\x07.env`} {
		if !strings.Contains(out, want) {
			t.Errorf("want the escape shown visibly as %s:\n%s", want, out)
		}
	}

	// Machine formats keep the exact strings (escaped by their encoders).
	buf.Reset()
	if err := report.WriteJSON(&buf, hostile()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\x1b") {
		t.Fatal("JSON must escape control characters")
	}
	var doc checks.Report
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || doc.Findings[0].File != hostile().Findings[0].File {
		t.Fatalf("JSON must keep the exact file name: %v", err)
	}
	buf.Reset()
	if err := report.WriteSARIF(&buf, hostile(), "v1"); err != nil {
		t.Fatal(err)
	}
	log, err := sarif.FromBytes(buf.Bytes())
	if err != nil || *log.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != hostile().Findings[0].File {
		t.Fatalf("SARIF must keep the exact file name: %v", err)
	}
}

func TestTextColourOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	r := lipgloss.NewRenderer(&buf)
	r.SetColorProfile(termenv.ANSI256)
	if err := report.WriteText(&buf, sample(), report.NewStyles(r)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\x1b[") {
		t.Fatal("a colour renderer should colour the report")
	}
}

// sameRuleTwice is two findings of each of two rules, in two files: what
// made rule text come from the first finding ("remove it from a.env:1"
// shown for the alert in svc/b.env, a deps rule named after one version).
func sameRuleTwice() []checks.Finding {
	secret := func(file string, line int) checks.Finding {
		loc := fmt.Sprintf("%s:%d", file, line)
		return checks.Finding{Check: "secrets", Rule: "aws-access-token", Severity: checks.Critical,
			Title: "Identified a pattern that may indicate AWS credentials", File: file, Line: line,
			Message: "AWS access token found: AKIA**** (20 characters, redacted)",
			Fix:     "Revoke and rotate this AWS access token, then remove it from " + loc + ".",
			Lesson:  "secrets-cloud-keys", Refs: []string{"CWE-798"}, Fingerprint: fmt.Sprintf("%020d", line), Blocking: true}
	}
	dep := func(file, version string) checks.Finding {
		return checks.Finding{Check: "deps", Rule: "GHSA-35jh-r3h4-6jhm", Severity: checks.High,
			Title: "lodash " + version + ": Command Injection in lodash", File: file,
			Message: "lodash " + version + " (npm, direct dependency) is affected by GHSA-35jh-r3h4-6jhm (CVE-2021-23337): Command Injection in lodash.",
			Fix:     "Upgrade lodash from " + version + " to 4.17.21 in " + file + ".", Lesson: "deps-vulnerable",
			Refs: []string{"CVE-2021-23337"}, Fingerprint: "dep" + strings.ReplaceAll(version, ".", "") + strings.Repeat("0", 10), Blocking: true,
			Package: &checks.Package{Ecosystem: "npm", Name: "lodash", Version: version, Fixed: []string{"4.17.21"}}}
	}
	fs := []checks.Finding{secret("a.env", 1), secret("svc/b.env", 3), dep("package-lock.json", "4.17.15"), dep("web/package-lock.json", "4.17.20")}
	checks.SortFindings(fs)
	return fs
}

func sarifOf(t *testing.T, fs []checks.Finding) ([]byte, *sarif.Run) {
	t.Helper()
	return validSARIF(t, &checks.Report{Version: 1, Mode: checks.ModeWorktree, Findings: fs, Summary: checks.Summarize(fs)})
}

// validSARIF writes the report as SARIF, checks it against the SARIF 2.1.0
// schema and returns it and its one run.
func validSARIF(t *testing.T, rep *checks.Report) ([]byte, *sarif.Run) {
	t.Helper()
	var buf bytes.Buffer
	if err := report.WriteSARIF(&buf, rep, "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	log, err := sarif.FromBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Validate(); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
	return buf.Bytes(), log.Runs[0]
}

func TestSARIFRuleTextIsPerRule(t *testing.T) {
	fs := sameRuleTwice()
	out, run := sarifOf(t, fs)
	golden(t, "rules.sarif", out)

	rules, err := json.Marshal(run.Tool.Driver.Rules)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Tool.Driver.Rules) != 2 {
		t.Fatalf("want 2 rules, got %d", len(run.Tool.Driver.Rules))
	}
	for _, particular := range []string{"a.env", "b.env", "package-lock.json", "4.17.15", "4.17.20", "Upgrade lodash"} {
		if strings.Contains(string(rules), particular) {
			t.Errorf("rule text holds %q, which belongs to one finding:\n%s", particular, rules)
		}
	}
	for _, r := range run.Tool.Driver.Rules {
		if r.Help == nil || r.Help.Markdown == nil || !strings.Contains(*r.Help.Markdown, "**How to fix**") || r.FullDescription == nil || *r.FullDescription.Text == "" {
			t.Errorf("rule %s: help and full description come from its lesson: %+v", *r.ID, r)
		}
	}
	if got := *run.Tool.Driver.Rules[0].ShortDescription.Text; got != "Command Injection in lodash" {
		t.Errorf("the deps rule is the advisory, not one package version: %q", got)
	}
	// Each result carries its own message and fix.
	for i, res := range run.Results {
		if msg := *res.Message.Text; !strings.Contains(msg, fs[i].Message) || !strings.Contains(msg, "Fix: "+fs[i].Fix) {
			t.Errorf("result %d message %q lacks its own message and fix", i, msg)
		}
	}
	// Rule text does not change from run to run as findings come and go.
	// (fs is sorted by file: a.env, package-lock.json, svc/b.env, web/package-lock.json.)
	for _, subset := range [][]checks.Finding{{fs[2], fs[3]}, {fs[0], fs[3]}, {fs[1], fs[2]}} {
		_, other := sarifOf(t, subset)
		again, _ := json.Marshal(other.Tool.Driver.Rules)
		if !bytes.Equal(again, rules) {
			t.Fatalf("rule text changed with the findings:\n%s\nwant\n%s", again, rules)
		}
	}
}

func TestCodeQualityGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := report.Write(&buf, report.FormatCodeQuality, sample(), report.Options{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.codequality.json", buf.Bytes())
	issues := codeQualityShape(t, buf.Bytes())
	if len(issues) != len(sample().Findings) {
		t.Fatalf("want one issue per finding (suppressed ones left out), got %d", len(issues))
	}
	if issues[0]["check_name"] != "dockerfile/root-user" || issues[0]["severity"] != "major" {
		t.Fatalf("first issue: %v", issues[0])
	}

	// GitLab shows one issue per fingerprint: the same secret in two
	// commits, or twice in one, is still two issues.
	f := sample().Findings[1]
	twice := &checks.Report{Findings: []checks.Finding{f, f, f}}
	twice.Findings[1].Commit = "abcdefabcdefabcdefabcdefabcdefabcdefabcd"
	buf.Reset()
	if err := report.WriteCodeQuality(&buf, twice); err != nil {
		t.Fatal(err)
	}
	if n := len(codeQualityShape(t, buf.Bytes())); n != 3 {
		t.Fatalf("want 3 issues, got %d", n)
	}
}

// codeQualityShape checks a Code Quality report against what GitLab reads:
// an array of issues, each with a description, a check_name, a fingerprint
// unique in the report, one of GitLab's severities, location.path and
// location.lines.begin >= 1.
func codeQualityShape(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var issues []map[string]any
	if err := json.Unmarshal(data, &issues); err != nil {
		t.Fatalf("not a JSON array of issues: %v\n%s", err, data)
	}
	seen := map[string]bool{}
	for i, is := range issues {
		for _, k := range []string{"description", "check_name", "fingerprint", "severity"} {
			if s, _ := is[k].(string); s == "" {
				t.Errorf("issue %d: %s must be a non-empty string: %v", i, k, is)
			}
		}
		switch is["severity"] {
		case "info", "minor", "major", "critical", "blocker":
		default:
			t.Errorf("issue %d: severity %v is not one of GitLab's", i, is["severity"])
		}
		fp, _ := is["fingerprint"].(string)
		if seen[fp] {
			t.Errorf("issue %d: fingerprint %s is not unique", i, fp)
		}
		seen[fp] = true
		loc, _ := is["location"].(map[string]any)
		lines, _ := loc["lines"].(map[string]any)
		if p, _ := loc["path"].(string); p == "" || filepath.IsAbs(p) {
			t.Errorf("issue %d: location.path must be relative: %v", i, loc)
		}
		if b, _ := lines["begin"].(float64); b < 1 {
			t.Errorf("issue %d: location.lines.begin must be >= 1: %v", i, loc)
		}
	}
	return issues
}

// junitCounts are the counts a suite, and the suites, declare.
type junitCounts struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
}

type junitDoc struct {
	XMLName xml.Name `xml:"testsuites"`
	junitCounts
	Suites []struct {
		Name string `xml:"name,attr"`
		junitCounts
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			File      string `xml:"file,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// junitShape checks JUnit XML against what CI test views read: suites of
// named cases (name and classname), each passed, failed, errored or skipped,
// and counts that add up.
func junitShape(t *testing.T, data []byte) junitDoc {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(xml.Header)) {
		t.Fatalf("no XML header:\n%s", data)
	}
	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not JUnit XML: %v\n%s", err, data)
	}
	var tests, failures, errs, skipped int
	for _, s := range doc.Suites {
		var f, e, sk int
		for _, c := range s.Cases {
			if c.Name == "" || c.Classname == "" {
				t.Errorf("suite %s: a case needs a name and a classname: %+v", s.Name, c)
			}
			n := 0
			if c.Failure != nil {
				f, n = f+1, n+1
			}
			if c.Error != nil {
				e, n = e+1, n+1
			}
			if c.Skipped != nil {
				sk, n = sk+1, n+1
			}
			if n > 1 {
				t.Errorf("case %s is more than one of failed, errored, skipped", c.Name)
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != sk {
			t.Errorf("suite %s counts %d/%d/%d/%d, cases say %d/%d/%d/%d", s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), f, e, sk)
		}
		tests, failures, errs, skipped = tests+s.Tests, failures+f, errs+e, skipped+sk
	}
	if doc.Tests != tests || doc.Failures != failures || doc.Errors != errs || doc.Skipped != skipped {
		t.Errorf("testsuites counts %d/%d/%d/%d, suites say %d/%d/%d/%d", doc.Tests, doc.Failures, doc.Errors, doc.Skipped, tests, failures, errs, skipped)
	}
	return doc
}

func TestJUnitGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := report.Write(&buf, report.FormatJUnit, sample(), report.Options{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.junit.xml", buf.Bytes())
	doc := junitShape(t, buf.Bytes())
	// 4 findings failed; 3 suppressed findings and 2 warnings skipped.
	if doc.Tests != 9 || doc.Failures != 4 || doc.Skipped != 5 || doc.Errors != 0 || len(doc.Suites) != 4 {
		t.Fatalf("junit: %d tests, %d failures, %d skipped, %d errors in %d suites", doc.Tests, doc.Failures, doc.Skipped, doc.Errors, len(doc.Suites))
	}
	secrets := doc.Suites[2]
	if secrets.Name != "secrets" || secrets.Cases[0].Name != "aws-access-token in old.txt:3 in commit 1234567890ab" ||
		secrets.Cases[0].File != "old.txt" || !strings.Contains(secrets.Cases[0].Failure.Text, "fix: Revoke, rotate, purge.") {
		t.Fatalf("secrets suite: %+v", secrets)
	}

	// A check that could not run is an error, one with nothing to report a
	// passing case: never all green when the scan did not do its job.
	rep := incomplete()
	rep.Checks = []string{"secrets", "dockerfile"}
	buf.Reset()
	if err := report.WriteJUnit(&buf, rep); err != nil {
		t.Fatal(err)
	}
	doc = junitShape(t, buf.Bytes())
	if doc.Errors != 1 || doc.Suites[0].Cases[0].Error == nil || doc.Suites[1].Cases[0].Name != "dockerfile: no findings" || doc.Skipped != 1 {
		t.Fatalf("incomplete scan as JUnit:\n%s", buf.String())
	}
}

func TestFormatsAreOneList(t *testing.T) {
	rep := sample()
	for _, f := range report.Formats {
		var buf bytes.Buffer
		if err := report.Write(&buf, f, rep, report.Options{Styles: report.NewStyles(lipgloss.NewRenderer(&buf)), Version: "v1"}); err != nil || buf.Len() == 0 {
			t.Errorf("format %s: %v", f, err)
		}
	}
	if err := report.Write(io.Discard, "yaml", rep, report.Options{}); err == nil || !strings.Contains(err.Error(), "text, json, sarif, codequality or junit") {
		t.Fatalf("an unknown format names the valid ones: %v", err)
	}
}
