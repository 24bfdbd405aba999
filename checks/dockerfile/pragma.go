package dockerfile

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// pragmas are the suppression comments of a file: secfirst's own and those
// of hadolint, Trivy and Checkov, so a Dockerfile tuned for them keeps its
// decisions.
//
//   - `# secfirst:ignore=<rule>[,<rule>] <reason>` on the comment lines right
//     above an instruction; a rule is a dockerfile/<slug>, a slug, or any of
//     the finding's refs.
//   - `# hadolint ignore=DL3008,DL3009` above an instruction, and
//     `# hadolint global ignore=...` anywhere for the whole file.
//   - `# trivy:ignore:DS-0002` (also AVD-DS-0002, DS002, and an optional
//     `:exp:YYYY-MM-DD`) above an instruction.
//   - `#checkov:skip=CKV_DOCKER_3:reason` anywhere: Checkov applies its
//     Dockerfile skips to the whole file, and so does secfirst.
type pragmas struct {
	above    map[int][]pragma // by the line of the instruction they precede
	global   []pragma
	warnings []string
}

type pragma struct {
	source string   // secfirst, hadolint, trivy, checkov
	ids    []string // rule ids or refs, as written
	expiry time.Time
	line   int
	reason string // the text the comment gives after the ids, if any
}

var (
	reSecfirst = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^#\s*secfirst:ignore=([A-Za-z0-9_./,\-]+)\s*(.*)$`)
	})
	reHadolint = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^#\s*hadolint\s+(global\s+)?ignore\s*=\s*([A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)(.*)$`)
	})
	reTrivy = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`trivy:ignore:([A-Za-z0-9_\-*]+)((?::[a-z]+:[^:\s]+)*)`)
	})
	reCheckov = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:checkov|bridgecrew|cortex):skip=\s*([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)(?::(.*))?`)
	})
)

// parsePragmas reads the comment lines of a file. Lines inside an
// instruction (continuations, heredoc bodies) are not comments of the file.
func parsePragmas(lines []string, nodes []*parser.Node) *pragmas {
	p := &pragmas{above: map[int][]pragma{}}
	inside := map[int]bool{}
	for _, n := range nodes {
		for l := n.StartLine + 1; l <= n.EndLine; l++ {
			inside[l] = true
		}
	}
	isComment := func(l int) bool {
		return l >= 1 && l <= len(lines) && !inside[l] && strings.HasPrefix(strings.TrimSpace(lines[l-1]), "#")
	}
	for _, n := range nodes {
		// the contiguous comment block right above the instruction
		for l := n.StartLine - 1; isComment(l); l-- {
			if ps := p.parseLine(strings.TrimSpace(lines[l-1]), l, false); len(ps) > 0 {
				p.above[n.StartLine] = append(p.above[n.StartLine], ps...)
			}
		}
	}
	for l := 1; l <= len(lines); l++ {
		if isComment(l) {
			p.global = append(p.global, p.parseLine(strings.TrimSpace(lines[l-1]), l, true)...)
		}
	}
	return p
}

// parseLine returns the pragmas of one comment. With global set it returns
// only the file-wide ones.
func (p *pragmas) parseLine(c string, line int, global bool) []pragma {
	var out []pragma
	if m := reHadolint().FindStringSubmatch(c); m != nil && (m[1] != "") == global {
		out = append(out, pragma{source: "hadolint", ids: splitIDs(m[2]), line: line, reason: commentReason(m[3])})
	}
	if m := reCheckov().FindStringSubmatch(c); m != nil && global {
		out = append(out, pragma{source: "checkov", ids: splitIDs(m[1]), line: line, reason: commentReason(m[2])})
	}
	if global {
		return out
	}
	if m := reSecfirst().FindStringSubmatch(c); m != nil {
		if strings.TrimSpace(m[2]) == "" {
			p.warnings = append(p.warnings, fmt.Sprintf("line %d: `secfirst:ignore=%s` gives no reason; add one after the rule so reviewers know why", line, m[1]))
		}
		out = append(out, pragma{source: "secfirst", ids: splitIDs(m[1]), line: line, reason: commentReason(m[2])})
	}
	// Trivy's comments have no reason field; text after the last one is taken as it.
	trivyReason := ""
	if loc := reTrivy().FindAllStringIndex(c, -1); len(loc) > 0 {
		trivyReason = commentReason(c[loc[len(loc)-1][1]:])
	}
	for _, m := range reTrivy().FindAllStringSubmatch(c, -1) {
		pr := pragma{source: "trivy", ids: []string{m[1]}, line: line, reason: trivyReason}
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
	return out
}

// commentReason is the free text a suppression comment gives after its ids:
// "# hadolint ignore=DL3008 pinned by the base image" gives "pinned by the
// base image". Separators people put in front of it are dropped.
func commentReason(s string) string {
	return strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), ":-–—"))
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

// normalizeTrivy turns DS002, AVD-DS-0002 and ds-0002 into DS-0002.
func normalizeTrivy(id string) string {
	u := strings.ToUpper(strings.TrimSpace(id))
	u = strings.TrimPrefix(u, "AVD-")
	if strings.HasPrefix(u, "DS") && !strings.HasPrefix(u, "DS-") {
		num := u[2:]
		for len(num) < 4 {
			num = "0" + num
		}
		u = "DS-" + num
	}
	return u
}

// suppressedBy returns the pragma that covers a finding of rule id (slug)
// with refs at line, or nil. noHadolint leaves hadolint's comments out
// (.hadolint.yaml's disable-ignore-pragma).
func (p *pragmas) suppressedBy(id, slug string, refs []string, line int, noHadolint bool) *pragma {
	matches := func(pr pragma) bool {
		if noHadolint && pr.source == "hadolint" {
			return false
		}
		if pr.source == "trivy" && !pr.expiry.IsZero() && !time.Now().Before(pr.expiry.AddDate(0, 0, 1)) {
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
					if strings.HasPrefix(strings.ToUpper(r), "DS-") || strings.HasPrefix(strings.ToUpper(r), "AVD-DS-") {
						if normalizeTrivy(r) == w {
							return true
						}
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
	for i := range p.above[line] {
		if matches(p.above[line][i]) {
			return &p.above[line][i]
		}
	}
	for i := range p.global {
		if matches(p.global[i]) {
			return &p.global[i]
		}
	}
	return nil
}
