package checks

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSnippetOf(t *testing.T) {
	long := strings.Repeat("a", MaxSnippet-1) + "é" + "tail"
	for in, want := range map[string]string{
		"  privileged: true\r":            "privileged: true",
		strings.Repeat("x", MaxSnippet):   strings.Repeat("x", MaxSnippet),
		strings.Repeat("x", MaxSnippet+1): strings.Repeat("x", MaxSnippet) + "…",
		long:                              strings.Repeat("a", MaxSnippet-1) + "…", // é is not cut in half
	} {
		got := SnippetOf(in)
		if got != want || !utf8.ValidString(got) {
			t.Errorf("SnippetOf(%q) = %q, want %q", in, got, want)
		}
	}
}
