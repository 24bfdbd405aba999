package terraform

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

// The conformance cases are the good and bad Terraform examples of Trivy's
// own cloud checks, kept beside the repository in ../shared (the same
// layout in CI). A case agrees when a finding on its main.tf lists the
// case's Trivy id in its refs exactly when Trivy expects a failure. Only
// the Trivy checks secfirst maps (those some rule lists in its refs) are
// scored; each must agree on at least 90% of its cases, except the
// divergences below, where secfirst is stricter than Trivy on purpose;
// all mapped cases together must agree on at least 95%.
type conformanceCase struct {
	Source    string `json:"source"`
	Check     string `json:"check"`
	Terraform string `json:"terraform"`
	Expect    string `json:"expect"`
	Origin    string `json:"origin"`
}

// divergences are the cases where secfirst disagrees with Trivy on
// purpose, with the reason; a check may fall below 90% only by these.
var divergences = map[string]string{
	// Google Cloud ORs source_ranges with source_tags: a rule with both
	// still lets 0.0.0.0/0 in. Trivy's GCP-0070 (but not its GCP-0071)
	// passes any rule that has tags.
	"GCP-0070 example-good[2]": "0.0.0.0/0 with source_tags is still open to the internet",
}

func conformanceFile(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "conformance", "terraform", "trivy-checks.jsonl")
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
			if !strings.HasPrefix(ref, "AVD-") && !strings.HasPrefix(ref, "CKV") {
				out[ref] = true
			}
		}
	}
	return out
}

// fires reports whether a finding on the module names the Trivy id.
func fires(tf, check string) (bool, []string) {
	var rules []string
	for _, f := range CheckFile("main.tf", []byte(tf)).Findings {
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
	type score struct{ agree, total, diverge int }
	byCheck := map[string]*score{}
	var disagree []string
	clouds := map[string]bool{}
	for i, c := range cases {
		if !mapped[c.Check] {
			CheckFile("main.tf", []byte(c.Terraform)) // no crash on any case
			continue
		}
		clouds[strings.SplitN(c.Check, "-", 2)[0]] = true
		fired, rules := fires(c.Terraform, c.Check)
		s := byCheck[c.Check]
		if s == nil {
			s = &score{}
			byCheck[c.Check] = s
		}
		s.total++
		key := c.Check + " " + c.Origin
		switch {
		case fired == (c.Expect == "fail"):
			s.agree++
			if divergences[key] != "" {
				t.Errorf("%s is listed as a divergence but agrees now: remove it", key)
			}
		case divergences[key] != "":
			s.diverge++
			t.Logf("divergence %s: %s", key, divergences[key])
		default:
			disagree = append(disagree, fmt.Sprintf("#%d %s expect=%s fired=%v %v (%s)\n%s", i, c.Check, c.Expect, fired, rules, c.Origin, indent(c.Terraform)))
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
		if rate < 0.90 && float64(s.agree+s.diverge)/float64(s.total) < 0.90 {
			t.Errorf("%s: agreement %d/%d (%.0f%%) is below 90%%", k, s.agree, s.total, 100*rate)
		}
	}
	for _, d := range disagree {
		t.Logf("disagreement %s", d)
	}
	rate := float64(agree) / float64(total)
	t.Logf("%d mapped Trivy checks: %d/%d cases agree (%.1f%%)", len(names), agree, total, 100*rate)
	if rate < 0.95 {
		t.Errorf("overall agreement %.1f%% is below 95%%", 100*rate)
	}
	if len(names) < 40 || len(clouds) != 3 {
		t.Errorf("%d mapped Trivy checks over %d clouds; the target is at least 40 over AWS, Azure and Google", len(names), len(clouds))
	}
}

func indent(s string) string {
	return "    | " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    | ")
}
