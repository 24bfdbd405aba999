package secrets_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

func scan(t *testing.T, r *gittest.Repo, mode checks.Mode, env ...string) []checks.Finding {
	t.Helper()
	src, err := checks.NewRepoSource(context.Background(), r.Dir, mode)
	if err != nil {
		t.Fatal(err)
	}
	src.Env = append(append([]string{}, r.Env...), env...)
	res, err := secrets.New().Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return res.Findings
}

func rules(fs []checks.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+"@"+f.Location())
	}
	return out
}

func TestStagedOnlyWorkingTreeSecretIsNotThisCommitsBusiness(t *testing.T) {
	r := gittest.New(t)
	r.Write("app.py", "print('hello')\n")
	r.Commit("init")
	r.Write("app.py", "print('hello')\ntoken = \""+gittest.FakeGitHubToken()+"\"\n")
	if got := scan(t, r, checks.ModeStaged); len(got) != 0 {
		t.Fatalf("unstaged secret reported in staged mode: %v", rules(got))
	}
	if got := scan(t, r, checks.ModeWorktree); len(got) != 1 {
		t.Fatalf("worktree mode should see the modified tracked file: %v", rules(got))
	}
}

func TestStagedSecretRemovedFromWorkingTreeIsFound(t *testing.T) {
	r := gittest.New(t)
	r.Write("app.py", "print('hello')\n")
	r.Commit("init")
	r.Write("app.py", "print('hello')\naws = \""+gittest.FakeAWSKey()+"\"\n")
	r.Git("add", "app.py")
	r.Write("app.py", "print('hello')\n") // gone from the working tree, still staged
	got := scan(t, r, checks.ModeStaged)
	if len(got) != 1 || got[0].Rule != "aws-access-token" || got[0].Line != 2 || got[0].File != "app.py" {
		t.Fatalf("want the staged AWS key at app.py:2, got %v", rules(got))
	}
	if got[0].Severity != checks.Critical {
		t.Errorf("AWS access key severity = %s, want critical", got[0].Severity)
	}
}

func TestStagedHonoursTemporaryIndex(t *testing.T) {
	// `git commit -a` and `git commit <path>` give the hook a temporary index
	// through GIT_INDEX_FILE; what is in .git/index is not what is committed.
	r := gittest.New(t)
	r.Write("config.env", "MODE=dev\n")
	r.Commit("init")
	r.Write("config.env", "MODE=dev\nGITHUB_TOKEN="+gittest.FakeGitHubToken()+"\n")
	if got := scan(t, r, checks.ModeStaged); len(got) != 0 {
		t.Fatalf("nothing is staged in .git/index yet: %v", rules(got))
	}
	tmpIndex := filepath.Join(t.TempDir(), "index")
	env := "GIT_INDEX_FILE=" + tmpIndex
	r.Env = append(r.Env, env)
	r.Git("read-tree", "HEAD")
	r.Git("add", "config.env")
	r.Env = r.Env[:len(r.Env)-1]
	got := scan(t, r, checks.ModeStaged, env)
	if len(got) != 1 || got[0].Rule != "github-pat" || got[0].Line != 2 {
		t.Fatalf("want github-pat at config.env:2 through GIT_INDEX_FILE, got %v", rules(got))
	}
}

func TestFirstCommit(t *testing.T) {
	r := gittest.New(t)
	r.Write("deploy/keys.txt", "key="+gittest.FakeAWSKey()+"\n")
	r.Git("add", "-A")
	got := scan(t, r, checks.ModeStaged)
	if len(got) != 1 || got[0].File != "deploy/keys.txt" || got[0].Line != 1 {
		t.Fatalf("first commit: want deploy/keys.txt:1, got %v", rules(got))
	}
}

func TestHistoryFindingsCarryCommitAndLine(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.txt", "one\n")
	r.Commit("one")
	r.Write("a.txt", "one\ntwo\nstripe = \""+gittest.FakeStripeKey()+"\"\n")
	leak := r.Commit("leak")
	r.Write("a.txt", "one\ntwo\n")
	r.Commit("remove")
	if got := scan(t, r, checks.ModeWorktree); len(got) != 0 {
		t.Fatalf("the working tree is clean: %v", rules(got))
	}
	got := scan(t, r, checks.ModeHistory)
	if len(got) != 1 {
		t.Fatalf("want one history finding, got %v", rules(got))
	}
	f := got[0]
	if f.Commit != leak || f.Line != 3 || f.File != "a.txt" || f.Rule != "stripe-access-token" {
		t.Fatalf("got %+v, want stripe-access-token at a.txt:3 in %s", f, leak)
	}
	if !strings.Contains(f.Fix, "filter-repo") {
		t.Errorf("a history finding's fix must say how to purge history: %q", f.Fix)
	}
}

func TestHistoryOfEmptyRepository(t *testing.T) {
	r := gittest.New(t)
	if got := scan(t, r, checks.ModeHistory); len(got) != 0 {
		t.Fatalf("empty repository: %v", rules(got))
	}
}

func TestFingerprintSurvivesMovedLines(t *testing.T) {
	r := gittest.New(t)
	key := gittest.FakeAWSKey()
	r.Write("s.py", "x = 1\nkey = \""+key+"\"\n")
	before := scan(t, r, checks.ModeWorktree)
	r.Write("s.py", "import os\n\n\n# moved down\nx = 1\nkey = \""+key+"\"\n")
	r.Git("add", "-A") // tracked for worktree mode
	after := scan(t, r, checks.ModeWorktree)
	if len(before) != 0 {
		t.Fatalf("untracked file must not be in worktree mode: %v", rules(before))
	}
	r.Commit("x")
	after = scan(t, r, checks.ModeWorktree)
	r.Write("s.py", "key = \""+key+"\"\n")
	moved := scan(t, r, checks.ModeWorktree)
	if len(after) != 1 || len(moved) != 1 {
		t.Fatalf("want one finding each: %v / %v", rules(after), rules(moved))
	}
	if after[0].Line == moved[0].Line {
		t.Fatal("the test must move the line")
	}
	if after[0].Fingerprint != moved[0].Fingerprint {
		t.Fatalf("fingerprint changed when the line moved: %s → %s", after[0].Fingerprint, moved[0].Fingerprint)
	}
	other := gittest.FakeAWSKey()
	r.Write("s.py", "key = \""+other+"\"\n")
	if f := scan(t, r, checks.ModeWorktree); len(f) != 1 || f[0].Fingerprint == moved[0].Fingerprint {
		t.Fatalf("a different secret must have a different fingerprint")
	}
}

func TestGitleaksAllowAndIgnoreFileAndRepoConfig(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.py", "k = \""+gittest.FakeAWSKey()+"\" # gitleaks:allow\n")
	r.Write("b.py", "k = \""+gittest.FakeAWSKey()+"\"\n")
	r.Write("c.py", "internal = \"ACME-"+strings.Repeat("7", 12)+"\"\n")
	r.Write(".gitleaksignore", "b.py:aws-access-token:1\n")
	r.Write(".gitleaks.toml", `[[rules]]
id = "acme-internal-token"
description = "ACME internal token"
regex = '''ACME-[0-9]{12}'''
keywords = ["acme-"]
`)
	r.Commit("x")
	got := scan(t, r, checks.ModeWorktree)
	if len(got) != 1 || got[0].Rule != "acme-internal-token" {
		t.Fatalf("want only the repo rule's finding (allow comment and .gitleaksignore honoured), got %v", rules(got))
	}
	// The repository's config extends the defaults: default rules still fire.
	r.Write("d.py", "t = \""+gittest.FakeGitHubToken()+"\"\n")
	r.Commit("y")
	if got := scan(t, r, checks.ModeWorktree); len(got) != 2 {
		t.Fatalf("default rules must still apply with a repo config: %v", rules(got))
	}
}

func TestEncodedSecretIsFound(t *testing.T) {
	r := gittest.New(t)
	key := gittest.FakeAWSKey()
	enc := b64(`{"aws_access_key_id": "` + key + `"}`)
	r.Write("blob.txt", "data: "+enc+"\n")
	r.Commit("x")
	got := scan(t, r, checks.ModeWorktree)
	if len(got) == 0 {
		t.Fatal("a base64-encoded key must be found, as gitleaks does")
	}
	for _, f := range got {
		if strings.Contains(f.Snippet, enc) || strings.Contains(f.Snippet, key) {
			t.Fatalf("snippet gives the secret away: %q", f.Snippet)
		}
	}
}

func TestPathsOutsideRepository(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "creds.txt"), []byte("token="+gittest.FakeGitHubToken()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := checks.NewPathsSource(context.Background(), dir, []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	if src.InRepo {
		t.Fatal("temp dir must not be a repository")
	}
	res, err := secrets.New().Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].File != "creds.txt" {
		t.Fatalf("want creds.txt, got %v", rules(res.Findings))
	}
}

func TestSeverity(t *testing.T) {
	for rule, want := range map[string]checks.Severity{
		"private-key": checks.Critical, "aws-access-token": checks.Critical, "mailgun-private-api-token": checks.High,
		"github-pat": checks.High, "generic-api-key": checks.High, "linkedin-client-id": checks.Medium,
		"easypost-test-api-token": checks.Medium, "flutterwave-public-key": checks.Medium,
	} {
		if got := secrets.Severity(rule); got != want {
			t.Errorf("Severity(%s) = %s, want %s", rule, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	s := gittest.FakeGitHubToken()
	got := secrets.Redact(s)
	if strings.Contains(got, s[4:]) || !strings.HasPrefix(got, "ghp_") {
		t.Fatalf("Redact = %q", got)
	}
	if got := secrets.Redact("hunter2"); strings.Contains(got, "hunter") {
		t.Fatalf("short secrets must be fully hidden: %q", got)
	}
}

func TestStagedLockfileIsSkippedLikeGitleaks(t *testing.T) {
	r := gittest.New(t)
	r.Write("README", "x\n")
	r.Commit("init")
	r.Write("package-lock.json", "{\n  \"token\": \""+gittest.FakeGitHubToken()+"\"\n}\n")
	r.Write("src/app.js", "const t = \""+gittest.FakeGitHubToken()+"\";\n")
	r.Git("add", "-A")
	got := scan(t, r, checks.ModeStaged)
	if len(got) != 1 || got[0].File != "src/app.js" {
		t.Fatalf("gitleaks' default allowlist skips lockfiles; want only src/app.js, got %v", rules(got))
	}
}

// TestLongHistoryIsSplitExactly covers the parallel history scan (over 200
// commits): every leak is found once, with its own commit, including one on
// a merged branch, and nothing is scanned twice.
func TestLongHistoryIsSplitExactly(t *testing.T) {
	r := gittest.New(t)
	var b strings.Builder
	leakAt := map[int]bool{3: true, 101: true, 248: true}
	for i := 0; i < 250; i++ {
		body := fmt.Sprintf("n = %d\n", i)
		if leakAt[i] {
			body += "token = \"" + gittest.FakeGitHubToken() + "\"\n"
		}
		fmt.Fprintf(&b, "commit refs/heads/main\ncommitter Ada <ada@example.com> %d +0000\ndata 3\nc%d\n", 1700000000+i, i%10)
		fmt.Fprintf(&b, "M 100644 inline f%d.txt\ndata %d\n%s\n", i%7, len(body), body)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Env, cmd.Stdin = r.Dir, r.Env, strings.NewReader(b.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fast-import: %v %s", err, out)
	}
	r.Git("checkout", "-q", "main")
	r.Git("checkout", "-q", "-b", "side")
	r.Write("side.txt", "aws = "+gittest.FakeAWSKey()+"\n")
	side := r.Commit("side leak")
	r.Git("checkout", "-q", "main")
	r.Write("main.txt", "x\n")
	r.Commit("main moves")
	r.Git("merge", "-q", "--no-ff", "-m", "merge side", "side")

	got := scan(t, r, checks.ModeHistory)
	if len(got) != 4 {
		t.Fatalf("want the 4 leaks once each, got %d: %v", len(got), rules(got))
	}
	commits := map[string]bool{}
	for _, f := range got {
		if commits[f.Commit] {
			t.Fatalf("a commit reported twice: %v", rules(got))
		}
		commits[f.Commit] = true
		msg := r.Git("log", "-1", "--format=%s", f.Commit)
		if f.File == "side.txt" {
			if f.Commit != side {
				t.Errorf("side leak attributed to %s (%s), want %s", f.Commit, msg, side)
			}
			continue
		}
		// The fast-import commits' messages are c<i%10>: the leaks are 3, 101, 248.
		if want := map[string]bool{"c3": true, "c1": true, "c8": true}; !want[msg] {
			t.Errorf("%s attributed to a commit with message %q", f.Location(), msg)
		}
	}
}

// A long-lived process (the TUI) loads .gitleaks.toml at every scan:
// gitleaks' own extend counter would drop the default rules from the
// second or third load on, and the scans would come back clean. Each load
// has other bytes, so none is served from the cache of compiled configs.
func TestRepoConfigLoadedTwiceKeepsDefaults(t *testing.T) {
	dir := t.TempDir()
	src := &checks.Source{Mode: checks.ModeWorktree, Root: dir}
	for i := range 4 {
		if err := os.WriteFile(filepath.Join(dir, ".gitleaks.toml"), []byte(fmt.Sprintf(`# load %d
[[rules]]
id = "acme-internal-token"
regex = '''ACME-[0-9]{12}'''
keywords = ["acme-"]
`, i)), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, repo, err := secrets.LoadConfig(context.Background(), src)
		if err != nil || !repo {
			t.Fatal(repo, err)
		}
		if _, ok := cfg.Rules["aws-access-token"]; !ok {
			t.Fatalf("load %d: the default rules are gone (%d rules)", i+1, len(cfg.Rules))
		}
		if _, ok := cfg.Rules["acme-internal-token"]; !ok {
			t.Fatalf("load %d: the repository's rule is gone", i+1)
		}
	}
}

// A hunk that an earlier commit added already (a revert, a cherry-pick) is
// read once, and its secret is reported in each commit that adds it, on
// that commit's own line, as gitleaks reports it.
func TestHistoryReportsARepeatedHunkInEachCommit(t *testing.T) {
	r := gittest.New(t)
	leak := "token = \"" + gittest.FakeGitHubToken() + "\"\n"
	r.Write("a.txt", "one\ntwo\n"+leak)
	first := r.Commit("leak")
	r.Write("a.txt", "one\ntwo\n")
	r.Commit("remove")
	r.Write("a.txt", "one\ntwo\nthree\nfour\n")
	r.Commit("more lines")
	r.Write("a.txt", "one\ntwo\nthree\nfour\n"+leak) // the same hunk, further down
	again := r.Commit("leak again")
	r.Write("b.txt", leak)
	other := r.Commit("the same line in another file")
	got := map[string]bool{}
	for _, f := range scan(t, r, checks.ModeHistory) {
		got[fmt.Sprintf("%s:%d@%s", f.File, f.Line, f.Commit)] = true
	}
	want := []string{"a.txt:3@" + first, "a.txt:5@" + again, "b.txt:1@" + other}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing %s in %v", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("want %d findings, got %v", len(want), got)
	}
}
