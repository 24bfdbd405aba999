package terraform

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// pragmas are the suppression comments of a file: secfirst's own and those
// of Trivy (and tfsec before it) and Checkov, so modules tuned for them
// keep their decisions. Comments are found by HCL's own lexer, so a # in a
// string is not one.
//
//   - `# secfirst:ignore=<rule>[,<rule>] <reason>`; a rule is a
//     terraform/<slug>, a slug, or any of the finding's refs.
//   - `#trivy:ignore:AWS-0086` (also AVD-AWS-0086, `tfsec:ignore:`, `*`,
//     and an optional `:exp:YYYY-MM-DD`).
//   - `#checkov:skip=CKV_AWS_20:<reason>`.
//
// secfirst's and Trivy's comments apply to the line they end, or, written
// in the block of comment lines right above a line, to that line: a
// finding is suppressed by one on its attribute's line, on the line of the
// nested block it is in, or on its resource's first line (which covers the
// whole resource). Checkov's apply, as in Checkov, anywhere inside the
// resource they are written in.
type pragmas struct {
	byLine   map[int][]pragma // by the line they apply to
	checkov  []pragma         // by where they are written
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
		return regexp.MustCompile(`^(?:#|//|/\*)\s*secfirst:ignore=([A-Za-z0-9_./,:\-]+)[ \t]*(.*?)(?:\*/)?\s*$`)
	})
	reTrivy = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:trivy|tfsec):ignore:([A-Za-z0-9_\-*]+)((?::[a-z]+:[^:\s]+)*)`)
	})
	reCheckov = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:checkov|bridgecrew|cortex):skip=\s*([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)(?::([^\n]*?))?(?:\*/)?\s*$`)
	})
)

// parsePragmas reads the comments of a file with HCL's lexer.
func parsePragmas(src []byte, name string) *pragmas {
	p := &pragmas{byLine: map[int][]pragma{}}
	if !containsPragma(src) {
		return p
	}
	tokens, _ := hclsyntax.LexConfig(src, name, hcl.InitialPos)
	var pending []pragma // from the comment block above the current line
	pendingEnd := 0      // the last line of that block
	lastCodeLine := 0    // the last line that holds a token other than a comment or newline
	for _, tok := range tokens {
		switch tok.Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenEOF:
			continue
		case hclsyntax.TokenComment:
			line := tok.Range.Start.Line
			text := strings.TrimRight(string(tok.Bytes), "\r\n")
			found := p.parse(text, line)
			for _, pr := range found {
				if pr.source == "checkov" {
					p.checkov = append(p.checkov, pr)
				}
			}
			if line == lastCodeLine {
				p.byLine[line] = append(p.byLine[line], nonCheckov(found)...) // a trailing comment
				continue
			}
			if pendingEnd > 0 && line > pendingEnd+1 {
				pending = nil // a blank line ends a comment block
			}
			pending = append(pending, nonCheckov(found)...)
			pendingEnd = tok.Range.End.Line
			if tok.Range.End.Column == 1 && tok.Range.End.Line > line {
				pendingEnd-- // a line comment ends with its newline
			}
			continue
		}
		line := tok.Range.Start.Line
		if line != lastCodeLine {
			if len(pending) > 0 && line == pendingEnd+1 {
				p.byLine[line] = append(p.byLine[line], pending...)
			}
			pending, pendingEnd = nil, 0
		}
		lastCodeLine = tok.Range.End.Line
	}
	return p
}

// containsPragma is the cheap test that skips lexing files without one.
func containsPragma(src []byte) bool {
	for _, marker := range [][]byte{[]byte("secfirst:ignore"), []byte("trivy:ignore"), []byte("tfsec:ignore"), []byte(":skip=")} {
		if bytes.Contains(src, marker) {
			return true
		}
	}
	return false
}

func nonCheckov(ps []pragma) []pragma {
	var out []pragma
	for _, p := range ps {
		if p.source != "checkov" {
			out = append(out, p)
		}
	}
	return out
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

// normalizeTrivy turns AVD-AWS-0086 and aws-0086 into AWS-0086.
func normalizeTrivy(id string) string {
	u := strings.ToUpper(strings.TrimSpace(id))
	return strings.TrimPrefix(u, "AVD-")
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
				if normalizeTrivy(r) == w {
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

// match returns the pragma that covers a finding whose scope is these
// lines, inside a resource that spans lines from..to.
func (p *pragmas) match(id, slug string, refs []string, scope []int, from, to int, now time.Time) (pragma, bool) {
	for _, l := range scope {
		for _, pr := range p.byLine[l] {
			if pr.covers(id, slug, refs, now) {
				return pr, true
			}
		}
	}
	for _, pr := range p.checkov {
		if pr.line >= from && pr.line <= to && pr.covers(id, slug, refs, now) {
			return pr, true
		}
	}
	return pragma{}, false
}
