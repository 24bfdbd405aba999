package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// silentPty runs command in a pseudo-terminal that never answers (as
// `script`, expect, some CI agents and IDE terminals are): script(1) gives
// it a terminal and relays a standard input on which nothing ever comes.
// It returns what the terminal showed and the command's exit code.
func silentPty(t *testing.T, dir string, env []string, command string) (string, int) {
	t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		t.Fatalf("script(1) (util-linux) is needed to give the test a terminal: %v", err)
	}
	silence, hold, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer silence.Close()
	defer hold.Close() // kept open: the terminal's input never ends, never speaks
	var out bytes.Buffer
	cmd := exec.Command("script", "--quiet", "--return", "--command", command, "/dev/null")
	cmd.Dir, cmd.Env = dir, append(env, "TERM=xterm-256color")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = silence, &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("%s stalled in a terminal that does not answer; it showed:\n%q", command, out.String())
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// Terminal queries: the background and foreground colours (OSC 11, OSC
// 10) and the cursor position (DSR), each of which waits for an answer.
var terminalQueries = []string{"]11;?", "]10;?", "\x1b[6n"}

// A real `git commit` with the hook installed, in a terminal that never
// answers: the hook asks the terminal nothing, so it cannot wait for an
// answer (bubbletea's initialisation used to ask for the background colour
// and wait five seconds, in every commit), and the commit is made.
func TestCommitInASilentTerminal(t *testing.T) {
	bin := gittest.BuiltSecfirst(t)
	r := gittest.New(t)
	r.Write("README.md", "# demo\n")
	r.Commit("first")
	install := exec.Command(bin, "hooks", "install")
	install.Dir, install.Env = r.Dir, r.Env
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("hooks install: %v\n%s", err, out)
	}
	r.Write("app.py", "print('hello')\n")
	r.Git("add", "app.py")

	shown, code := silentPty(t, r.Dir, append(r.Env, "SECFIRST_OFFLINE=1"), "git commit -q -m 'in a silent terminal'")
	if code != 0 {
		t.Fatalf("git commit exited %d in a silent terminal:\n%q", code, shown)
	}
	for _, q := range terminalQueries {
		if strings.Contains(shown, q) {
			t.Errorf("the hook asked the terminal %q:\n%q", q, shown)
		}
	}
	if got := r.Git("log", "-1", "--format=%s"); got != "in a silent terminal" {
		t.Fatalf("the commit was not made: last commit %q", got)
	}
}

// secfirst on a terminal without its terminal interface installed: one
// line that says what is missing and how to install it, exit 2.
func TestTerminalInterfaceMissing(t *testing.T) {
	alone := filepath.Join(t.TempDir(), "secfirst")
	data, err := os.ReadFile(gittest.BuiltSecfirst(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	r := gittest.New(t)
	shown, code := silentPty(t, r.Dir, r.Env, alone)
	shown = strings.TrimSpace(strings.ReplaceAll(shown, "\r\n", "\n"))
	if code != 2 || strings.Contains(shown, "\n") || !strings.HasPrefix(shown, "secfirst: the terminal interface is not installed (secfirst-tui: not found next to "+alone) ||
		!strings.Contains(shown, "go install github.com/secfirst-dev/secfirst/cmd/...@latest") {
		t.Fatalf("exit %d, terminal showed:\n%s", code, shown)
	}
}
