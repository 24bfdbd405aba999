package learn

import (
	"strings"
	"testing"

	"github.com/muesli/termenv"

	"github.com/secfirst-dev/secfirst/lessons"
)

func TestRenderOnATerminal(t *testing.T) {
	l, _ := lessons.Get("containers-non-root")
	out, err := Render(l, 80, termenv.ANSI256, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "\x1b[") {
		t.Error("no styling on a colour terminal")
	}
	if strings.Contains(out, "```") {
		t.Error("code fences were not rendered")
	}
	plain, err := Render(l, 80, termenv.Ascii, true)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain, "\x1b[") {
		t.Error("colour escape codes with NO_COLOR")
	}
	for _, want := range []string{l.Title, "Why it matters", "USER node", "Answer: B"} {
		if !strings.Contains(plain, want) {
			t.Errorf("rendered lesson lacks %q", want)
		}
	}
	for _, line := range strings.Split(plain, "\n") {
		// URLs are kept whole on their own line, whatever their length.
		if strings.HasPrefix(strings.TrimSpace(line), "https://") {
			continue
		}
		if len([]rune(line)) > 80 {
			t.Errorf("line wider than 80 columns: %q", line)
			break
		}
	}
}

func TestLightBackground(t *testing.T) {
	for v, want := range map[string]bool{"": false, "15;0": false, "0;15": true, "0;7": true, "0;default;15": true, "7;0": false} {
		if got := lightBackground(v); got != want {
			t.Errorf("lightBackground(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestRenderKeepsURLsWhole(t *testing.T) {
	for _, l := range lessons.All() {
		for _, color := range []bool{false, true} {
			profile := termenv.Ascii
			if color {
				profile = termenv.ANSI256
			}
			out, err := Render(l, 60, profile, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, ref := range l.Sections.References {
				if !strings.Contains(out, ref.URL) {
					t.Errorf("%s: rendered lesson (color %v) breaks or lacks %s", l.ID, color, ref.URL)
				}
			}
			for _, c := range l.Sections.Quiz.Choices {
				// Glamour renders `code` without its backticks.
				c = strings.ReplaceAll(c, "`", "")
				if !strings.Contains(strings.Join(strings.Fields(out), " "), c) && !color {
					t.Errorf("%s: rendered quiz lacks choice %q", l.ID, c)
				}
			}
		}
	}
}

// Unless asked, the quiz shows its question and choices, not the answer.
func TestRenderHidesTheAnswerUnlessAsked(t *testing.T) {
	l, _ := lessons.Get("containers-non-root")
	hidden, err := Render(l, 80, termenv.Ascii, false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hidden, "Answer:") || strings.Contains(hidden, "Explanation:") || !strings.Contains(hidden, l.Sections.Quiz.Question[:20]) {
		t.Fatalf("the quiz gives its answer away:\n%s", hidden)
	}
}

// The lesson takes the colours the terminal has: 24-bit colour for code
// where it has them, 16 colours only on a 16-colour terminal (glamour used
// to be given 256 colours whatever the terminal).
func TestRenderUsesTheTerminalsProfile(t *testing.T) {
	l, _ := lessons.Get("containers-non-root")
	t.Setenv("GLAMOUR_STYLE", "")
	t.Setenv("COLORFGBG", "")
	for _, c := range []struct {
		profile   termenv.Profile
		want, not string
	}{
		{termenv.TrueColor, "38;2;", "\x00"}, // the code in 24-bit colour
		{termenv.ANSI256, "38;5;", "38;2;"},
		{termenv.ANSI, "\x1b[", "38;5;"},
	} {
		out, err := Render(l, 80, c.profile, true)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, c.want) || strings.Contains(out, c.not) {
			t.Errorf("profile %v: want %q and no %q in %q", c.profile, c.want, c.not, out[:min(len(out), 300)])
		}
	}
}
