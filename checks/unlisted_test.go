package checks_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
)

// A source's cap lists the first FindingsPerRule findings of each rule in
// each file and counts the rest, by severity, with their fingerprints; a
// source without one lists everything.
func TestRuleCapListsTheFirstOfEachRuleInEachFile(t *testing.T) {
	if c := (&checks.Source{}).RuleCap(); !c.Keep(checks.Finding{Rule: "x"}) || c.Unlisted() != nil {
		t.Fatal("no cap must list everything")
	}
	c := (&checks.Source{FindingsPerRule: 2}).RuleCap()
	finding := func(file, rule string, sev checks.Severity, i int) checks.Finding {
		return checks.Finding{Check: "kubernetes", Rule: rule, File: file, Severity: sev, Title: rule + " title",
			Fingerprint: checks.Fingerprint("kubernetes", rule, file, fmt.Sprint(i))}
	}
	var listed []string
	var counted []string
	for i := range 5 {
		for _, f := range []checks.Finding{
			finding("a.yaml", "k/one", checks.High, i),
			finding("b.yaml", "k/one", checks.High, i),
			finding("a.yaml", "k/two", checks.Low, i),
		} {
			if c.Keep(f) {
				listed = append(listed, f.File+" "+f.Rule)
			} else if f.File == "a.yaml" && f.Rule == "k/one" {
				counted = append(counted, f.Fingerprint)
			}
		}
	}
	if len(listed) != 6 {
		t.Errorf("listed %v, want two of each rule in each file", listed)
	}
	// A finding of the same rule and file with another severity is a
	// group of its own (a .hadolint.yaml override can change it).
	c.Keep(finding("a.yaml", "k/one", checks.Medium, 9))
	got := c.Unlisted()
	if len(got) != 4 {
		t.Fatalf("%d groups, want a.yaml k/one high, b.yaml k/one, a.yaml k/two, a.yaml k/one medium: %+v", len(got), got)
	}
	first := got[0]
	if first.File != "a.yaml" || first.Rule != "k/one" || first.Severity != checks.High || first.Title != "k/one title" || first.Count() != 3 {
		t.Errorf("first group %+v, want a.yaml k/one high, 3 findings", first)
	}
	if !slices.Equal(first.Fingerprints(), counted) {
		t.Errorf("fingerprints %v, want %v", first.Fingerprints(), counted)
	}
	var s checks.Summary
	s.AddUnlisted(got)
	if s.High != 6 || s.Low != 3 || s.Medium != 1 || s.Blocking != 0 {
		t.Errorf("summary %+v, want 6 high, 3 low, 1 medium, none blocking before the policy", s)
	}
}
