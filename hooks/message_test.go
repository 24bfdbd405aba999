package hooks_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/dockerfile"
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/report"
	"github.com/secfirst-dev/secfirst/checks/terraform"
	"github.com/secfirst-dev/secfirst/hooks"
)

// The blocked message prints a fix of several lines with its
// continuation lines under its first, and tells in one line how to
// suppress a Dockerfile, Kubernetes or Terraform finding with a comment
// in the file; other findings keep their .secfirst.toml entry.
func TestBlockedMessageFixesAndInlineSuppression(t *testing.T) {
	pick := func(fs []checks.Finding, rule string) checks.Finding {
		t.Helper()
		for _, f := range fs {
			if f.Rule == rule {
				f.Blocking = true
				return f
			}
		}
		t.Fatalf("no %s in %v", rule, fs)
		return checks.Finding{}
	}
	tf := pick(terraform.CheckFile("main.tf", []byte("resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n")).Findings, "terraform/aws-s3-no-public-access-block")
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: debug}\nspec:\n  containers:\n    - name: shell\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n"
	k8s := pick(kubernetes.CheckFile("pod.yaml", []byte(pod)).Findings, "kubernetes/privileged")
	df := pick(dockerfile.CheckFile("Dockerfile", []byte("FROM alpine:3.20\nRUN sudo make\n")), "dockerfile/sudo")
	other := checks.Finding{Check: "deps", Rule: "GHSA-35jh-r3h4-6jhm", Severity: checks.High, Title: "lodash: command injection",
		File: "package-lock.json", Message: "lodash 4.17.15 is affected", Fix: "Upgrade lodash to 4.17.21.", Lesson: "deps-vulnerable",
		Fingerprint: "fedcba9876543210fedc", Blocking: true}
	fs := []checks.Finding{tf, k8s, df, other}
	var buf bytes.Buffer
	res := &hooks.Result{Hook: hooks.PreCommit, Report: &checks.Report{Version: 1, Mode: checks.ModeStaged, Findings: fs, Summary: checks.Summarize(fs)}}
	if err := res.Write(&buf, report.NewStyles(renderer(&buf, false))); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"  fix:      Add a public access block for it:\n" +
			"            resource \"aws_s3_bucket_public_access_block\" \"logs\" {\n" +
			"              bucket                  = aws_s3_bucket.logs.id\n",
		"              restrict_public_buckets = true\n            }\n  learn:    ",
		"  suppress: only if it is truly acceptable, write `# secfirst:ignore=terraform/aws-s3-no-public-access-block <why>` at the end of line 1 or on the line above, and stage it\n",
		"  suppress: only if it is truly acceptable, write `# secfirst:ignore=kubernetes/privileged <why>` at the end of line 9 or on the line above, and stage it\n",
		"  suppress: only if it is truly acceptable, write `# secfirst:ignore=dockerfile/sudo <why>` on the line above its instruction, and stage it\n",
		"  suppress: only if it is truly acceptable, add to .secfirst.toml and stage it (say why in reason):\n              [[ignore]]\n              fingerprint = \"fedcba9876543210fedc\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the message lacks\n%s\n---\n%s", want, out)
		}
	}
	if strings.Contains(out, `\n`) {
		t.Errorf("escaped newlines in the message:\n%s", out)
	}
	if n := strings.Count(out, "[[ignore]]"); n != 1 {
		t.Errorf("%d .secfirst.toml entries, want only the deps finding's", n)
	}
}

// On a terminal the prose of a finding wraps to its width under its
// label, and a fix's YAML or HCL block stays as written under it; off a
// terminal (Width 0) lines stay whole, for logs and tools.
func TestBlockedMessageWrapsProseToTheTerminal(t *testing.T) {
	long := strings.Repeat("rotate the key and load it from a secret manager at run time; ", 4)
	f := checks.Finding{Check: "secrets", Rule: "aws-access-token", Severity: checks.Critical, Title: "AWS key",
		File: "config/deploy.toml", Line: 2, Message: long, Fix: long + "\n  block:\n    key: value",
		Lesson: "secrets-cloud-keys", Fingerprint: "0123456789abcdef0123", Blocking: true}
	write := func(width int) string {
		var buf bytes.Buffer
		st := report.NewStyles(renderer(&buf, false))
		st.Width = width
		res := &hooks.Result{Hook: hooks.PreCommit, Report: &checks.Report{Version: 1, Mode: checks.ModeStaged,
			Findings: []checks.Finding{f}, Summary: checks.Summarize([]checks.Finding{f})}}
		if err := res.Write(&buf, st); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	out := write(60)
	inFinding := false
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "  what:") {
			inFinding = true
		}
		if strings.HasPrefix(line, "  learn:") {
			inFinding = false
		}
		if inFinding && len(line) > 60 {
			t.Errorf("a line of %d cells on a 60-cell terminal: %q", len(line), line)
		}
	}
	for _, want := range []string{
		"  what:     rotate the key and load it from a secret manager\n            at run time;",
		"\n              block:\n                key: value\n  learn:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in\n%s", want, out)
		}
	}
	if flat := write(0); !strings.Contains(flat, "  what:     "+long+"\n") {
		t.Errorf("off a terminal the message must stay on one line:\n%s", flat)
	}
}
