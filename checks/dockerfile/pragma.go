package dockerfile

import (
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/secfirst-dev/secfirst/checks/pragma"
)

// dialect is what Dockerfile comments say (package pragma): secfirst's own,
// hadolint's, Trivy's for its DS checks, and Checkov's.
var dialect = pragma.Dialect{Families: []string{"DS"}, Hadolint: true}

// pragmas are the suppression comments of a file, where they apply:
//
//   - `# secfirst:ignore=<rule>[,<rule>] <reason>`, `# hadolint
//     ignore=DL3008,DL3009` and `# trivy:ignore:DS-0002` (any spelling,
//     optional `:exp:YYYY-MM-DD`) in the comment lines right above an
//     instruction, for that instruction;
//   - `# hadolint global ignore=...` anywhere, for the whole file;
//   - `#checkov:skip=CKV_DOCKER_3:reason` anywhere: Checkov applies its
//     Dockerfile skips to the whole file, and so does secfirst.
type pragmas struct {
	above    map[int][]pragma.Pragma // by the line of the instruction they precede
	global   []pragma.Pragma
	warnings []string
}

// parsePragmas reads the comment lines of a file. Lines inside an
// instruction (continuations, heredoc bodies) are not comments of the file.
func parsePragmas(lines []string, nodes []*parser.Node) *pragmas {
	p := &pragmas{above: map[int][]pragma.Pragma{}}
	inside := map[int]bool{}
	for _, n := range nodes {
		for l := n.StartLine + 1; l <= n.EndLine; l++ {
			inside[l] = true
		}
	}
	isComment := func(l int) bool {
		return l >= 1 && l <= len(lines) && !inside[l] && strings.HasPrefix(strings.TrimSpace(lines[l-1]), "#")
	}
	wholeFile := func(pr pragma.Pragma) bool { return pr.Global || pr.Tool == pragma.Checkov }
	for _, n := range nodes {
		// the contiguous comment block right above the instruction
		for l := n.StartLine - 1; isComment(l); l-- {
			found, warning := dialect.Parse(lines[l-1], l)
			if warning != "" {
				p.warnings = append(p.warnings, warning)
			}
			for _, pr := range found {
				if !wholeFile(pr) {
					p.above[n.StartLine] = append(p.above[n.StartLine], pr)
				}
			}
		}
	}
	for l := 1; l <= len(lines); l++ {
		if isComment(l) {
			found, _ := dialect.Parse(lines[l-1], l)
			for _, pr := range found {
				if wholeFile(pr) {
					p.global = append(p.global, pr)
				}
			}
		}
	}
	return p
}

// suppressedBy returns the pragma that covers a finding of rule id (slug)
// with refs at line, or nil. noHadolint leaves hadolint's comments out
// (.hadolint.yaml's disable-ignore-pragma).
func (p *pragmas) suppressedBy(id, slug string, refs []string, line int, noHadolint bool) *pragma.Pragma {
	t := pragma.Target{ID: id, Slug: slug, Refs: refs}
	now := time.Now()
	for _, set := range [][]pragma.Pragma{p.above[line], p.global} {
		for i := range set {
			if noHadolint && set[i].Tool == pragma.Hadolint {
				continue
			}
			if dialect.Covers(set[i], t, now) {
				return &set[i]
			}
		}
	}
	return nil
}
