package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	rows := map[string]string{}
	for _, line := range strings.Split(readDoc(t), "\n") {
		if strings.HasPrefix(line, "| `terraform/") {
			rows[strings.Trim(strings.Fields(line)[1], "`")] = line
		}
	}
	for _, r := range Rules() {
		row, ok := rows[r.ID]
		if !ok {
			t.Errorf("docs/terraform.md has no row for %s", r.ID)
			continue
		}
		delete(rows, r.ID)
		cells := strings.Split(row, "|")
		if strings.TrimSpace(cells[2]) != string(r.Severity) || strings.TrimSpace(cells[3]) != r.Title || strings.TrimSpace(cells[7]) != "`"+r.Lesson+"`" {
			t.Errorf("row of %s says %q", r.ID, row)
		}
		for _, ref := range r.Refs {
			if !strings.HasPrefix(ref, "AVD-") && !strings.Contains(row, ref) {
				t.Errorf("row of %s lacks %s", r.ID, ref)
			}
		}
		for _, res := range r.Resources {
			if !strings.Contains(cells[4], "`"+res+"`") {
				t.Errorf("row of %s lacks %s", r.ID, res)
			}
		}
	}
	for id := range rows {
		t.Errorf("docs/terraform.md lists %s, which the check does not have", id)
	}
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
