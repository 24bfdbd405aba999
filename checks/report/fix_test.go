package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/report"
	"github.com/secfirst-dev/secfirst/checks/terraform"
)

// A fix that shows several lines of HCL (a resource to add) is printed
// with its continuation lines under its first, not run together with
// escaped newlines, and still without a terminal escape from the
// repository.
func TestTextMultiLineFixIsIndented(t *testing.T) {
	res := terraform.CheckFile("main.tf", []byte("resource \"aws_s3_bucket\" \"lo\\u001b[2Jgs\" {\n  bucket = \"logs\"\n}\n"))
	var fs []checks.Finding
	for _, f := range res.Findings {
		if f.Rule == "terraform/aws-s3-no-public-access-block" {
			fs = append(fs, f)
		}
	}
	if len(fs) != 1 || !strings.Contains(fs[0].Fix, "\n") {
		t.Fatalf("want one finding with a multi-line fix: %+v", res.Findings)
	}
	var buf bytes.Buffer
	r := lipgloss.NewRenderer(&buf)
	r.SetColorProfile(termenv.Ascii)
	rep := &checks.Report{Version: 1, Mode: checks.ModeWorktree, Findings: fs, Summary: checks.Summarize(fs)}
	if err := report.WriteText(&buf, rep, report.NewStyles(r)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	want := "           fix: Add a public access block for it:\n" +
		"                resource \"aws_s3_bucket_public_access_block\" \"lo\\x1b[2Jgs\" {\n" +
		"                  bucket                  = aws_s3_bucket.lo\\x1b[2Jgs.id\n"
	if !strings.Contains(out, want) || !strings.Contains(out, "\n                }\n           learn: ") {
		t.Errorf("the fix's lines are not under its first:\n%s", out)
	}
	if strings.Contains(out, `\n`) || strings.Contains(out, "\x1b") {
		t.Errorf("escaped newlines or a raw escape in the text:\n%q", out)
	}
}

func TestHanging(t *testing.T) {
	for in, want := range map[string]string{
		"one line":                       "one line",
		"Add:\nblock {\n  a = 1\n}\n":    "Add:\n  block {\n    a = 1\n  }",
		"Add:\n\nafter a blank\x07 line": "Add:\n\n  after a blank\\x07 line",
		"":                               "",
	} {
		if got := report.Hanging(in, "  "); got != want {
			t.Errorf("Hanging(%q) = %q, want %q", in, got, want)
		}
	}
}
