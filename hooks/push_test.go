package hooks_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// pushRepo is a repository with main pushed to a bare origin, and the
// pre-push hook installed.
func pushRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := newRepo(t)
	origin := filepath.Join(t.TempDir(), "origin.git")
	r.Git("init", "-q", "--bare", origin)
	r.Git("remote", "add", "origin", origin)
	r.Write("README.md", "demo\n")
	r.Commit("init")
	r.Git("push", "-q", "origin", "main")
	install(t, r.Dir, "pre-push")
	return r
}

func push(r *gittest.Repo, args ...string) (string, error) {
	return r.GitErr(append([]string{"push", "origin"}, args...)...)
}

func TestPrePushChecksOnlyTheCommitsBeingPushed(t *testing.T) {
	r := pushRepo(t)
	line, key := secretLine()
	r.Write("k.env", line)
	r.Commit("add key") // committed with --no-verify, as someone skipping the pre-commit hook
	r.Write("k.env", "# moved to the vault\n")
	r.Commit("remove key") // still in the history being pushed
	out, err := push(r, "main")
	if err == nil || !strings.Contains(out, "secfirst: this push is blocked") || !strings.Contains(out, "k.env:1 in commit ") {
		t.Fatalf("push not blocked: %v\n%s", err, out)
	}
	noSecret(t, out, key)
	if r.Git("rev-parse", "origin/main") == r.Git("rev-parse", "main") {
		t.Fatal("the push went through")
	}
	// Already on the remote: a later push does not re-check it.
	r.Git("push", "-q", "--no-verify", "origin", "main")
	r.Write("more.txt", "more\n")
	r.Commit("more")
	out, err = push(r, "main")
	if err != nil {
		t.Fatalf("clean push blocked by an already-pushed commit: %v\n%s", err, out)
	}
}

func TestPrePushNewBranchAndDeletion(t *testing.T) {
	r := pushRepo(t)
	r.Git("checkout", "-q", "-b", "clean")
	r.Write("a.txt", "a\n")
	r.Commit("a")
	if out, err := push(r, "clean"); err != nil {
		t.Fatalf("clean new branch blocked: %v\n%s", err, out)
	}
	r.Git("checkout", "-q", "-b", "leaky")
	line, key := secretLine()
	r.Write("k.env", line)
	r.Commit("key")
	out, err := push(r, "leaky")
	if err == nil || !strings.Contains(out, "this push is blocked") {
		t.Fatalf("new branch with a secret not blocked: %v\n%s", err, out)
	}
	noSecret(t, out, key)
	// Deleting a remote branch pushes no commit.
	if out, err := push(r, ":clean"); err != nil {
		t.Fatalf("deletion blocked: %v\n%s", err, out)
	}
}

func TestPrePushChainedHookGetsTheSameInput(t *testing.T) {
	r := newRepo(t)
	origin := filepath.Join(t.TempDir(), "origin.git")
	r.Git("init", "-q", "--bare", origin)
	r.Git("remote", "add", "origin", origin)
	r.Write("README.md", "demo\n")
	r.Commit("init")
	log := filepath.Join(t.TempDir(), "stdin.log")
	writeExec(t, filepath.Join(r.Dir, ".git", "hooks", "pre-push"), "#!/bin/sh\necho \"$1 $2\" > '"+log+"'\ncat >> '"+log+"'\n", 0o755)
	install(t, r.Dir, "pre-push")
	line, key := secretLine()
	r.Write("k.env", line)
	r.Commit("key")
	out, err := push(r, "main")
	if err == nil || !strings.Contains(out, "this push is blocked") {
		t.Fatalf("push not blocked after the chained hook: %v\n%s", err, out)
	}
	noSecret(t, out, key)
	got := string(readFile(t, log))
	head := r.Git("rev-parse", "HEAD")
	if !strings.HasPrefix(got, "origin "+origin+"\n") || !strings.Contains(got, "refs/heads/main "+head+" refs/heads/main ") {
		t.Fatalf("chained hook's arguments and input = %q", got)
	}
}

func TestPrePushBoundsANewBranch(t *testing.T) {
	r := newRepo(t)
	// 1,010 commits through fast-import, in a blink.
	var fi strings.Builder
	for i := 1; i <= hooks.MaxPushCommits+10; i++ {
		content := fmt.Sprintf("commit %d\n", i)
		fmt.Fprintf(&fi, "commit refs/heads/main\ncommitter A <a@example.com> %d +0000\ndata 2\nc\n", 1700000000+i)
		fmt.Fprintf(&fi, "M 644 inline f.txt\ndata %d\n%s\n", len(content), content)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Env, cmd.Stdin = r.Dir, r.Env, strings.NewReader(fi.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fast-import: %v\n%s", err, out)
	}
	head := r.Git("rev-parse", "main")
	zero := strings.Repeat("0", len(head))
	stdin := fmt.Sprintf("refs/heads/main %s refs/heads/main %s\n", head, zero)
	res, err := hooks.RunPrePush(context.Background(), r.Dir, strings.NewReader(stdin), hooks.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commits != hooks.MaxPushCommits || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "only the newest 1000") {
		t.Fatalf("commits = %d, notes = %q", res.Commits, res.Notes)
	}
	if res.Blocked() || len(res.Errors) > 0 {
		t.Fatalf("clean history blocked: %v", res.Errors)
	}
}

// unreadStdin stands for a terminal: it records a read instead of
// answering one.
type unreadStdin struct{ read bool }

func (u *unreadStdin) Read([]byte) (int, error) { u.read = true; return 0, io.EOF }

// Under the pre-commit framework the range comes from its environment, and
// stdin, which is not git's ref list there, is never read.
func TestPrePushFromPreCommitFrameworkEnvironment(t *testing.T) {
	r := newRepo(t)
	r.Write("README.md", "demo\n")
	base := r.Commit("init")
	line, key := secretLine()
	r.Write("k.env", line)
	tip := r.Commit("key")
	t.Setenv("PRE_COMMIT_FROM_REF", base)
	t.Setenv("PRE_COMMIT_TO_REF", tip)
	stdin := &unreadStdin{}
	res, err := hooks.RunPrePush(context.Background(), r.Dir, stdin, hooks.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if stdin.read {
		t.Error("stdin was read although the pre-commit framework gave the range")
	}
	if res.Commits != 1 || !res.Blocked() {
		t.Fatalf("commits = %d, blocked = %v", res.Commits, res.Blocked())
	}
	var sb strings.Builder
	for _, f := range res.Report.Findings {
		sb.WriteString(f.Message + f.Snippet)
	}
	noSecret(t, sb.String(), key)
}

func TestPrePushRefusesARangeThatIsNotCommitIDs(t *testing.T) {
	r := newRepo(t)
	r.Write("README.md", "demo\n")
	base := r.Commit("init")
	out := filepath.Join(t.TempDir(), "written")
	t.Setenv("PRE_COMMIT_FROM_REF", base)
	t.Setenv("PRE_COMMIT_TO_REF", "--output="+out)
	_, err := hooks.RunPrePush(context.Background(), r.Dir, strings.NewReader(""), hooks.RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "not a commit id") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if _, serr := os.Stat(out); serr == nil {
		t.Fatal("git took the range for an option and wrote a file")
	}
}

func TestParsePushRefs(t *testing.T) {
	refs, err := hooks.ParsePushRefs(strings.NewReader("\nrefs/heads/a 1111 refs/heads/a 0000\n"))
	if err != nil || len(refs) != 1 || refs[0].LocalSHA != "1111" || refs[0].RemoteRef != "refs/heads/a" {
		t.Fatalf("refs = %+v, %v", refs, err)
	}
	if _, err := hooks.ParsePushRefs(strings.NewReader("garbage\n")); err == nil {
		t.Fatal("malformed line accepted")
	}
}
