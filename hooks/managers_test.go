package hooks

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// toolOrSkip returns the path of a hook manager's command, or skips the
// test saying why (the end-to-end tests need the real tool).
func toolOrSkip(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (see .ci/run for how CI installs it): %v", name, err)
	}
	return p
}

// runTool runs a hook manager's command in dir and fails the test on error.
func runTool(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func toolEnv(t *testing.T) []string {
	return append(os.Environ(), "PRE_COMMIT_HOME="+filepath.Join(t.TempDir(), "pre-commit-home"), "LEFTHOOK_VERBOSE=0")
}

// The entry goes under the existing `repos:`: every other byte of the file
// stays, and pre-commit itself reads the result with the user's hooks and
// secfirst's.
func TestAddToPreCommitConfig(t *testing.T) {
	const userHooks = `  - repo: local
    hooks:
      - id: no-tabs
        name: no tabs
        entry: "\t"
        language: pygrep
`
	for _, tc := range []struct {
		name, in string
		where    string
	}{
		{"empty file", "", "as a new file"},
		{"comments only", "# nothing yet\n", "at the end"},
		{"repos, comments, blank lines, a key after", "# team hooks\nrepos:\n" + userHooks + "\n  # more later\n\n# CI\nci:\n  autofix_prs: false\n", "under `repos:`"},
		{"dashes at the key's column", "repos:\n- repo: local\n  hooks:\n  - id: no-tabs\n    name: no tabs\n    entry: \"\\t\"\n    language: pygrep\nfail_fast: true\n", "under `repos:`"},
		{"no final newline", "repos:\n" + strings.TrimSuffix(userHooks, "\n"), "under `repos:`"},
		{"CRLF", strings.ReplaceAll("repos:\n"+userHooks+"fail_fast: true\n", "\n", "\r\n"), "under `repos:`"},
		{"empty repos", "default_language_version:\n  python: python3\nrepos:\n", "under `repos:`"},
		{"no repos key", "fail_fast: true\n", "at the end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newLayoutRepo(t)
			writeTestFile(t, filepath.Join(r.Root, PreCommitConfig), tc.in)
			if tc.name == "empty file" {
				os.Remove(filepath.Join(r.Root, PreCommitConfig))
			}
			c, err := planPreCommitChange(PreCommit, r, "1.2.3", nil)
			if err != nil || c.Content == nil {
				t.Fatalf("change = %+v, %v", c, err)
			}
			if c.Where != tc.where {
				t.Errorf("where = %q, want %q", c.Where, tc.where)
			}
			got := string(c.Content)
			if !strings.Contains(got, "rev: v1.2.3") || !strings.Contains(got, "id: secfirst-system") {
				t.Fatalf("edited file lacks secfirst's entry:\n%s", got)
			}
			// Nothing but the added lines changed.
			added := strings.Join(c.Lines, lineEnd(tc.in)) + lineEnd(tc.in)
			if strings.Replace(got, added, "", 1) != withFinalNewline(tc.in) && strings.Replace(got, added, "", 1) != tc.in {
				t.Fatalf("the edit changed more than the added lines:\n--- before\n%s\n--- after\n%s", tc.in, got)
			}
			if preCommitConfigHas(c.Content, PreCommit) != true {
				t.Fatal("the edited file does not run secfirst for pre-commit")
			}
			if _, err := exec.LookPath("pre-commit"); err == nil {
				p := filepath.Join(t.TempDir(), PreCommitConfig)
				writeTestFile(t, p, got)
				runTool(t, r.Root, toolEnv(t), "pre-commit", "validate-config", p)
			}
		})
	}
}

func TestPreCommitConfigNotEditable(t *testing.T) {
	for name, in := range map[string]string{
		"flow repos":     "repos: [{repo: local, hooks: [{id: x, name: x, entry: x, language: system}]}]\n",
		"does not parse": "repos:\n  - repo: [\n",
		"a list":         "- repo: local\n",
	} {
		t.Run(name, func(t *testing.T) {
			r := newLayoutRepo(t)
			writeTestFile(t, filepath.Join(r.Root, PreCommitConfig), in)
			c, err := planPreCommitChange(PreCommit, r, "1.2.3", nil)
			if err == nil && c.Content != nil {
				t.Fatalf("an edit was planned:\n%s", c.Content)
			}
			if err == nil && (c.NotEditable == "" || len(c.Lines) == 0) {
				t.Fatalf("no reason or no lines to add by hand: %+v", c)
			}
		})
	}
	// A development build has no release to put in `rev:`.
	r := newLayoutRepo(t)
	c, err := planPreCommitChange(PreCommit, r, "dev", nil)
	if err != nil || c.Content != nil || !strings.Contains(c.NotEditable, "development build") || !strings.Contains(strings.Join(c.Lines, "\n"), "rev: vX.Y.Z") {
		t.Fatalf("dev build: %+v, %v", c, err)
	}
}

// secfirst's command goes where lefthook's configuration already has the
// hook's commands (or jobs), and lefthook itself reads the result.
func TestAddToLefthookConfig(t *testing.T) {
	for _, tc := range []struct {
		name, file, in string
		hook, where    string
	}{
		{"new file", "", "", PreCommit, "as a new file"},
		{"other hook only", "lefthook.yml", "# lint on push\npre-push:\n  commands:\n    test:\n      run: make test\n", PreCommit, "at the end"},
		{"commands", "lefthook.yml", "pre-commit:\n  parallel: true\n  commands:\n    # the linter\n    lint:\n      run: make lint\n\n    fmt:\n      run: gofmt -l .\n\npre-push:\n  commands:\n    test:\n      run: make test\n", PreCommit, "under `pre-commit:` → `commands:`"},
		{"jobs", ".lefthook.yml", "pre-commit:\n  jobs:\n    - name: lint\n      run: make lint\n", PreCommit, "under `pre-commit:` → `jobs:`"},
		{"hook without commands", "lefthook.yaml", "pre-commit:\n  parallel: true\nskip_lfs: true\n", PreCommit, "under `pre-commit:`"},
		{"empty hook", "lefthook.yml", "pre-commit:\npre-push:\n  commands:\n    test:\n      run: make test\n", PreCommit, "under `pre-commit:`"},
		{"name taken, pre-push", "lefthook.yml", "pre-push:\n  commands:\n    secfirst:\n      run: echo an older secfirst step\n", PrePush, "under `pre-push:` → `commands:`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newLayoutRepo(t)
			if tc.file != "" {
				writeTestFile(t, filepath.Join(r.Root, tc.file), tc.in)
			}
			c, err := planLefthookChange(tc.hook, r, nil)
			if err != nil || c.Content == nil {
				t.Fatalf("change = %+v, %v", c, err)
			}
			if c.Where != tc.where {
				t.Errorf("where = %q, want %q", c.Where, tc.where)
			}
			added := strings.Join(c.Lines, "\n") + "\n"
			if got := strings.Replace(string(c.Content), added, "", 1); got != tc.in {
				t.Fatalf("the edit changed more than the added lines:\n--- before\n%s\n--- after\n%s", tc.in, c.Content)
			}
			writeTestFile(t, c.Path, string(c.Content))
			if runs, _ := lefthookRuns(r.Root, tc.hook); !runs {
				t.Fatalf("the edited configuration does not run secfirst:\n%s", c.Content)
			}
			if _, err := exec.LookPath("lefthook"); err == nil {
				runTool(t, r.Root, toolEnv(t), "lefthook", "validate")
				dump := runTool(t, r.Root, toolEnv(t), "lefthook", "dump")
				if !strings.Contains(dump, "secfirst hook "+tc.hook) {
					t.Fatalf("lefthook dump does not show secfirst:\n%s", dump)
				}
			}
		})
	}
}

func lineEnd(s string) string {
	if strings.Contains(s, "\r\n") {
		return "\r\n"
	}
	return "\n"
}

func withFinalNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

func writeTestFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newLayoutRepo is the layout of a new, empty repository.
func newLayoutRepo(t *testing.T) *Layout {
	root := t.TempDir()
	runTool(t, root, os.Environ(), "git", "init", "-q")
	return &Layout{Root: root, GitDir: filepath.Join(root, ".git"), CommonDir: filepath.Join(root, ".git"), HooksDir: filepath.Join(root, ".git", "hooks")}
}

func TestRunsSecfirst(t *testing.T) {
	for text, want := range map[string]bool{
		"secfirst hook pre-commit\n":                       true,
		"npx lint-staged\nnpx secfirst hook pre-commit\n":  true,
		"/usr/local/bin/secfirst hook pre-commit \"$@\"\n": true,
		"  if x; then secfirst hook pre-commit; fi\n":      true,
		"# secfirst hook pre-commit\n":                     false,
		"secfirst hook pre-push\n":                         false,
		"mysecfirst hook pre-commit\n":                     false,
		"secfirst hook pre-commitx\n":                      false,
		"echo hi # then: secfirst hook pre-commit\n":       false,
		"test -x secfirst && secfirst  hook  pre-commit\n": true,
		"exec \"$secfirst\" hook pre-commit \"$@\"\n":      false,
		"secfirst scan --staged\nsecfirst hook pre-commit": true,
	} {
		if got := runsSecfirst(text, PreCommit); got != want {
			t.Errorf("runsSecfirst(%q) = %v, want %v", text, got, want)
		}
	}
}

// A lefthook.toml nested deep enough to cost BurntSushi/toml gigabytes is
// refused before it is decoded, naming the file.
func TestNestedLefthookTomlIsRefused(t *testing.T) {
	r := newLayoutRepo(t)
	writeTestFile(t, filepath.Join(r.Root, "lefthook.toml"), "["+strings.Repeat("a.", 20000)+"pre-commit]\nparallel = true\n")
	_, err := lefthookHook(findLefthook(r.Root), PreCommit)
	if err == nil || !strings.Contains(err.Error(), "lefthook.toml") || !strings.Contains(err.Error(), "nest more than 64 levels") {
		t.Fatalf("err = %v, want the nested lefthook.toml refused", err)
	}
	if runs, _ := lefthookRuns(r.Root, PreCommit); runs {
		t.Error("a refused lefthook.toml runs secfirst")
	}
}
