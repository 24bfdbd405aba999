//go:build unix

package secrets_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

const unreadableEnv = "SECFIRST_TEST_UNREADABLE_DIR"

// TestUnreadableFilesAreNamedInAWarning scans a folder holding a file and a
// folder its user may not read: both are named in a warning, and the
// readable file is scanned. Root reads everything, so under root the scan
// runs in a copy of the test binary as the user nobody.
func TestUnreadableFilesAreNamedInAWarning(t *testing.T) {
	if dir := os.Getenv(unreadableEnv); dir != "" {
		// The child: print the scan's warnings and findings for the parent.
		res := scanFolder(t, dir)
		for _, w := range res.Warnings {
			os.Stdout.WriteString("warning: " + w + "\n")
		}
		os.Stdout.WriteString("findings: " + strings.Join(rules(res.Findings), " ") + "\n")
		return
	}
	// A folder nobody may enter, not under the test's private temp folder.
	dir, err := os.MkdirTemp("", "secfirst-unreadable-")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		rel, content string
		mode         os.FileMode
	}{
		{"ok.txt", "token = \"" + gittest.FakeGitHubToken() + "\"\n", 0o644},
		{"secret.txt", "token = \"" + gittest.FakeGitHubToken() + "\"\n", 0o000},
		{"locked/inner.txt", "token = \"" + gittest.FakeGitHubToken() + "\"\n", 0o644},
	} {
		p := filepath.Join(dir, f.rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.content), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	must(t, os.Chmod(filepath.Join(dir, "locked"), 0o000))
	must(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() {
		os.Chmod(filepath.Join(dir, "locked"), 0o755)
		os.RemoveAll(dir)
	})

	var out string
	if os.Geteuid() != 0 {
		res := scanFolder(t, dir)
		out = "warning: " + strings.Join(res.Warnings, "\nwarning: ") + "\nfindings: " + strings.Join(rules(res.Findings), " ")
	} else {
		bin := filepath.Join(dir, "secrets.test")
		copyFile(t, os.Args[0], bin)
		cmd := exec.Command(bin, "-test.run=^TestUnreadableFilesAreNamedInAWarning$", "-test.count=1")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), unreadableEnv+"="+dir, "HOME="+dir)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the scan as nobody: %v\n%s", err, b)
		}
		out = string(b)
	}
	if !strings.Contains(out, "findings: github-pat@ok.txt:1") {
		t.Errorf("the readable file must be scanned:\n%s", out)
	}
	if !strings.Contains(out, "warning: secrets: 2 files NOT checked for secrets, unreadable: locked (permission denied), secret.txt (permission denied)") {
		t.Errorf("want one warning naming both unreadable entries:\n%s", out)
	}
}

func scanFolder(t *testing.T, dir string) checks.Result {
	t.Helper()
	src, err := checks.NewPathsSource(context.Background(), dir, []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	res, err := secrets.New().Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	must(t, err)
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	must(t, err)
	_, err = io.Copy(out, in)
	must(t, err)
	must(t, out.Close())
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A tracked file under a folder since replaced by a link is outside the
// repository: it is named as skipped, never read.
func TestTrackedFileUnderALinkedFolderIsNotRead(t *testing.T) {
	r := gittest.New(t)
	r.Write("conf/app.env", "fine = 1\n")
	r.Write("ok.txt", "fine\n")
	r.Commit("init")
	outside := t.TempDir()
	must(t, os.WriteFile(filepath.Join(outside, "app.env"), []byte("token = \""+gittest.FakeGitHubToken()+"\"\n"), 0o644))
	must(t, os.RemoveAll(filepath.Join(r.Dir, "conf")))
	must(t, os.Symlink(outside, filepath.Join(r.Dir, "conf")))
	src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeWorktree)
	if err != nil {
		t.Fatal(err)
	}
	res, err := secrets.New().Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("read a file outside the repository: %v", rules(res.Findings))
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "conf/app.env") || !strings.Contains(w, "NOT checked") {
		t.Errorf("the skipped file is not named:\n%s", w)
	}
}
