package kubernetes

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// pragmas are the suppression comments of a file: secfirst's own and those
// of Trivy and Checkov, so manifests tuned for them keep their decisions.
//
//   - `# secfirst:ignore=<rule>[,<rule>] <reason>`; a rule is a
//     kubernetes/<slug>, a slug, or any of the finding's refs.
//   - `# trivy:ignore:KSV-0017` (also AVD-KSV-0017, KSV017, and an
//     optional `:exp:YYYY-MM-DD`).
//   - `#checkov:skip=CKV_K8S_16:<reason>`.
//
// A comment applies to the line it ends, or, in the block of comment lines
// right above it, to the next line. A finding is suppressed by a comment on
// its own line, on the line of the list item it is in (a volume, an env
// variable, a port), on the line of the container it is about, or on the
// first line of its resource (right above `apiVersion:`), which covers the
// whole resource. Checkov's own Kubernetes annotations (`checkov.io/skip1:
// CKV_K8S_16=<reason>` in the resource's metadata.annotations) are honoured
// too: see annotationSkip.
type pragmas struct {
	byLine   map[int][]pragma // by the line they apply to
	warnings []string
}

type pragma struct {
	source string   // secfirst, trivy, checkov
	ids    []string // rule ids or refs, as written
	reason string
	expiry time.Time
	line   int // where the comment is
}

var (
	reSecfirst = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`#\s*secfirst:ignore=([A-Za-z0-9_./,:\-]+)[ \t]*(.*)$`)
	})
	reTrivy = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`trivy:ignore:([A-Za-z0-9_\-*]+)((?::[a-z]+:[^:\s]+)*)`)
	})
	reCheckov = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:checkov|bridgecrew|cortex):skip=\s*([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)(?::(.*))?`)
	})
)

// commentOf returns the comment part of a YAML line: from a # that starts
// the line or follows a blank, outside quotes.
func commentOf(line string) (comment string, onlyComment bool) {
	inSingle, inDouble := false, false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\'' && !inDouble:
			inSingle = !inSingle
		case c == '"' && !inSingle:
			if i == 0 || line[i-1] != '\\' {
				inDouble = !inDouble
			}
		case c == '#' && !inSingle && !inDouble && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return line[i:], strings.TrimSpace(line[:i]) == ""
		}
	}
	return "", false
}

// parsePragmas reads the comments of a file.
func parsePragmas(lines []string) *pragmas {
	p := &pragmas{byLine: map[int][]pragma{}}
	var pending []pragma // from the comment block above the current line
	for i, raw := range lines {
		line := i + 1
		c, only := commentOf(raw)
		if only {
			pending = append(pending, p.parse(c, line)...)
			continue
		}
		switch strings.TrimSpace(raw) {
		case "":
			pending = nil // a blank line ends a comment block
			continue
		case "---", "...":
			continue // a comment above `---` still covers the resource after it
		}
		if len(pending) > 0 {
			p.byLine[line] = append(p.byLine[line], pending...)
			pending = nil
		}
		if c != "" {
			p.byLine[line] = append(p.byLine[line], p.parse(c, line)...)
		}
	}
	return p
}

// parse returns the pragmas of one comment.
func (p *pragmas) parse(c string, line int) []pragma {
	var out []pragma
	if m := reSecfirst().FindStringSubmatch(c); m != nil {
		reason := strings.TrimSpace(m[2])
		if reason == "" {
			p.warnings = append(p.warnings, fmt.Sprintf("line %d: `secfirst:ignore=%s` gives no reason; add one after the rule so reviewers know why", line, m[1]))
		}
		out = append(out, pragma{source: "secfirst", ids: splitIDs(m[1]), reason: reason, line: line})
	}
	for _, m := range reTrivy().FindAllStringSubmatch(c, -1) {
		pr := pragma{source: "trivy", ids: []string{m[1]}, line: line}
		if i := strings.Index(m[2], ":exp:"); i >= 0 {
			d := m[2][i+len(":exp:"):]
			if j := strings.IndexByte(d, ':'); j >= 0 {
				d = d[:j]
			}
			if t, err := time.Parse("2006-01-02", d); err == nil {
				pr.expiry = t
			}
		}
		out = append(out, pr)
	}
	if m := reCheckov().FindStringSubmatch(c); m != nil {
		out = append(out, pragma{source: "checkov", ids: splitIDs(m[1]), reason: strings.TrimSpace(m[2]), line: line})
	}
	return out
}

func splitIDs(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// normalizeTrivy turns KSV017, AVD-KSV-0017 and ksv-0017 into KSV-0017.
func normalizeTrivy(id string) string {
	u := strings.ToUpper(strings.TrimSpace(id))
	u = strings.TrimPrefix(u, "AVD-")
	if strings.HasPrefix(u, "KSV") && !strings.HasPrefix(u, "KSV-") {
		num := u[3:]
		for len(num) < 4 {
			num = "0" + num
		}
		u = "KSV-" + num
	}
	return u
}

// covers reports whether a pragma covers a finding of rule id (slug) with refs.
func (pr pragma) covers(id, slug string, refs []string, now time.Time) bool {
	if pr.source == "trivy" && !pr.expiry.IsZero() && !now.Before(pr.expiry.AddDate(0, 0, 1)) {
		return false // an expired trivy:ignore stops ignoring, as in Trivy
	}
	for _, want := range pr.ids {
		switch pr.source {
		case "secfirst":
			if strings.EqualFold(want, id) || strings.EqualFold(want, slug) {
				return true
			}
		case "trivy":
			if want == "*" {
				return true
			}
			w := normalizeTrivy(want)
			for _, r := range refs {
				if strings.Contains(strings.ToUpper(r), "KSV") && normalizeTrivy(r) == w {
					return true
				}
			}
			continue
		}
		for _, r := range refs {
			if strings.EqualFold(want, r) {
				return true
			}
		}
	}
	return false
}

// match returns the pragma that covers a finding whose scope is these lines.
func (p *pragmas) match(id, slug string, refs []string, scope []int) (pragma, bool) {
	now := time.Now()
	for _, l := range scope {
		for _, pr := range p.byLine[l] {
			if pr.covers(id, slug, refs, now) {
				return pr, true
			}
		}
	}
	return pragma{}, false
}

// annotationSkip honours Checkov's Kubernetes suppressions: annotations of
// the resource named checkov.io/skip<N> (or bridgecrew.io/, cortex.io/)
// whose value is `CKV_K8S_NN` or `CKV_K8S_NN=<reason>`.
func annotationSkip(r *resource, refs []string) (pragma, bool) {
	for _, a := range entries(at(r.node, "metadata", "annotations").val) {
		k, _ := str(a.key)
		if !strings.Contains(k, "checkov.io/skip") && !strings.Contains(k, "bridgecrew.io/skip") && !strings.Contains(k, "cortex.io/skip") {
			continue
		}
		v, ok := str(a.val)
		if !ok {
			continue
		}
		ckv, reason, _ := strings.Cut(v, "=")
		for _, ref := range refs {
			if strings.EqualFold(strings.TrimSpace(ckv), ref) {
				return pragma{source: "checkov", ids: []string{ckv}, reason: strings.TrimSpace(reason), line: a.key.Line}, true
			}
		}
	}
	return pragma{}, false
}
