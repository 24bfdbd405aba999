// Package gittest builds real git repositories for tests with the real git
// binary, hermetically (no user or system configuration), and makes fake
// secrets at run time so that no credential-shaped string is ever committed.
package gittest

import (
	"crypto/rand"
	"fmt"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// hermetic is the environment of a hermetic git under home: no system or
// global configuration, a fixed identity, no colour.
func hermetic(home string) map[string]string {
	return map[string]string{
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
		"XDG_CACHE_HOME":      filepath.Join(home, ".cache"),
		"XDG_STATE_HOME":      filepath.Join(home, ".state"),
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_CONFIG_GLOBAL":   filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME":     "Ada Tester", "GIT_AUTHOR_EMAIL": "ada@example.com",
		"GIT_COMMITTER_NAME": "Ada Tester", "GIT_COMMITTER_EMAIL": "ada@example.com",
		"NO_COLOR": "1",
	}
}

// Env is the hermetic environment for git in tests: no system or global
// configuration, a fixed identity, and the caller's PATH.
func Env(t testing.TB) []string {
	t.Helper()
	env := []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range hermetic(t.TempDir()) {
		env = append(env, k+"="+v)
	}
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		env = append(env, "TMPDIR="+tmp)
	}
	return env
}

// Isolate makes a whole test process hermetic, for packages whose code runs
// git with the process's own environment (call it from TestMain): a home
// under dir, no user or system configuration, a fixed identity, no colour,
// and no GIT_DIR, GIT_WORK_TREE or GIT_INDEX_FILE inherited from a caller.
func Isolate(dir string) {
	for k, v := range hermetic(filepath.Join(dir, "home")) {
		os.Setenv(k, v)
	}
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"} {
		os.Unsetenv(k)
	}
}

// Repo is a git repository in a temporary directory.
type Repo struct {
	T   testing.TB
	Dir string
	Env []string
}

// New makes an empty repository with branch main and a test identity.
func New(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{T: t, Dir: t.TempDir(), Env: Env(t)}
	r.Git("init", "-q", "-b", "main")
	r.Git("config", "user.name", "Ada Tester")
	r.Git("config", "user.email", "ada@example.com")
	r.Git("config", "commit.gpgsign", "false")
	return r
}

// Git runs git in the repository and returns its trimmed output; it fails
// the test on error.
func (r *Repo) Git(args ...string) string {
	r.T.Helper()
	out, err := r.GitErr(args...)
	if err != nil {
		r.T.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// GitErr runs git and returns its combined output and error.
func (r *Repo) GitErr(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = r.Env
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// Write writes a file relative to the repository, creating directories.
func (r *Repo) Write(rel, content string) string {
	r.T.Helper()
	p := filepath.Join(r.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.T.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.T.Fatal(err)
	}
	return p
}

// Remove deletes a file of the working tree.
func (r *Repo) Remove(rel string) {
	r.T.Helper()
	if err := os.Remove(filepath.Join(r.Dir, filepath.FromSlash(rel))); err != nil {
		r.T.Fatal(err)
	}
}

// Commit stages everything and commits; it returns the new commit's id.
func (r *Repo) Commit(msg string) string {
	r.T.Helper()
	r.Git("add", "-A")
	r.Git("commit", "-q", "--no-verify", "-m", msg)
	return r.Git("rev-parse", "HEAD")
}

const (
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnum       = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err)
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

// FakeAWSKey is a random string shaped like an AWS access key id, made at run
// time so no such string sits in the source tree.
func FakeAWSKey() string { return fake("AKIA", upperDigits, 16) }

// FakeGitHubToken is a random string shaped like a GitHub personal access token.
func FakeGitHubToken() string { return fake("ghp_", alnum, 36) }

// FakeStripeKey is a random string shaped like a Stripe live secret key.
func FakeStripeKey() string { return fake("sk_"+"live_", alnum, 24) }

// FakeShopifyToken is a random string shaped like a Shopify access token:
// gitleaks has a rule for it, and no check of secfirst but the secrets
// check knows its shape.
func FakeShopifyToken() string { return fake("shpat_", "0123456789abcdef", 32) }

// FakePrivateKey is a random PEM block shaped like an RSA private key of
// about 3 KB over many lines, as gitleaks' private-key rule matches it.
func FakePrivateKey() string {
	var b strings.Builder
	b.WriteString("-----BEGIN RSA " + "PRIVATE KEY-----\n")
	for range 40 {
		b.WriteString(randomFrom(alnum+"+/", 64) + "\n")
	}
	b.WriteString("-----END RSA " + "PRIVATE KEY-----\n")
	return b.String()
}

// fake draws prefix+n random characters until the result is one gitleaks
// reports: its rules skip a match whose Shannon entropy is under their
// threshold (3 for AWS keys, which about 1 random key in 5,000 misses) or
// that contains a word of its allowlists. A test must never pass or fail by
// the draw.
func fake(prefix, alphabet string, n int) string {
	for {
		s := prefix + randomFrom(alphabet, n)
		if entropy(s) >= 3.5 && !allowlisted.MatchString(s) {
			return s
		}
	}
}

// allowlisted are the words of gitleaks' default allowlists that a random
// key could contain.
var allowlisted = regexp.MustCompile(`(?i)true|false|null|example`)

// entropy is the Shannon entropy of s in bits per character, as gitleaks
// computes it.
func entropy(s string) float64 {
	counts := map[rune]int{}
	for _, r := range s {
		counts[r]++
	}
	var h float64
	for _, c := range counts {
		p := float64(c) / float64(len(s))
		h -= p * math.Log2(p)
	}
	return h
}

// startEnv is the environment the test process started with, before a
// TestMain or Isolate made it hermetic.
var startEnv = os.Environ()

// BuildSecfirst builds the secfirst command into path and its terminal
// interface, secfirst-tui, beside it: the two programs as they are
// installed, where secfirst looks for secfirst-tui first. It runs `go
// build` with the environment the process started with: under a hermetic
// HOME or XDG_CACHE_HOME the Go build cache would be a new, empty one, and
// the build would compile every dependency again (over a minute on two
// cores).
func BuildSecfirst(path string) error {
	dir := filepath.Dir(path)
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"github.com/secfirst-dev/secfirst/cmd/secfirst", "github.com/secfirst-dev/secfirst/cmd/secfirst-tui")
	cmd.Env = startEnv
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	if built := filepath.Join(dir, "secfirst"+exeSuffix()); built != path {
		return os.Rename(built, path)
	}
	return nil
}

var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// BuiltSecfirst builds secfirst (and secfirst-tui beside it) once per test
// process and returns secfirst's path, for tests that run it as separate
// processes. Main removes it at the end; a package without Main leaves it
// in the temporary directory.
func BuiltSecfirst(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "secfirst-bin-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "secfirst"+exeSuffix())
		built.err = BuildSecfirst(built.path)
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// Main runs a package's tests in an isolated process (see Isolate) under a
// temporary directory, after setup (which may be nil) has seen it, and
// returns the exit code for os.Exit. The directory is removed afterwards.
func Main(m *testing.M, setup func(tmp string)) int {
	tmp, err := os.MkdirTemp("", "secfirst-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	defer func() {
		if built.dir != "" {
			os.RemoveAll(built.dir)
		}
	}()
	Isolate(tmp)
	if setup != nil {
		setup(tmp)
	}
	return m.Run()
}

// Calls runs f with a git on PATH that records each of its invocations,
// and returns them, one command line each, without the leading -c options
// (secfirst gives every git its read-only configuration). Tests that count
// git processes use it: each costs a hook a process start, and some read
// the whole index.
func Calls(t *testing.T, f func()) []string {
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
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
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
