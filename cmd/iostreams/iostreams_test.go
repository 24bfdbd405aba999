package iostreams

import (
	"io"
	"strings"
	"testing"

	"github.com/muesli/termenv"
)

// env is an environment for termenv: the variables given, nothing else.
type env map[string]string

func (e env) Getenv(k string) string { return e[k] }
func (e env) Environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}

// Colour follows no-color.org and bixense.com/clicolors as termenv reads
// them: NO_COLOR counts only when it is not empty.
func TestColourFollowsTheEnvironment(t *testing.T) {
	term := env{"TERM": "xterm-256color"}
	with := func(k, v string) env {
		e := env{"TERM": "xterm-256color"}
		e[k] = v
		return e
	}
	for _, c := range []struct {
		name  string
		tty   bool
		env   env
		color bool
	}{
		{"terminal", true, term, true},
		{"pipe", false, term, false},
		{"NO_COLOR=1", true, with("NO_COLOR", "1"), false},
		{"NO_COLOR empty", true, with("NO_COLOR", ""), true},
		{"TERM=dumb", true, env{"TERM": "dumb"}, false},
		{"CLICOLOR=0", true, with("CLICOLOR", "0"), false},
		{"CLICOLOR_FORCE on a pipe", false, with("CLICOLOR_FORCE", "1"), true},
		{"CLICOLOR_FORCE=0 on a pipe", false, with("CLICOLOR_FORCE", "0"), false},
	} {
		got := ColorProfile(io.Discard, c.tty, c.env) != termenv.Ascii
		if got != c.color {
			t.Errorf("%s: colour %v, want %v", c.name, got, c.color)
		}
	}
}

// --no-color wins over a terminal that could show colour, on both streams
// and in what lipgloss renders.
func TestNoColorFlagWins(t *testing.T) {
	ios, _, _, _ := Test()
	ios.SetTTY(true)
	if !ios.ColorEnabled() || !strings.Contains(ios.Renderer().NewStyle().Bold(true).Render("x"), "\x1b[") {
		t.Fatal("a terminal gets no colour")
	}
	ios.SetNoColor(true)
	if ios.ColorEnabled() || ios.ColorEnabledErr() || strings.Contains(ios.Renderer().NewStyle().Bold(true).Render("x"), "\x1b[") {
		t.Fatal("--no-color still colours")
	}
}
