package home

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/tui/state"
)

func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "secfirst-home-")
	if err != nil {
		panic(err)
	}
	os.Setenv("HOME", home)
	os.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	os.Setenv("XDG_STATE_HOME", filepath.Join(home, ".state"))
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	os.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// Without a terminal, `secfirst` prints the summary and exits 0.
func TestSummaryWithoutTerminal(t *testing.T) {
	r := gittest.New(t)
	tok := gittest.FakeGitHubToken()
	r.Write("app.env", "TOKEN="+tok+"\n")
	r.Commit("first")
	store := &state.Store{Dir: t.TempDir()}
	// A scan recorded as the TUI records it: counts only.
	src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeWorktree)
	if err != nil {
		t.Fatal(err)
	}
	rep := checks.Scan(context.Background(), src, []checks.Check{secrets.New()}, nil, checks.Options{})
	at := time.Date(2025, 3, 14, 15, 9, 0, 0, time.Local)
	if err := store.SaveLastScan(r.Dir, state.Summarize(rep, []string{"secrets"}, at)); err != nil {
		t.Fatal(err)
	}

	ios, _, out, errOut := iostreams.Test()
	err = Run(context.Background(), &Options{IO: ios, Dir: r.Dir, Store: store})
	if code := cmdutil.Code(err); code != 0 {
		t.Fatalf("exit %d (%v), stderr %q", code, err, errOut)
	}
	got := out.String()
	for _, want := range []string{
		"secfirst: " + filepath.Base(r.Dir),
		"hook:       pre-commit not installed\n",
		"run: secfirst hooks install",
		"last scan:  2025-03-14 15:09, worktree: 1 finding (1 high), 1 blocking\n",
		"checklist:  none yet\n",
		"run: secfirst checklist init",
		"onboarding: 0/5 steps (run: secfirst onboard)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "\x1b[") {
		t.Errorf("colour in a summary for a pipe: %q", got)
	}
	if strings.Contains(got, tok) || strings.Contains(got, tok[4:]) {
		t.Fatal("the summary shows the secret")
	}
	// The state directory holds counts, never the finding's text.
	entries, _ := filepath.Glob(filepath.Join(store.Dir, "scans", "*.json"))
	for _, e := range entries {
		data, _ := os.ReadFile(e)
		if strings.Contains(string(data), tok[4:]) || strings.Contains(string(data), "app.env") {
			t.Fatalf("%s holds finding text: %s", e, data)
		}
	}
}

func TestSummaryOutsideRepository(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	err := Run(context.Background(), &Options{IO: ios, Dir: t.TempDir()})
	if code := cmdutil.Code(err); code != cmdutil.ExitFailure {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(err.Error(), "is not inside a git repository") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error %q is not one clear line", err)
	}
	if out.Len() != 0 {
		t.Fatalf("stdout %q, want nothing", out)
	}
}

// The summary names the repository after its folder and quotes the
// checklist's error: a folder or a checklist that carries a terminal escape
// shows it, never sends it.
func TestSummaryShowsNoEscape(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo\x1b]0;pwned\x07")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := gittest.New(t)
	r.Dir = dir
	r.Git("init", "-q", "-b", "main")
	r.Write(".secfirst/checklist.yaml", "version: 1\nitems:\n  - id: \"x\x1b[2J\"\n    status: [not, a, status]\n")
	ios, _, out, errOut := iostreams.Test()
	err := Run(context.Background(), &Options{IO: ios, Dir: dir, Store: &state.Store{Dir: t.TempDir()}})
	if code := cmdutil.Code(err); code != 0 {
		t.Fatalf("exit %d (%v), stderr %q", code, err, errOut)
	}
	got := out.String()
	if strings.ContainsAny(got, "\x1b\x07") || !strings.Contains(got, `secfirst: demo\x1b]0;pwned\x07`) {
		t.Fatalf("summary %q: want the escapes made visible", got)
	}
}

// On a terminal, `secfirst` hands the terminal to the interface
// (secfirst-tui) on the dashboard of the repository it runs in.
func TestTerminalOpensTheInterface(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(true)
	dir := t.TempDir()
	var launched []string
	err := Run(context.Background(), &Options{IO: ios, Dir: dir, Launch: func(args []string) error {
		launched = args
		return nil
	}})
	if err != nil || strings.Join(launched, " ") != "dashboard --dir "+dir || out.Len() != 0 {
		t.Fatalf("launched %q, err %v, stdout %q", launched, err, out)
	}
}
