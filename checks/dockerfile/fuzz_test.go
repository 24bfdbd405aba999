package dockerfile

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/secfirst-dev/secfirst/checks"
)

// FuzzDockerfile feeds arbitrary bytes to the Dockerfile reader. Whatever
// the input, it must return (no panic, no hang, no rule that crashed and was
// caught) well-formed findings, reported or suppressed: a known rule, a line
// inside the file, and no raw secret-shaped text. The seed corpus is in
// testdata/fuzz/FuzzDockerfile.
func FuzzDockerfile(f *testing.F) {
	f.Add([]byte(cleanDockerfile))
	f.Add([]byte(kitchenSink))
	f.Add([]byte("FROM alpine\nRUN <<EOF\ncurl -k https://x | sh\nEOF\n"))
	f.Add([]byte("ARG A=${B:-$C}\nFROM ${A}:${A}@\nCOPY --from=0 a b c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// An input that never finishes is caught by go test's -timeout,
		// not by a clock here: the suite holds on a loaded machine.
		res := analyzeFile("Dockerfile", data, nil, nil)
		for _, w := range res.warnings {
			if strings.Contains(w, "internal error") {
				t.Fatalf("a rule crashed: %s", w)
			}
		}
		fs := res.findings
		for _, s := range res.suppressed {
			if s.By != checks.SuppressedByInline || !strings.HasPrefix(s.Where, "Dockerfile:") {
				t.Fatalf("suppression without its place: %+v", s)
			}
			fs = append(fs, s.Finding)
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, fd := range fs {
			r := catalogBySlug[strings.TrimPrefix(fd.Rule, "dockerfile/")]
			if r == nil || RuleID(r.slug) != fd.Rule {
				t.Fatalf("unknown rule %q", fd.Rule)
			}
			if fd.Line < 1 || fd.Line > lines {
				t.Fatalf("%s at line %d of a %d-line file", fd.Rule, fd.Line, lines)
			}
			if fd.Message == "" || fd.Fix == "" || fd.Fingerprint == "" || fd.Severity.Rank() == 0 {
				t.Fatalf("incomplete finding %+v", fd)
			}
			if utf8.ValidString(string(data)) && redactShapes(fd.Message) != fd.Message {
				t.Fatalf("message shows a secret-shaped value: %q", fd.Message)
			}
		}
	})
}
