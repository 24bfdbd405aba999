package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks/internal/checktest"
)

func readDoc(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "terraform.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// docs/terraform.md lists every rule with its severity, title, Trivy and
// Checkov refs and lesson, as the catalog says.
func TestDocsListEveryRule(t *testing.T) {
	var rules []checktest.Rule
	for _, r := range Rules() {
		var refs []string
		for _, ref := range r.Refs {
			if !strings.HasPrefix(ref, "AVD-") {
				refs = append(refs, ref)
			}
		}
		resources := r.Resources
		rules = append(rules, checktest.Rule{ID: r.ID, Severity: r.Severity, Title: r.Title, Lesson: r.Lesson, Refs: refs,
			Extra: func(cells []string) []string {
				var lacks []string
				for _, res := range resources {
					if !strings.Contains(cells[4], "`"+res+"`") {
						lacks = append(lacks, "lacks "+res)
					}
				}
				return lacks
			}})
	}
	checktest.DocRulesTable(t, "terraform.md", rules)
}

// The fix the documentation shows is the one the check gives.
func TestDocsFixExample(t *testing.T) {
	doc := readDoc(t)
	r := CheckFile("infra/main.tf", []byte("resource \"aws_db_instance\" \"main\" {\n  engine         = \"postgres\"\n  instance_class = \"db.t4g.medium\"\n}\n"))
	var fix, msg string
	for _, f := range r.Findings {
		if f.Rule == "terraform/aws-rds-unencrypted" {
			fix, msg = f.Fix, f.Message
		}
	}
	if fix == "" || !strings.Contains(doc, "  fix:      "+fix+"\n") || !strings.Contains(doc, "  what:     "+msg+"\n") {
		t.Errorf("docs/terraform.md does not show the fix %q and message %q", fix, msg)
	}
}
