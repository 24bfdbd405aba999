package termtext

import (
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain/path.go", "plain/path.go"},
		{"日本語 ✓", "日本語 ✓"},
		{"a\x1b]0;pwned\x07b", `a\x1b]0;pwned\x07b`},
		{"x\x1b[2Jy", `x\x1b[2Jy`},
		{"tab\there\nnew\rret", `tab\there\nnew\rret`},
		{"del\x7f", `del\x7f`},
		{"c1\u009b31m", `c1\u009b31m`},
		{"bidi\u202eevil\u2066", `bidi\u202eevil\u2066`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"nul\x00", `nul\x00`},
	}
	for _, c := range cases {
		if got := Line(c.in); got != c.want {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestBlockKeepsLinesAndTabs(t *testing.T) {
	in := "one\n\ttwo\x1b[31m\r\n"
	want := "one\n\ttwo\\x1b[31m\\r\n"
	if got := Block(in); got != want {
		t.Errorf("Block(%q) = %q, want %q", in, got, want)
	}
}

// Whatever the input, the output holds no byte a terminal acts on.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "a\x1b]0;t\x07", "\xc2\x9b", "\u202e", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Line(s), Block(s)} {
			for i, r := range out {
				if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
					(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
					t.Fatalf("output of %q holds %U at %d: %q", s, r, i, out)
				}
			}
			if strings.ContainsRune(Line(s), '\n') {
				t.Fatalf("Line(%q) holds a newline", s)
			}
		}
	})
}
