package home

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// tmux drives a terminal for the end-to-end test.
type tmux struct {
	t      *testing.T
	socket string
	env    []string
}

func (x *tmux) run(args ...string) (string, error) {
	cmd := exec.Command("tmux", append([]string{"-L", x.socket, "-f", "/dev/null"}, args...)...)
	cmd.Env = x.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (x *tmux) must(args ...string) string {
	x.t.Helper()
	out, err := x.run(args...)
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (x *tmux) screen() string {
	x.t.Helper()
	return x.must("capture-pane", "-p", "-t", "e2e")
}

// waitFor waits until the pane shows every text and returns the screen.
func (x *tmux) waitFor(texts ...string) string {
	x.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		screen = x.screen()
		ok := true
		for _, t := range texts {
			ok = ok && strings.Contains(screen, t)
		}
		if ok {
			return screen
		}
		time.Sleep(100 * time.Millisecond)
	}
	x.t.Fatalf("the terminal never showed %q; it shows:\n%s", texts, screen)
	return ""
}

// waitForChange waits until the pane shows something other than before
// and returns the new screen.
func (x *tmux) waitForChange(before string) string {
	x.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if screen := x.screen(); screen != before {
			return screen
		}
		time.Sleep(20 * time.Millisecond)
	}
	x.t.Fatalf("the terminal did not change; it shows:\n%s", before)
	return ""
}

func (x *tmux) keys(keys ...string) {
	x.t.Helper()
	x.must(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// The real programs in a real terminal (tmux, 80x24): secfirst hands the
// terminal to secfirst-tui built beside it, which shows the dashboard, a scan,
// a finding opened and read, back to the dashboard, and q quits with 0.
func TestEndToEndInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is not installed: the end-to-end test needs it in CI (apt-get install tmux)")
		}
		t.Skip("tmux is not installed (apt-get install tmux); the end-to-end test of the TUI is skipped outside CI")
	}
	bin := filepath.Join(t.TempDir(), "secfirst")
	if err := gittest.BuildSecfirst(bin); err != nil {
		t.Fatal(err)
	}

	r := gittest.New(t)
	tok := gittest.FakeGitHubToken()
	r.Write("README.md", "# demo\n")
	r.Write("config/app.env", "APP_NAME=demo\nGITHUB_TOKEN="+tok+"\n")
	r.Commit("first")

	home := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"TERM=xterm-256color",
		"NO_COLOR=1",
		"LANG=C.UTF-8",
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, "gitconfig"),
		"SECFIRST_OFFLINE=1",
		"SECFIRST_OSV_DB=" + filepath.Join(home, "no-db"),
	}
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		env = append(env, "TMPDIR="+tmp)
	}
	x := &tmux{t: t, socket: fmt.Sprintf("secfirst-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), env: env}
	t.Cleanup(func() { x.run("kill-server") })

	exitFile := filepath.Join(t.TempDir(), "exit")
	script := fmt.Sprintf("%q; echo $? > %q", bin, exitFile)
	x.must("new-session", "-d", "-x", "80", "-y", "24", "-s", "e2e", "-c", r.Dir, "sh", "-c", script)

	screen := x.waitFor("Repository", "Hook", "pre-commit not installed", "Last scan", "never")
	if !strings.Contains(screen, filepath.Base(r.Dir)) {
		t.Errorf("the dashboard does not name the repository:\n%s", screen)
	}

	x.keys("s")
	screen = x.waitFor("Found 1", "config/app.env:2")
	x.keys("Enter")
	screen = x.waitFor("Where    config/app.env:2", "GITHUB_TOKEN=****", "Fix")
	if strings.Contains(screen, tok) || strings.Contains(screen, tok[4:]) {
		t.Fatalf("the terminal shows the secret:\n%s", screen)
	}
	// Scroll the detail one line at a time, each key read before the next
	// is sent, until the lesson comes into view (the screen is captured
	// between keys, so it cannot scroll past it unseen).
	for i := 0; !strings.Contains(screen, "Lesson: "); i++ {
		if i == 40 {
			t.Fatalf("40 lines down, still no lesson; the terminal shows:\n%s", screen)
		}
		x.keys("j")
		screen = x.waitForChange(screen)
	}

	// Each Escape alone: two in one burst read as one Alt+Escape.
	x.keys("Escape") // detail pane → list
	x.waitFor("› HIGH secrets")
	x.keys("Escape") // findings → dashboard
	x.waitFor("Dashboard", "worktree, just now", "1 finding(s), 1 blocking")

	x.keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(exitFile); err == nil && strings.TrimSpace(string(data)) != "" {
			if code := strings.TrimSpace(string(data)); code != "0" {
				t.Fatalf("secfirst exited %s after q", code)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("secfirst did not exit after q; the terminal shows:\n%s", x.screen())
}
