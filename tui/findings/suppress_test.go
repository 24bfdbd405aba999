package findings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
)

func finding() checks.Finding {
	return checks.Finding{Check: "secrets", Rule: "github-pat", File: "config/app.env", Line: 2,
		Severity: checks.High, Fingerprint: checks.Fingerprint("secrets", "github-pat", "config/app.env", "k")}
}

func TestAddIgnoreKeepsTextAndSuppresses(t *testing.T) {
	for name, before := range map[string]string{
		"missing":         "",
		"newline at end":  "# policy\nfail_on = \"medium\"\n",
		"no newline":      "fail_on = 'high' # team choice",
		"existing ignore": "[[ignore]]\nrule = \"dockerfile/root-user\"\nreason = \"builder image\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			p := filepath.Join(root, checks.PolicyFile)
			if before != "" {
				if err := os.WriteFile(p, []byte(before), 0o640); err != nil {
					t.Fatal(err)
				}
			}
			reason := `fixture "token" \ not real`
			if _, err := AddIgnore(root, finding(), reason); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), before) {
				t.Fatalf("existing text changed:\n%s", data)
			}
			pol, err := checks.LoadPolicy(root)
			if err != nil {
				t.Fatalf("result does not parse: %v\n%s", err, data)
			}
			last := pol.Ignores[len(pol.Ignores)-1]
			if last.Fingerprint != finding().Fingerprint || last.Reason != reason {
				t.Fatalf("entry %+v", last)
			}
			kept, _, _ := pol.Apply([]checks.Finding{finding()}, "", time.Now())
			if len(kept) != 0 {
				t.Fatal("the finding is not suppressed")
			}
			if before != "" {
				if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
					t.Fatalf("mode changed to %v", fi.Mode().Perm())
				}
			}
			if entries, _ := os.ReadDir(root); len(entries) != 1 {
				t.Fatalf("left over files: %v", entries)
			}
		})
	}
}

func TestAddIgnoreRefuses(t *testing.T) {
	root := t.TempDir()
	if _, err := AddIgnore(root, finding(), "  "); err == nil {
		t.Fatal("an ignore without a reason was written")
	}
	if _, err := os.Stat(filepath.Join(root, checks.PolicyFile)); err == nil {
		t.Fatal("a file was created for a refused ignore")
	}
	broken := "fail_on = \n"
	p := filepath.Join(root, checks.PolicyFile)
	if err := os.WriteFile(p, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := AddIgnore(root, finding(), "reason")
	if err == nil || !strings.Contains(err.Error(), ".secfirst.toml:1") {
		t.Fatalf("a broken policy was not refused with its line: %v", err)
	}
	if data, _ := os.ReadFile(p); string(data) != broken {
		t.Fatalf("the broken file was touched: %q", data)
	}
}
