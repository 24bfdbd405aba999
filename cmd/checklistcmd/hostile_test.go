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
