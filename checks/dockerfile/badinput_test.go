package dockerfile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/internal/checktest"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

const (
	badApp     = "FROM alpine:3.20@sha256:x\nUSER app\nHEALTHCHECK NONE\nRUN sudo make\n"
	brokenFile = "FROM alpine:3.20\nRUN <<EOF\necho unterminated\n"
	crashFile  = "FROM alpine:3.20@sha256:x\nUSER app\nHEALTHCHECK NONE\nRUN curl -k https://x.example -o /x\nRUN sudo make\n"
	outsideBad = "FROM alpine\nRUN sudo rm -rf /\n"
)

// badRepo is a real repository holding, beside a Dockerfile with a
// finding, one that does not parse, one whose checking crashes at line 4,
// one over the size limit and one that is a symlink to a file outside.
func badRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	r.Write("app/Dockerfile", badApp)
	r.Write("broken/Dockerfile", brokenFile)
	r.Write("crash/Dockerfile", crashFile)
	r.Write("big/Dockerfile", "FROM alpine\nRUN sudo x\n"+strings.Repeat("# padding padding padding padding\n", MaxFileSize/30))
	outside := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(outside, []byte(outsideBad), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(r.Dir, "link"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(r.Dir, "link", "Dockerfile")); err != nil {
		t.Fatal(err)
	}
	return r
}

// runRepo runs the check on a real repository: in mode, or on paths (relative
// to the repository) when given.
func runRepo(t *testing.T, r *gittest.Repo, mode checks.Mode, paths ...string) checks.Result {
	t.Helper()
	return checktest.Run(t, New(), r, mode, paths...)
}

// crashAt makes the rules panic on one line of one file, as a bug would.
func crashAt(t *testing.T, path string, line int) {
	t.Helper()
	crashForTest = func(p string, l int) {
		if p == path && l == line {
			panic("index out of range [3] with length 3")
		}
	}
	t.Cleanup(func() { crashForTest = nil })
}

// One bad Dockerfile spoils only itself: the broken one is a parse-error
// finding at its line, the crash costs only its instruction and is a
// warning naming file and line, the oversized and the symlinked ones are
// skipped with a warning naming them (the link is never followed), and the
// good findings of every file are all there, in each mode.
func TestOneBadDockerfileSpoilsOnlyItself(t *testing.T) {
	r := badRepo(t)
	crashAt(t, "crash/Dockerfile", 4)

	check := func(t *testing.T, res checks.Result, wantLinkWarning bool) {
		t.Helper()
		got := byFile(res.Findings)
		if !slices.Equal(got["app/Dockerfile"]["sudo"], []int{4}) {
			t.Errorf("app/Dockerfile: sudo at %v, want [4] (all %v)", got["app/Dockerfile"]["sudo"], got)
		}
		if !slices.Equal(got["broken/Dockerfile"]["parse-error"], []int{2}) || len(got["broken/Dockerfile"]) != 1 {
			t.Errorf("broken/Dockerfile: want one parse-error at line 2, got %v", got["broken/Dockerfile"])
		}
		if !slices.Equal(got["crash/Dockerfile"]["sudo"], []int{5}) {
			t.Errorf("crash/Dockerfile: the instructions after the crash are not checked: %v", got["crash/Dockerfile"])
		}
		if _, ok := got["crash/Dockerfile"]["insecure-tls"]; ok {
			t.Errorf("crash/Dockerfile: the crashed instruction reported findings: %v", got["crash/Dockerfile"])
		}
		for _, f := range []string{"big/Dockerfile", "link/Dockerfile"} {
			if len(got[f]) > 0 {
				t.Errorf("%s should be skipped, got %v", f, got[f])
			}
		}
		warned := func(parts ...string) bool {
			for _, w := range res.Warnings {
				ok := true
				for _, p := range parts {
					ok = ok && strings.Contains(w, p)
				}
				if ok {
					return true
				}
			}
			return false
		}
		if !warned("crash/Dockerfile:4", "RUN", "internal error") {
			t.Errorf("no warning naming crash/Dockerfile:4: %q", res.Warnings)
		}
		if !warned("skipped big/Dockerfile", "larger than 1 MiB") {
			t.Errorf("no warning naming big/Dockerfile: %q", res.Warnings)
		}
		if wantLinkWarning && !warned("skipped link/Dockerfile", "not a regular file") {
			t.Errorf("no warning naming link/Dockerfile: %q", res.Warnings)
		}
	}

	r.Git("add", "-A")
	t.Run("staged", func(t *testing.T) {
		// A staged symlink is its target's name, never read: no warning needed.
		check(t, runRepo(t, r, checks.ModeStaged), false)
	})
	r.Git("commit", "-q", "--no-verify", "-m", "bad files")
	t.Run("worktree", func(t *testing.T) {
		check(t, runRepo(t, r, checks.ModeWorktree), true)
	})
	t.Run("paths", func(t *testing.T) {
		check(t, runRepo(t, r, checks.ModeWorktree, "app/Dockerfile", "broken/Dockerfile", "crash/Dockerfile", "big/Dockerfile", "link/Dockerfile"), true)
	})
}
