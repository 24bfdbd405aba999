package secrets

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"
)

// TestIgnoreListMatchesGitleaks guards the reading of .gitleaksignore that
// secfirst does itself (to report what it hides): every finding gitleaks'
// own detector drops for the file is hidden by the ignoreList, and no other.
func TestIgnoreListMatchesGitleaks(t *testing.T) {
	const ignore = "# comment\n\n  a.py:github-pat:3  \nsub\\dir\\b.py:aws-access-token:1\n" +
		"0123abc:c.py:generic-api-key:7\n0123abc:sub\\d.py:github-pat:2\nnot a fingerprint\nx:y\n"
	path := filepath.Join(t.TempDir(), ".gitleaksignore")
	if err := os.WriteFile(path, []byte(ignore), 0o644); err != nil {
		t.Fatal(err)
	}
	list, warnings, err := parseIgnoreList(ignore)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 2 {
		t.Errorf("want the two lines that are no fingerprints named, got %q", warnings)
	}
	var findings []report.Finding
	for _, file := range []string{"a.py", "sub/dir/b.py", "c.py", "sub/d.py", "e.py"} {
		for _, rule := range []string{"github-pat", "aws-access-token", "generic-api-key"} {
			for _, line := range []int{1, 2, 3, 7} {
				for _, commit := range []string{"", "0123abc", "fff"} {
					findings = append(findings, report.Finding{File: file, RuleID: rule, StartLine: line, Commit: commit})
				}
			}
		}
	}
	hidden := 0
	for _, f := range findings {
		d := detect.NewDetector(defaultCfgForTest(t))
		if err := d.AddGitleaksIgnore(path); err != nil {
			t.Fatal(err)
		}
		d.AddFinding(f)
		byGitleaks := len(d.Findings()) == 0
		_, bySecfirst := list.match(f)
		if byGitleaks != bySecfirst {
			t.Errorf("%s:%s:%d in %q: gitleaks hides it %v, secfirst %v", f.File, f.RuleID, f.StartLine, f.Commit, byGitleaks, bySecfirst)
		}
		if bySecfirst {
			hidden++
		}
	}
	if hidden < 4 {
		t.Fatalf("the cases must hide some findings: %d", hidden)
	}
}

func defaultCfgForTest(t *testing.T) config.Config {
	t.Helper()
	allow, err := defaultAllowlists()
	if err != nil {
		t.Fatal(err)
	}
	return *allow
}
