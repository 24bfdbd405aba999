package hooks_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks/report"
	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/gittest"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func installedRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := newRepo(t)
	r.Write("README.md", "demo\n")
	r.Write("app.py", "print('hello')\n")
	r.Commit("init")
	install(t, r.Dir, "pre-commit", "pre-push")
	return r
}

func TestCommitAllChecksTheTemporaryIndex(t *testing.T) {
	r := installedRepo(t)
	line, key := secretLine()
	// Modified in the working tree, not staged: `git commit -a` stages it
	// into a temporary index (GIT_INDEX_FILE) before the hook runs.
	r.Write("app.py", "print('hello')\n"+line)
	out, err := commit(r, "-a")
	mustBlock(t, out, err, key)
	if !strings.Contains(out, "app.py:2") {
		t.Fatalf("want app.py:2:\n%s", out)
	}
	// Without -a the change is not this commit's business.
	r.Write("README.md", "demo 2\n")
	r.Git("add", "README.md")
	out, err = commit(r)
	mustPass(t, out, err)
}

func TestCommitPathChecksThatPathOnly(t *testing.T) {
	r := installedRepo(t)
	line, key := secretLine()
	r.Write("app.py", "print('hello')\n"+line)
	r.Write("README.md", "demo 2\n")
	// `git commit <path>` commits the path from a temporary index, whatever is staged.
	out, err := commit(r, "app.py")
	mustBlock(t, out, err, key)
	out, err = commit(r, "README.md")
	mustPass(t, out, err)
	// Staged elsewhere but not part of `git commit <path>`: not checked, not committed.
	r.Git("add", "app.py")
	r.Write("README.md", "demo 3\n")
	out, err = commit(r, "README.md")
	mustPass(t, out, err)
	if strings.Contains(r.Git("show", "--stat", "HEAD"), "app.py") {
		t.Fatal("app.py was committed")
	}
}

func TestUnusualFiles(t *testing.T) {
	r := installedRepo(t)
	binary := make([]byte, 4096)
	rand.Read(binary)
	binary[10] = 0
	if err := os.WriteFile(filepath.Join(r.Dir, "blob.bin"), binary, 0o644); err != nil {
		t.Fatal(err)
	}
	r.Write("empty.txt", "")
	var big strings.Builder
	for i := 0; big.Len() < 6<<20; i++ {
		fmt.Fprintf(&big, "line %d: nothing to see here, just a large generated file\n", i)
	}
	r.Write("data/big.txt", big.String())
	r.Write("répertoire/clé d'accès.txt", "bonjour\n")
	r.Write("日本語/ファイル.md", "こんにちは\n")
	r.Write("with space/\"quoted\" name.txt", "x\n")
	r.Git("add", ".")
	out, err := commit(r)
	mustPass(t, out, err)

	line, key := secretLine()
	r.Write("répertoire/clé d'accès.txt", "bonjour\n"+line)
	r.Git("add", ".")
	out, err = commit(r)
	mustBlock(t, out, err, key)
	if !strings.Contains(out, "répertoire/clé d'accès.txt:2") {
		t.Fatalf("non-ASCII path not shown as is:\n%s", out)
	}
}

func TestHookFallsBackToPathThenWarnsWithoutBlocking(t *testing.T) {
	r := newRepo(t)
	// The hook points at a secfirst that is not there.
	gone := filepath.Join(t.TempDir(), "gone", "secfirst")
	p, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: gone})
	if err != nil || p.Apply() != nil {
		t.Fatal(err)
	}
	line, key := secretLine()
	r.Write("k.env", line)
	r.Git("add", "k.env")
	// secfirst on PATH (TestMain puts the test build there) takes over.
	out, err := commit(r)
	mustBlock(t, out, err, key)

	// Nowhere at all: loud, not blocking.
	noBin := *r
	noBin.Env = withoutSecfirstOnPath(r.Env)
	out, err = commit(&noBin)
	mustPass(t, out, err)
	if !strings.Contains(out, "WARNING: the secfirst binary is gone") || !strings.Contains(out, "NOT checked") {
		t.Fatalf("missing binary not reported loudly:\n%s", out)
	}
}

func TestOutsideARepositoryExitsTwoWithOneLine(t *testing.T) {
	for _, args := range [][]string{{"hook", "pre-commit"}, {"hooks", "install"}, {"hooks", "status"}} {
		cmd := exec.Command(secfirstBin, args...)
		cmd.Dir = t.TempDir()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 {
			t.Fatalf("%v: err = %v, want exit 2", args, err)
		}
		msg := stderr.String()
		if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "not inside a git repository") || stdout.Len() != 0 {
			t.Fatalf("%v: want one line on stderr, got %q (stdout %q)", args, msg, stdout.String())
		}
	}
}

func TestSuppressingExactlyThisFinding(t *testing.T) {
	r := installedRepo(t)
	line, key := secretLine()
	line2, key2 := secretLine()
	r.Write("a.env", line)
	r.Git("add", "a.env")
	out, err := commit(r)
	mustBlock(t, out, err, key)
	fp := regexp.MustCompile(`fingerprint = "([0-9a-f]+)"`).FindStringSubmatch(out)
	if fp == nil {
		t.Fatalf("no fingerprint in:\n%s", out)
	}
	r.Write(".secfirst.toml", fmt.Sprintf("[[ignore]]\nfingerprint = %q\nreason = \"test fixture, not a real key\"\n", fp[1]))
	r.Git("add", ".secfirst.toml")
	out, err = commit(r)
	mustPass(t, out, err)
	if !strings.Contains(out, "no findings, 1 suppressed (1 by .secfirst.toml)") {
		t.Fatalf("the clean line must say what was suppressed:\n%s", out)
	}
	// Another secret is still blocked.
	r.Write("b.env", line2)
	r.Git("add", "b.env")
	out, err = commit(r)
	mustBlock(t, out, err, key2)
}

func TestInternalErrorBlocksOnlyInStrictMode(t *testing.T) {
	r := installedRepo(t)
	// A .gitleaks.toml gitleaks cannot use makes the secrets check fail.
	r.Write(".gitleaks.toml", "[[rules]]\nid = \"broken\"\nregex = '''(unclosed'''\n")
	r.Write("x.txt", "x\n")
	r.Git("add", "x.txt")
	out, err := commit(r)
	mustPass(t, out, err)
	if !strings.Contains(out, "secfirst: ERROR:") || !strings.Contains(out, "NOT fully checked") {
		t.Fatalf("internal error not reported:\n%s", out)
	}
	r.Write(".secfirst.toml", "strict = true\n")
	r.Write("y.txt", "y\n")
	r.Git("add", "y.txt", ".secfirst.toml") // the hook reads the staged policy
	out, err = commit(r)
	if err == nil || !strings.Contains(out, "strict = true") {
		t.Fatalf("strict mode did not block:\n%s", out)
	}
}

func TestBadPolicyStopsTheCommitWithOneLine(t *testing.T) {
	r := installedRepo(t)
	r.Write(".secfirst.toml", "fail_on = \"sometimes\"\n")
	r.Write("x.txt", "x\n")
	r.Git("add", "x.txt", ".secfirst.toml")
	out, err := commit(r)
	if err == nil || !strings.Contains(out, ".secfirst.toml:1") {
		t.Fatalf("bad policy: %v\n%s", err, out)
	}
}

func TestMessageHasNoColourWithoutTTYAndColourWithIt(t *testing.T) {
	r := newRepo(t)
	line, key := secretLine()
	r.Write("k.env", line)
	r.Git("add", "k.env")
	res, err := hooks.RunPreCommit(context.Background(), r.Dir, hooks.RunOptions{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Blocked() || res.ExitCode() != 1 {
		t.Fatalf("result not blocked: %+v", res.Report)
	}
	var plain, colour bytes.Buffer
	res.Write(&plain, report.NewStyles(renderer(&plain, false)))
	res.Write(&colour, report.NewStyles(renderer(&colour, true)))
	if strings.Contains(plain.String(), "\x1b[") {
		t.Fatal("escape codes without colour")
	}
	if !strings.Contains(colour.String(), "\x1b[") {
		t.Fatal("no colour when asked")
	}
	noSecret(t, plain.String()+colour.String(), key)
	if !strings.Contains(plain.String(), "why:") {
		t.Fatalf("no one-sentence why from the lesson:\n%s", plain.String())
	}
}

func renderer(w *bytes.Buffer, colour bool) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(w)
	if colour {
		r.SetColorProfile(termenv.ANSI256)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	return r
}

func TestBelowFailOnIsMentionedNotBlocking(t *testing.T) {
	r := installedRepo(t)
	r.Write(".secfirst.toml", "fail_on = \"critical\"\n")
	token := gittest.FakeGitHubToken() // high, not critical
	r.Write("deploy.sh", "export GITHUB_TOKEN="+token+"\n")
	r.Git("add", "deploy.sh", ".secfirst.toml")
	out, err := commit(r)
	mustPass(t, out, err)
	if !strings.Contains(out, "Also found, not blocking (fail_on = critical)") || !strings.Contains(out, "deploy.sh:1") {
		t.Fatalf("non-blocking finding not mentioned:\n%s", out)
	}
	noSecret(t, out, token)
}

func TestMissingVulnerabilityDataWarnsLoudlyWithoutBlocking(t *testing.T) {
	r := installedRepo(t)
	r.Write("package-lock.json", `{"name":"demo","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"demo","version":"1.0.0","dependencies":{"lodash":"4.17.15"}},"node_modules/lodash":{"version":"4.17.15"}}}`+"\n")
	r.Git("add", "package-lock.json")
	out, err := commit(r)
	mustPass(t, out, err)
	if !strings.Contains(out, "secfirst: warning:") || !strings.Contains(out, "NOT checked") {
		t.Fatalf("no loud warning without vulnerability data:\n%s", out)
	}
}

func TestHookReadsThePolicyAsStaged(t *testing.T) {
	r := installedRepo(t)
	line, key := secretLine()
	r.Write("fixtures/a.env", line)
	r.Git("add", "fixtures/a.env")
	// Written, not staged: not part of the commit, so it suppresses nothing.
	r.Write(".secfirst.toml", "[[ignore]]\npath = \"fixtures/**\"\nreason = \"test fixtures\"\n")
	out, err := commit(r)
	mustBlock(t, out, err, key)
	if !strings.Contains(out, "secfirst: note: .secfirst.toml has changes that are not staged") {
		t.Fatalf("the user must hear that the policy edit is not staged:\n%s", out)
	}
	// Staged, it counts, even when the working tree then loses the ignore.
	r.Git("add", ".secfirst.toml")
	r.Write(".secfirst.toml", "fail_on = \"low\"\n")
	out, err = commit(r)
	mustPass(t, out, err)
	if !strings.Contains(out, "1 suppressed (1 by .secfirst.toml)") || !strings.Contains(out, "not staged") {
		t.Fatalf("want the suppression counted and the unstaged edit noted:\n%s", out)
	}
	if !strings.Contains(r.Git("show", "--stat", "HEAD"), "fixtures/a.env") {
		t.Fatal("the commit did not record the suppressed file")
	}
}

func TestBlockedMessageCountsSuppressedFindings(t *testing.T) {
	r := installedRepo(t)
	line, _ := secretLine()
	line2, key2 := secretLine()
	r.Write("fixtures/a.env", line)
	r.Write("b.env", line2)
	r.Write(".secfirst.toml", "[[ignore]]\npath = \"fixtures/**\"\nreason = \"test fixtures\"\n")
	r.Git("add", ".")
	out, err := commit(r)
	mustBlock(t, out, err, key2)
	if !strings.Contains(out, "1 blocking; 1 suppressed (1 by .secfirst.toml).") {
		t.Fatalf("the blocked message must say what was suppressed:\n%s", out)
	}
}

func TestStagedPolicySymlinkToADeviceStopsTheCommitWithOneLine(t *testing.T) {
	r := installedRepo(t)
	if err := os.Symlink("/dev/zero", filepath.Join(r.Dir, ".secfirst.toml")); err != nil {
		t.Fatal(err)
	}
	r.Git("add", ".secfirst.toml")
	out, err := commit(r)
	if err == nil || !strings.Contains(out, ".secfirst.toml") || !strings.Contains(out, "symlink") {
		t.Fatalf("want the commit stopped, naming .secfirst.toml:\n%v\n%s", err, out)
	}
	if n := strings.Count(strings.TrimSpace(out), "\n"); n > 0 {
		t.Fatalf("want one line, got %d:\n%s", n+1, out)
	}
}

func TestHookMessageHoldsNoTerminalEscape(t *testing.T) {
	r := installedRepo(t)
	_, key := secretLine()
	name := "evil\x1b]0;pwned\x07.env"
	r.Write(name, "\x1b[2J aws_access_key_id = \""+key+"\"\n")
	r.Git("add", ".")
	out, err := commit(r)
	mustBlock(t, out, err, key)
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Fatalf("a control byte from the repository reached the terminal:\n%q", out)
	}
	if !strings.Contains(out, `evil\x1b]0;pwned\x07.env:1`) {
		t.Fatalf("the file name must be shown with its escapes visible:\n%s", out)
	}
}
