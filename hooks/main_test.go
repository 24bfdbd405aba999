package hooks_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// secfirstBin is the real secfirst binary, built once for the whole test
// binary: the hooks installed in test repositories call it, and git runs them.
var secfirstBin string

func TestMain(m *testing.M) {
	if measureHook != nil && os.Getenv(measureEnv) != "" {
		os.Exit(measureHook())
	}
	os.Exit(testMain(m))
}

// measureEnv, set to a file, makes the test binary run the command after
// "--" with its own standard streams, write the command's peak resident
// size there (kB) and exit with its code: measureHook, where the platform
// has one (see hookOnWorstCommit).
const measureEnv = "SECFIRST_TEST_MEASURE_PEAK"

var measureHook func() int

func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "secfirst-hooks-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bin")
	secfirstBin = filepath.Join(bin, "secfirst")
	if err := gittest.BuildSecfirst(secfirstBin); err != nil {
		fmt.Fprintf(os.Stderr, "building secfirst for the hook tests: %v\n", err)
		return 1
	}
	// The hooks package runs git itself with the process environment: make
	// it as hermetic as gittest's (no user or system config), and put the
	// built secfirst on PATH, as an installed secfirst would be.
	gittest.Isolate(tmp)
	os.Setenv("SECFIRST_OFFLINE", "1")
	os.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	os.Unsetenv("SECFIRST_OSV_DB")
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	return code
}

// install plans and applies an install of hooks (default pre-commit) that
// calls the test's secfirst binary.
func install(t *testing.T, dir string, names ...string) *hooks.Plan {
	t.Helper()
	p, err := hooks.PlanInstall(context.Background(), dir, hooks.InstallOptions{Hooks: names, Binary: secfirstBin})
	if err != nil {
		t.Fatalf("plan install: %v", err)
	}
	if err := p.Apply(); err != nil {
		t.Fatalf("apply install: %v\n%s", err, p)
	}
	return p
}

func uninstall(t *testing.T, dir string, names ...string) *hooks.Plan {
	t.Helper()
	p, err := hooks.PlanUninstall(context.Background(), dir, hooks.UninstallOptions{Hooks: names})
	if err != nil {
		t.Fatalf("plan uninstall: %v", err)
	}
	if err := p.Apply(); err != nil {
		t.Fatalf("apply uninstall: %v\n%s", err, p)
	}
	return p
}

// commitIn runs the real `git commit` (hooks and all) in dir.
func commitIn(r *gittest.Repo, dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"commit", "-m", "test commit"}, args...)...)
	cmd.Dir = dir
	cmd.Env = r.Env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func commit(r *gittest.Repo, args ...string) (string, error) { return commitIn(r, r.Dir, args...) }

// secretLine is a line holding a fresh fake AWS key, and the key.
func secretLine() (line, key string) {
	key = gittest.FakeAWSKey()
	return "aws_access_key_id = \"" + key + "\"\n", key
}

// mustBlock asserts a commit was stopped by secfirst for a secret, and that
// the raw secret appears nowhere in what git showed.
func mustBlock(t *testing.T, out string, err error, key string) {
	t.Helper()
	if err == nil {
		t.Fatalf("commit went through; want it blocked:\n%s", out)
	}
	if !strings.Contains(out, "secfirst: this commit is blocked") {
		t.Fatalf("commit failed but not because of secfirst:\n%s", out)
	}
	noSecret(t, out, key)
}

func noSecret(t *testing.T, out, key string) {
	t.Helper()
	if strings.Contains(out, key) || strings.Contains(out, key[4:]) {
		t.Fatalf("the raw secret is in the output:\n%s", out)
	}
}

func mustPass(t *testing.T, out string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("commit failed: %v\n%s", err, out)
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeExec(t *testing.T, p, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func samePath(t *testing.T, got, want string) {
	t.Helper()
	g, err1 := filepath.EvalSymlinks(got)
	w, err2 := filepath.EvalSymlinks(want)
	if err1 != nil || err2 != nil || g != w {
		t.Fatalf("path = %s, want %s", got, want)
	}
}

// newRepo is gittest.New with the hooks kept off the network: git passes
// this environment to the hooks it runs.
func newRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	r.Env = append(r.Env, "SECFIRST_OFFLINE=1")
	return r
}
