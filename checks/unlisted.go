package checks

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// HookFindingsPerRule is how many findings of one rule in one file the
// pre-commit hook lists (Source.FindingsPerRule). A generated manifest of
// 40,000 pods is 360,000 findings: built, redacted and held, they took the
// hook a minute and a gigabyte, to print the first few. Past the cap a
// finding is counted, not built: the hook blocks exactly when a full scan
// would, and says how many it did not list and how to see them.
const HookFindingsPerRule = 100

// Unlisted stands for the findings of one rule, of one severity and with
// the same refs, in one file, past a source's FindingsPerRule: counted,
// with their fingerprints (an [[ignore]] by fingerprint still applies to
// each), but not built, redacted or listed. Only the pre-commit hook sets
// a cap (its message sends to `secfirst scan --staged`); a scan lists
// everything.
type Unlisted struct {
	Check    string
	Rule     string
	File     string
	Severity Severity
	Title    string
	Lesson   string
	Refs     []string
	// Blocking is set by the policy, as for a finding.
	Blocking bool
	// fingerprints are those of the findings it stands for, in the order
	// the check found them, as the bytes their hex digits spell: 10 bytes
	// a finding, so that a commit of millions of them stays small.
	fingerprints []byte
}

// fingerprintSize is the bytes of a fingerprint (see Fingerprint).
const fingerprintSize = 10

// Count is how many findings it stands for.
func (u Unlisted) Count() int { return len(u.fingerprints) / fingerprintSize }

// Fingerprints are those of the findings it stands for, as in Finding.
func (u Unlisted) Fingerprints() []string {
	out := make([]string, 0, u.Count())
	for fp := range slices.Chunk(u.fingerprints, fingerprintSize) {
		out = append(out, hex.EncodeToString(fp))
	}
	return out
}

// Finding is one of its findings as suppressions see it: rule, refs, file
// and fingerprint (fp "": any of them, the Finding of a Suppression that
// hides them all).
func (u Unlisted) Finding(fp string) Finding {
	return Finding{Check: u.Check, Rule: u.Rule, Severity: u.Severity, Title: u.Title, File: u.File,
		Lesson: u.Lesson, Refs: u.Refs, Fingerprint: fp}
}

// RuleCap caps the findings a check lists: in each file the first
// FindingsPerRule of each rule are listed, the rest counted as Unlisted.
// A nil RuleCap lists everything.
type RuleCap struct {
	limit  int
	seen   map[string]int // file and rule -> findings seen
	groups []Unlisted
	group  map[string]int // file, rule, severity and refs -> index in groups
}

// RuleCap returns a cap for the source's findings (nil: no cap).
func (s *Source) RuleCap() *RuleCap {
	if s == nil || s.FindingsPerRule <= 0 {
		return nil
	}
	return &RuleCap{limit: s.FindingsPerRule, seen: map[string]int{}, group: map[string]int{}}
}

// Keep reports whether f, a finding not suppressed where it is written, is
// listed. Past the cap it is counted among the unlisted (by its Check,
// Rule, Severity, Title, Lesson, Refs and Fingerprint, all the caller has
// to fill in first) and Keep returns false: the caller builds nothing more
// of it.
func (c *RuleCap) Keep(f Finding) bool {
	if c == nil {
		return true
	}
	key := f.File + "\x00" + f.Rule
	c.seen[key]++
	if c.seen[key] <= c.limit {
		return true
	}
	c.Count(f)
	return false
}

// Count counts f among the unlisted, as Keep does past the cap: for a
// check that already knows f is past it.
func (c *RuleCap) Count(f Finding) {
	key := f.File + "\x00" + f.Rule
	// Severity (a .hadolint.yaml override) and refs (a rule names the
	// equivalent ids that apply to the case: .trivyignore and ignores by
	// ref match them) can differ within a rule.
	key += "\x00" + string(f.Severity) + "\x00" + strings.Join(f.Refs, "\x00")
	i, ok := c.group[key]
	if !ok {
		i = len(c.groups)
		c.group[key] = i
		c.groups = append(c.groups, Unlisted{Check: f.Check, Rule: f.Rule, File: f.File, Severity: f.Severity,
			Title: f.Title, Lesson: f.Lesson, Refs: append([]string(nil), f.Refs...)})
	}
	fp, err := hex.DecodeString(f.Fingerprint)
	if err != nil || len(fp) != fingerprintSize {
		panic(fmt.Sprintf("checks: %s finding with fingerprint %q, not one of Fingerprint's", f.Rule, f.Fingerprint))
	}
	c.groups[i].fingerprints = append(c.groups[i].fingerprints, fp...)
}

// Unlisted are the groups counted so far, in the order their first was.
func (c *RuleCap) Unlisted() []Unlisted {
	if c == nil {
		return nil
	}
	return c.groups
}

// applyToUnlisted is Apply for the findings a cap left unlisted: each
// finding is suppressed by the first ignore that matches it, as Apply
// does; those an ignore without a fingerprint suppresses are one
// Suppression with a Count. What is left is kept, blocking as a listed
// finding of its severity would.
func (p *Policy) applyToUnlisted(groups []Unlisted, failOn FailOn, now time.Time) (kept []Unlisted, suppressed []Suppression) {
	if failOn == "" {
		failOn = p.FailOn
	}
	active, _ := p.activeIgnores(now) // Apply warns about the expired ones
	byFingerprint := slices.ContainsFunc(active, func(ig Ignore) bool { return ig.Fingerprint != "" })
	for _, u := range groups {
		if !byFingerprint {
			// Every finding of the group matches the same ignores.
			if ig, ok := firstMatch(active, u.Finding("")); ok {
				suppressed = append(suppressed, Suppression{Finding: u.Finding(""), By: SuppressedByPolicy, Reason: ig.Reason, Where: ig.where(), Count: u.Count()})
				continue
			}
		} else {
			var left []byte
			byIgnore := map[int]int{} // index in active -> its Suppression in suppressed
			for fp := range slices.Chunk(u.fingerprints, fingerprintSize) {
				f := u.Finding(hex.EncodeToString(fp))
				i := slices.IndexFunc(active, func(ig Ignore) bool { return ig.Matches(f) })
				switch {
				case i < 0:
					left = append(left, fp...)
				case active[i].Fingerprint != "":
					suppressed = append(suppressed, Suppression{Finding: f, By: SuppressedByPolicy, Reason: active[i].Reason, Where: active[i].where()})
				default:
					if j, ok := byIgnore[i]; ok {
						suppressed[j].Count++
						continue
					}
					byIgnore[i] = len(suppressed)
					suppressed = append(suppressed, Suppression{Finding: u.Finding(""), By: SuppressedByPolicy, Reason: active[i].Reason, Where: active[i].where(), Count: 1})
				}
			}
			u.fingerprints = left
			if u.Count() == 0 {
				continue
			}
		}
		u.Blocking = failOn.Blocks(u.Severity)
		kept = append(kept, u)
	}
	return kept, suppressed
}

// AddUnlisted counts the unlisted findings in the summary.
func (s *Summary) AddUnlisted(groups []Unlisted) {
	for _, u := range groups {
		n := u.Count()
		switch u.Severity {
		case Critical:
			s.Critical += n
		case High:
			s.High += n
		case Medium:
			s.Medium += n
		case Low:
			s.Low += n
		case Info:
			s.Info += n
		}
		if u.Blocking {
			s.Blocking += n
		}
	}
}
