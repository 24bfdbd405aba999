package dockerfile

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

// The conformance cases are the test fixtures of Trivy's and Checkov's own
// Dockerfile checks, kept beside the repository in ../shared (the same
// layout in CI). A case agrees when a finding lists the anchor's id in its
// refs exactly when the anchor expects a failure.
type conformanceCase struct {
	Source     string `json:"source"`
	Check      string `json:"check"`
	Dockerfile string `json:"dockerfile"`
	Expect     string `json:"expect"`
}

func conformanceDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(repoRoot(t), "..", "shared", "conformance", "dockerfile")
}

// repoRoot is the repository's top directory, where go.mod is.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
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

// equivalentIDs are the spellings of an anchor id a finding may carry.
func equivalentIDs(anchor string) []string {
	if strings.HasPrefix(anchor, "DS-") {
		num := strings.TrimPrefix(anchor, "DS-")
		return []string{anchor, "AVD-" + anchor, "DS" + strings.TrimPrefix(num, "0")}
	}
	return []string{anchor}
}

type agreement struct {
	total, agree int
	byCheck      map[string][2]int // anchor -> {agree, total}
	disagree     []string
}

func runConformance(t *testing.T, cases []conformanceCase) agreement {
	a := agreement{byCheck: map[string][2]int{}}
	for i, c := range cases {
		fired := false
		var rules []string
		for _, f := range CheckFile("Dockerfile", []byte(c.Dockerfile)) {
			for _, r := range f.Refs {
				for _, id := range equivalentIDs(c.Check) {
					if r == id {
						fired = true
						rules = append(rules, fmt.Sprintf("%s@%d", f.Rule, f.Line))
					}
				}
			}
		}
		ok := fired == (c.Expect == "fail")
		s := a.byCheck[c.Check]
		s[1]++
		a.total++
		if ok {
			s[0]++
			a.agree++
		} else {
			a.disagree = append(a.disagree, fmt.Sprintf("#%d %s expect=%s fired=%v %v (%s)\n%s", i, c.Check, c.Expect, fired, rules, c.Source, indent(c.Dockerfile)))
		}
		a.byCheck[c.Check] = s
	}
	return a
}

func indent(s string) string {
	return "    | " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    | ")
}

func TestConformance(t *testing.T) {
	dir := conformanceDir(t)
	for _, tc := range []struct {
		file string
		min  float64
	}{
		{"trivy-checks.jsonl", 0.95},
		{"checkov.jsonl", 1.00},
	} {
		t.Run(strings.TrimSuffix(tc.file, ".jsonl"), func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			if _, err := os.Stat(path); err != nil {
				t.Skipf("conformance cases not available at %s: %v", path, err)
			}
			cases := readCases(t, path)
			if len(cases) == 0 {
				t.Fatalf("%s holds no cases", path)
			}
			a := runConformance(t, cases)
			var anchors []string
			for k := range a.byCheck {
				anchors = append(anchors, k)
			}
			sort.Strings(anchors)
			for _, k := range anchors {
				s := a.byCheck[k]
				if s[0] != s[1] {
					t.Logf("%-14s %d/%d", k, s[0], s[1])
				}
			}
			for _, d := range a.disagree {
				t.Logf("disagreement %s", d)
			}
			rate := float64(a.agree) / float64(a.total)
			t.Logf("%s: %d/%d cases agree (%.1f%%)", tc.file, a.agree, a.total, 100*rate)
			if rate < tc.min {
				t.Errorf("agreement %.1f%% is below %.0f%%", 100*rate, 100*tc.min)
			}
		})
	}
}
