package dockerfile

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/secfirst-dev/secfirst/checks/internal/checktest"
)

// hadolintRuleIDs reads the rule ids hadolint publishes, kept in testdata
// with their source named there.
func hadolintRuleIDs(t *testing.T) map[string]bool {
	t.Helper()
	fh, err := os.Open(filepath.Join("testdata", "hadolint-rules.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out[l] = true
		}
	}
	if len(out) < 60 {
		t.Fatalf("only %d hadolint ids read", len(out))
	}
	return out
}

// Every ref is an id its tool really has: hadolint's published rules,
// the ids of Trivy's and Checkov's Dockerfile checks in the shared
// conformance files (in both of Trivy's spellings), and the names of
// BuildKit's own checks. A ref that names nothing breaks the suppressions
// and policies written against it.
func TestRefsAreRealIDs(t *testing.T) {
	hadolint := hadolintRuleIDs(t)
	anchors := map[string]bool{}
	for _, file := range []string{"trivy-checks.jsonl", "checkov.jsonl"} {
		for _, c := range readCases(t, file) {
			for _, id := range equivalentIDs(c.Check) {
				anchors[id] = true
			}
		}
	}
	buildkit := map[string]bool{}
	for _, name := range []string{
		linter.RuleSecretsUsedInArgOrEnv.Name, linter.RuleInvalidDefaultArgInFrom.Name,
		linter.RuleMultipleInstructionsDisallowed.Name, linter.RuleWorkdirRelativePath.Name,
		linter.RuleDuplicateStageName.Name, linter.RuleMaintainerDeprecated.Name,
	} {
		buildkit[name] = true
	}
	for _, r := range Rules() {
		for _, ref := range r.Refs {
			switch {
			case strings.HasPrefix(ref, "DL"):
				if !hadolint[ref] {
					t.Errorf("%s: %s is not a hadolint rule", r.ID, ref)
				}
			case strings.HasPrefix(ref, "DS-"), strings.HasPrefix(ref, "AVD-DS-"), strings.HasPrefix(ref, "CKV"):
				if !anchors[ref] {
					t.Errorf("%s: %s is not a Trivy or Checkov Dockerfile check", r.ID, ref)
				}
			default:
				if !buildkit[ref] {
					t.Errorf("%s: %s is not a BuildKit check", r.ID, ref)
				}
			}
		}
	}
}

// A finding carries only refs its rule lists, so the check above covers
// every finding too.
func TestFindingRefsAreTheRules(t *testing.T) {
	rulesRefs := map[string][]string{}
	for _, r := range Rules() {
		rulesRefs[r.ID] = r.Refs
	}
	srcs := []string{kitchenSink}
	for _, c := range hadolintCases {
		srcs = append(srcs, c.src)
	}
	for _, src := range srcs {
		for _, f := range CheckFile("Dockerfile", []byte(src)) {
			for _, ref := range f.Refs {
				if !slices.Contains(rulesRefs[f.Rule], ref) {
					t.Errorf("%s carries %s, which its rule does not list", f.Rule, ref)
				}
			}
		}
	}
}

// The rules table of docs/dockerfile.md is the catalog: every rule, its
// severity, its title first in the What column, and its refs.
func TestRulesTableInDocs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(checktest.RepoRoot(t), "docs", "dockerfile.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "| `dockerfile/") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows[strings.Trim(cells[0], "`")] = cells
	}
	for _, r := range Rules() {
		cells, ok := rows[r.ID]
		switch {
		case !ok:
			t.Errorf("docs/dockerfile.md has no row for %s", r.ID)
		case len(cells) != 4 || cells[1] != string(r.Severity) || !strings.HasPrefix(cells[2], r.Title) || cells[3] != strings.Join(r.Refs, ", "):
			t.Errorf("docs row for %s is %q, want severity %s, title %q, refs %q", r.ID, cells, r.Severity, r.Title, strings.Join(r.Refs, ", "))
		}
		delete(rows, r.ID)
	}
	for id := range rows {
		t.Errorf("docs/dockerfile.md lists %s, which the check does not have", id)
	}
}
