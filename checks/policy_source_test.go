package checks_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

func stagedSource(r *gittest.Repo) *checks.Source {
	return &checks.Source{Mode: checks.ModeStaged, Root: r.Dir, InRepo: true, Env: r.Env}
}

func TestStagedPolicyIsTheIndexNotTheWorkingTree(t *testing.T) {
	ctx := context.Background()
	r := gittest.New(t)
	r.Write(".secfirst.toml", "fail_on = \"critical\"\n")
	r.Commit("policy")

	if pol, err := checks.LoadSourcePolicy(ctx, stagedSource(r)); err != nil || pol.UnstagedEdit() {
		t.Fatalf("policy as committed: %+v, %v; no unstaged edit", pol, err)
	}
	// An unstaged edit does not count for a commit...
	r.Write(".secfirst.toml", "fail_on = \"low\"\n")
	pol, err := checks.LoadSourcePolicy(ctx, stagedSource(r))
	if err != nil || pol.FailOn != checks.FailOn(checks.Critical) || !pol.UnstagedEdit() {
		t.Fatalf("staged policy = %+v, %v; want the committed fail_on = critical, and the edit noticed", pol, err)
	}
	// ...a working-tree scan reads it.
	pol, err = checks.LoadSourcePolicy(ctx, &checks.Source{Mode: checks.ModeWorktree, Root: r.Dir, InRepo: true})
	if err != nil || pol.FailOn != checks.FailOn(checks.Low) {
		t.Fatalf("worktree policy = %+v, %v", pol, err)
	}

	// A staged edit counts even when the working tree differs again, or is gone.
	r.Git("add", ".secfirst.toml")
	r.Write(".secfirst.toml", "fail_on = [ broken\n")
	pol, err = checks.LoadSourcePolicy(ctx, stagedSource(r))
	if err != nil || pol.FailOn != checks.FailOn(checks.Low) {
		t.Fatalf("staged edit = %+v, %v", pol, err)
	}
	r.Remove(".secfirst.toml")
	if pol, err = checks.LoadSourcePolicy(ctx, stagedSource(r)); err != nil || pol.FailOn != checks.FailOn(checks.Low) {
		t.Fatalf("deleted in the working tree only = %+v, %v", pol, err)
	}
	// Staged removal: the commit has no policy, whatever the working tree has.
	r.Git("rm", "-q", "--cached", ".secfirst.toml")
	if pol, err = checks.LoadSourcePolicy(ctx, stagedSource(r)); err != nil || pol.Path != "" || pol.FailOn != checks.FailOn(checks.High) || pol.UnstagedEdit() {
		t.Fatalf("staged removal = %+v, %v; want the default policy", pol, err)
	}
	r.Write(".secfirst.toml", "fail_on = \"low\"\n")
	if pol, err = checks.LoadSourcePolicy(ctx, stagedSource(r)); err != nil || pol.FailOn != checks.FailOn(checks.High) || !pol.UnstagedEdit() {
		t.Fatalf("untracked policy = %+v, %v; want the default policy and the untracked file noticed", pol, err)
	}
}

func TestStagedPolicyErrorsNameTheFileAndLine(t *testing.T) {
	ctx := context.Background()
	r := gittest.New(t)
	r.Write(".secfirst.toml", "fail_on = \"high\"\n[[ignore]]\nrule = \"x\"\n")
	r.Git("add", ".secfirst.toml")
	_, err := checks.LoadSourcePolicy(ctx, stagedSource(r))
	var ce *checks.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), ".secfirst.toml:2") || !strings.Contains(err.Error(), "reason") {
		t.Fatalf("err = %v, want a ConfigError at .secfirst.toml:2", err)
	}
}

func TestStagedPolicySymlinkIsRefused(t *testing.T) {
	r := gittest.New(t)
	if err := os.Symlink("/dev/zero", filepath.Join(r.Dir, ".secfirst.toml")); err != nil {
		t.Fatal(err)
	}
	r.Git("add", ".secfirst.toml")
	_, err := checks.LoadSourcePolicy(context.Background(), stagedSource(r))
	var ce *checks.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "staged as a symlink") {
		t.Fatalf("err = %v, want a refusal of the staged symlink", err)
	}
}

func TestStagedPolicyIsBounded(t *testing.T) {
	r := gittest.New(t)
	big := "# " + strings.Repeat("x", checks.MaxPolicySize) + "\n"
	r.Write(".secfirst.toml", big)
	r.Git("add", ".secfirst.toml")
	_, err := checks.LoadSourcePolicy(context.Background(), stagedSource(r))
	if err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Fatalf("err = %v, want the size limit", err)
	}
}

func TestPolicyFileMustBeARegularFile(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, ".secfirst.toml")
	if err := os.Symlink("/dev/zero", p); err != nil {
		t.Fatal(err)
	}
	_, err := checks.LoadPolicy(root)
	var ce *checks.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "not a regular file") || strings.Count(err.Error(), "\n") > 0 {
		t.Fatalf("symlink to /dev/zero: err = %v, want one line refusing it", err)
	}
	os.Remove(p)
	if err := os.WriteFile(p, []byte(strings.Repeat("#", checks.MaxPolicySize+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := checks.LoadPolicy(root); !errors.As(err, &ce) || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Fatalf("huge policy: err = %v", err)
	}
	os.Remove(p)
	if pol, err := checks.LoadPolicy(root); err != nil || pol.Path != "" {
		t.Fatalf("missing policy: %+v, %v; want the default", pol, err)
	}
}
