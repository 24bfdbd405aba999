package scan_test

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"go.yaml.in/yaml/v3"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/scan"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// gitlabRecipe is the first YAML block under "## GitLab CI" in docs/ci.md.
func gitlabRecipe(t *testing.T) map[string]any {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## GitLab CI")
	_, block, ok2 := strings.Cut(section, "```yaml\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/ci.md has no ```yaml block under ## GitLab CI")
	}
	var ci map[string]any
	if err := yaml.Unmarshal([]byte(block), &ci); err != nil {
		t.Fatalf("the GitLab recipe is not YAML: %v", err)
	}
	return ci
}

// TestGitLabRecipeInDocsRuns runs the script of docs/ci.md's GitLab job, as
// written, in a repository with a secret: every report the job declares is
// written, in its format, and the gate fails the job.
func TestGitLabRecipeInDocsRuns(t *testing.T) {
	job, _ := gitlabRecipe(t)["secfirst"].(map[string]any)
	script, _ := job["script"].([]any)
	artifacts, _ := job["artifacts"].(map[string]any)
	reports, _ := artifacts["reports"].(map[string]any)
	if len(script) == 0 || reports["junit"] == nil || reports["codequality"] == nil || artifacts["when"] != "always" {
		t.Fatalf("the recipe's job must run secfirst and report junit and codequality, always: %v", job)
	}

	t.Setenv("SECFIRST_OFFLINE", "1") // no network in tests
	r := gittest.New(t)
	r.Write("deploy/env.sh", "export AWS_ACCESS_KEY_ID="+gittest.FakeAWSKey()+"\n")
	r.Commit("leak")
	written := map[string]string{}
	gate := -1
	for _, raw := range script {
		line, _ := raw.(string)
		cmdline, _, _ := strings.Cut(line, "#")
		args, out, redirected := strings.Cut(cmdline, ">")
		fields := strings.Fields(args)
		if len(fields) < 2 || fields[0] != "secfirst" || fields[1] != "scan" {
			t.Fatalf("unexpected script line %q", line)
		}
		ios, _, stdout, stderr := iostreams.Test()
		cmd := scan.NewCmd(ios)
		cmd.SetArgs(fields[2:])
		t.Chdir(r.Dir)
		code := cmdutil.Code(cmd.Execute())
		if !redirected {
			gate = code
			continue
		}
		if code != 0 {
			t.Fatalf("%q: exit %d, want 0 (--fail-on never)\n%s", line, code, stderr)
		}
		written[strings.TrimSpace(out)] = stdout.String()
	}
	if gate != 1 {
		t.Fatalf("the gate must fail the job on the secret: exit %d", gate)
	}

	var issues []struct {
		CheckName string `json:"check_name"`
		Location  struct{ Path string }
	}
	if err := json.Unmarshal([]byte(written[reports["codequality"].(string)]), &issues); err != nil ||
		len(issues) != 1 || issues[0].CheckName != "aws-access-token" || issues[0].Location.Path != "deploy/env.sh" {
		t.Fatalf("codequality report %v: %+v", err, issues)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal([]byte(written[reports["junit"].(string)]), &suites); err != nil || suites.Failures != 1 {
		t.Fatalf("junit report: %v, %d failures", err, suites.Failures)
	}
	paths, _ := artifacts["paths"].([]any)
	if len(paths) != 1 {
		t.Fatalf("the SARIF is kept as a plain artifact: %v", paths)
	}
	log, err := sarif.FromString(written[paths[0].(string)])
	if err != nil || log.Validate() != nil || len(log.Runs[0].Results) != 1 {
		t.Fatalf("SARIF artifact: %v", err)
	}
}
