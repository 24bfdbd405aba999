package hooks_test

import (
	"context"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// TestPreCommitGitProcesses: git processes are most of a hook's cost, and
// each that reads the index reads all of it (50,000 entries in a large
// repository). A commit of source, a lockfile and a Dockerfile costs four,
// one of which reads the index: the root (rev-parse); one `diff --cached`
// that lists the staged files and prints the secrets check's patches; one
// `ls-tree` of HEAD's configuration files of every check (the lockfile's
// siblings at the root among them), which the diff's changes complete into
// the index's entries; and one `cat-file --batch` that every blob read of
// every check goes through. A new git process per configuration file or
// per check shows here first.
func TestPreCommitGitProcesses(t *testing.T) {
	r := newRepo(t)
	r.Write("app.py", "print('hello')\n")
	r.Write("Dockerfile", "FROM python:3.12-slim\nUSER app\n")
	r.Write("package-lock.json", `{"name": "a", "version": "1.0.0", "lockfileVersion": 3, "packages": {"": {"name": "a", "version": "1.0.0"}}}`+"\n")
	r.Write(".gitleaksignore", "# none\n")
	r.Commit("init")
	r.Write("app.py", "print('hello')\nprint('again')\n")
	r.Write("Dockerfile", "FROM python:3.12-slim\nUSER app\nCMD [\"python\"]\n")
	r.Write("package-lock.json", `{"name": "a", "version": "1.0.1", "lockfileVersion": 3, "packages": {"": {"name": "a", "version": "1.0.1"}}}`+"\n")
	r.Git("add", "-A")
	for _, kv := range r.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "GIT_") {
			t.Setenv(k, v)
		}
	}
	calls := gittest.Calls(t, func() {
		res, err := hooks.RunPreCommit(context.Background(), r.Dir, hooks.RunOptions{Offline: true})
		if err != nil || len(res.Errors) > 0 {
			t.Fatalf("hook: %v %v", err, res.Errors)
		}
	})
	t.Logf("%d git processes:\n%s", len(calls), strings.Join(calls, "\n"))
	index := 0
	for _, c := range calls {
		if strings.HasPrefix(c, "diff ") || strings.Contains(c, "ls-files") {
			index++
		}
	}
	if len(calls) > 4 || index > 1 {
		t.Errorf("the hook started %d git processes, %d of them reading the index; want at most 4 and 1:\n%s", len(calls), index, strings.Join(calls, "\n"))
	}
}
