//go:build unix

package dockerfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// A Dockerfile that is a symlink to /dev/zero, or a FIFO, would never end:
// it is skipped with a warning, never opened, and the other Dockerfile is
// checked. Named on the command line is the case where the source hands
// it over.
func TestDeviceDockerfileIsNeverRead(t *testing.T) {
	r := gittest.New(t)
	r.Write("app/Dockerfile", badApp)
	if err := os.Symlink("/dev/zero", filepath.Join(r.Dir, "Dockerfile")); err != nil {
		t.Fatal(err)
	}
	r.Commit("a Dockerfile that never ends")
	if err := syscall.Mkfifo(filepath.Join(r.Dir, "fifo.Dockerfile"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, paths := range map[string][]string{
		"paths":    {"Dockerfile", "fifo.Dockerfile", "app/Dockerfile"},
		"worktree": nil,
	} {
		t.Run(name, func(t *testing.T) {
			res := runRepo(t, r, checks.ModeWorktree, paths...)
			if got := byFile(res.Findings); len(got["app/Dockerfile"]["sudo"]) != 1 || len(got) != 1 {
				t.Errorf("want only app/Dockerfile's sudo, got %v", got)
			}
			want := []string{"skipped Dockerfile: not a regular file"}
			if paths != nil {
				want = append(want, "skipped fifo.Dockerfile: not a regular file")
			}
			for _, w := range want {
				if !strings.Contains(strings.Join(res.Warnings, "\n"), w) {
					t.Errorf("no warning %q in %q", w, res.Warnings)
				}
			}
		})
	}
}

// A .hadolint.yaml or .trivyignore that is a symlink (to /dev/zero, to a
// file outside) is never followed: a warning names it, and the Dockerfile
// is checked without its settings, staged and in the working tree.
func TestConfigSymlinksAreNotFollowed(t *testing.T) {
	r := gittest.New(t)
	outside := filepath.Join(t.TempDir(), "trivyignore")
	if err := os.WriteFile(outside, []byte("DS-0010\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{".hadolint.yaml": "/dev/zero", ".trivyignore": outside} {
		if err := os.Symlink(target, filepath.Join(r.Dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	r.Write("Dockerfile", badApp)
	r.Git("add", "-A")
	for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree} {
		res := runRepo(t, r, mode)
		if got := byFile(res.Findings); len(got["Dockerfile"]["sudo"]) != 1 {
			t.Errorf("%s: the Dockerfile is checked without the linked settings: %v", mode, got)
		}
		warns := strings.Join(res.Warnings, "\n")
		for _, name := range []string{".hadolint.yaml", ".trivyignore"} {
			if !strings.Contains(warns, "skipped "+name+": not a regular file") {
				t.Errorf("%s: no warning for %s: %q", mode, name, res.Warnings)
			}
		}
	}
}

// A commit that stages a Dockerfile as a symlink stages a path, not the
// file: the hook names it as skipped instead of passing it in silence.
func TestStagedSymlinkDockerfileIsNamed(t *testing.T) {
	r := gittest.New(t)
	r.Write("docker/base.Dockerfile", badApp)
	r.Commit("a Dockerfile")
	if err := os.Symlink("docker/base.Dockerfile", filepath.Join(r.Dir, "Dockerfile")); err != nil {
		t.Fatal(err)
	}
	r.Git("add", "Dockerfile")
	res := runRepo(t, r, checks.ModeStaged)
	if len(res.Findings) != 0 {
		t.Errorf("a link was read: %v", byFile(res.Findings))
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "skipped Dockerfile: staged as a symlink") {
		t.Errorf("the staged link is not named: %q", res.Warnings)
	}
}
