package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
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
			Fix: "Add `USER 10001` after the last RUN.", Lesson: "containers-user", Refs: []string{"DL3002", "AVD-DS-0002", "CKV_DOCKER_3"},
			Fingerprint: "aaaabbbbccccddddeeee"},
		{Check: "secrets", Rule: "aws-access-token", Severity: checks.Critical, Title: "Identified a pattern that may indicate AWS credentials",
			File: "old.txt", Line: 3, Commit: "1234567890abcdef1234567890abcdef12345678",
			Message: "AWS access token found in commit 1234567890ab: AKIA**** (20 characters, redacted)",
			Fix:     "Revoke, rotate, purge.", Lesson: "secrets-history", Fingerprint: "99998888777766665555", Blocking: true},
	}
	checks.SortFindings(fs)
	return &checks.Report{Version: 1, Mode: checks.ModeWorktree, Findings: fs, Summary: checks.Summarize(fs),
		Warnings: []string{"no vulnerability database for PyPI: run `secfirst db update`"}}
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
	if len(run.Results) != 4 || len(run.Tool.Driver.Rules) != 4 {
		t.Fatalf("want 4 results over 4 rules, got %d/%d", len(run.Results), len(run.Tool.Driver.Rules))
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
	for _, k := range []string{"version", "mode", "findings", "summary", "warnings"} {
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
}

func TestEmptyReportHasEmptyArrays(t *testing.T) {
	var buf bytes.Buffer
	rep := &checks.Report{Version: 1, Mode: checks.ModeStaged, Findings: []checks.Finding{}, Warnings: []string{}}
	if err := report.WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"findings": []`) || !strings.Contains(buf.String(), `"warnings": []`) {
		t.Fatalf("findings and warnings must be arrays, never null:\n%s", buf.String())
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
		"secfirst learn secrets-vcs-tokens", "fixed in: 4.17.21", "commit 1234567890ab", "warning: no vulnerability database",
		"4 findings (1 critical, 2 high, 1 medium), 3 blocking."} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q", want)
		}
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
