package hooks_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/hooks"
)

// gitCalls runs f with a git on PATH that records each of its invocations,
// and returns them, one command line each, without secfirst's -c options.
func gitCalls(t *testing.T, f func()) []string {
	t.Helper()
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "calls")
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + log + "'\nexec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	f()
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		for len(f) > 1 && f[0] == "-c" {
			f = f[2:]
		}
		calls = append(calls, strings.Join(f, " "))
	}
	return calls
}

// TestPreCommitGitProcesses: git processes are most of a hook's cost, and
// each that reads the index reads all of it (50,000 entries in a large
// repository). A commit of source, a lockfile and a Dockerfile costs six,
// two of which read the index: the root (rev-parse); one `diff --cached`
// that lists the staged files and prints the secrets check's patches; one
// `ls-files` of every configuration file of every check (the lockfile's
// siblings at the root among them); and three `cat-file --batch`, which
// read objects only: the configuration, the deps check's and the
// Dockerfile check's blobs. A new git process per configuration file or
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
	calls := gitCalls(t, func() {
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
	if len(calls) > 6 || index > 2 {
		t.Errorf("the hook started %d git processes, %d of them reading the index; want at most 6 and 2:\n%s", len(calls), index, strings.Join(calls, "\n"))
	}
}
