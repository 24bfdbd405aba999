package terraform

import (
	"bytes"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/secfirst-dev/secfirst/checks/pragma"
)

// dialect is what Terraform comments say (package pragma): secfirst's own,
// Trivy's and tfsec's for any cloud, and Checkov's.
var dialect = pragma.Dialect{}

// pragmas are the suppression comments of a file, found by HCL's own
// lexer, so a # in a string is not one.
//
// secfirst's and Trivy's comments apply to the line they end, or, written
// in the block of comment lines right above a line, to that line: a
// finding is suppressed by one on its attribute's line, on the line of the
// nested block it is in, or on its resource's first line (which covers the
// whole resource). Checkov's apply, as in Checkov, anywhere inside the
// resource they are written in.
type pragmas struct {
	byLine   map[int][]pragma.Pragma // by the line they apply to
	checkov  []pragma.Pragma         // by where they are written
	warnings []string
}

// parsePragmas reads the comments of a file with HCL's lexer.
func parsePragmas(src []byte, name string) *pragmas {
	p := &pragmas{byLine: map[int][]pragma.Pragma{}}
	if !containsPragma(src) {
		return p
	}
	tokens, _ := hclsyntax.LexConfig(src, name, hcl.InitialPos)
	var pending []pragma.Pragma // from the comment block above the current line
	pendingEnd := 0             // the last line of that block
	lastCodeLine := 0           // the last line that holds a token other than a comment or newline
	for _, tok := range tokens {
		switch tok.Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenEOF:
			continue
		case hclsyntax.TokenComment:
			line := tok.Range.Start.Line
			text := strings.TrimRight(string(tok.Bytes), "\r\n")
			found := p.parse(text, line)
			for _, pr := range found {
				if pr.Tool == pragma.Checkov {
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

func nonCheckov(ps []pragma.Pragma) []pragma.Pragma {
	var out []pragma.Pragma
	for _, p := range ps {
		if p.Tool != pragma.Checkov {
			out = append(out, p)
		}
	}
	return out
}

// parse returns the pragmas of one comment.
func (p *pragmas) parse(c string, line int) []pragma.Pragma {
	found, warning := dialect.Parse(c, line)
	if warning != "" {
		p.warnings = append(p.warnings, warning)
	}
	return found
}

// match returns the pragma that covers a finding whose scope is these
// lines, inside a resource that spans lines from..to.
func (p *pragmas) match(id, slug string, refs []string, scope []int, from, to int, now time.Time) (pragma.Pragma, bool) {
	t := pragma.Target{ID: id, Slug: slug, Refs: refs}
	for _, l := range scope {
		if pr, ok := dialect.Match(p.byLine[l], t, now); ok {
			return pr, true
		}
	}
	for _, pr := range p.checkov {
		if pr.Line >= from && pr.Line <= to && dialect.Covers(pr, t, now) {
			return pr, true
		}
	}
	return pragma.Pragma{}, false
}
