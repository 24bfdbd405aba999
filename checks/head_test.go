package checks_test

import (
	"path/filepath"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

func TestHeadMatchesGit(t *testing.T) {
	r := gittest.New(t)
	if c, b, err := checks.Head(r.Dir); err != nil || c != "" || b != "main" {
		t.Fatalf("unborn: %q %q %v", c, b, err)
	}
	r.Write("a", "1\n")
	first := r.Commit("one")
	if c, b, err := checks.Head(r.Dir); err != nil || c != first || b != "main" {
		t.Fatalf("after a commit: %q %q %v, want %s main", c, b, err, first)
	}
	// From a subdirectory and from a linked worktree on another branch.
	r.Write("sub/b", "2\n")
	second := r.Commit("two")
	if c, _, _ := checks.Head(filepath.Join(r.Dir, "sub")); c != second {
		t.Fatalf("subdirectory: %q, want %s", c, second)
	}
	wt := filepath.Join(t.TempDir(), "wt")
	r.Git("worktree", "add", "-q", "-b", "feature", wt, first)
	if c, b, err := checks.Head(wt); err != nil || c != first || b != "feature" {
		t.Fatalf("worktree: %q %q %v, want %s feature", c, b, err, first)
	}
	r.Git("checkout", "-q", "--detach", first)
	if c, b, _ := checks.Head(r.Dir); c != first || b != "" {
		t.Fatalf("detached: %q %q", c, b)
	}
	if _, _, err := checks.Head(t.TempDir()); err == nil {
		t.Fatal("outside a repository must be an error")
	}
}
