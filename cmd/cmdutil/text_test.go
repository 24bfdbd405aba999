package cmdutil

import (
	"slices"
	"testing"
)

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2}, {"same", "same", 0}} {
		if got := EditDistance(c.a, c.b); got != c.d {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestSplitList(t *testing.T) {
	got := SplitList([]string{"secrets, deps", "", "dockerfile,,", " "})
	if want := []string{"secrets", "deps", "dockerfile"}; !slices.Equal(got, want) {
		t.Fatalf("SplitList = %q, want %q", got, want)
	}
}
