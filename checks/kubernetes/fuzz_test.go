package kubernetes

import (
	"strings"
	"testing"
)

// FuzzManifest feeds arbitrary bytes to the manifest reader. Whatever the
// input, it must return (no panic, no hang) well-formed findings: a known
// rule, a line inside the file, a message, a fix and a fingerprint, and
// suppressions that point inside the file.
func FuzzManifest(f *testing.F) {
	f.Add([]byte(hardened))
	f.Add([]byte(privilegedPod))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec: {containers: [{name: a, securityContext: {privileged: yes}}]}\n"))
	f.Add([]byte("apiVersion: v1\nkind: Pod\nspec: &s\n  containers: [*s]\n  <<: *s\n"))
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: {{ .Values.name }}}\n"))
	f.Add([]byte(`{"apiVersion":"v1","kind":"Pod","spec":{"hostPID":true,"containers":[{"name":"a","env":[{"name":"API_TOKEN","value":"x"}]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := CheckFile("manifest.yaml", data)
		lines := strings.Count(string(data), "\n") + 1
		for _, fd := range r.Findings {
			if catalogBySlug()[strings.TrimPrefix(fd.Rule, CheckName+"/")] == nil {
				t.Fatalf("unknown rule %q", fd.Rule)
			}
			if fd.Line < 1 || fd.Line > lines {
				t.Fatalf("%s at line %d of a %d-line file", fd.Rule, fd.Line, lines)
			}
			if fd.Message == "" || fd.Fix == "" || fd.Fingerprint == "" || fd.Severity.Rank() == 0 {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
		for _, s := range r.Suppressed {
			if !strings.HasPrefix(s.Where, "manifest.yaml:") {
				t.Fatalf("suppression without its place: %+v", s)
			}
		}
	})
}
