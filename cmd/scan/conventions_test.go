package scan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/cmd/scan"
	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/tui/state"
)

// -o writes the report to a file, whole, and nothing to stdout; a report
// that cannot be written leaves the file as it was.
func TestOutputFile(t *testing.T) {
	r := gittest.New(t)
	r.Write("app.env", "TOKEN="+gittest.FakeGitHubToken()+"\n")
	r.Commit("leak")
	out := filepath.Join(t.TempDir(), "report.json")
	res := run(t, r.Dir, scan.Options{Format: "json", Output: out})
	if res.code != 1 || res.out != "" {
		t.Fatalf("exit %d, stdout %q", res.code, res.out)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if rep := decode(t, string(data)); len(rep.Findings) != 1 {
		t.Fatalf("the file holds %d findings", len(rep.Findings))
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Fatalf("temporary files left beside the report: %v", entries)
	}

	// A directory in the way: refused, nothing written.
	dir := filepath.Join(t.TempDir(), "a-directory")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if res := run(t, r.Dir, scan.Options{Format: "json", Output: dir}); res.code != 2 || !strings.Contains(res.errOut, "not a regular file") {
		t.Fatalf("output to a directory: exit %d, %s", res.code, res.errOut)
	}
}

// --config names the policy to use instead of the repository's; a missing
// one is an error, never the default policy.
func TestConfigFile(t *testing.T) {
	r := gittest.New(t)
	r.Write("app.env", "TOKEN="+gittest.FakeGitHubToken()+"\n")
	r.Commit("leak")
	policy := filepath.Join(t.TempDir(), "lenient.toml")
	if err := os.WriteFile(policy, []byte("fail_on = \"never\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := run(t, r.Dir, scan.Options{}); res.code != 1 {
		t.Fatalf("without --config: exit %d, want 1", res.code)
	}
	if res := run(t, r.Dir, scan.Options{Config: policy}); res.code != 0 {
		t.Fatalf("with a fail_on = never policy: exit %d (%s)", res.code, res.errOut)
	}
	missing := filepath.Join(t.TempDir(), "nope.toml")
	if res := run(t, r.Dir, scan.Options{Config: missing}); res.code != 2 || !strings.Contains(res.errOut, "--config") || !strings.Contains(res.errOut, "nope.toml") {
		t.Fatalf("missing --config: exit %d, %s", res.code, res.errOut)
	}
}

// A scan on the command line is the dashboard's last scan: counts only.
func TestScanIsTheDashboardsLastScan(t *testing.T) {
	r := gittest.New(t)
	tok := gittest.FakeGitHubToken()
	r.Write("app.env", "TOKEN="+tok+"\n")
	r.Commit("leak")
	if res := run(t, r.Dir, scan.Options{}); res.code != 1 {
		t.Fatalf("exit %d", res.code)
	}
	store, err := state.Open()
	if err != nil {
		t.Fatal(err)
	}
	sum, err := store.LastScan(r.Dir)
	if err != nil || sum == nil {
		t.Fatalf("no last scan recorded: %v", err)
	}
	if sum.Mode != "worktree" || sum.Total.High != 1 || sum.ByCheck["secrets"].High != 1 {
		t.Fatalf("recorded %+v", sum)
	}
	noSecretIn(t, store.Dir, tok)
}

func noSecretIn(t *testing.T, dir, secret string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if data, _ := os.ReadFile(p); strings.Contains(string(data), secret[4:]) {
				t.Errorf("%s holds the secret", p)
			}
		}
		return nil
	})
}
