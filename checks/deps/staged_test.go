package deps

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
)

const cleanLock = `{"name":"shop","version":"1.0.0","lockfileVersion":3,"packages":{
  "":{"name":"shop","version":"1.0.0","dependencies":{"lodash":"^4.17.15"}},
  "node_modules/lodash":{"version":"4.17.21"}}}
`

const vulnerableLock = `{"name":"shop","version":"1.0.0","lockfileVersion":3,"packages":{
  "":{"name":"shop","version":"1.0.0","dependencies":{"lodash":"^4.17.15"}},
  "node_modules/lodash":{"version":"4.17.15"}}}
`

func TestStagedLockfileIsReadFromTheIndex(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm")
	repo := newRepo(t, map[string]string{
		"web/package.json":      `{"name":"shop","version":"1.0.0","dependencies":{"lodash":"^4.17.15"}}`,
		"web/package-lock.json": cleanLock,
		"README.md":             "shop\n",
	})
	// Stage the vulnerable lockfile and an osv-scanner.toml beside it, then
	// change the working tree back: the commit is what is staged.
	writeFiles(t, repo, map[string]string{
		"web/package-lock.json": vulnerableLock,
		"web/osv-scanner.toml":  "[[IgnoredVulns]]\nid = \"GHSA-35jh-r3h4-6jhm\"\nreason = \"no templates\"\n",
	})
	git(t, repo, "add", "web")
	writeFiles(t, repo, map[string]string{"web/package-lock.json": cleanLock})
	if err := os.Remove(filepath.Join(repo, "web", "osv-scanner.toml")); err != nil {
		t.Fatal(err)
	}

	res := scanRepo(t, repo, checks.ModeStaged, Options{DBDir: db, Offline: true})
	got := byRule(res.Findings)
	if k := keys(got); !slices.Equal(k, []string{"lodash@4.17.15 GHSA-p6mc-m468-83gw"}) {
		t.Fatalf("staged findings %q (warnings %q)", k, res.Warnings)
	}
	f := got["lodash@4.17.15 GHSA-p6mc-m468-83gw"]
	if f.File != "web/package-lock.json" || f.Line != 3 {
		t.Errorf("location %s", f.Location())
	}
	// The staged osv-scanner.toml ignored GHSA-35jh: the fix is the one of p6mc alone.
	if !slices.Equal(f.Package.Fixed, []string{"4.17.20"}) {
		t.Errorf("fixed %q", f.Package.Fixed)
	}

	// The working tree is clean.
	if res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true}); len(res.Findings) != 0 {
		t.Errorf("worktree findings %q", keys(byRule(res.Findings)))
	}

	// Through the engine with the default policy, the commit blocks.
	ctx := context.Background()
	src, err := checks.NewRepoSource(ctx, repo, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	rep := checks.Scan(ctx, src, []checks.Check{New(Options{DBDir: db, Offline: true})}, nil, checks.Options{})
	if rep.Summary.Blocking != 1 || !rep.Findings[0].Blocking {
		t.Errorf("staged vulnerable lockfile does not block: %+v", rep.Summary)
	}
}

func TestStagedCommitWithoutLockfileDoesNoDependencyWork(t *testing.T) {
	repo := newRepo(t, map[string]string{
		"package.json":      `{"name":"shop","version":"1.0.0","dependencies":{"lodash":"^4.17.15"}}`,
		"package-lock.json": vulnerableLock,
		"README.md":         "shop\n",
	})
	writeFiles(t, repo, map[string]string{"README.md": "shop, now documented\n"})
	git(t, repo, "add", "README.md")
	// No database anywhere: if the check looked at dependencies at all it
	// would warn about the missing npm database.
	res := scanRepo(t, repo, checks.ModeStaged, Options{DBDir: filepath.Join(t.TempDir(), "absent"), Offline: true})
	if len(res.Findings)+len(res.Warnings) != 0 {
		t.Fatalf("a commit touching no lockfile produced %+v", res)
	}
	// The same repository's working tree does have work to do.
	res = scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: filepath.Join(t.TempDir(), "absent"), Offline: true})
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "npm") {
		t.Fatalf("worktree warnings %q", res.Warnings)
	}
}

func TestStagedGoModIndirectRequirement(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "Go")
	repo := newRepo(t, map[string]string{"go.mod": "module example.com/x\n\ngo 1.22\n"})
	writeFiles(t, repo, map[string]string{
		"go.mod": "module example.com/x\n\ngo 1.22\n\nrequire (\n\tgithub.com/pkg/errors v0.9.1\n\tgolang.org/x/text v0.3.7 // indirect\n)\n",
	})
	git(t, repo, "add", "go.mod")
	res := scanRepo(t, repo, checks.ModeStaged, Options{DBDir: db, Offline: true})
	got := byRule(res.Findings)
	f, ok := got["golang.org/x/text@0.3.7 GO-2022-1059"]
	if !ok {
		t.Fatalf("staged go.mod: %q %q", keys(got), res.Warnings)
	}
	if f.Line != 7 || !strings.Contains(f.Fix, "indirect") || !strings.Contains(f.Message, "transitive dependency") {
		t.Errorf("indirect requirement: line %d fix %q message %q", f.Line, f.Fix, f.Message)
	}
}
