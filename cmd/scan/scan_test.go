package scan_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/scan"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

type result struct {
	code        int
	out, errOut string
}

func run(t *testing.T, dir string, opts scan.Options) result {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	opts.IO, opts.Dir = ios, dir
	if opts.Format == "" {
		opts.Format = "text"
	}
	if opts.Checks == nil {
		opts.Checks = []string{"secrets"}
	}
	err := scan.Run(context.Background(), &opts)
	return result{cmdutil.Code(err), out.String(), errOut.String() + errString(err)}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func decode(t *testing.T, s string) checks.Report {
	t.Helper()
	var rep checks.Report
	if err := json.Unmarshal([]byte(s), &rep); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, s)
	}
	return rep
}

func TestExitCodes(t *testing.T) {
	r := gittest.New(t)
	r.Write("README", "hello\n")
	r.Commit("init")
	if res := run(t, r.Dir, scan.Options{}); res.code != 0 {
		t.Fatalf("clean repo: exit %d (%s)", res.code, res.errOut)
	}
	r.Write("key.txt", "id = "+gittest.FakeAWSKey()+"\n")
	r.Commit("leak")
	if res := run(t, r.Dir, scan.Options{}); res.code != 1 {
		t.Fatalf("blocking finding: exit %d, want 1", res.code)
	}
	if res := run(t, r.Dir, scan.Options{FailOn: "never"}); res.code != 0 {
		t.Fatalf("--fail-on never: exit %d, want 0", res.code)
	}
	if res := run(t, r.Dir, scan.Options{Format: "yaml"}); res.code != 2 {
		t.Fatalf("bad format: exit %d, want 2", res.code)
	}
	if res := run(t, r.Dir, scan.Options{Checks: []string{"nope"}}); res.code != 2 || !strings.Contains(res.errOut, "unknown check") {
		t.Fatalf("unknown check: exit %d %q", res.code, res.errOut)
	}
}

func TestOutsideRepositoryWithoutPathIsExit2(t *testing.T) {
	res := run(t, t.TempDir(), scan.Options{})
	if res.code != 2 || !strings.Contains(res.errOut, "not inside a git repository") || strings.Count(strings.TrimSpace(res.errOut), "\n") > 0 {
		t.Fatalf("want exit 2 with one clear line, got %d %q", res.code, res.errOut)
	}
}

func TestPathsOutsideRepository(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.md"), []byte("token: "+gittest.FakeGitHubToken()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := run(t, t.TempDir(), scan.Options{Format: "json", Paths: []string{filepath.Join(dir, "notes.md")}})
	if res.code != 1 {
		t.Fatalf("exit %d: %s", res.code, res.errOut)
	}
	rep := decode(t, res.out)
	if len(rep.Findings) != 1 || !strings.HasSuffix(rep.Findings[0].File, "notes.md") || rep.Findings[0].Line != 1 {
		t.Fatalf("findings: %+v", rep.Findings)
	}
	if res := run(t, dir, scan.Options{Paths: []string{"missing.txt"}}); res.code != 2 {
		t.Fatalf("missing path: exit %d", res.code)
	}
}

func TestNoRawSecretInAnyOutput(t *testing.T) {
	r := gittest.New(t)
	secrets := []string{gittest.FakeAWSKey(), gittest.FakeGitHubToken(), gittest.FakeStripeKey()}
	r.Write("app/settings.py", "AWS = \""+secrets[0]+"\"\nGH = \""+secrets[1]+"\"\n")
	r.Write("billing.js", "const stripe = '"+secrets[2]+"';\n")
	r.Commit("leak")
	r.Write("app/settings.py", "import os\n")
	r.Commit("remove")
	r.Write("billing.js", "const stripeKey = '"+secrets[2]+"';\nconst again = 1;\n")
	r.Git("add", "-A")

	for _, mode := range []scan.Options{{}, {Staged: true}, {History: true}} {
		for _, format := range []string{"text", "json", "sarif"} {
			mode.Format = format
			res := run(t, r.Dir, mode)
			if res.code != 1 {
				t.Fatalf("%+v: exit %d, want 1 (%s)", mode, res.code, res.errOut)
			}
			for _, s := range secrets {
				for _, part := range []string{s, s[4:]} {
					if strings.Contains(res.out, part) || strings.Contains(res.errOut, part) {
						t.Fatalf("%s output (staged=%v history=%v) contains a raw secret", format, mode.Staged, mode.History)
					}
				}
			}
			if format != "text" && !json.Valid([]byte(res.out)) {
				t.Fatalf("%s output is not a clean JSON document", format)
			}
		}
	}
	rep := decode(t, run(t, r.Dir, scan.Options{History: true, Format: "json"}).out)
	if rep.Mode != checks.ModeHistory || len(rep.Findings) != 3 {
		t.Fatalf("history: %d findings in mode %s", len(rep.Findings), rep.Mode)
	}
	for _, f := range rep.Findings {
		if f.Commit == "" || f.Fingerprint == "" || f.Lesson == "" || f.Fix == "" || !f.Blocking {
			t.Errorf("incomplete finding: %+v", f)
		}
	}
}

func TestPolicyIgnoresAndExpiry(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.txt", "k="+gittest.FakeAWSKey()+"\n")
	r.Write("docs/b.txt", "k="+gittest.FakeGitHubToken()+"\n")
	r.Commit("x")
	rep := decode(t, run(t, r.Dir, scan.Options{Format: "json", FailOn: "never"}).out)
	if len(rep.Findings) != 2 {
		t.Fatalf("want 2 findings, got %d", len(rep.Findings))
	}
	var fp string
	for _, f := range rep.Findings {
		if f.File == "a.txt" {
			fp = f.Fingerprint
		}
	}
	yesterday := time.Now().AddDate(0, 0, -1).Format("2006-01-02")
	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	r.Write(".secfirst.toml", `fail_on = "high"

[[ignore]]
fingerprint = "`+fp+`"
reason = "test fixture, key revoked"
expires = `+tomorrow+`

[[ignore]]
path = "docs/**"
reason = "documentation examples"
expires = "`+yesterday+`"
`)
	res := run(t, r.Dir, scan.Options{Format: "json"})
	rep = decode(t, res.out)
	if len(rep.Findings) != 1 || rep.Findings[0].File != "docs/b.txt" {
		t.Fatalf("fingerprint ignore must hold and the expired path ignore must not: %+v", rep.Findings)
	}
	if res.code != 1 {
		t.Fatalf("the unsuppressed finding blocks: exit %d", res.code)
	}
	found := false
	for _, w := range rep.Warnings {
		if strings.Contains(w, "expired") && strings.Contains(w, ".secfirst.toml:8") {
			found = true
		}
	}
	if !found {
		t.Fatalf("an expired ignore must say so, with its line: %v", rep.Warnings)
	}
}

func TestPolicyWithoutReasonIsExit2WithLine(t *testing.T) {
	r := gittest.New(t)
	r.Write(".secfirst.toml", "fail_on = \"high\"\n\n[[ignore]]\nrule = \"generic-api-key\"\n")
	r.Commit("x")
	res := run(t, r.Dir, scan.Options{})
	if res.code != 2 || !strings.Contains(res.errOut, ".secfirst.toml:3") || !strings.Contains(res.errOut, "reason") {
		t.Fatalf("want exit 2 naming .secfirst.toml:3 and the reason, got %d %q", res.code, res.errOut)
	}
	r.Write(".secfirst.toml", "fail_on = \"hihg\"\n")
	if res := run(t, r.Dir, scan.Options{}); res.code != 2 || !strings.Contains(res.errOut, ".secfirst.toml:1") {
		t.Fatalf("bad level: %d %q", res.code, res.errOut)
	}
	r.Write(".secfirst.toml", "fail_on = [\n")
	if res := run(t, r.Dir, scan.Options{}); res.code != 2 || !strings.Contains(res.errOut, ".secfirst.toml:") {
		t.Fatalf("syntax error: %d %q", res.code, res.errOut)
	}
}

func TestDisabledCheckDoesNotRun(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.txt", "k="+gittest.FakeAWSKey()+"\n")
	r.Write(".secfirst.toml", "disabled_checks = [\"secrets\"]\n")
	r.Commit("x")
	if res := run(t, r.Dir, scan.Options{}); res.code != 0 {
		t.Fatalf("secrets switched off: exit %d", res.code)
	}
}

func TestOfflineFromEnvironment(t *testing.T) {
	r := gittest.New(t)
	r.Write("package-lock.json", `{"name":"x","version":"1.0.0","lockfileVersion":3,"packages":{"":{"name":"x","version":"1.0.0"},"node_modules/lodash":{"version":"4.17.15"}}}`+"\n")
	r.Commit("lock")
	t.Setenv("SECFIRST_OFFLINE", "1")
	t.Chdir(r.Dir)
	ios, _, out, _ := iostreams.Test()
	cmd := scan.NewCmd(ios)
	cmd.SetArgs([]string{"--check", "deps", "--format", "json", "--db", t.TempDir()})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("no database is a warning, not an error: %v", err)
	}
	rep := decode(t, out.String())
	if len(rep.Warnings) == 0 || !strings.Contains(strings.Join(rep.Warnings, "\n"), "--offline") {
		t.Fatalf("SECFIRST_OFFLINE=1 must mean --offline (no OSV API), warnings: %v", rep.Warnings)
	}
}
