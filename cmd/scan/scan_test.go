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

// deleteObject removes a loose object from the repository, as a broken
// clone, a failed gc or a careless cleanup would.
func deleteObject(t *testing.T, r *gittest.Repo, id string) {
	t.Helper()
	if err := os.Remove(filepath.Join(r.Dir, ".git", "objects", id[:2], id[2:])); err != nil {
		t.Fatal(err)
	}
}

// invocation is the part of a SARIF run that says whether the scan did its job.
type invocation struct {
	ExecutionSuccessful        bool `json:"executionSuccessful"`
	ToolExecutionNotifications []struct {
		Level   string
		Message struct{ Text string }
	} `json:"toolExecutionNotifications"`
}

// sarifInvocation decodes the one invocation of the one run of a SARIF log.
func sarifInvocation(t *testing.T, out string) invocation {
	t.Helper()
	var doc struct {
		Runs []struct{ Invocations []invocation }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Runs) != 1 || len(doc.Runs[0].Invocations) != 1 {
		t.Fatalf("SARIF with one run and one invocation: %v\n%s", err, out)
	}
	return doc.Runs[0].Invocations[0]
}

func TestHistoryWithAMissingObjectIsNeverClean(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.txt", "hello\n")
	r.Commit("one")
	r.Write("b.txt", "token = "+gittest.FakeGitHubToken()+"\n")
	r.Commit("two")
	deleteObject(t, r, r.Git("rev-parse", "HEAD:b.txt"))

	for _, format := range []string{"text", "json", "sarif"} {
		res := run(t, r.Dir, scan.Options{History: true, Format: format})
		if res.code != 2 {
			t.Fatalf("%s: exit %d, want 2: a check that could not run is not a clean result\n%s%s", format, res.code, res.out, res.errOut)
		}
		if !strings.Contains(res.errOut, "scan incomplete: secrets check failed") || strings.Count(strings.TrimSpace(res.errOut), "\n") > 0 {
			t.Fatalf("%s: want one line on stderr with the cause, got %q", format, res.errOut)
		}
		switch format {
		case "text":
			if !strings.Contains(res.out, "INCOMPLETE: 1 check could not run") {
				t.Fatalf("the text report must say it is incomplete:\n%s", res.out)
			}
		case "json":
			var doc struct{ Errors []string }
			if err := json.Unmarshal([]byte(res.out), &doc); err != nil || len(doc.Errors) != 1 || !strings.HasPrefix(doc.Errors[0], "secrets check failed:") {
				t.Fatalf("JSON errors = %q (%v)", doc.Errors, err)
			}
		case "sarif":
			inv := sarifInvocation(t, res.out)
			if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 1 || inv.ToolExecutionNotifications[0].Level != "error" ||
				!strings.Contains(inv.ToolExecutionNotifications[0].Message.Text, "secrets check failed") {
				t.Fatalf("SARIF invocation: %+v", inv)
			}
		}
	}
}

func TestWarningsReachStderrAndSARIF(t *testing.T) {
	r := gittest.New(t)
	r.Write("package-lock.json", `{"name":"x","version":"1.0.0","lockfileVersion":3,"packages":{"":{"name":"x","version":"1.0.0"},"node_modules/lodash":{"version":"4.17.15"}}}`+"\n")
	r.Commit("lock")
	db := t.TempDir()
	res := run(t, r.Dir, scan.Options{Checks: []string{"deps"}, Offline: true, DB: db})
	if res.code != 0 || !strings.Contains(res.errOut, "secfirst: warning: deps: 1 npm package") || !strings.Contains(res.errOut, "NOT checked") {
		t.Fatalf("text: the warning goes to stderr: exit %d, stderr %q", res.code, res.errOut)
	}
	if strings.Contains(res.out, "NOT checked") {
		t.Fatalf("text: stdout is the report, the warning is a diagnostic:\n%s", res.out)
	}
	res = run(t, r.Dir, scan.Options{Checks: []string{"deps"}, Offline: true, DB: db, Format: "sarif"})
	notes := sarifInvocation(t, res.out).ToolExecutionNotifications
	if len(notes) != 1 || notes[0].Level != "warning" || !strings.Contains(notes[0].Message.Text, "NOT checked") {
		t.Fatalf("SARIF without a database must say packages were NOT checked: %+v", notes)
	}
}

func TestSuppressedFindingsAreCountedInEveryFormat(t *testing.T) {
	r := gittest.New(t)
	r.Write("fixtures/a.txt", "k="+gittest.FakeAWSKey()+"\n")
	r.Write("b.txt", "k="+gittest.FakeGitHubToken()+"\n")
	r.Write(".secfirst.toml", "fail_on = \"high\"\n\n[[ignore]]\npath = \"fixtures/**\"\nreason = \"test fixtures, revoked\"\n")
	r.Commit("x")

	res := run(t, r.Dir, scan.Options{})
	if res.code != 1 || !strings.Contains(res.out, "1 blocking; 1 suppressed (1 by .secfirst.toml).") {
		t.Fatalf("text: exit %d\n%s", res.code, res.out)
	}
	res = run(t, r.Dir, scan.Options{Format: "json"})
	var doc struct {
		Findings   []checks.Finding
		Suppressed struct {
			Total int
			By    map[string]int
		}
	}
	if err := json.Unmarshal([]byte(res.out), &doc); err != nil || len(doc.Findings) != 1 || doc.Suppressed.Total != 1 || doc.Suppressed.By["policy"] != 1 {
		t.Fatalf("JSON: %+v (%v)", doc, err)
	}
	res = run(t, r.Dir, scan.Options{Format: "sarif"})
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
					}
				}
				Suppressions []struct{ Kind, Justification string }
			}
		}
	}
	if err := json.Unmarshal([]byte(res.out), &log); err != nil || len(log.Runs[0].Results) != 2 {
		t.Fatalf("SARIF: %v\n%s", err, res.out)
	}
	for _, r := range log.Runs[0].Results {
		suppressed := len(r.Suppressions) == 1 && r.Suppressions[0].Kind == "external" && r.Suppressions[0].Justification == "test fixtures, revoked"
		if suppressed != (r.Locations[0].PhysicalLocation.ArtifactLocation.URI == "fixtures/a.txt") {
			t.Fatalf("SARIF: only fixtures/a.txt is suppressed, by the policy: %+v", r)
		}
	}
}

func TestStagedScanReadsTheStagedPolicy(t *testing.T) {
	r := gittest.New(t)
	r.Write("README", "x\n")
	r.Commit("init")
	r.Write("a.txt", "k="+gittest.FakeAWSKey()+"\n")
	r.Git("add", "a.txt")
	// Written, not staged: it must not suppress the staged secret.
	r.Write(".secfirst.toml", "[[ignore]]\npath = \"a.txt\"\nreason = \"not staged\"\n")
	if res := run(t, r.Dir, scan.Options{Staged: true}); res.code != 1 || !strings.Contains(res.errOut, "secfirst: note: .secfirst.toml has changes that are not staged") {
		t.Fatalf("an unstaged policy suppressed a staged secret, or went unmentioned: exit %d\n%s%s", res.code, res.out, res.errOut)
	}
	r.Git("add", ".secfirst.toml")
	if res := run(t, r.Dir, scan.Options{Staged: true}); res.code != 0 || !strings.Contains(res.out, "1 suppressed (1 by .secfirst.toml)") {
		t.Fatalf("the staged policy applies: exit %d\n%s", res.code, res.out)
	}
}

// A staged scan reads the staged policy before the checks run, which lists
// the staged files with a diff of its own; the secrets check's patches
// then come from another, whose list it must skip: the finding names the
// file as it is, not as the patch's "b/" side.
func TestStagedScanNamesTheStagedFile(t *testing.T) {
	r := gittest.New(t)
	r.Write("README", "x\n")
	r.Commit("init")
	r.Write("a.txt", "k="+gittest.FakeAWSKey()+"\n")
	r.Git("add", "a.txt")
	res := run(t, r.Dir, scan.Options{Staged: true, Format: "json"})
	var rep struct {
		Findings []struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(res.out), &rep); err != nil || res.code != 1 {
		t.Fatalf("exit %d, %v\n%s%s", res.code, err, res.out, res.errOut)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].File != "a.txt" || rep.Findings[0].Line != 1 {
		t.Fatalf("findings: %+v", rep.Findings)
	}
}

func TestPolicySymlinkToADeviceIsOneLineExit2(t *testing.T) {
	r := gittest.New(t)
	r.Write("README", "x\n")
	if err := os.Symlink("/dev/zero", filepath.Join(r.Dir, ".secfirst.toml")); err != nil {
		t.Fatal(err)
	}
	r.Commit("hostile")
	for _, opts := range []scan.Options{{}, {Staged: true}, {History: true}, {Paths: []string{"README"}}} {
		res := run(t, r.Dir, opts)
		if res.code != 2 || !strings.Contains(res.errOut, ".secfirst.toml") || strings.Count(strings.TrimSpace(res.errOut), "\n") > 0 || res.out != "" {
			t.Fatalf("%+v: want exit 2 and one line naming .secfirst.toml, got %d %q (stdout %q)", opts, res.code, res.errOut, res.out)
		}
	}
}

func TestTextOutputHoldsNoTerminalEscape(t *testing.T) {
	r := gittest.New(t)
	name := "evil\x1b]0;pwned\x07.env"
	key := gittest.FakeAWSKey()
	r.Write(name, "\x1b[2J aws_access_key_id = \""+key+"\"\n")
	r.Write("Dockerfile", "FROM alpine\nRUN echo \x1b[2J\n")
	r.Commit("hostile")
	res := run(t, r.Dir, scan.Options{Checks: []string{"secrets", "dockerfile"}})
	if res.code != 1 {
		t.Fatalf("exit %d: %s", res.code, res.errOut)
	}
	if strings.ContainsAny(res.out+res.errOut, "\x1b\x07") {
		t.Fatalf("a control byte from the repository reached the terminal:\n%q", res.out+res.errOut)
	}
	if !strings.Contains(res.out, `evil\x1b]0;pwned\x07.env`) {
		t.Fatalf("the file name must be shown with its escapes visible:\n%s", res.out)
	}
	// JSON keeps the exact name.
	rep := decode(t, run(t, r.Dir, scan.Options{Format: "json", Checks: []string{"secrets"}}).out)
	if len(rep.Findings) != 1 || rep.Findings[0].File != name {
		t.Fatalf("JSON file = %+v", rep.Findings)
	}
}
