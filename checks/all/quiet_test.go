package all_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// busyRepo is a repository with something for every check to read, in the
// index and in history.
func busyRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	r.Write("README", "x\n")
	r.Write("requirements.txt", "-r missing.txt\nrequests==2.0.0\n")
	r.Commit("init")
	r.Write("app.py", "token = \""+gittest.FakeGitHubToken()+"\"\n")
	r.Write("Dockerfile", "FROM alpine:3.19\nUSER 10001\n")
	r.Write("package-lock.json", `{"lockfileVersion": 3, "packages": {"node_modules/lodash": {"version": "4.17.15"}}}`+"\n")
	r.Write(".gitleaks.toml", "[extend]\nuseDefault = true\ndisabledRules = [\"no-such-rule\"]\n")
	r.Git("add", "-A")
	return r
}

// TestScansRunNoProgramOfTheRepository: a repository's own configuration
// names programs git runs for commands that only read: core.fsmonitor (to
// refresh the index: diff --cached, ls-files) and gpg.program under
// log.showSignature (git log of a signed commit). secfirst's git calls
// must not run them, in any mode or in the hook.
func TestScansRunNoProgramOfTheRepository(t *testing.T) {
	ctx := context.Background()
	r := busyRepo(t)
	// A commit with a signature for gpg.program to check.
	tree := r.Git("write-tree")
	parent := r.Git("rev-parse", "HEAD")
	body := "tree " + tree + "\nparent " + parent + "\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n" +
		"gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n"
	obj := filepath.Join(t.TempDir(), "commit")
	must(t, os.WriteFile(obj, []byte(body), 0o644))
	r.Git("update-ref", "refs/heads/main", r.Git("hash-object", "-t", "commit", "-w", obj))
	r.Write("more.py", "aws = \""+gittest.FakeAWSKey()+"\"\n")
	r.Git("add", "more.py")

	marker := filepath.Join(t.TempDir(), "ran")
	script := filepath.Join(t.TempDir(), "program")
	must(t, os.WriteFile(script, []byte("#!/bin/sh\necho \"$0 $*\" >> '"+marker+"'\nexit 1\n"), 0o755))
	r.Git("config", "core.fsmonitor", script)
	r.Git("config", "log.showSignature", "true")
	r.Git("config", "gpg.program", script)
	// The trap works: git itself runs the program for these commands.
	r.Git("diff", "--cached", "--quiet", "--exit-code", "--", "nothing")
	r.Git("log", "-1")
	if b, err := os.ReadFile(marker); err != nil || !strings.Contains(string(b), "--verify") {
		t.Fatalf("git must run the repository's programs for the test to mean anything: %q %v", b, err)
	}
	must(t, os.Remove(marker))

	for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree, checks.ModeHistory} {
		src, err := checks.NewRepoSource(ctx, r.Dir, mode)
		if err != nil {
			t.Fatal(err)
		}
		src.Env = r.Env
		rep := checks.Scan(ctx, src, all.Checks(all.Options{Offline: true}), nil, checks.Options{})
		if len(rep.Errors) > 0 || len(rep.Findings) == 0 {
			t.Fatalf("%s: the scan must run: errors %v, %d findings", mode, rep.Errors, len(rep.Findings))
		}
	}
	if _, err := hooks.RunPreCommit(ctx, r.Dir, hooks.RunOptions{Offline: true}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(marker); err == nil {
		t.Fatalf("secfirst ran a program of the repository's configuration:\n%s", b)
	}
}

const quietChildEnv = "SECFIRST_TEST_QUIET_REPO"

// TestLibrariesKeepQuiet runs every check on a repository whose files make
// the libraries log (osv-scalibr about a requirements.txt include it cannot
// open, gitleaks about a disabled rule that does not exist) in a process of
// its own, and holds its standard error to nothing at all.
func TestLibrariesKeepQuiet(t *testing.T) {
	if dir := os.Getenv(quietChildEnv); dir != "" {
		ctx := context.Background()
		for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree, checks.ModeHistory} {
			src, err := checks.NewRepoSource(ctx, dir, mode)
			if err != nil {
				t.Fatal(err)
			}
			rep := checks.Scan(ctx, src, all.Checks(all.Options{Offline: true}), nil, checks.Options{})
			if len(rep.Errors) > 0 {
				t.Fatalf("%s: %v", mode, rep.Errors)
			}
		}
		if _, err := hooks.RunPreCommit(ctx, dir, hooks.RunOptions{Offline: true}); err != nil {
			t.Fatal(err)
		}
		return
	}
	r := busyRepo(t)
	r.Commit("more")
	r.Write("requirements.txt", "-r also-missing.txt\nflask==0.1\n")
	r.Git("add", "-A")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLibrariesKeepQuiet$", "-test.count=1")
	cmd.Env = append(append([]string{}, r.Env...), quietChildEnv+"="+r.Dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the scans failed: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if stderr.Len() > 0 {
		t.Fatalf("a library wrote to standard error:\n%s", stderr.String())
	}
	if strings.TrimSpace(stdout.String()) != "PASS" {
		t.Fatalf("a library wrote to standard output:\n%s", stdout.String())
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
