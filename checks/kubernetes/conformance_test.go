package kubernetes

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The conformance cases are the examples and unit-test inputs of Trivy's
// own Kubernetes checks, kept beside the repository in ../shared (the same
// layout in CI). A case agrees when a finding on its manifest lists the
// case's Trivy id in its refs exactly when Trivy expects a failure. Only
// the Trivy checks secfirst maps (those some rule lists in its refs) are
// scored; each must agree on at least 90% of its cases.
type conformanceCase struct {
	Source   string `json:"source"`
	Check    string `json:"check"`
	Manifest string `json:"manifest"`
	Expect   string `json:"expect"`
	Origin   string `json:"origin"`
}

func conformanceFile(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "conformance", "kubernetes", "trivy-checks.jsonl")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

func readCases(t *testing.T, file string) []conformanceCase {
	t.Helper()
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []conformanceCase
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c conformanceCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s:%d: %v", file, n, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// mappedTrivyChecks are the Trivy ids some rule lists in its refs.
func mappedTrivyChecks() map[string]bool {
	out := map[string]bool{}
	for _, r := range catalog() {
		for _, ref := range r.refs {
			if strings.HasPrefix(ref, "KSV-") {
				out[ref] = true
			}
		}
	}
	return out
}

// fires reports whether a finding on the manifest names the Trivy id.
func fires(manifest, check string) (bool, []string) {
	var rules []string
	for _, f := range CheckFile("manifest.yaml", []byte(manifest)).Findings {
		for _, r := range f.Refs {
			if normalizeTrivy(r) == check {
				rules = append(rules, fmt.Sprintf("%s@%d", f.Rule, f.Line))
				break
			}
		}
	}
	return len(rules) > 0, rules
}

func TestConformance(t *testing.T) {
	file := conformanceFile(t)
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("conformance cases not available at %s: %v", file, err)
	}
	cases := readCases(t, file)
	mapped := mappedTrivyChecks()
	type score struct{ agree, total int }
	byCheck := map[string]*score{}
	var disagree []string
	for i, c := range cases {
		if !mapped[c.Check] {
			CheckFile("manifest.yaml", []byte(c.Manifest)) // no crash on any case
			continue
		}
		fired, rules := fires(c.Manifest, c.Check)
		s := byCheck[c.Check]
		if s == nil {
			s = &score{}
			byCheck[c.Check] = s
		}
		s.total++
		if fired == (c.Expect == "fail") {
			s.agree++
		} else {
			disagree = append(disagree, fmt.Sprintf("#%d %s expect=%s fired=%v %v (%s)\n%s", i, c.Check, c.Expect, fired, rules, c.Origin, indent(c.Manifest)))
		}
	}
	var names []string
	for k := range mapped {
		names = append(names, k)
	}
	sort.Strings(names)
	agree, total := 0, 0
	for _, k := range names {
		s := byCheck[k]
		if s == nil {
			t.Errorf("%s is in a rule's refs but has no conformance case", k)
			continue
		}
		agree += s.agree
		total += s.total
		rate := float64(s.agree) / float64(s.total)
		t.Logf("%s %d/%d", k, s.agree, s.total)
		if rate < 0.90 {
			t.Errorf("%s: agreement %d/%d (%.0f%%) is below 90%%", k, s.agree, s.total, 100*rate)
		}
	}
	for _, d := range disagree {
		t.Logf("disagreement %s", d)
	}
	t.Logf("%d mapped Trivy checks: %d/%d cases agree (%.1f%%)", len(names), agree, total, 100*float64(agree)/float64(total))
}

func indent(s string) string {
	return "    | " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    | ")
}
