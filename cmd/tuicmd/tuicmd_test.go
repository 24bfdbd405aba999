package tuicmd

import (
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/tuilaunch"
)

func execute(tty bool, args ...string) (int, string, error) {
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(tty)
	cmd := NewCmd(ios)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return cmdutil.Code(err), out.String(), err
}

// Every screen needs a terminal: without one, one line and exit 2, before
// anything is drawn.
func TestScreensNeedATerminal(t *testing.T) {
	for _, args := range [][]string{nil, {"dashboard"}, {"onboard"}, {"review"}} {
		code, out, err := execute(false, args...)
		if code != 2 || out != "" || !strings.Contains(err.Error(), "needs a terminal") {
			t.Errorf("secfirst-tui %v: exit %d, stdout %q, err %v", args, code, out, err)
		}
	}
}

// learn prints the lesson rendered for the terminal (here without colour):
// headings and code fences rendered, the references whole.
func TestLearnRendersTheLesson(t *testing.T) {
	code, out, err := execute(false, "learn", "containers-non-root")
	if code != 0 || err != nil {
		t.Fatalf("exit %d: %v", code, err)
	}
	if !strings.Contains(out, "Why it matters") || strings.Contains(out, "```") || strings.Contains(out, "\x1b[") {
		t.Fatalf("not a rendered, colourless lesson:\n%s", out)
	}
	code, _, err = execute(false, "learn", "no-such-lesson")
	if code != 2 || !strings.Contains(err.Error(), `no lesson or rule "no-such-lesson"`) {
		t.Fatalf("unknown lesson: exit %d, %v", code, err)
	}
	code, _, err = execute(false, "lern", "x")
	if code != 2 || !strings.Contains(err.Error(), `did you mean "learn"?`) {
		t.Fatalf("typo: exit %d, %v", code, err)
	}
}

// The hooks the interface installs call the secfirst that started it,
// never secfirst-tui itself.
func TestHookBinaryIsTheSecfirstThatStartedIt(t *testing.T) {
	t.Setenv(tuilaunch.EnvSecfirst, "/opt/secfirst/bin/secfirst")
	if got, err := hookBinary(); err != nil || got != "/opt/secfirst/bin/secfirst" {
		t.Fatalf("hookBinary = %q, %v", got, err)
	}
	t.Setenv(tuilaunch.EnvSecfirst, "")
	t.Setenv("PATH", t.TempDir())
	if _, err := hookBinary(); err == nil || !strings.Contains(err.Error(), "secfirst itself is not installed") {
		t.Fatalf("without secfirst: %v", err)
	}
}
