package hooks_test

import (
	"bufio"
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

// End-to-end tests with the real hook managers: Debian's pre-commit package,
// husky and lefthook from npm (.ci/run installs them). A test whose tool is
// missing is skipped, saying which.

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed (.ci/run installs it): %v", name, err)
	}
}

// tool runs a hook manager's command in the repository, with the
// repository's environment (and a pre-commit cache of the test's own).
func tool(t *testing.T, r *gittest.Repo, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = r.Dir, r.Env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustTool(t *testing.T, r *gittest.Repo, name string, args ...string) string {
	t.Helper()
	out, err := tool(t, r, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// managedRepo is a repository whose environment gives the pre-commit
// framework a cache of its own.
func managedRepo(t *testing.T) *gittest.Repo {
	r := newRepo(t)
	r.Env = append(r.Env, "PRE_COMMIT_HOME="+filepath.Join(t.TempDir(), "pre-commit"))
	return r
}

// docRecipe is the first code block under the heading (of any level) named
// heading in docs/hooks.md: the tests run the documented recipes exactly.
func docRecipe(t *testing.T, heading string) string {
	t.Helper()
	fh, err := os.Open(filepath.Join("..", "docs", "hooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var b strings.Builder
	found, inBlock := false, false
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !found:
			found = strings.HasPrefix(line, "#") && strings.TrimSpace(strings.TrimLeft(line, "#")) == heading
		case strings.HasPrefix(line, "```"):
			if inBlock {
				return b.String()
			}
			inBlock = true
		case inBlock:
			b.WriteString(line + "\n")
		case strings.HasPrefix(line, "#"):
			t.Fatalf("docs/hooks.md: no code block under %q", heading)
		}
	}
	t.Fatalf("docs/hooks.md has no heading %q", heading)
	return ""
}

// hooksRepo is secfirst's repository as the pre-commit framework clones
// it: .pre-commit-hooks.yaml committed. It returns its path and commit,
// for a configuration's `repo:` and `rev:` (GitHub is out of reach here).
func hooksRepo(t *testing.T) (string, string) {
	hr := newRepo(t)
	hr.Write(".pre-commit-hooks.yaml", string(readFile(t, filepath.Join("..", ".pre-commit-hooks.yaml"))))
	return hr.Dir, hr.Commit("hooks")
}

// localRepoConfig points a configuration that names secfirst's repository
// at a local copy of it.
func localRepoConfig(cfg, dir, rev string) string {
	lines := strings.Split(cfg, "\n")
	for i, l := range lines {
		if strings.Contains(l, hooks.SecfirstRepo) {
			lines[i] = strings.Replace(l, hooks.SecfirstRepo, dir, 1)
			if j := i + 1; j < len(lines) && strings.Contains(lines[j], "rev:") {
				lines[j] = lines[j][:strings.Index(lines[j], "rev:")] + "rev: " + rev
			}
		}
	}
	return strings.Join(lines, "\n")
}

const noTabsHook = `  - repo: local
    hooks:
      - id: no-tabs
        name: no tabs
        entry: "\t"
        language: pygrep
        types: [text]
`

// The pre-commit framework, as a team uses it: secfirst's entry goes under
// the team's `repos:` (their hooks keep running), a staged secret is
// blocked, `pre-commit run --all-files` finds a committed one, and without
// secfirst on PATH the commit goes ahead with a warning.
func TestPreCommitFramework(t *testing.T) {
	needTool(t, "pre-commit")
	dir, rev := hooksRepo(t)
	mustTool(t, newRepo(t), "pre-commit", "validate-manifest", filepath.Join(dir, ".pre-commit-hooks.yaml"))

	r := managedRepo(t)
	r.Write(".pre-commit-config.yaml", "# the team's hooks\nrepos:\n"+noTabsHook+"\n# pre-commit.ci\nci:\n  autofix_prs: false\n")
	r.Write("README.md", "demo\n")
	r.Commit("init")
	mustTool(t, r, "pre-commit", "install")

	plan, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: secfirstBin, Version: "0.1.0", EditConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Actions) != 1 || plan.Actions[0].Kind != hooks.ActConfig || !strings.Contains(plan.Actions[0].Summary, "under `repos:`") {
		t.Fatalf("plan = %s", plan)
	}
	if err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
	cfg := string(readFile(t, filepath.Join(r.Dir, ".pre-commit-config.yaml")))
	if strings.Count(cfg, "repos:") != 1 || !strings.Contains(cfg, "# pre-commit.ci\nci:") {
		t.Fatalf("edited configuration:\n%s", cfg)
	}
	mustTool(t, r, "pre-commit", "validate-config", ".pre-commit-config.yaml")
	r.Write(".pre-commit-config.yaml", localRepoConfig(cfg, dir, rev))
	r.Git("add", ".pre-commit-config.yaml")
	st, err := hooks.Status(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if h := st.Hook("pre-commit"); !h.Installed || h.Manager != hooks.PreCommitFramework {
		t.Fatalf("status = %+v", h)
	}

	// The team's own hook still runs.
	r.Write("tabs.txt", "\tindented\n")
	r.Git("add", "tabs.txt")
	out, err := commit(r)
	if err == nil || !strings.Contains(out, "no tabs") {
		t.Fatalf("the team's no-tabs hook did not stop a staged tab (err %v):\n%s", err, out)
	}
	r.Git("rm", "-q", "--cached", "tabs.txt")

	// secfirst blocks a staged secret.
	line, key := secretLine()
	r.Write("k.env", line)
	r.Git("add", "k.env")
	out, err = commit(r)
	mustBlock(t, out, err, key)
	r.Git("rm", "-q", "--cached", "k.env")
	out, err = commit(r)
	mustPass(t, out, err)

	// `pre-commit run --all-files` scans the files: a secret committed
	// without the hook is found, not passed over.
	r.Write("old.env", line)
	r.Git("add", "old.env")
	r.Git("commit", "-q", "--no-verify", "-m", "skipped the hooks")
	out, err = tool(t, r, "pre-commit", "run", "--all-files")
	if err == nil || !strings.Contains(out, "old.env\n") || !strings.Contains(out, "aws-access-token") {
		t.Fatalf("pre-commit run --all-files did not find the committed secret (err %v):\n%s", err, out)
	}
	noSecret(t, out, key)

	// Without secfirst on PATH: a loud warning, and the commit goes ahead.
	r.Write("k2.env", line)
	r.Git("add", "k2.env")
	warnsWithoutSecfirst(t, r)
}

// warnsWithoutSecfirst commits what is staged with no secfirst on PATH:
// the commit goes ahead with the warning every recipe and the installed
// hook print.
func warnsWithoutSecfirst(t *testing.T, r *gittest.Repo) {
	t.Helper()
	noBin := *r
	noBin.Env = withoutSecfirstOnPath(r.Env)
	out, err := commit(&noBin)
	mustPass(t, out, err)
	if !strings.Contains(out, "secfirst: WARNING: secfirst is not on PATH; this commit was NOT checked") {
		t.Fatalf("no warning without secfirst:\n%s", out)
	}
}

// The documented recipe (docs/hooks.md) works as written, commit and push.
func TestPreCommitFrameworkRecipe(t *testing.T) {
	needTool(t, "pre-commit")
	dir, rev := hooksRepo(t)
	r := managedRepo(t)
	origin := filepath.Join(t.TempDir(), "origin.git")
	r.Git("init", "-q", "--bare", origin)
	r.Git("remote", "add", "origin", origin)
	recipe := docRecipe(t, "pre-commit framework")
	push := docRecipe(t, "pre-commit framework, pre-push")
	cfg := recipe + push
	if out, _ := tool(t, r, "pre-commit", "--version"); strings.Contains(out, "pre-commit 2.") || strings.Contains(out, "pre-commit 3.0.") || strings.Contains(out, "pre-commit 3.1.") {
		cfg = strings.Replace(cfg, "stages: [pre-push]", "stages: [push]", 1) // as the recipe's comment says
	}
	r.Write(".pre-commit-config.yaml", localRepoConfig(cfg, dir, rev))
	r.Write("README.md", "demo\n")
	r.Commit("init")
	mustTool(t, r, "pre-commit", "validate-config", ".pre-commit-config.yaml")
	mustTool(t, r, "pre-commit", "install", "--hook-type", "pre-commit", "--hook-type", "pre-push")
	st, err := hooks.Status(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range hooks.Names {
		if h := st.Hook(name); !h.Installed || h.Manager != hooks.PreCommitFramework {
			t.Fatalf("%s status = %+v", name, h)
		}
	}
	r.Git("push", "-q", "--no-verify", "origin", "main")

	line, key := secretLine()
	r.Write("k.env", line)
	r.Git("add", "k.env")
	out, err := commit(r)
	mustBlock(t, out, err, key)
	r.Git("commit", "-q", "--no-verify", "-m", "key, skipping the hooks")
	out, err = r.GitErr("push", "origin", "main")
	if err == nil || !strings.Contains(out, "secfirst: this push is blocked") {
		t.Fatalf("push of a secret not blocked (err %v):\n%s", err, out)
	}
	noSecret(t, out, key)
}

// `pre-commit install` keeps secfirst's hook as pre-commit.legacy and runs
// it: status says so, uninstall takes it out and puts the hook it chained
// in its place, where pre-commit runs it and `pre-commit uninstall` puts it
// back.
func TestPreCommitInstallKeepsSecfirstAsLegacy(t *testing.T) {
	needTool(t, "pre-commit")
	r := managedRepo(t)
	hookPath := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")
	userHook := "#!/bin/sh\necho \"USER-HOOK as $(basename \"$0\")\" >&2\n"
	writeExec(t, hookPath, userHook, 0o750)
	install(t, r.Dir)
	r.Write(".pre-commit-config.yaml", "repos:\n"+noTabsHook)
	r.Commit("init")
	mustTool(t, r, "pre-commit", "install")
	legacy := hookPath + ".legacy"

	st, err := hooks.Status(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	h := st.Hook("pre-commit")
	if !h.Installed || h.Path != legacy || !strings.Contains(h.RunBy, "pre-commit framework") || !h.Chained {
		t.Fatalf("status after `pre-commit install` = %+v", h)
	}
	if again := install(t, r.Dir); again.Changes() || !strings.Contains(again.Actions[0].Summary, "pre-commit.legacy") {
		t.Fatalf("install again = %s", again)
	}
	line, key := secretLine()
	r.Write("k.env", line)
	r.Git("add", "k.env")
	out, err := commit(r)
	mustBlock(t, out, err, key)
	if !strings.Contains(out, "USER-HOOK as pre-commit") {
		t.Fatalf("the chained hook did not run under its own name:\n%s", out)
	}

	plan := uninstall(t, r.Dir)
	if plan.Actions[0].Kind != hooks.ActRestore || plan.Actions[0].Path != legacy {
		t.Fatalf("uninstall plan = %s", plan)
	}
	if st, _ := hooks.Status(context.Background(), r.Dir); st.Hook("pre-commit").Installed {
		t.Fatalf("still installed after uninstall: %+v", st.Hook("pre-commit"))
	}
	out, err = commit(r) // pre-commit runs the user's hook; secfirst is gone
	mustPass(t, out, err)
	if !strings.Contains(out, "USER-HOOK") || strings.Contains(out, "secfirst:") {
		t.Fatalf("after uninstall:\n%s", out)
	}
	mustTool(t, r, "pre-commit", "uninstall")
	if got := fileSnapshot(t, hookPath); got != "-rwxr-x---\n"+userHook {
		t.Fatalf("the user's hook after `pre-commit uninstall` = %q", got)
	}
}

// `lefthook install` moves secfirst's hook to pre-commit.old and never
// runs it: status says so (a real commit proves it); install adds secfirst
// to lefthook.yml; uninstall removes the .old file.
func TestLefthookInstallLeavesSecfirstAsOld(t *testing.T) {
	needTool(t, "lefthook")
	r := managedRepo(t)
	r.Write("lefthook.yml", "# the team's hooks\npre-commit:\n  commands:\n    lint:\n      run: echo LINT-RAN\n")
	r.Write("README.md", "demo\n")
	r.Commit("init")
	install(t, r.Dir)
	mustTool(t, r, "lefthook", "install")
	old := filepath.Join(r.Dir, ".git", "hooks", "pre-commit.old")

	st, err := hooks.Status(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if h := st.Hook("pre-commit"); h.Installed || !strings.Contains(h.Problem, old) || !strings.Contains(h.Problem, "does not run it") {
		t.Fatalf("status after `lefthook install` = %+v", h)
	}
	line, key := secretLine()
	r.Write("k.env", line)
	r.Git("add", "k.env")
	out, err := commit(r)
	if err != nil || strings.Contains(out, "secfirst") || !strings.Contains(out, "LINT-RAN") {
		t.Fatalf("lefthook ran secfirst's .old hook after all (err %v):\n%s", err, out)
	}

	plan, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: secfirstBin, EditConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Actions[0].Kind != hooks.ActConfig || len(plan.Notes) == 0 || !strings.Contains(strings.Join(plan.Notes, "\n"), "pre-commit.old") {
		t.Fatalf("plan = %s", plan)
	}
	if err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
	mustTool(t, r, "lefthook", "validate")
	if st, _ := hooks.Status(context.Background(), r.Dir); !st.Hook("pre-commit").Installed {
		t.Fatalf("status after adding secfirst to lefthook.yml = %+v", st.Hook("pre-commit"))
	}
	r.Write("k2.env", line)
	r.Git("add", "k2.env")
	out, err = commit(r)
	mustBlock(t, out, err, key)

	plan = uninstall(t, r.Dir, "pre-commit")
	if _, err := os.Lstat(old); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s is still there after uninstall: %s", old, plan)
	}
	if !strings.Contains(plan.String(), "remove the secfirst entry from lefthook.yml by hand") {
		t.Fatalf("uninstall plan does not say lefthook.yml still runs secfirst:\n%s", plan)
	}
}

// lefthook-local.yml is merged over lefthook.yml as lefthook merges it:
// status says installed exactly when a real commit runs secfirst.
func TestLefthookLocalConfig(t *testing.T) {
	needTool(t, "lefthook")
	const run = "      run: secfirst hook pre-commit\n"
	for _, tc := range []struct {
		name, main, local string
		runs              bool
	}{
		{"only in local", "pre-commit:\n  commands:\n    lint:\n      run: echo LINT\n", "pre-commit:\n  commands:\n    secfirst:\n" + run, true},
		{"skipped in local", "pre-commit:\n  commands:\n    secfirst:\n" + run, "pre-commit:\n  commands:\n    secfirst:\n      skip: true\n", false},
		{"wrapped in local with {cmd}", "pre-commit:\n  commands:\n    secfirst:\n" + run, "pre-commit:\n  commands:\n    secfirst:\n      run: echo WRAPPED && {cmd}\n", true},
		{"job skipped in local", "pre-commit:\n  jobs:\n    - name: secfirst\n" + run, "pre-commit:\n  jobs:\n    - name: secfirst\n      skip: true\n", false},
		{"hook skipped in local", "pre-commit:\n  commands:\n    secfirst:\n" + run, "pre-commit:\n  skip: true\n", false},
		{"local only, no main file", "", "pre-commit:\n  commands:\n    secfirst:\n" + run, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := managedRepo(t)
			if tc.main != "" {
				r.Write("lefthook.yml", tc.main)
			}
			r.Write("lefthook-local.yml", tc.local)
			r.Write("README.md", "demo\n")
			r.Commit("init")
			mustTool(t, r, "lefthook", "install")
			st, err := hooks.Status(context.Background(), r.Dir)
			if err != nil {
				t.Fatal(err)
			}
			line, key := secretLine()
			r.Write("k.env", line)
			r.Git("add", "k.env")
			out, err := commit(r)
			ran := strings.Contains(out, "secfirst: this commit is blocked")
			noSecret(t, out, key)
			if ran != tc.runs || (err != nil) != tc.runs {
				t.Fatalf("lefthook ran secfirst: %v, want %v (err %v):\n%s", ran, tc.runs, err, out)
			}
			if got := st.Hook("pre-commit").Installed; got != tc.runs {
				t.Fatalf("status says installed = %v; lefthook runs secfirst: %v", got, tc.runs)
			}
		})
	}
}

// The lefthook recipe of docs/hooks.md, as written: it blocks a staged
// secret, and warns without secfirst on PATH, as the installed hook does.
func TestLefthookRecipe(t *testing.T) {
	needTool(t, "lefthook")
	r := managedRepo(t)
	r.Write("lefthook.yml", docRecipe(t, "lefthook"))
	r.Write("README.md", "demo\n")
	r.Commit("init")
	mustTool(t, r, "lefthook", "install")
	if st, _ := hooks.Status(context.Background(), r.Dir); !st.Hook("pre-commit").Installed {
		t.Fatalf("status = %+v", st.Hook("pre-commit"))
	}
	line, key := secretLine()
	r.Write("k.env", line)
	r.Git("add", "k.env")
	out, err := commit(r)
	mustBlock(t, out, err, key)
	warnsWithoutSecfirst(t, r)
}

// husky: the recipe of docs/hooks.md counts as installed (install adds no
// second block), and after `husky init` uninstall removes secfirst's hook
// left in .git/hooks. Recipe and installed block both warn without
// secfirst on PATH.
func TestHuskyRecipeAndInit(t *testing.T) {
	needTool(t, "husky")
	r := managedRepo(t)
	r.Write("package.json", `{"name": "demo", "version": "1.0.0", "scripts": {"test": "echo TESTS-RAN"}}`+"\n")
	r.Commit("init")
	install(t, r.Dir)
	dead := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")
	mustTool(t, r, "husky", "init")
	st, err := hooks.Status(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if h := st.Hook("pre-commit"); h.Installed || !strings.Contains(h.Problem, "ignored by git") {
		t.Fatalf("status after `husky init` = %+v", h)
	}

	r.Write(".husky/pre-commit", "npm test\n"+docRecipe(t, "husky"))
	st, _ = hooks.Status(context.Background(), r.Dir)
	if h := st.Hook("pre-commit"); !h.Installed || h.Manager != hooks.Husky || !h.Chained {
		t.Fatalf("status with the recipe = %+v", h)
	}
	line, key := secretLine()
	r.Write("k.env", line)
	r.Git("add", "k.env")
	out, err := commit(r)
	mustBlock(t, out, err, key)
	if n := strings.Count(out, "secfirst: this commit is blocked"); n != 1 || !strings.Contains(out, "TESTS-RAN") {
		t.Fatalf("secfirst ran %d times, or npm test did not run:\n%s", n, out)
	}
	warnsWithoutSecfirst(t, r)

	plan := uninstall(t, r.Dir, "pre-commit")
	if _, err := os.Lstat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("secfirst's hook left in .git/hooks was not removed: %s", plan)
	}
	if !strings.Contains(plan.String(), "remove it by hand") {
		t.Fatalf("uninstall does not say the recipe's line stays:\n%s", plan)
	}

	// secfirst's own block behaves the same without secfirst.
	r.Write(".husky/pre-commit", "npm test\n")
	install(t, r.Dir)
	r.Write("k3.env", line)
	r.Git("add", "k3.env")
	warnsWithoutSecfirst(t, r)
}
