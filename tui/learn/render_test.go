package learn

import (
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/lessons"
)

func TestRenderOnATerminal(t *testing.T) {
	l, _ := lessons.Get("containers-non-root")
	out, err := Render(l, 80, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "\x1b[") {
		t.Error("no styling on a colour terminal")
	}
	if strings.Contains(out, "```") {
		t.Error("code fences were not rendered")
	}
	plain, err := Render(l, 80, false, true)
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
			out, err := Render(l, 60, color, true)
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
	hidden, err := Render(l, 80, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hidden, "Answer:") || strings.Contains(hidden, "Explanation:") || !strings.Contains(hidden, l.Sections.Quiz.Question[:20]) {
		t.Fatalf("the quiz gives its answer away:\n%s", hidden)
	}
}
