package kubernetes

import (
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks/internal/conformance"
	"github.com/secfirst-dev/secfirst/checks/pragma"
)

// The conformance cases are the examples and unit-test inputs of Trivy's
// own Kubernetes checks (package conformance). Only the Trivy checks
// secfirst maps (those some rule lists in its refs) are scored; each must
// agree on at least 90% of its cases.

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

func TestConformance(t *testing.T) {
	cases := conformance.Read(t, conformance.File(t, "kubernetes", "trivy-checks.jsonl"), "manifest")
	mapped := mappedTrivyChecks()
	tally := conformance.NewTally(nil)
	for i, c := range cases {
		findings := CheckFile("manifest.yaml", []byte(c.Input)).Findings // no crash on any case
		if !mapped[c.Check] {
			continue
		}
		fired, rules := conformance.Fires(findings, func(ref string) bool { return pragma.NormalizeTrivy(ref) == c.Check })
		tally.Add(t, i, c, fired, rules)
	}
	rate := tally.Report(t, mapped, 0.90)
	t.Logf("%d mapped Trivy checks: %d/%d cases agree (%.1f%%)", len(mapped), tally.Agree, tally.Total, 100*rate)
}
