package checks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
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
	// Unlisted are the findings past the source's FindingsPerRule, counted
	// and not built (see RuleCap).
	Unlisted []Unlisted
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
	// Checks are the names of the checks that ran, in order.
	Checks []string `json:"-"`
	// Unlisted are the findings a cap left out of Findings (only the
	// pre-commit hook sets one, see HookFindingsPerRule): Summary counts
	// them.
	Unlisted []Unlisted `json:"-"`
}

// CheckFailed is the error of a check that could not do its job, as
// Report.Errors holds it: "<check> check failed: <cause>".
func CheckFailed(check string, err error) string {
	return fmt.Sprintf("%s check failed: %v", check, err)
}

// FailedCheck is the check a Report.Errors entry is about.
func FailedCheck(reportError string) (check string, ok bool) {
	check, _, ok = strings.Cut(reportError, " check failed: ")
	return check, ok
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
	src.limitsFrom(pol)
	return RunChecks(ctx, src, list).Report(pol, opts)
}

// Outcome is what the checks of a scan returned, before a policy applies.
type Outcome struct {
	src     *Source
	list    []Check
	results []Result
	errs    []error
}

// RunChecks runs the checks concurrently over src. A check that panics
// fails like one that returns an error.
func RunChecks(ctx context.Context, src *Source, list []Check) *Outcome {
	o := &Outcome{src: src, list: list, results: make([]Result, len(list)), errs: make([]error, len(list))}
	src.sharePatchWith(list)
	defer src.releasePatch()
	defer src.openBatch(ctx)()
	var wg sync.WaitGroup
	for i, c := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					o.errs[i] = fmt.Errorf("internal error: %v", r)
				}
			}()
			o.results[i], o.errs[i] = c.Run(ctx, src)
		}()
	}
	wg.Wait()
	return o
}

// Report applies the policy (nil: the default) to what the checks found and
// returns the report.
func (o *Outcome) Report(pol *Policy, opts Options) *Report {
	if pol == nil {
		pol = DefaultPolicy()
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	rep := &Report{Version: 1, Mode: o.src.Mode, Findings: []Finding{}, Warnings: []string{}, Errors: []string{}}
	for _, c := range o.list {
		rep.Checks = append(rep.Checks, c.Name())
	}
	var all []Finding
	var hidden []Suppression
	var unlisted []Unlisted
	for i, r := range o.results {
		all = append(all, r.Findings...)
		rep.Warnings = append(rep.Warnings, r.Warnings...)
		hidden = append(hidden, r.Suppressed...)
		unlisted = append(unlisted, r.Unlisted...)
		if o.errs[i] != nil {
			msg := CheckFailed(o.list[i].Name(), o.errs[i])
			rep.Errors = append(rep.Errors, msg)
			rep.Warnings = append(rep.Warnings, msg)
		}
	}
	if w := o.src.emptyIndexWarning(context.Background()); w != "" {
		rep.Warnings = append(rep.Warnings, w)
	}
	kept, byPolicy, warns := pol.Apply(all, opts.FailOn, now)
	var unlistedByPolicy []Suppression
	rep.Unlisted, unlistedByPolicy = pol.applyToUnlisted(unlisted, opts.FailOn, now)
	byPolicy = append(byPolicy, unlistedByPolicy...)
	sort.SliceStable(rep.Unlisted, func(i, j int) bool {
		a, b := rep.Unlisted[i], rep.Unlisted[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Rule < b.Rule
	})
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
	rep.Summary.AddUnlisted(rep.Unlisted)
	// Redacted even when the scan was cancelled: nothing leaves unmasked.
	redactReport(context.Background(), o.src, rep)
	return rep
}

// ScanStaged scans the index (src in staged mode) under the staged policy
// and returns the report, that policy and the checks that ran: those of
// available the policy leaves on. Reading the policy from the index costs
// a read of the whole index, as much as the checks' own diff, so it is read
// while the checks run; they start with the working tree's choice of
// checks, which is the staged one unless disabled_checks has an unstaged
// edit: then the checks the staged policy adds run after, and those it
// switches off are dropped. Checks are never cancelled midway (not every
// check stops cleanly when cancelled). An error is the staged policy's (a
// ConfigError): nothing is reported then.
func ScanStaged(ctx context.Context, src *Source, available []Check, opts Options) (*Report, *Policy, []Check, error) {
	type loaded struct {
		pol *Policy
		err error
	}
	guess, err := LoadPolicy(src.Root)
	if err != nil {
		guess = DefaultPolicy() // the staged policy decides
	}
	guessed, _ := Select(available, nil, guess) // without names Select cannot fail
	limit := src.MaxFileSize
	src.limitsFrom(guess)
	// The staged policy is read from the diff the checks share (see
	// stagedEntries), which may start it: the sharing and its size limit
	// are set before either starts.
	src.sharePatchWith(guessed)
	defer src.openBatch(ctx)()
	staged := make(chan loaded, 1)
	go func() {
		pol, err := LoadSourcePolicy(ctx, src)
		staged <- loaded{pol, err}
	}()
	ran := make(chan *Outcome, 1)
	go func() { ran <- RunChecks(ctx, src, guessed) }()

	l := <-staged
	out := <-ran
	if l.err != nil {
		return nil, nil, nil, l.err
	}
	list, _ := Select(available, nil, l.pol)
	if limit == 0 && guess.SecretsMaxFileSize != l.pol.SecretsMaxFileSize {
		// An unstaged edit of the size limit: the staged one applies.
		src.MaxFileSize = l.pol.SecretsMaxFileSize
		out = RunChecks(ctx, src, list)
	} else if !sameChecks(list, guessed) {
		out = out.reuse(ctx, src, list)
	}
	return out.Report(l.pol, opts), l.pol, list, nil
}

// reuse is the outcome of list: what o has for a check of list, and what
// running the others gives.
func (o *Outcome) reuse(ctx context.Context, src *Source, list []Check) *Outcome {
	have := map[string]int{}
	for i, c := range o.list {
		have[c.Name()] = i
	}
	var missing []Check
	for _, c := range list {
		if _, ok := have[c.Name()]; !ok {
			missing = append(missing, c)
		}
	}
	more := RunChecks(ctx, src, missing)
	for i, c := range more.list {
		have[c.Name()] = len(o.list) + i
	}
	results, errs := append(o.results, more.results...), append(o.errs, more.errs...)
	n := &Outcome{src: o.src, list: list}
	for _, c := range list {
		i := have[c.Name()]
		n.results, n.errs = append(n.results, results[i]), append(n.errs, errs[i])
	}
	return n
}

func sameChecks(a, b []Check) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name() != b[i].Name() {
			return false
		}
	}
	return true
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
	// The first 10 bytes, as 20 hex digits: encoding all 32 and keeping
	// 20 pinned 64 bytes per finding.
	return hex.EncodeToString(h.Sum(nil)[:fingerprintSize])
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
