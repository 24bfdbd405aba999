package checklistcmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oneLine fails unless err is a usage error (exit 2) of one line holding want.
func wantOneLine(t *testing.T, what string, err error, want string) {
	t.Helper()
	if code(err) != 2 || err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: exit %d, %v; want one line with %q", what, code(err), err, want)
	}
}

func TestACommittedSecfirstSymlinkIsRefusedAndNothingIsWrittenOutside(t *testing.T) {
	e := newEnv(t)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(e.repo.Dir, ".secfirst")); err != nil {
		t.Fatal(err)
	}
	e.repo.Git("add", ".secfirst")
	e.repo.Commit("a link out of the repository")

	err := RunInit(context.Background(), &InitOptions{Options: e.opts})
	wantOneLine(t, "init", err, ".secfirst is a symbolic link")
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("init wrote outside the repository: %v", entries)
	}
	// A checklist out there is neither read nor written.
	os.WriteFile(filepath.Join(outside, "checklist.yaml"), []byte("version: 1\nitems:\n  - id: waf\n    title: WAF\n    category: infrastructure\n"), 0o644)
	before, _ := os.ReadFile(filepath.Join(outside, "checklist.yaml"))
	err = RunStatus(context.Background(), &StatusOptions{Options: e.opts, Format: "text"})
	wantOneLine(t, "status", err, ".secfirst is a symbolic link")
	err = RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "waf", Status: "pass"})
	wantOneLine(t, "set", err, ".secfirst is a symbolic link")
	if after, _ := os.ReadFile(filepath.Join(outside, "checklist.yaml")); string(after) != string(before) {
		t.Fatal("set wrote through the link")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Fatalf("files appeared outside the repository: %v", entries)
	}
}

func TestAChecklistSymlinkToADeviceIsRefusedWithoutReadingIt(t *testing.T) {
	e := newEnv(t)
	os.MkdirAll(filepath.Join(e.repo.Dir, ".secfirst"), 0o755)
	if err := os.Symlink("/dev/zero", e.path()); err != nil {
		t.Fatal(err)
	}
	err := RunStatus(context.Background(), &StatusOptions{Options: e.opts, Format: "json"})
	wantOneLine(t, "status", err, "checklist.yaml is a symbolic link (to /dev/zero)")
	err = RunInit(context.Background(), &InitOptions{Options: e.opts})
	wantOneLine(t, "init", err, "checklist.yaml is a symbolic link (to /dev/zero)")
	if e.out.Len() != 0 {
		t.Fatalf("stdout: %s", e.out)
	}
}

func TestTheTemporaryFileOfAnInterruptedWriteIsIgnoredByGitAndRemovedByTheNextWrite(t *testing.T) {
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	e.repo.Git("add", ".secfirst")
	e.repo.Commit("checklist")
	// What a crash between writing and renaming leaves behind.
	leftover := filepath.Join(e.repo.Dir, ".secfirst", ".checklist.yaml.tmp-2718281828")
	if err := os.WriteFile(leftover, []byte("version: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.repo.Git("add", "-A")
	if staged := e.repo.Git("diff", "--cached", "--name-only"); staged != "" {
		t.Fatalf("git add -A staged %q", staged)
	}
	if err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "waf", Status: "pass"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(leftover); !os.IsNotExist(err) {
		t.Fatalf("the leftover is still there: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(leftover))
	if len(entries) != 2 {
		t.Fatalf(".secfirst holds %v, want checklist.yaml and .gitignore", entries)
	}
}

// pwned is what a hostile note or file name holds: an OSC sequence that
// retitles the terminal window.
const pwned = "\x1b]0;pwned\x07"

func TestRepositoryDataNeverReachesTheTerminalAsControlBytes(t *testing.T) {
	e := newEnv(t)
	// A tracked .env file whose name holds the sequence: the evidence
	// quotes the file name.
	e.repo.Write(".env."+pwned, "A=1\n")
	e.repo.Commit("env")
	e.repo.Git("config", "user.name", "Mallory "+pwned)
	e.write(`version: 1
items:
  - id: env-files-ignored
    title: "Env files \e]0;title\a ignored"
    category: code-and-supply-chain
    kind: auto
  - id: waf
    title: A WAF
    category: "infra \e[2J"
    kind: manual
    status: pass
    owner: "ops \e]0;owner\a"
    note: "\e]0;pwned\a"
    reviewed_by: "Eve \e]0;eve\a"
    reviewed_at: 2024-06-01
`)
	noControl := func(what, out string) {
		t.Helper()
		if strings.ContainsAny(out, "\x1b\x07") {
			t.Errorf("%s lets a control byte through:\n%q", what, out)
		}
		for _, want := range []string{`\x1b]0;pwned\x07`, `\x1b]0;owner\x07`, `\x1b]0;eve\x07`, `\x1b]0;title\x07`, `\x1b[2J`} {
			if !strings.Contains(out, want) {
				t.Errorf("%s does not show %s visibly:\n%s", what, want, out)
			}
		}
	}
	e.status("text")
	noControl("status", e.out.String())
	if !strings.Contains(e.out.String(), `.env.\x1b]0;pwned\x07`) {
		t.Errorf("status does not show the file name visibly:\n%s", e.out)
	}
	e.reset()
	if err := RunExport(context.Background(), &ExportOptions{Options: e.opts, Format: "markdown"}); err != nil {
		t.Fatal(err)
	}
	noControl("markdown export", e.out.String())

	// JSON keeps the exact strings (its encoder escapes them).
	rep, _ := e.status("json")
	if it := entry(t, rep, "waf"); it.Note != pwned || it.Owner != "ops \x1b]0;owner\x07" || it.ReviewedBy != "Eve \x1b]0;eve\x07" {
		t.Errorf("JSON changed the strings: %+v", it)
	}
	if it := entry(t, rep, "env-files-ignored"); !strings.Contains(it.Evidence, ".env."+pwned) {
		t.Errorf("JSON evidence: %q", it.Evidence)
	}

	// The plain review shows the item and records the reviewer's name.
	e.reset()
	e.in.WriteString("a\nkept on purpose\nq\n")
	if err := RunReview(context.Background(), &ReviewOptions{Options: e.opts, Stdin: true, All: true}); err != nil {
		t.Fatal(err)
	}
	if out := e.out.String() + e.err.String(); strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, `Mallory \x1b]0;pwned\x07`) {
		t.Errorf("review output:\n%q", out)
	}
	e.reset()
	if err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "waf", Status: "pass"}); err != nil {
		t.Fatal(err)
	}
	if out := e.err.String(); strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, `Mallory \x1b]0;pwned\x07`) {
		t.Errorf("set output: %q", out)
	}
}
