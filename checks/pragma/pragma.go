// Package pragma reads and matches the inline suppression comments of the
// configuration checks (Dockerfile, Kubernetes, Terraform) and the
// repository's .trivyignore: secfirst's own and those of Trivy (and tfsec
// before it), Checkov and hadolint, so files tuned for those tools keep
// their decisions.
//
//   - `# secfirst:ignore=<rule>[,<rule>] <reason>`; a rule is the finding's
//     id (kubernetes/privileged), its slug (privileged), or any of its refs.
//   - `#trivy:ignore:<ID>` (also `tfsec:ignore:`), where the id is written
//     any way Trivy accepts it (KSV-0017, KSV017, AVD-KSV-0017, ksv-0017) or
//     is `*`, with an optional `:exp:YYYY-MM-DD` after which it stops
//     ignoring. Text after the last one is taken as its reason.
//   - `#checkov:skip=<ID>[,<ID>]:<reason>` (also bridgecrew: and cortex:).
//   - `# hadolint ignore=<ID>[,<ID>] <reason>` and `# hadolint global
//     ignore=...`, for Dockerfiles.
//
// Where a comment applies (a line, a list item, a nested block, a whole
// resource or file) is each check's business: this package reads one
// comment at a time and tells whether what it read covers a finding.
package pragma

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
)

// The tools whose comments are read.
const (
	Secfirst = "secfirst"
	Trivy    = "trivy"
	Checkov  = "checkov"
	Hadolint = "hadolint"
)

// Pragma is one suppression a comment makes.
type Pragma struct {
	Tool   string   // Secfirst, Trivy, Checkov or Hadolint
	IDs    []string // rule ids or refs, as written
	Reason string   // the text the comment gives after the ids, if any
	// Expiry is the day of a trivy:ignore's `:exp:`; it ignores through
	// that day and no longer. Zero: it never expires.
	Expiry time.Time
	// Global is `# hadolint global ignore=`: the whole file.
	Global bool
	Line   int // where the comment is
}

// Dialect is what a check reads in comments and how its findings' refs
// name Trivy's checks.
type Dialect struct {
	// Families are the Trivy id families of the check's refs ("DS",
	// "KSV"): a trivy:ignore or .trivyignore id is compared only with refs
	// of these. Empty: with every ref (Terraform's AWS-, AZU-, GCP-...).
	Families []string
	// Hadolint reads `# hadolint [global] ignore=` comments.
	Hadolint bool
}

// Target is the finding a pragma is matched against.
type Target struct {
	ID   string   // kubernetes/privileged
	Slug string   // privileged
	Refs []string // the equivalent ids of other tools
}

var (
	reSecfirst = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:#|//|/\*)\s*secfirst:ignore=([A-Za-z0-9_./,:\-]+)(.*)$`)
	})
	reHadolint = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^#\s*hadolint\s+(global\s+)?ignore\s*=\s*([A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)(.*)$`)
	})
	reTrivy = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:trivy|tfsec):ignore:([A-Za-z0-9_\-*]+)((?::[a-z]+:[^:\s*]+)*)`)
	})
	reCheckov = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:checkov|bridgecrew|cortex):skip=\s*([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)(.*)$`)
	})
)

// Comment is the comment that suppresses the findings of a rule, for people
// to copy: "# secfirst:ignore=kubernetes/privileged <why>".
func Comment(rule string) string {
	return "# secfirst:ignore=" + rule + " <why>"
}

// Parse returns the pragmas of one comment, given from its comment marker
// (#, // or /*) on, found at line. warning is set when a secfirst:ignore
// gives no reason: reviewers want one.
func (d Dialect) Parse(comment string, line int) (out []Pragma, warning string) {
	c := strings.TrimSpace(strings.TrimRight(comment, "\r\n"))
	if m := reSecfirst().FindStringSubmatch(c); m != nil {
		pr := Pragma{Tool: Secfirst, IDs: splitIDs(m[1]), Reason: reason(m[2]), Line: line}
		if pr.Reason == "" {
			warning = fmt.Sprintf("line %d: `secfirst:ignore=%s` gives no reason; add one after the rule so reviewers know why", line, strings.TrimRight(m[1], ":"))
		}
		out = append(out, pr)
	}
	if m := reHadolint().FindStringSubmatch(c); m != nil && d.Hadolint {
		out = append(out, Pragma{Tool: Hadolint, IDs: splitIDs(m[2]), Reason: reason(m[3]), Global: m[1] != "", Line: line})
	}
	if locs := reTrivy().FindAllStringSubmatchIndex(c, -1); len(locs) > 0 {
		// Trivy's comments have no reason field; text after the last one is taken as it.
		why := reason(c[locs[len(locs)-1][1]:])
		for _, l := range locs {
			out = append(out, Pragma{Tool: Trivy, IDs: []string{c[l[2]:l[3]]}, Reason: why, Expiry: expiry(c[l[4]:l[5]]), Line: line})
		}
	}
	if m := reCheckov().FindStringSubmatch(c); m != nil {
		out = append(out, Pragma{Tool: Checkov, IDs: splitIDs(m[1]), Reason: reason(m[2]), Line: line})
	}
	return out, warning
}

// expiry reads the `:exp:YYYY-MM-DD` of a trivy:ignore's options; a date
// that does not parse is no expiry, as in Trivy.
func expiry(opts string) time.Time {
	i := strings.Index(opts, ":exp:")
	if i < 0 {
		return time.Time{}
	}
	day, _, _ := strings.Cut(opts[i+len(":exp:"):], ":")
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return time.Time{}
	}
	return t
}

// reason is the free text a comment gives after its ids: "# hadolint
// ignore=DL3008 pinned by the base image" gives "pinned by the base
// image". The separators people put in front of it and the end of a /* */
// comment are dropped.
func reason(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "*/"))
	return strings.TrimSpace(strings.TrimLeft(s, ":-–—"))
}

func splitIDs(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimRight(strings.TrimSpace(x), ":"); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// NormalizeTrivy writes a Trivy id the one way: KSV017, AVD-KSV-0017 and
// ksv-0017 are KSV-0017; DS002 is DS-0002; aws-0086 is AWS-0086.
func NormalizeTrivy(id string) string {
	u := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(id)), "AVD-")
	i := strings.IndexAny(u, "0123456789")
	if i <= 0 {
		return u
	}
	family, num := strings.TrimSuffix(u[:i], "-"), u[i:]
	if family == "" || strings.Trim(family, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" || strings.Trim(num, "0123456789") != "" {
		return u
	}
	for len(num) < 4 {
		num = "0" + num
	}
	return family + "-" + num
}

// trivyRef reports whether a Trivy id (normalised) names one of refs.
func (d Dialect) trivyRef(id string, refs []string) bool {
	for _, r := range refs {
		n := NormalizeTrivy(r)
		if n != id {
			continue
		}
		if len(d.Families) == 0 {
			return true
		}
		for _, f := range d.Families {
			if strings.HasPrefix(n, f+"-") {
				return true
			}
		}
	}
	return false
}

// expired reports whether something with an expiry no longer applies at
// now: it ignores through its day, as in Trivy.
func expired(exp, now time.Time) bool {
	return !exp.IsZero() && !now.Before(exp.AddDate(0, 0, 1))
}

// Covers reports whether a pragma covers the finding t at now. A
// secfirst:ignore names the finding's id, slug or a ref; a trivy:ignore a
// Trivy ref (any spelling) or `*`; Checkov's and hadolint's a ref.
func (d Dialect) Covers(p Pragma, t Target, now time.Time) bool {
	if p.Tool == Trivy && expired(p.Expiry, now) {
		return false // an expired trivy:ignore stops ignoring, as in Trivy
	}
	for _, want := range p.IDs {
		switch p.Tool {
		case Secfirst:
			if strings.EqualFold(want, t.ID) || strings.EqualFold(want, t.Slug) {
				return true
			}
		case Trivy:
			if want == "*" || d.trivyRef(NormalizeTrivy(want), t.Refs) {
				return true
			}
			continue
		}
		for _, r := range t.Refs {
			if strings.EqualFold(want, r) {
				return true
			}
		}
	}
	return false
}

// Suppression is the suppression the pragma makes of a finding: inline,
// with the comment's place in the finding's file and its reason.
func (p Pragma) Suppression(f checks.Finding) checks.Suppression {
	return checks.Suppression{Finding: f, By: checks.SuppressedByInline, Reason: p.Reason, Where: fmt.Sprintf("%s:%d", f.File, p.Line)}
}

// Match returns the first of ps that covers t at now.
func (d Dialect) Match(ps []Pragma, t Target, now time.Time) (Pragma, bool) {
	for _, p := range ps {
		if d.Covers(p, t, now) {
			return p, true
		}
	}
	return Pragma{}, false
}
