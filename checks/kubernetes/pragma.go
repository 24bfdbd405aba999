package kubernetes

import (
	"strings"
	"time"

	"github.com/secfirst-dev/secfirst/checks/pragma"
)

// dialect is what manifest comments say (package pragma): secfirst's own,
// Trivy's for its KSV checks, and Checkov's.
var dialect = pragma.Dialect{Families: []string{"KSV"}}

// pragmas are the suppression comments of a file, by the line they apply
// to. A comment applies to the line it ends, or, in the block of comment
// lines right above it, to the next line. A finding is suppressed by a
// comment on its own line, on the line of the list item it is in (a
// volume, an env variable, a port), on the line of the container it is
// about, or on the first line of its resource (right above `apiVersion:`),
// which covers the whole resource. Checkov's own Kubernetes annotations
// (`checkov.io/skip1: CKV_K8S_16=<reason>` in the resource's
// metadata.annotations) are honoured too: see annotationSkip.
type pragmas struct {
	byLine   map[int][]pragma.Pragma // by the line they apply to
	warnings []string
}

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
	p := &pragmas{byLine: map[int][]pragma.Pragma{}}
	var pending []pragma.Pragma // from the comment block above the current line
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
func (p *pragmas) parse(c string, line int) []pragma.Pragma {
	found, warning := dialect.Parse(c, line)
	if warning != "" {
		p.warnings = append(p.warnings, warning)
	}
	return found
}

// match returns the pragma that covers a finding whose scope is these lines.
func (p *pragmas) match(id, slug string, refs []string, scope []int) (pragma.Pragma, bool) {
	t := pragma.Target{ID: id, Slug: slug, Refs: refs}
	now := time.Now()
	for _, l := range scope {
		if pr, ok := dialect.Match(p.byLine[l], t, now); ok {
			return pr, true
		}
	}
	return pragma.Pragma{}, false
}

// annotationSkip honours Checkov's Kubernetes suppressions: annotations of
// the resource named checkov.io/skip<N> (or bridgecrew.io/, cortex.io/)
// whose value is `CKV_K8S_NN` or `CKV_K8S_NN=<reason>`.
func annotationSkip(r *resource, refs []string) (pragma.Pragma, bool) {
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
				return pragma.Pragma{Tool: pragma.Checkov, IDs: []string{ckv}, Reason: strings.TrimSpace(reason), Line: a.key.Line}, true
			}
		}
	}
	return pragma.Pragma{}, false
}
