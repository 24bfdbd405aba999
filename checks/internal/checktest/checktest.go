// Package checktest holds what the tests of the configuration checks
// (Dockerfile, Kubernetes, Terraform) share: running a check on a real
// repository, the invariants every finding of a fuzzed input must keep,
// and the rules table of a check's documentation. Only tests use it.
package checktest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// Run runs a check on a repository in a mode, or, given paths, on those
// paths of it; the check failing as a whole fails the test.
func Run(t testing.TB, c checks.Check, r *gittest.Repo, mode checks.Mode, paths ...string) checks.Result {
	t.Helper()
	ctx := context.Background()
	src, err := checks.NewRepoSource(ctx, r.Dir, mode)
	if len(paths) > 0 {
		src, err = checks.NewPathsSource(ctx, r.Dir, paths)
	}
	if err != nil {
		t.Fatal(err)
	}
	src.Env = r.Env
	res, err := c.Run(ctx, src)
	if err != nil {
		t.Fatalf("the %s check failed as a whole: %v", c.Name(), err)
	}
	return res
}

// BenchStaged measures the check in the hook: on the staged files of r,
// which must number files.
func BenchStaged(b *testing.B, c checks.Check, r *gittest.Repo, files int) {
	b.Helper()
	ctx := context.Background()
	src, err := checks.NewRepoSource(ctx, r.Dir, checks.ModeStaged)
	if err != nil {
		b.Fatal(err)
	}
	src.Env = r.Env
	if fs, err := src.Files(ctx, nil); err != nil || len(fs) != files {
		b.Fatalf("%d staged files, %v", len(fs), err)
	}
	for b.Loop() {
		if _, err := c.Run(ctx, src); err != nil {
			b.Fatal(err)
		}
	}
}

// Checked runs check on data, read as the file path, for a fuzz target:
// whatever the input, it must return (no panic; a hang is the fuzzer's to
// catch, not a wall clock's) well-formed findings: a rule known tells, a
// line inside the file, a message, a fix and a fingerprint, and
// suppressions that point inside the file.
func Checked(t *testing.T, path string, data []byte, known func(rule string) bool, check func() ([]checks.Finding, []checks.Suppression)) {
	t.Helper()
	findings, suppressed := check()
	lines := strings.Count(string(data), "\n") + 1
	for _, fd := range findings {
		if !known(fd.Rule) {
			t.Fatalf("unknown rule %q", fd.Rule)
		}
		if fd.Line < 1 || fd.Line > lines {
			t.Fatalf("%s at line %d of a %d-line file", fd.Rule, fd.Line, lines)
		}
		if fd.Message == "" || fd.Fix == "" || fd.Fingerprint == "" || fd.Severity.Rank() == 0 {
			t.Fatalf("incomplete finding %+v", fd)
		}
	}
	for _, s := range suppressed {
		if !strings.HasPrefix(s.Where, path+":") {
			t.Fatalf("suppression without its place: %+v", s)
		}
	}
}

// Rule is what a check's documentation must say of one of its rules.
type Rule struct {
	ID       string
	Severity checks.Severity
	Title    string
	Lesson   string
	Refs     []string                      // the refs its row must name
	Extra    func(cells []string) []string // further problems with the row, if any
}

// DocRulesTable checks the rules table of docs/<doc> against a check's
// catalog: a row a rule ("| `<id>` | severity | title | ... | `lesson`
// |", the lesson in the seventh column) that says what the catalog says,
// and no row for a rule the check does not have.
func DocRulesTable(t *testing.T, doc string, rules []Rule) {
	t.Helper()
	if len(rules) == 0 {
		t.Fatal("no rules")
	}
	data, err := os.ReadFile(filepath.Join(RepoRoot(t), "docs", doc))
	if err != nil {
		t.Fatal(err)
	}
	check, _, _ := strings.Cut(rules[0].ID, "/")
	rows := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "| `"+check+"/") {
			rows[strings.Trim(strings.Fields(line)[1], "`")] = line
		}
	}
	for _, r := range rules {
		row, ok := rows[r.ID]
		if !ok {
			t.Errorf("docs/%s has no row for %s", doc, r.ID)
			continue
		}
		delete(rows, r.ID)
		cells := strings.Split(row, "|")
		if len(cells) < 8 || strings.TrimSpace(cells[2]) != string(r.Severity) || strings.TrimSpace(cells[3]) != r.Title || strings.TrimSpace(cells[7]) != "`"+r.Lesson+"`" {
			t.Errorf("row of %s says %q", r.ID, row)
			continue
		}
		for _, ref := range r.Refs {
			if !strings.Contains(row, ref) {
				t.Errorf("row of %s lacks %s", r.ID, ref)
			}
		}
		if r.Extra != nil {
			for _, problem := range r.Extra(cells) {
				t.Errorf("row of %s %s", r.ID, problem)
			}
		}
	}
	for id := range rows {
		t.Errorf("docs/%s lists %s, which the check does not have", doc, id)
	}
}

// RepoRoot is the repository's top directory, where go.mod is, above the
// test's directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}
