package hook

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

func hermetic(t *testing.T) {
	for _, kv := range gittest.Env(t) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv(EnvOffline, "1") // no network in tests
}

func TestPreCommitBlocksOnAStagedSecret(t *testing.T) {
	hermetic(t)
	r := gittest.New(t)
	key := gittest.FakeGitHubToken()
	r.Write("deploy.sh", "export GITHUB_TOKEN="+key+"\n")
	r.Git("add", "deploy.sh")
	ios, _, out, errOut := iostreams.Test()
	err := Run(context.Background(), &Options{IO: ios, Dir: r.Dir, Hook: "pre-commit"})
	if cmdutil.Code(err) != cmdutil.ExitFindings {
		t.Fatalf("err = %v, want exit 1", err)
	}
	msg := errOut.String()
	if out.Len() != 0 {
		t.Fatalf("hook wrote to stdout: %q", out)
	}
	if !strings.Contains(msg, "deploy.sh:1") || !strings.Contains(msg, "secfirst learn") || strings.Contains(msg, key[4:]) {
		t.Fatalf("block message:\n%s", msg)
	}
}

func TestPreCommitCleanIsOneQuietLine(t *testing.T) {
	hermetic(t)
	r := gittest.New(t)
	r.Write("main.go", "package main\n")
	r.Git("add", "main.go")
	ios, _, _, errOut := iostreams.Test()
	if err := Run(context.Background(), &Options{IO: ios, Dir: r.Dir, Hook: "pre-commit"}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(errOut.String(), "\n"); n > 1 {
		t.Fatalf("clean run printed %d lines:\n%s", n, errOut)
	}
}

func TestPrePushReadsRefsFromStdin(t *testing.T) {
	hermetic(t)
	r := gittest.New(t)
	r.Write("README.md", "x\n")
	base := r.Commit("init")
	key := gittest.FakeAWSKey()
	r.Write("k.env", "AWS_ACCESS_KEY_ID="+key+"\n")
	tip := r.Commit("key")
	ios, in, _, errOut := iostreams.Test()
	fmt.Fprintf(in, "refs/heads/main %s refs/heads/main %s\n", tip, base)
	err := Run(context.Background(), &Options{IO: ios, Dir: r.Dir, Hook: "pre-push", Args: []string{"origin", "/tmp/x"}})
	if cmdutil.Code(err) != cmdutil.ExitFindings || !strings.Contains(errOut.String(), "this push is blocked") || strings.Contains(errOut.String(), key[4:]) {
		t.Fatalf("err = %v\n%s", err, errOut)
	}
}

func TestOutsideARepository(t *testing.T) {
	hermetic(t)
	ios, _, _, _ := iostreams.Test()
	err := Run(context.Background(), &Options{IO: ios, Dir: t.TempDir(), Hook: "pre-commit"})
	if cmdutil.Code(err) != cmdutil.ExitFailure || !strings.Contains(err.Error(), "not inside a git repository") {
		t.Fatalf("err = %v", err)
	}
}

// The pre-commit framework passes file names. Outside a commit (`pre-commit
// run --all-files`, CI) secfirst scans those files as they are: a secret
// committed earlier is found instead of passing silently.
func TestPreCommitWithFilesOutsideACommitScansThem(t *testing.T) {
	hermetic(t)
	r := gittest.New(t)
	key := gittest.FakeAWSKey()
	r.Write("old.env", "AWS_ACCESS_KEY_ID="+key+"\n")
	r.Write("README.md", "demo\n")
	r.Commit("committed without the hook")
	files := []string{"README.md", "old.env"}

	ios, _, out, errOut := iostreams.Test()
	err := Run(context.Background(), &Options{IO: ios, Dir: r.Dir, Hook: "pre-commit", Args: files})
	if cmdutil.Code(err) != cmdutil.ExitFindings || !strings.Contains(errOut.String(), "old.env\n") || !strings.Contains(errOut.String(), "aws-access-token") {
		t.Fatalf("err = %v, want exit 1 with old.env's aws-access-token\n%s", err, errOut)
	}
	if out.Len() != 0 || strings.Contains(errOut.String(), key[4:]) {
		t.Fatalf("stdout %q; stderr:\n%s", out, errOut)
	}

	// During a commit the same names mean the staged changes of those
	// files: nothing is staged, nothing blocks.
	ios, _, _, errOut = iostreams.Test()
	if err := Run(context.Background(), &Options{IO: ios, Dir: r.Dir, Hook: "pre-commit", Args: files, InCommit: true}); err != nil {
		t.Fatalf("commit with nothing staged: %v\n%s", err, errOut)
	}
}

// During a commit, each run reports the findings of the files it was given:
// pre-commit splits a long list over several runs, and honours its own
// exclude filters.
func TestPreCommitInACommitReportsTheFilesGiven(t *testing.T) {
	hermetic(t)
	r := gittest.New(t)
	key := gittest.FakeGitHubToken()
	r.Write("a.env", "GITHUB_TOKEN="+key+"\n")
	r.Write("b.txt", "fine\n")
	r.Git("add", ".")
	ios, _, _, errOut := iostreams.Test()
	if err := Run(context.Background(), &Options{IO: ios, Dir: r.Dir, Hook: "pre-commit", Args: []string{"b.txt"}, InCommit: true}); err != nil {
		t.Fatalf("run on b.txt blocked on a.env's secret: %v\n%s", err, errOut)
	}
	ios, _, _, errOut = iostreams.Test()
	err := Run(context.Background(), &Options{IO: ios, Dir: r.Dir, Hook: "pre-commit", Args: []string{"./a.env", "b.txt"}, InCommit: true})
	if cmdutil.Code(err) != cmdutil.ExitFindings || !strings.Contains(errOut.String(), "a.env:1") {
		t.Fatalf("err = %v, want a.env blocked\n%s", err, errOut)
	}
}

// A suppressed finding is counted by the run of its own file only: the
// pre-commit framework's split runs would otherwise repeat the count.
func TestPreCommitInACommitCountsSuppressionsOfTheFilesGiven(t *testing.T) {
	hermetic(t)
	r := gittest.New(t)
	r.Write("a.env", "GITHUB_TOKEN="+gittest.FakeGitHubToken()+"\n")
	r.Write("b.txt", "fine\n")
	r.Write(".secfirst.toml", "[[ignore]]\npath = \"a.env\"\nreason = \"a fixture\"\n")
	r.Git("add", ".")
	for _, c := range []struct {
		file string
		want bool
	}{{"b.txt", false}, {"a.env", true}} {
		ios, _, _, errOut := iostreams.Test()
		if err := Run(context.Background(), &Options{IO: ios, Dir: r.Dir, Hook: "pre-commit", Args: []string{c.file}, InCommit: true}); err != nil {
			t.Fatalf("%s: %v\n%s", c.file, err, errOut)
		}
		if got := strings.Contains(errOut.String(), "suppressed"); got != c.want {
			t.Errorf("run on %s: mentions a suppression = %v, want %v\n%s", c.file, got, c.want, errOut)
		}
	}
}
