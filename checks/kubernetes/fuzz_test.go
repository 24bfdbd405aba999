package kubernetes

import (
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/internal/checktest"
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
		known := func(rule string) bool { return catalogBySlug()[strings.TrimPrefix(rule, CheckName+"/")] != nil }
		checktest.Checked(t, "manifest.yaml", data, known, func() ([]checks.Finding, []checks.Suppression) {
			r := CheckFile("manifest.yaml", data)
			return r.Findings, r.Suppressed
		})
	})
}
