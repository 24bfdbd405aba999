// Package conformance reads the conformance cases the configuration checks
// are measured against (the fixtures of Trivy's and Checkov's own checks,
// kept beside the repository in ../shared/conformance, the same layout in
// CI) and tallies how far a check agrees with them. Only tests use it.
//
// A case agrees when a finding on its input names the case's anchor id in
// its refs exactly when the anchor tool expects a failure.
package conformance

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/internal/checktest"
)

// Case is one conformance case.
type Case struct {
	Source string // repository:path it came from
	Check  string // the anchor's id: KSV-0017, AWS-0086, DS-0002, CKV_DOCKER_3
	Expect string // fail or pass
	Origin string // which example or test input of the check
	Input  string // the file's text
}

// File is the path of ../shared/conformance/<topic>/<name>, beside the
// repository's top directory. A missing file fails the test: the cases
// are part of the build.
func File(t testing.TB, topic, name string) string {
	t.Helper()
	file := filepath.Join(checktest.RepoRoot(t), "..", "shared", "conformance", topic, name)
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("conformance cases not available at %s: %v", file, err)
	}
	return file
}

// Read reads the cases of a JSONL file, one object a line; input names the
// key that holds the file's text (manifest, terraform, dockerfile).
func Read(t testing.TB, file, input string) []Case {
	t.Helper()
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []Case
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &fields); err != nil {
			t.Fatalf("%s:%d: %v", file, n, err)
		}
		text := func(key string) string {
			var s string
			if raw, ok := fields[key]; ok {
				if err := json.Unmarshal(raw, &s); err != nil {
					t.Fatalf("%s:%d: %s: %v", file, n, key, err)
				}
			}
			return s
		}
		out = append(out, Case{Source: text("source"), Check: text("check"), Expect: text("expect"), Origin: text("origin"), Input: text(input)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no cases", file)
	}
	return out
}

// Fires reports whether one of findings has a ref that names the anchor
// (names decides), and which findings those are (rule@line).
func Fires(findings []checks.Finding, names func(ref string) bool) (bool, []string) {
	var rules []string
	for _, f := range findings {
		for _, r := range f.Refs {
			if names(r) {
				rules = append(rules, fmt.Sprintf("%s@%d", f.Rule, f.Line))
				break
			}
		}
	}
	return len(rules) > 0, rules
}

// Score is the agreement on the cases of one anchor id.
type Score struct {
	Agree, Total int
	// Diverge are the disagreements that are on purpose (see Tally.Add).
	Diverge int
}

// Tally is the agreement of a check with a file of cases.
type Tally struct {
	ByCheck     map[string]*Score
	Agree       int
	Total       int
	disagree    []string
	divergences map[string]string
}

// NewTally starts a tally. divergences are the cases (by "<check>
// <origin>") where the check disagrees with the anchor on purpose, with
// the reason: they count against neither; one that agrees is an error, to
// keep the list true.
func NewTally(divergences map[string]string) *Tally {
	return &Tally{ByCheck: map[string]*Score{}, divergences: divergences}
}

// Add scores case number i: fired is whether a finding named its anchor.
func (tl *Tally) Add(t testing.TB, i int, c Case, fired bool, rules []string) {
	t.Helper()
	s := tl.ByCheck[c.Check]
	if s == nil {
		s = &Score{}
		tl.ByCheck[c.Check] = s
	}
	s.Total++
	tl.Total++
	key := c.Check + " " + c.Origin
	why := tl.divergences[key]
	switch {
	case fired == (c.Expect == "fail"):
		s.Agree++
		tl.Agree++
		if why != "" {
			t.Errorf("%s is listed as a divergence but agrees now: remove it", key)
		}
	case why != "":
		s.Diverge++
		t.Logf("divergence %s: %s", key, why)
	default:
		from := c.Origin
		if from == "" {
			from = c.Source
		}
		tl.disagree = append(tl.disagree, fmt.Sprintf("#%d %s expect=%s fired=%v %v (%s)\n%s", i, c.Check, c.Expect, fired, rules, from, indent(c.Input)))
	}
}

// Report logs the agreement of each anchor of scored and fails those that
// have no case or agree (divergences included) on less than min of their
// cases; then it logs the disagreements and returns the overall agreement
// (divergences excluded). scored nil: every anchor the cases have, and
// only the imperfect ones are logged.
func (tl *Tally) Report(t testing.TB, scored map[string]bool, min float64) float64 {
	t.Helper()
	all := scored == nil
	if all {
		scored = map[string]bool{}
		for k := range tl.ByCheck {
			scored[k] = true
		}
	}
	names := make([]string, 0, len(scored))
	for k := range scored {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		s := tl.ByCheck[k]
		if s == nil {
			t.Errorf("%s is in a rule's refs but has no conformance case", k)
			continue
		}
		if !all || s.Agree != s.Total {
			t.Logf("%-14s %d/%d", k, s.Agree, s.Total)
		}
		if rate := float64(s.Agree+s.Diverge) / float64(s.Total); rate < min {
			t.Errorf("%s: agreement %d/%d (%.0f%%) is below %.0f%%", k, s.Agree, s.Total, 100*rate, 100*min)
		}
	}
	for _, d := range tl.disagree {
		t.Logf("disagreement %s", d)
	}
	if tl.Total == 0 {
		return 0
	}
	return float64(tl.Agree) / float64(tl.Total)
}

func indent(s string) string {
	return "    | " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    | ")
}
