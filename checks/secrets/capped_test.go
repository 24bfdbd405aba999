package secrets

import (
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/secfirst-dev/secfirst/checks"
)

// TestCappedHoldsTheFirstAndCountsTheRestAsASortWould feeds a capped run
// the findings of two rules in two files in a shuffled order, as parallel
// pieces deliver them, and compares what it lists, suppresses and counts
// with what convert makes of all of them held whole (the detector's way):
// the same, whatever the order; and of the counted ones it holds no text.
func TestCappedHoldsTheFirstAndCountsTheRestAsASortWould(t *testing.T) {
	const limit = 5
	src := &checks.Source{Mode: checks.ModeStaged, FindingsPerRule: limit}
	ignore := ignoreList{"b.env:github-pat:7": 1}
	var all []report.Finding
	for _, file := range []string{"a.env", "b.env"} {
		for _, rule := range []string{"github-pat", "aws-access-token"} {
			for line := 1; line <= 40; line++ {
				secret := fakeSecret(t)
				g := report.Finding{RuleID: rule, Description: "Found a " + rule + ", which is bad.", File: file,
					StartLine: line, EndLine: line, StartColumn: 3, EndColumn: 3 + len(secret),
					Line: "key = " + secret, Match: secret, Secret: secret}
				if line%9 == 0 {
					g.Line += " # gitleaks:allow"
				}
				all = append(all, g)
				if line == 2 { // a second secret on the line, after the first
					g.Secret, g.StartColumn = fakeSecret(t), 50
					all = append(all, g)
				}
				if line >= 30 { // past the cap: ties on line, columns (pieces of a long line)
					g.Secret = fakeSecret(t)
					all = append(all, g)
					g.Secret, g.EndColumn = fakeSecret(t), g.EndColumn+1
					all = append(all, g)
				}
			}
		}
	}
	c := New()
	wantFindings, wantHidden, wantUnlisted := c.convert(src, append([]report.Finding(nil), all...), nil, ignore)
	if len(wantUnlisted) != 4 || len(wantHidden) != 4*(4+2)+1 {
		t.Fatalf("the cases must be capped and suppressed: %d unlisted groups, %d suppressed", len(wantUnlisted), len(wantHidden))
	}
	for round := range 5 {
		shuffled := append([]report.Finding(nil), all...)
		mrand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		held := newCapped(limit, ignore)
		for _, g := range shuffled {
			held.add(g)
		}
		whole, past := held.findings()
		if len(whole) != 4*limit+len(wantHidden) {
			t.Fatalf("round %d: %d findings held whole, want %d listed and the %d suppressed", round, len(whole), 4*limit, len(wantHidden))
		}
		findings, hidden, unlisted := c.convert(src, whole, past, ignore)
		if !reflect.DeepEqual(findings, wantFindings) {
			t.Errorf("round %d: listed\n%v\nwant\n%v", round, findings, wantFindings)
		}
		if !reflect.DeepEqual(hidden, wantHidden) {
			t.Errorf("round %d: suppressed differ", round)
		}
		if !reflect.DeepEqual(unlisted, wantUnlisted) {
			t.Errorf("round %d: unlisted\n%+v\nwant\n%+v", round, unlisted, wantUnlisted)
		}
	}
}

// fakeSecret is a random token made at run time.
func fakeSecret(t *testing.T) string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "ghp_" + hex.EncodeToString(b)
}

// The findings a capped run holds to the end, listed or suppressed where
// written, share no memory with the text they were found in: their line,
// match and secret are copies, so that the text (a 10 MB leak corpus) is
// garbage once it is read.
func TestCappedFindingsHoldNoSliceOfTheirText(t *testing.T) {
	secret := fakeSecret(t)
	text := "key = " + secret + "\nother = " + secret + " # gitleaks:allow\nthird = " + secret + "\n"
	within := func(s string) bool {
		start := uintptr(unsafe.Pointer(unsafe.StringData(text)))
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return len(s) > 0 && p >= start && p < start+uintptr(len(text))
	}
	c := newCapped(1, nil)
	lines := strings.SplitAfter(text, "\n")
	add := func(i int) {
		line := lines[i]
		at := strings.Index(line, secret)
		c.add(report.Finding{RuleID: "r", File: "a.env", StartLine: i + 1, StartColumn: at + 1,
			Line: line, Match: line[at : at+len(secret)], Secret: line[at : at+len(secret)]})
	}
	// Line 3 is held first, then line 1 takes its place under the cap of
	// one; line 2 is suppressed where it is written.
	add(2)
	add(0)
	add(1)
	held, _ := c.findings()
	if len(held) != 2 {
		t.Fatalf("%d findings held, want the listed one and the suppressed one", len(held))
	}
	for _, g := range held {
		if g.Line != lines[g.StartLine-1] || g.Secret != secret {
			t.Errorf("line %d: the finding changed: %q %q", g.StartLine, g.Line, g.Secret)
		}
		if within(g.Line) || within(g.Match) || within(g.Secret) {
			t.Errorf("line %d: the held finding is a slice of the text it was found in", g.StartLine)
		}
	}
}
