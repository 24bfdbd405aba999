package checks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Check is one kind of analysis (secrets, deps, dockerfile).
type Check interface {
	// Name is the check's id in findings, --check and the policy.
	Name() string
	// Run scans the source. Warnings are non-fatal problems the user must
	// hear about (e.g. no vulnerability database); an error means the check
	// could not do its job at all.
	Run(ctx context.Context, src *Source) (Result, error)
}

// Result is what one check returns.
type Result struct {
	Findings []Finding
	Warnings []string
	// Suppressed are the findings the check itself hid (.gitleaksignore,
	// inline comments, osv-scanner.toml), so outputs can count them.
	Suppressed []Suppression
}

// Report is the outcome of a scan: the JSON document of PRODUCT.md.
type Report struct {
	Version  int       `json:"version"`
	Mode     Mode      `json:"mode"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
	Warnings []string  `json:"warnings"`
	// Errors are the checks that could not do their job, as "<check> check
	// failed: <cause>". A report with errors is never a clean result. They
	// are also in Warnings, so a reader of warnings alone still sees them.
	Errors []string `json:"errors"`
	// PolicyWarnings are the warnings about the policy file itself (an
	// ignore that expired); they are also in Warnings.
	PolicyWarnings []string `json:"-"`
	// Suppressed are the findings that suppressions hid: those the checks
	// hid themselves, then those the policy's ignores hid, each in the
	// order of SortFindings.
	Suppressed []Suppression `json:"-"`
}

// Incomplete reports whether a check could not do its job.
func (r *Report) Incomplete() bool { return len(r.Errors) > 0 }

// Options tune a scan.
type Options struct {
	// FailOn overrides the policy's level when set.
	FailOn FailOn
	// Now is the clock for ignore expiry (zero: time.Now()).
	Now time.Time
}

// Scan runs the checks concurrently over src, applies the policy and returns
// the report. A check that fails does not stop the others: its error is in
// Report.Errors and Warnings.
func Scan(ctx context.Context, src *Source, list []Check, pol *Policy, opts Options) *Report {
	if pol == nil {
		pol = DefaultPolicy()
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	results := make([]Result, len(list))
	errs := make([]error, len(list))
	var wg sync.WaitGroup
	for i, c := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					errs[i] = fmt.Errorf("internal error: %v", r)
				}
			}()
			results[i], errs[i] = c.Run(ctx, src)
		}()
	}
	wg.Wait()

	rep := &Report{Version: 1, Mode: src.Mode, Findings: []Finding{}, Warnings: []string{}, Errors: []string{}}
	var all []Finding
	var hidden []Suppression
	for i, r := range results {
		all = append(all, r.Findings...)
		rep.Warnings = append(rep.Warnings, r.Warnings...)
		hidden = append(hidden, r.Suppressed...)
		if errs[i] != nil {
			msg := fmt.Sprintf("%s check failed: %v", list[i].Name(), errs[i])
			rep.Errors = append(rep.Errors, msg)
			rep.Warnings = append(rep.Warnings, msg)
		}
	}
	kept, byPolicy, warns := pol.Apply(all, opts.FailOn, now)
	rep.Warnings = append(rep.Warnings, warns...)
	rep.PolicyWarnings = warns
	SortFindings(kept)
	if kept != nil {
		rep.Findings = kept
	}
	sortSuppressions(hidden)
	sortSuppressions(byPolicy)
	rep.Suppressed = append(hidden, byPolicy...)
	rep.Summary = Summarize(rep.Findings)
	return rep
}

// Fingerprint is a stable id for a finding: a digest of its check, rule, path
// and a key that identifies the problem without its position (for a secret,
// the secret's own digest), so moving lines does not change it.
func Fingerprint(check, rule, path, key string) string {
	h := sha256.New()
	for _, s := range []string{check, rule, path, key} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// Select returns the checks named in names (all when empty), minus those the
// policy switches off, in the order of all.
func Select(all []Check, names []string, pol *Policy) ([]Check, error) {
	want := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		found := false
		for _, c := range all {
			if c.Name() == n {
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown check %q (want %s)", n, strings.Join(KnownChecks, ", "))
		}
		want[n] = true
	}
	var out []Check
	for _, c := range all {
		if len(want) > 0 && !want[c.Name()] {
			continue
		}
		if pol != nil && !pol.CheckEnabled(c.Name()) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}
