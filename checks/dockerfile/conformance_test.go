package dockerfile

import (
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks/internal/conformance"
)

// The conformance cases are the test fixtures of Trivy's and Checkov's own
// Dockerfile checks (package conformance). Every case is scored, by file.

// equivalentIDs are the spellings of an anchor id a finding may carry.
func equivalentIDs(anchor string) []string {
	if strings.HasPrefix(anchor, "DS-") {
		num := strings.TrimPrefix(anchor, "DS-")
		return []string{anchor, "AVD-" + anchor, "DS" + strings.TrimPrefix(num, "0")}
	}
	return []string{anchor}
}

// readCases reads a conformance file of the Dockerfile check.
func readCases(t *testing.T, file string) []conformance.Case {
	t.Helper()
	return conformance.Read(t, conformance.File(t, "dockerfile", file), "dockerfile")
}

func indent(s string) string {
	return "    | " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    | ")
}

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		file string
		min  float64
	}{
		{"trivy-checks.jsonl", 0.95},
		{"checkov.jsonl", 1.00},
	} {
		t.Run(strings.TrimSuffix(tc.file, ".jsonl"), func(t *testing.T) {
			tally := conformance.NewTally(nil)
			for i, c := range readCases(t, tc.file) {
				ids := equivalentIDs(c.Check)
				fired, rules := conformance.Fires(CheckFile("Dockerfile", []byte(c.Input)), func(ref string) bool {
					for _, id := range ids {
						if ref == id {
							return true
						}
					}
					return false
				})
				tally.Add(t, i, c, fired, rules)
			}
			rate := tally.Report(t, nil, 0)
			t.Logf("%s: %d/%d cases agree (%.1f%%)", tc.file, tally.Agree, tally.Total, 100*rate)
			if rate < tc.min {
				t.Errorf("agreement %.1f%% is below %.0f%%", 100*rate, 100*tc.min)
			}
		})
	}
}
