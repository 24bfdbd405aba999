package cmdutil

import (
	"slices"
	"testing"
)

func TestSplitList(t *testing.T) {
	got := SplitList([]string{"secrets, deps", "", "dockerfile,,", " "})
	if want := []string{"secrets", "deps", "dockerfile"}; !slices.Equal(got, want) {
		t.Fatalf("SplitList = %q, want %q", got, want)
	}
}
