package checklist

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// TestRepositoryFilesThatAreLinksToADeviceAreSkippedWithAWarning commits
// every file the checklist reads itself as a symbolic link to /dev/zero:
// following one would read without end. Each must be skipped, and named in
// a warning, and the evidence must say what it could not read.
func TestRepositoryFilesThatAreLinksToADeviceAreSkippedWithAWarning(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "hello\n")
	links := []string{".github/workflows/ci.yml", "package.json", ".husky/pre-commit", ".gitleaksignore", "SECURITY.md", "renovate.json", "Dockerfile"}
	for _, l := range links {
		p := filepath.Join(r.Dir, filepath.FromSlash(l))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.Symlink("/dev/zero", p); err != nil {
			t.Fatal(err)
		}
	}
	r.Git("add", "-A")
	r.Commit("links to a device")

	repo, err := OpenRepo(context.Background(), r.Dir, RepoOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"ci-security-scans", "dependency-updates-automated", "secret-scanning-hook", "security-policy", "no-secrets-in-history", "containers-non-root"}
	var items []Item
	for _, id := range ids {
		items = append(items, Item{ID: id, Kind: Auto})
	}
	ev := Evaluate(context.Background(), repo, items, EvalOptions{SkipSlow: true})
	wantEvidence(t, ev["ci-security-scans"], Todo, "not read: .github/workflows/ci.yml")
	wantEvidence(t, ev["security-policy"], Fail, "no SECURITY.md")
	wantEvidence(t, ev["dependency-updates-automated"], Fail)
	wantEvidence(t, ev["secret-scanning-hook"], Fail)
	wantEvidence(t, ev["containers-non-root"], NA)
	warnings := strings.Join(repo.Warnings(), "\n")
	for _, l := range []string{".github/workflows/ci.yml", "package.json", ".husky/pre-commit", "SECURITY.md", "renovate.json", "Dockerfile"} {
		if !strings.Contains(warnings, "skipped "+l+": a symbolic link") {
			t.Errorf("no warning names %s:\n%s", l, warnings)
		}
	}
}

// TestALargeCIFileIsSkippedNotRead: a regular file past the limit is not
// read into memory either.
func TestALargeCIFileIsSkippedNotRead(t *testing.T) {
	r := gittest.New(t)
	r.Write(".gitlab-ci.yml", "test:\n  script: gitleaks detect\n")
	big := filepath.Join(r.Dir, ".github", "workflows", "big.yml")
	os.MkdirAll(filepath.Dir(big), 0o755)
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, maxConfigSize+1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	r.Commit("ci")
	repo, err := OpenRepo(context.Background(), r.Dir, RepoOptions{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	ev := Evaluate(context.Background(), repo, []Item{{ID: "ci-security-scans", Kind: Auto}}, EvalOptions{})
	wantEvidence(t, ev["ci-security-scans"], Todo, "not read: .github/workflows/big.yml")
	if w := strings.Join(repo.Warnings(), "\n"); !strings.Contains(w, "skipped .github/workflows/big.yml: larger than 2 MiB") {
		t.Fatalf("warnings: %s", w)
	}
}
