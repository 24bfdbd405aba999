package terraform

import (
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/internal/checktest"
)

// FuzzModule feeds arbitrary bytes to the HCL reader and the rules. Whatever
// the input, it must return (no panic, no hang) well-formed findings: a
// known rule, a line inside the file, a message, a fix and a fingerprint,
// and suppressions that point inside the file.
func FuzzModule(f *testing.F) {
	f.Add([]byte(bucketTF + blockTF))
	f.Add([]byte("variable \"x\" {\n  default = [\"0.0.0.0/0\"]\n}\nresource \"google_compute_firewall\" \"f\" {\n  source_ranges = var.x\n  allow {\n    protocol = \"tcp\"\n    ports = [\"20-3389\"]\n  }\n}\n"))
	f.Add([]byte("locals {\n  a = local.b\n  b = [for x in local.a : x]\n}\nresource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({Statement = local.a})\n}\n"))
	f.Add([]byte("resource \"aws_security_group\" \"s\" {\n  dynamic \"ingress\" {\n    for_each = {}\n    content { protocol = \"-1\" }\n  }\n}\n# trivy:ignore:*\n"))
	f.Add([]byte("resource \"aws_db_instance\" {\n  storage_encrypted = \n"))
	f.Add([]byte("data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions = [\"*\"]\n    resources = [\"*\"]\n  }\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		known := func(rule string) bool { return catalogBySlug()[strings.TrimPrefix(rule, CheckName+"/")] != nil }
		checktest.Checked(t, "main.tf", data, known, func() ([]checks.Finding, []checks.Suppression) {
			r := CheckFile("main.tf", data)
			return r.Findings, r.Suppressed
		})
	})
}
