package gittest

import (
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"
)

// Every fake secret is one gitleaks reports, whatever the draw: tests that
// expect a commit to be blocked must not pass or fail by chance.
func TestFakesAreAlwaysDetected(t *testing.T) {
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rule string
		make func() string
	}{
		{"aws-access-token", FakeAWSKey},
		{"github-pat", FakeGitHubToken},
		{"stripe-access-token", FakeStripeKey},
	} {
		for range 3000 {
			key := tc.make()
			fs := d.DetectString("token = \"" + key + "\"\n")
			found := false
			for _, f := range fs {
				found = found || (f.RuleID == tc.rule && f.Secret == key)
			}
			if !found {
				t.Fatalf("%s: gitleaks does not report a fake key of entropy %.2f", tc.rule, entropy(key))
			}
		}
	}
}

// A key of low entropy is redrawn: gitleaks would not report it.
func TestEntropyMatchesGitleaksThreshold(t *testing.T) {
	low := "AKIA" + "AAAAAAAAAAAAAAAB"
	if e := entropy(low); e >= 3 {
		t.Fatalf("entropy(%s) = %.2f, want under gitleaks' 3", low, e)
	}
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	if fs := d.DetectString("token = \"" + low + "\"\n"); len(fs) != 0 {
		t.Fatalf("gitleaks reports a low-entropy key; the redraw threshold is stale: %+v", fs[0].RuleID)
	}
}
