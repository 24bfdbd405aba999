package hooks_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

func TestPlainRepository(t *testing.T) {
	r := newRepo(t)
	plan, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: secfirstBin})
	if err != nil {
		t.Fatal(err)
	}
	hookPath := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")
	if _, err := os.Stat(hookPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("planning wrote the hook already (stat: %v)", err)
	}
	if len(plan.Actions) != 1 || plan.Actions[0].Kind != hooks.ActWrite || plan.Actions[0].Path != hookPath {
		t.Fatalf("plan = %s", plan)
	}
	if err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(hookPath)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("hook not written executable: %v %v", fi, err)
	}
	info := hooks.ParseScript(readFile(t, hookPath))
	if !info.Ours || info.Version != hooks.ScriptVersion || info.Binary != secfirstBin {
		t.Fatalf("script info = %+v", info)
	}

	// The first commit of an empty repository is checked (against the empty tree).
	line, key := secretLine()
	r.Write("config/app.env", "NAME=demo\n"+line)
	r.Git("add", ".")
	out, err := commit(r)
	mustBlock(t, out, err, key)
	if !strings.Contains(out, "config/app.env:2") || !strings.Contains(out, "secfirst learn ") ||
		!strings.Contains(out, "[[ignore]]") || !strings.Contains(out, "--no-verify") {
		t.Fatalf("block message lacks where, lesson, suppression or --no-verify:\n%s", out)
	}
	if r.Git("rev-list", "--all") != "" {
		t.Fatal("a commit was recorded")
	}

	// --no-verify skips the hook, as for every git hook.
	out, err = commit(r, "--no-verify")
	mustPass(t, out, err)

	// A clean commit passes with at most one quiet line.
	r.Write("README.md", "hello\n")
	r.Git("add", "README.md")
	out, err = commit(r, "-q")
	mustPass(t, out, err)
	if n := strings.Count(strings.TrimSpace(out), "\n"); n > 0 {
		t.Fatalf("clean commit printed more than one line:\n%s", out)
	}
}

func TestInstallTwiceChangesNothing(t *testing.T) {
	r := newRepo(t)
	writeExec(t, filepath.Join(r.Dir, ".git", "hooks", "pre-commit"), "#!/bin/sh\nexit 0\n", 0o755)
	install(t, r.Dir, "pre-commit", "pre-push")
	hooksDir := filepath.Join(r.Dir, ".git", "hooks")
	before := snapshot(t, hooksDir)
	plan, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Hooks: []string{"pre-commit", "pre-push"}, Binary: secfirstBin})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Changes() {
		t.Fatalf("second install plans changes:\n%s", plan)
	}
	for _, a := range plan.Actions {
		if a.Kind != hooks.ActNone {
			t.Fatalf("action %s, want none", a.Kind)
		}
	}
	if err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, hooksDir); after != before {
		t.Fatalf("hooks dir changed:\n%s\nvs\n%s", before, after)
	}

	// Another binary path is an update of the same script, not a second chain.
	other, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: "/opt/secfirst/bin/secfirst"})
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Actions) != 1 || other.Actions[0].Kind != hooks.ActUpdate {
		t.Fatalf("plan with a moved binary = %s", other)
	}
}

// snapshot lists a directory's files with mode, size and modification time.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %v %v %d\n", e.Name(), fi.Mode(), fi.ModTime(), fi.Size())
	}
	return b.String()
}

func TestExistingHookIsChainedRunsFirstBlocksAndComesBackByteForByte(t *testing.T) {
	r := newRepo(t)
	hookPath := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")
	// A carriage return, no final newline, an odd mode: all must survive the round trip.
	original := "#!/bin/sh\n# edited on Windows\r\necho \"CHAINED-RAN args=$#\" >&2\n[ -f \"$(git rev-parse --show-toplevel)/stop\" ] && exit 3\nexit 0"
	writeExec(t, hookPath, original, 0o751)

	plan := install(t, r.Dir)
	if len(plan.Actions) != 2 || plan.Actions[0].Kind != hooks.ActChain || plan.Actions[1].Kind != hooks.ActWrite {
		t.Fatalf("plan = %s", plan)
	}
	chained := filepath.Join(r.Dir, ".git", "hooks", hooks.ChainedDir, "pre-commit")
	if got := readFile(t, chained); string(got) != original {
		t.Fatalf("chained hook changed: %q", got)
	}
	st, err := hooks.Status(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if h := st.Hook("pre-commit"); !h.Installed || !h.Chained || h.ChainedPath != chained {
		t.Fatalf("status = %+v", h)
	}

	// The chained hook runs first, then secfirst.
	line, key := secretLine()
	r.Write("a.env", line)
	r.Git("add", "a.env")
	out, err := commit(r)
	mustBlock(t, out, err, key)
	if i, j := strings.Index(out, "CHAINED-RAN"), strings.Index(out, "secfirst:"); i < 0 || i > j {
		t.Fatalf("chained hook did not run before secfirst:\n%s", out)
	}

	// The chained hook's failure stops a clean commit, and secfirst does not run.
	r.Git("rm", "-q", "--cached", "a.env")
	r.Write("ok.txt", "fine\n")
	r.Write("stop", "")
	r.Git("add", "ok.txt")
	out, err = commit(r)
	if err == nil || !strings.Contains(out, "CHAINED-RAN") || strings.Contains(out, "secfirst:") {
		t.Fatalf("chained hook's failure did not stop the commit before secfirst:\n%s (err %v)", out, err)
	}
	os.Remove(filepath.Join(r.Dir, "stop"))
	out, err = commit(r)
	mustPass(t, out, err)

	plan = uninstall(t, r.Dir)
	if plan.Actions[0].Kind != hooks.ActRestore {
		t.Fatalf("uninstall plan = %s", plan)
	}
	if got := readFile(t, hookPath); string(got) != original {
		t.Fatalf("restored hook differs: %q", got)
	}
	if fi, _ := os.Stat(hookPath); fi.Mode().Perm() != 0o751 {
		t.Fatalf("restored mode = %v, want 0751", fi.Mode().Perm())
	}
	if _, err := os.Lstat(chained); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("chained file left behind")
	}
}

func TestSymlinkHookIsChainedAsSymlink(t *testing.T) {
	r := newRepo(t)
	target := r.Write("tools/hook.sh", "#!/bin/sh\necho LINKED-RAN >&2\n")
	os.Chmod(target, 0o755)
	hookPath := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")
	os.MkdirAll(filepath.Dir(hookPath), 0o755)
	if err := os.Symlink("../../tools/hook.sh", hookPath); err != nil {
		t.Fatal(err)
	}
	r.Commit("tools")
	install(t, r.Dir)
	r.Write("x.txt", "x\n")
	r.Git("add", "x.txt")
	out, err := commit(r)
	mustPass(t, out, err)
	if !strings.Contains(out, "LINKED-RAN") {
		t.Fatalf("symlinked hook did not run:\n%s", out)
	}
	uninstall(t, r.Dir)
	if dest, err := os.Readlink(hookPath); err != nil || dest != "../../tools/hook.sh" {
		t.Fatalf("symlink not restored: %q %v", dest, err)
	}
}

func TestConflictWhenChainedFileExists(t *testing.T) {
	r := newRepo(t)
	hookPath := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")
	writeExec(t, hookPath, "#!/bin/sh\nexit 0\n", 0o755)
	writeExec(t, filepath.Join(r.Dir, ".git", "hooks", hooks.ChainedDir, "pre-commit"), "#!/bin/sh\nexit 0\n", 0o755)
	_, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: secfirstBin})
	if !errors.Is(err, hooks.ErrConflict) {
		t.Fatalf("err = %v, want a conflict", err)
	}
}

func TestApplyRefusesWhatChangedSincePlanning(t *testing.T) {
	r := newRepo(t)
	hookPath := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")
	plan, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: secfirstBin})
	if err != nil {
		t.Fatal(err)
	}
	writeExec(t, hookPath, "#!/bin/sh\necho mine\n", 0o755) // written between plan and apply
	if err := plan.Apply(); err == nil || !strings.Contains(err.Error(), "changed since") {
		t.Fatalf("apply = %v, want a refusal", err)
	}
	if got := readFile(t, hookPath); string(got) != "#!/bin/sh\necho mine\n" {
		t.Fatal("the hook written meanwhile was overwritten")
	}
}

func TestLinkedWorktreeUsesCommonHooks(t *testing.T) {
	r := newRepo(t)
	r.Write("README.md", "x\n")
	r.Commit("init")
	wt := filepath.Join(t.TempDir(), "wt")
	r.Git("worktree", "add", "-q", "-b", "feature", wt)
	sub := filepath.Join(wt, "deep", "er")
	os.MkdirAll(sub, 0o755)

	plan := install(t, sub)
	samePath(t, plan.Layout.HooksDir, filepath.Join(r.Dir, ".git", "hooks"))
	if _, err := os.Stat(filepath.Join(r.Dir, ".git", "hooks", "pre-commit")); err != nil {
		t.Fatal("hook not in the common directory")
	}
	st, err := hooks.Status(context.Background(), sub)
	if err != nil || !st.Hook("pre-commit").Installed {
		t.Fatalf("status from a worktree subdirectory: %+v %v", st, err)
	}
	line, key := secretLine()
	if err := os.WriteFile(filepath.Join(wt, "s.env"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := gitIn(r, wt, "add", "s.env"); err != nil {
		t.Fatal(out)
	}
	out, err := commitIn(r, wt)
	mustBlock(t, out, err, key)
	// The main worktree is guarded by the same hook.
	r.Write("m.env", line)
	r.Git("add", "m.env")
	out, err = commit(r)
	mustBlock(t, out, err, key)
}

func TestSubmodule(t *testing.T) {
	lib := newRepo(t)
	lib.Write("lib.go", "package lib\n")
	lib.Commit("lib")
	super := newRepo(t)
	super.Write("README.md", "super\n")
	super.Commit("init")
	super.Git("-c", "protocol.file.allow=always", "submodule", "add", "-q", lib.Dir, "lib")
	super.Git("commit", "-q", "--no-verify", "-m", "add lib")
	sub := filepath.Join(super.Dir, "lib")
	if fi, err := os.Lstat(filepath.Join(sub, ".git")); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("submodule .git should be a file: %v", err)
	}

	plan := install(t, sub)
	samePath(t, plan.Layout.HooksDir, filepath.Join(super.Dir, ".git", "modules", "lib", "hooks"))
	line, key := secretLine()
	os.WriteFile(filepath.Join(sub, "k.env"), []byte(line), 0o644)
	if out, err := gitIn(super, sub, "add", "k.env"); err != nil {
		t.Fatal(out)
	}
	out, err := commitIn(super, sub)
	mustBlock(t, out, err, key)
	// The superproject has no hook of its own.
	if _, err := os.Stat(filepath.Join(super.Dir, ".git", "hooks", "pre-commit")); err == nil {
		t.Fatal("the superproject got the submodule's hook")
	}
}

func TestCoreHooksPath(t *testing.T) {
	for _, tc := range []struct {
		name     string
		relative bool
	}{{"relative", true}, {"absolute", false}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRepo(t)
			want := filepath.Join(r.Dir, ".githooks")
			if tc.relative {
				r.Git("config", "core.hooksPath", ".githooks")
			} else {
				want = filepath.Join(t.TempDir(), "shared-hooks")
				r.Git("config", "core.hooksPath", want)
			}
			sub := filepath.Join(r.Dir, "src")
			os.MkdirAll(sub, 0o755)
			plan := install(t, sub) // from a subdirectory: relative is to the top level
			samePath(t, plan.Layout.HooksDir, want)
			if tc.relative && !plan.Layout.InWorkTree() {
				t.Fatal("a relative core.hooksPath is in the working tree")
			}
			if _, err := os.Stat(filepath.Join(r.Dir, ".git", "hooks", "pre-commit")); err == nil {
				t.Fatal("hook written to .git/hooks, which git ignores with core.hooksPath")
			}
			line, key := secretLine()
			r.Write("src/k.env", line)
			r.Git("add", "src/k.env")
			out, err := commit(r)
			mustBlock(t, out, err, key)
		})
	}
}

// huskyV9 lays out what husky 9 sets up: core.hooksPath=.husky/_, whose
// generated hooks run .husky/<hook> with sh -e when it exists.
func huskyV9(t *testing.T, r *gittest.Repo) {
	writeExec(t, filepath.Join(r.Dir, ".husky", "_", "h"), `#!/usr/bin/env sh
n=$(basename "$0")
s=$(dirname "$(dirname "$0")")/$n
[ -f "$s" ] || exit 0
sh -e "$s" "$@"
`, 0o755)
	for _, h := range []string{"pre-commit", "pre-push"} {
		writeExec(t, filepath.Join(r.Dir, ".husky", "_", h), "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n", 0o755)
	}
	r.Git("config", "core.hooksPath", ".husky/_")
}

// huskyV8 lays out husky 5-8: core.hooksPath=.husky, hook files that source
// .husky/_/husky.sh.
func huskyV8(t *testing.T, r *gittest.Repo) {
	writeExec(t, filepath.Join(r.Dir, ".husky", "_", "husky.sh"), "#!/usr/bin/env sh\n# husky runner stand-in\n", 0o644)
	r.Git("config", "core.hooksPath", ".husky")
}

func TestHusky9CreatesHookFileAndRemovesIt(t *testing.T) {
	r := newRepo(t)
	huskyV9(t, r)
	plan := install(t, r.Dir)
	user := filepath.Join(r.Dir, ".husky", "pre-commit")
	if plan.Layout.Husky == nil || plan.Layout.Husky.Major != 9 || plan.Actions[0].Kind != hooks.ActHuskyCreate || plan.Actions[0].Path != user {
		t.Fatalf("plan = %s", plan)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, ".husky", "_", "pre-commit.secfirst-chained")); err == nil {
		t.Fatal("husky's generated hook was chained instead of using .husky/pre-commit")
	}
	line, key := secretLine()
	r.Write("k.env", line)
	r.Git("add", "k.env")
	out, err := commit(r)
	mustBlock(t, out, err, key)
	if again := install(t, r.Dir); again.Changes() {
		t.Fatalf("second install changes: %s", again)
	}
	st, _ := hooks.Status(context.Background(), r.Dir)
	if h := st.Hook("pre-commit"); !h.Installed || h.Manager != hooks.Husky || h.Path != user {
		t.Fatalf("status = %+v", h)
	}
	uninstall(t, r.Dir)
	if _, err := os.Stat(user); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the hook file secfirst created is still there")
	}
}

func TestHusky8AppendsToExistingHookAndRestoresIt(t *testing.T) {
	r := newRepo(t)
	huskyV8(t, r)
	user := filepath.Join(r.Dir, ".husky", "pre-commit")
	original := "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\necho LINT-RAN >&2" // no final newline
	writeExec(t, user, original, 0o755)
	plan := install(t, r.Dir)
	if plan.Layout.Husky == nil || plan.Layout.Husky.Major != 8 || plan.Actions[0].Kind != hooks.ActHuskyAdd {
		t.Fatalf("plan = %s", plan)
	}
	got := readFile(t, user)
	if !bytes.HasPrefix(got, []byte(original)) || !bytes.Contains(got, []byte("secfirst hook pre-commit")) {
		t.Fatalf("husky file = %s", got)
	}
	line, key := secretLine()
	r.Write("k.env", line)
	r.Git("add", "k.env")
	out, err := commit(r)
	mustBlock(t, out, err, key)
	if !strings.Contains(out, "LINT-RAN") {
		t.Fatalf("the user's husky commands did not run:\n%s", out)
	}
	st, _ := hooks.Status(context.Background(), r.Dir)
	if h := st.Hook("pre-commit"); !h.Installed || !h.Chained {
		t.Fatalf("status = %+v", h)
	}
	uninstall(t, r.Dir)
	if got := readFile(t, user); string(got) != original {
		t.Fatalf("husky file not restored byte for byte: %q", got)
	}
}

func TestPreCommitFrameworkGetsASnippet(t *testing.T) {
	r := newRepo(t)
	hookPath := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")
	theirs := "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\nexit 0\n"
	writeExec(t, hookPath, theirs, 0o755)
	plan, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: secfirstBin, Version: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Changes() || len(plan.Snippets()) != 1 {
		t.Fatalf("plan = %s", plan)
	}
	a := plan.Snippets()[0]
	if a.Manager != hooks.PreCommitFramework || !strings.Contains(a.Snippet, "id: secfirst") || !strings.Contains(a.Snippet, "rev: v1.2.3") ||
		filepath.Base(a.Path) != ".pre-commit-config.yaml" {
		t.Fatalf("snippet action = %+v", a)
	}
	if err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
	if string(readFile(t, hookPath)) != theirs {
		t.Fatal("pre-commit's hook was touched")
	}
	// Once the configuration runs secfirst, status says so.
	r.Write(".pre-commit-config.yaml", a.Snippet)
	st, _ := hooks.Status(context.Background(), r.Dir)
	if h := st.Hook("pre-commit"); !h.Installed || h.Manager != hooks.PreCommitFramework {
		t.Fatalf("status = %+v", h)
	}
	// --force chains their hook like any other.
	forced, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: secfirstBin, Force: true})
	if err != nil || len(forced.Actions) != 2 || forced.Actions[0].Kind != hooks.ActChain {
		t.Fatalf("forced plan = %s (%v)", forced, err)
	}
}

func TestLefthookGetsASnippet(t *testing.T) {
	r := newRepo(t)
	r.Write("lefthook.yml", "pre-commit:\n  commands:\n    lint:\n      run: make lint\n")
	hookPath := filepath.Join(r.Dir, ".git", "hooks", "pre-push")
	writeExec(t, hookPath, "#!/bin/sh\ncall_lefthook()\n{\n  lefthook \"$@\"\n}\ncall_lefthook run \"pre-push\" \"$@\"\n", 0o755)
	plan, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: secfirstBin, Hooks: []string{"pre-push"}})
	if err != nil {
		t.Fatal(err)
	}
	s := plan.Snippets()
	if plan.Changes() || len(s) != 1 || s[0].Manager != hooks.Lefthook ||
		!strings.Contains(s[0].Snippet, "then secfirst hook pre-push;") || !strings.Contains(s[0].Snippet, "use_stdin: true") {
		t.Fatalf("plan = %s", plan)
	}
}

func TestOutsideARepository(t *testing.T) {
	dir := t.TempDir()
	if _, err := hooks.PlanInstall(context.Background(), dir, hooks.InstallOptions{Binary: secfirstBin}); !hooks.IsNotARepository(err) {
		t.Fatalf("err = %v", err)
	}
	if _, err := hooks.Status(context.Background(), dir); !hooks.IsNotARepository(err) {
		t.Fatalf("err = %v", err)
	}
}

func gitIn(r *gittest.Repo, dir string, args ...string) (string, error) {
	c := *r
	c.Dir = dir
	return c.GitErr(args...)
}

func TestBinaryPathWithQuotesAndSpaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "o'brien's tools", "$HOME `x`")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "secfirst")
	if err := os.Link(secfirstBin, bin); err != nil {
		t.Fatal(err)
	}
	r := newRepo(t)
	p, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: bin})
	if err != nil || p.Apply() != nil {
		t.Fatal(err)
	}
	// Only this copy can run it: PATH has no secfirst.
	noBin := *r
	noBin.Env = withoutSecfirstOnPath(r.Env)
	line, key := secretLine()
	r.Write("k.env", line)
	r.Git("add", "k.env")
	out, err := commit(&noBin)
	mustBlock(t, out, err, key)
}

// withoutSecfirstOnPath drops the test build's directory from PATH.
func withoutSecfirstOnPath(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			var keep []string
			for _, d := range filepath.SplitList(strings.TrimPrefix(kv, "PATH=")) {
				if d != filepath.Dir(secfirstBin) {
					keep = append(keep, d)
				}
			}
			kv = "PATH=" + strings.Join(keep, string(os.PathListSeparator))
		}
		out = append(out, kv)
	}
	return out
}

func TestHuskySetUpAfterInstall(t *testing.T) {
	r := newRepo(t)
	install(t, r.Dir)
	// `npm install` later points git at husky's folder (not generated yet here).
	r.Git("config", "core.hooksPath", ".husky/_")
	st, err := hooks.Status(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if h := st.Hook("pre-commit"); h.Installed || !strings.Contains(h.Problem, "ignored by git") {
		t.Fatalf("status = %+v", h)
	}
	plan := install(t, r.Dir)
	if plan.Layout.Husky == nil || plan.Actions[0].Kind != hooks.ActHuskyCreate {
		t.Fatalf("plan = %s", plan)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, ".husky", "_", "pre-commit")); err == nil {
		t.Fatal("secfirst wrote into husky's generated folder")
	}
}

// One install for both hooks edits one configuration file twice: the second
// edit goes on top of the first.
func TestEditConfigForBothHooks(t *testing.T) {
	for _, m := range []struct {
		manager, hook, config, content string
	}{
		{"lefthook", "#!/bin/sh\ncall_lefthook run \"$1\"\n", "lefthook.yml", "pre-commit:\n  commands:\n    lint:\n      run: make lint\n"},
		{"pre-commit", "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n", ".pre-commit-config.yaml", "repos:\n  - repo: local\n    hooks:\n      - id: x\n        name: x\n        entry: x\n        language: system\n"},
	} {
		t.Run(m.manager, func(t *testing.T) {
			r := newRepo(t)
			for _, h := range hooks.Names {
				writeExec(t, filepath.Join(r.Dir, ".git", "hooks", h), m.hook, 0o755)
			}
			r.Write(m.config, m.content)
			p, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: secfirstBin, Hooks: hooks.Names, EditConfig: true, Version: "0.1.0"})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Apply(); err != nil {
				t.Fatal(err)
			}
			got := string(readFile(t, filepath.Join(r.Dir, m.config)))
			if !strings.HasPrefix(got, m.content) {
				t.Fatalf("the team's lines changed:\n%s", got)
			}
			st, err := hooks.Status(context.Background(), r.Dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hooks.Names {
				if !st.Hook(h).Installed {
					t.Fatalf("%s not installed after editing %s:\n%s", h, m.config, got)
				}
			}
		})
	}
}
