package hooks_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// A hook that was there before secfirst runs under its own name: hooks that
// dispatch on "$0" refuse the commit exactly as they did without secfirst.
// Each one here exits 1 only when its name is pre-commit; before, chained as
// pre-commit.secfirst-chained, each of them let every commit through.
func TestChainedHookKeepsItsOwnName(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup writes the user's hook (and what it needs) and returns the
		// line it prints when it refuses the commit.
		setup func(t *testing.T, hooksDir, root string) string
		tool  string
	}{
		{
			// husky 4 writes the same file for every hook; husky.sh, beside
			// it, takes the hook's name from $0.
			name: "husky 4",
			setup: func(t *testing.T, hooksDir, _ string) string {
				writeExec(t, filepath.Join(hooksDir, "pre-commit"), "#!/bin/sh\n# husky\n\n# Created by Husky v4.3.8 (https://github.com/typicode/husky#readme)\n\n. \"$(dirname \"$0\")/husky.sh\"\n", 0o755)
				writeExec(t, filepath.Join(hooksDir, "husky.sh"), `hookName=`+"`"+`basename "$0"`+"`"+`
gitParams="$*"
echo "husky > $hookName hook (params: '$gitParams')" >&2
if [ "$hookName" = pre-commit ]; then
	echo "husky > pre-commit hook failed (add --no-verify to bypass)" >&2
	exit 1
fi
`, 0o644)
				return "husky > pre-commit hook failed"
			},
		},
		{
			// One bash script in the repository, linked under each hook's name.
			name: "dispatcher linked under several names",
			setup: func(t *testing.T, hooksDir, root string) string {
				writeExec(t, filepath.Join(root, "tools", "githook"), "#!/usr/bin/env bash\ncase \"$(basename \"$0\")\" in\npre-commit) echo \"githook: pre-commit checks failed\" >&2; exit 1 ;;\nesac\nexit 0\n", 0o755)
				if err := os.Symlink("../../tools/githook", filepath.Join(hooksDir, "pre-commit")); err != nil {
					t.Fatal(err)
				}
				return "githook: pre-commit checks failed"
			},
		},
		{
			// A program that is not a shell script (overcommit's hooks are
			// Ruby and read File.basename($0) the same way).
			name: "perl dispatcher",
			tool: "perl",
			setup: func(t *testing.T, hooksDir, _ string) string {
				writeExec(t, filepath.Join(hooksDir, "pre-commit"), "#!/usr/bin/env perl\nuse File::Basename;\nmy $name = basename($0);\nif ($name eq \"pre-commit\") { print STDERR \"perl hook: $name refused\\n\"; exit 1; }\nexit 0;\n", 0o700)
				return "perl hook: pre-commit refused"
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.tool != "" {
				if _, err := exec.LookPath(tc.tool); err != nil {
					t.Skipf("%s is not installed: %v", tc.tool, err)
				}
			}
			r := newRepo(t)
			hooksDir := filepath.Join(r.Dir, ".git", "hooks")
			refusal := tc.setup(t, hooksDir, r.Dir)
			hookPath := filepath.Join(hooksDir, "pre-commit")
			before := fileSnapshot(t, hookPath)

			install(t, r.Dir)
			r.Write("ok.txt", "fine\n")
			r.Git("add", "ok.txt")
			out, err := commit(r)
			if err == nil || !strings.Contains(out, refusal) {
				t.Fatalf("the chained hook did not refuse the commit under its own name (err %v):\n%s", err, out)
			}
			if strings.Contains(out, "secfirst") {
				t.Fatalf("secfirst ran after the chained hook failed:\n%s", out)
			}
			if r.Git("rev-list", "--all") != "" {
				t.Fatal("a commit was recorded")
			}

			uninstall(t, r.Dir)
			if after := fileSnapshot(t, hookPath); after != before {
				t.Fatalf("uninstall did not restore the hook:\n%s\nwant\n%s", after, before)
			}
			if _, err := os.Lstat(filepath.Join(hooksDir, hooks.ChainedDir)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%s left behind (%v)", hooks.ChainedDir, err)
			}
		})
	}
}

// fileSnapshot is a file's type, mode and content (a link's target).
func fileSnapshot(t *testing.T, p string) string {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(p)
		if err != nil {
			t.Fatal(err)
		}
		return "link -> " + target
	}
	return fi.Mode().String() + "\n" + string(readFile(t, p))
}

// The chained pre-push hook reads the refs on standard input, under its own
// name, and secfirst still gets them when it lets the push go on.
func TestChainedPrePushDispatcherReadsRefs(t *testing.T) {
	r := newRepo(t)
	origin := filepath.Join(t.TempDir(), "origin.git")
	r.Git("init", "-q", "--bare", origin)
	r.Git("remote", "add", "origin", origin)
	r.Write("README.md", "demo\n")
	r.Commit("init")
	writeExec(t, filepath.Join(r.Dir, ".git", "hooks", "pre-push"), `#!/bin/sh
# Protects main: refuses direct pushes to it, seen in the refs git gives.
[ "$(basename "$0")" = pre-push ] || exit 0
echo "protect: pushing to $1" >&2
while read -r local_ref local_sha remote_ref remote_sha; do
	if [ "$remote_ref" = refs/heads/main ]; then
		echo "protect: direct pushes to main are not allowed" >&2
		exit 1
	fi
done
exit 0
`, 0o755)
	install(t, r.Dir, "pre-push")

	out, err := push(r, "main")
	if err == nil || !strings.Contains(out, "protect: pushing to origin") || !strings.Contains(out, "protect: direct pushes to main are not allowed") {
		t.Fatalf("the chained hook did not refuse the push to main (err %v):\n%s", err, out)
	}
	if strings.Contains(out, "secfirst") {
		t.Fatalf("secfirst ran after the chained hook failed:\n%s", out)
	}

	// The chained hook lets a feature branch through; secfirst reads the
	// same refs after it and blocks the secret.
	r.Git("checkout", "-q", "-b", "feature")
	line, key := secretLine()
	r.Write("k.env", line)
	r.Commit("key")
	out, err = push(r, "feature")
	if err == nil || !strings.Contains(out, "protect: pushing to origin") || !strings.Contains(out, "secfirst: this push is blocked") {
		t.Fatalf("push of a secret on a feature branch not blocked by secfirst (err %v):\n%s", err, out)
	}
	noSecret(t, out, key)

	r.Git("checkout", "-q", "-b", "clean", "main")
	r.Write("a.txt", "a\n")
	r.Commit("a")
	if out, err := push(r, "clean"); err != nil {
		t.Fatalf("clean push refused: %v\n%s", err, out)
	}
}

// An install made by secfirst's first hook script (the user's hook kept as
// pre-commit.secfirst-chained) keeps working: status sees it, uninstall
// puts the hook back, and install moves it where it runs under its own name.
func TestUpgradeFromChainedSuffixLayout(t *testing.T) {
	const userHook = "#!/bin/sh\n# edited on Windows\r\necho \"user hook as $(basename \"$0\")\" >&2\n[ \"$(basename \"$0\")\" = pre-commit ] && [ -f stop ] && exit 1\nexit 0"
	oldLayout := func(t *testing.T) *repoPaths {
		t.Helper()
		rp := &repoPaths{repo: newRepo(t)}
		hooksDir := filepath.Join(rp.repo.Dir, ".git", "hooks")
		rp.hook = filepath.Join(hooksDir, "pre-commit")
		rp.legacy = rp.hook + ".secfirst-chained"
		rp.kept = filepath.Join(hooksDir, hooks.ChainedDir, "pre-commit")
		v1 := strings.ReplaceAll(string(readFile(t, filepath.Join("testdata", "v1-pre-commit"))), "@SECFIRST@", secfirstBin)
		writeExec(t, rp.hook, v1, 0o755)
		writeExec(t, rp.legacy, userHook, 0o751)
		return rp
	}

	t.Run("status and commit", func(t *testing.T) {
		rp := oldLayout(t)
		st, err := hooks.Status(context.Background(), rp.repo.Dir)
		if err != nil {
			t.Fatal(err)
		}
		if h := st.Hook("pre-commit"); !h.Installed || !h.Chained || h.ChainedPath != rp.legacy || !h.Outdated {
			t.Fatalf("status of the old layout = %+v", h)
		}
		line, key := secretLine()
		rp.repo.Write("k.env", line)
		rp.repo.Git("add", "k.env")
		out, err := commit(rp.repo)
		mustBlock(t, out, err, key)
		if !strings.Contains(out, "user hook as pre-commit.secfirst-chained") {
			t.Fatalf("the old script did not run the hook it kept:\n%s", out)
		}
	})

	t.Run("uninstall", func(t *testing.T) {
		rp := oldLayout(t)
		before := fileSnapshot(t, rp.legacy)
		plan := uninstall(t, rp.repo.Dir, "pre-commit")
		if plan.Actions[0].Kind != hooks.ActRestore || plan.Actions[0].From != rp.legacy {
			t.Fatalf("uninstall plan = %s", plan)
		}
		if got := fileSnapshot(t, rp.hook); got != before {
			t.Fatalf("restored hook = %q, want %q", got, before)
		}
		if _, err := os.Lstat(rp.legacy); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("the old chained file is still there")
		}
	})

	t.Run("reinstall", func(t *testing.T) {
		rp := oldLayout(t)
		before := fileSnapshot(t, rp.legacy)
		plan := install(t, rp.repo.Dir)
		if len(plan.Actions) != 2 || plan.Actions[0].Kind != hooks.ActChain || plan.Actions[0].From != rp.legacy ||
			plan.Actions[1].Kind != hooks.ActUpdate {
			t.Fatalf("reinstall plan = %s", plan)
		}
		if _, err := os.Lstat(rp.legacy); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("the old chained file is still there")
		}
		if got := fileSnapshot(t, rp.kept); got != before {
			t.Fatalf("moved hook = %q, want %q", got, before)
		}
		st, err := hooks.Status(context.Background(), rp.repo.Dir)
		if err != nil {
			t.Fatal(err)
		}
		if h := st.Hook("pre-commit"); !h.Installed || !h.Chained || h.ChainedPath != rp.kept || h.Outdated || h.Problem != "" {
			t.Fatalf("status after reinstall = %+v", h)
		}
		if again := install(t, rp.repo.Dir); again.Changes() {
			t.Fatalf("a third install changes: %s", again)
		}
		// Now the hook sees its own name, and its refusal stops the commit.
		rp.repo.Write("stop", "")
		rp.repo.Write("ok.txt", "fine\n")
		rp.repo.Git("add", "ok.txt")
		out, err := commit(rp.repo)
		if err == nil || !strings.Contains(out, "user hook as pre-commit") || strings.Contains(out, "secfirst-chained") {
			t.Fatalf("the moved hook did not run under its own name (err %v):\n%s", err, out)
		}
		uninstall(t, rp.repo.Dir)
		if got := fileSnapshot(t, rp.hook); got != before {
			t.Fatalf("restored hook = %q, want %q", got, before)
		}
	})

	t.Run("both layouts", func(t *testing.T) {
		rp := oldLayout(t)
		writeExec(t, rp.kept, "#!/bin/sh\nexit 0\n", 0o755)
		if _, err := hooks.PlanInstall(context.Background(), rp.repo.Dir, hooks.InstallOptions{Binary: secfirstBin}); !errors.Is(err, hooks.ErrConflict) {
			t.Fatalf("install with a hook kept in both places: err = %v, want a conflict", err)
		}
		st, err := hooks.Status(context.Background(), rp.repo.Dir)
		if err != nil {
			t.Fatal(err)
		}
		if h := st.Hook("pre-commit"); !strings.Contains(h.Problem, "two hooks are kept") {
			t.Fatalf("status = %+v", h)
		}
		// Uninstall puts back the one the old script runs and leaves the other, saying so.
		before := fileSnapshot(t, rp.legacy)
		plan := uninstall(t, rp.repo.Dir, "pre-commit")
		if got := fileSnapshot(t, rp.hook); got != before || len(plan.Notes) != 1 || !strings.Contains(plan.Notes[0], "secfirst-chained/pre-commit is left alone") {
			t.Fatalf("restored %q, notes %q", got, plan.Notes)
		}
		if _, err := os.Lstat(rp.kept); err != nil {
			t.Fatalf("the other kept hook was removed: %v", err)
		}
	})
}

type repoPaths struct {
	repo               *gittest.Repo
	hook, legacy, kept string
}

// The block an earlier release added to a committed husky file is still
// current: a new hook script in .git/hooks must not rewrite a file the
// whole team shares.
func TestHuskyBlockOfTheLastReleaseIsCurrent(t *testing.T) {
	r := newRepo(t)
	huskyV9(t, r)
	user := filepath.Join(r.Dir, ".husky", "pre-commit")
	content := "npx lint-staged\n\n" + string(readFile(t, filepath.Join("testdata", "v1-husky-block")))
	writeExec(t, user, content, 0o755)
	plan := install(t, r.Dir)
	if plan.Changes() || plan.Actions[0].Kind != hooks.ActNone {
		t.Fatalf("plan over the last release's block = %s", plan)
	}
	st, err := hooks.Status(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if h := st.Hook("pre-commit"); !h.Installed || h.Outdated {
		t.Fatalf("status = %+v", h)
	}
}
