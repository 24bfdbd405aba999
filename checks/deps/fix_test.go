package deps

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
)

// The advice of a package is checked on a real database in osv-scanner's
// layout built from testdata/osv-fix: certifi's real advisories and the
// minimal cases of issue 17 (SECFIRST-TEST-*).

type adviceCase struct {
	pin string
	// findings: rule -> the advisory's own fixed version ("" for none)
	findings map[string]string
	message  string // in every finding's message
	fix      []string
}

func checkAdvice(t *testing.T, db string, c adviceCase) {
	t.Helper()
	repo := newRepo(t, map[string]string{"requirements.txt": c.pin + "\n"})
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	if len(res.Warnings) != 0 {
		t.Fatalf("%s: warnings %q", c.pin, res.Warnings)
	}
	got := map[string]string{}
	for _, f := range res.Findings {
		own := ""
		if len(f.Package.Fixed) > 0 {
			own = strings.Join(f.Package.Fixed, ",")
		}
		got[f.Rule] = own
		if !strings.Contains(f.Message, c.message) {
			t.Errorf("%s %s: message %q lacks %q", c.pin, f.Rule, f.Message, c.message)
		}
		for _, s := range c.fix {
			if !strings.Contains(f.Fix, s) {
				t.Errorf("%s %s: fix %q lacks %q", c.pin, f.Rule, f.Fix, s)
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(c.findings) {
		t.Errorf("%s: findings (rule: own fix) %v, want %v", c.pin, got, c.findings)
	}
}

func TestRecommendedVersionIsCleanOfEveryAdvisory(t *testing.T) {
	db := t.TempDir()
	writeDBFrom(t, db, "osv-fix", "PyPI")
	for _, c := range []adviceCase{
		// Issue 17's minimal case: A affects 0 to 2.0, B 1.5 to 2.1. From
		// 1.0 only A applies, and 2.0 fixes it, but B affects 2.0.
		{pin: "fixpkg==1.0", findings: map[string]string{"SECFIRST-TEST-0101": "2.0"},
			message: "Fixed in 2.0. Smallest version with no known advisory: 2.1.",
			fix:     []string{"Pin `fixpkg==2.1`"}},
		// Scanning the old advice shows why: 2.0 has B.
		{pin: "fixpkg==2.0", findings: map[string]string{"SECFIRST-TEST-0102": "2.1"},
			message: "Smallest version with no known advisory: 2.1."},
		{pin: "fixpkg==2.1", findings: map[string]string{}},
		// An advisory of later versions does not push the advice past the
		// smallest clean one.
		{pin: "laterpkg==1.0", findings: map[string]string{"SECFIRST-TEST-0301": "2.0"},
			message: "Smallest version with no known advisory: 2.0.", fix: []string{"Pin `laterpkg==2.0`"}},
		// certifi 2020.11.8: 2023.7.22 fixes both of its advisories, but
		// PYSEC-2024-230 affects it (2021.5.30 to 2024.7.4).
		{pin: "certifi==2020.11.8", findings: map[string]string{"PYSEC-2022-42986": "2022.12.7", "PYSEC-2023-135": "2023.7.22"},
			message: "Smallest version with no known advisory: 2024.7.4.", fix: []string{"Pin `certifi==2024.7.4`"}},
	} {
		checkAdvice(t, db, c)
	}
}

func TestTheDocumentedExampleHolds(t *testing.T) {
	// docs/dependencies.md shows this finding of issue 17's minimal case.
	db := t.TempDir()
	writeDBFrom(t, db, "osv-fix", "PyPI")
	repo := newRepo(t, map[string]string{"requirements.txt": "fixpkg==1.0\n"})
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	if len(res.Findings) != 1 {
		t.Fatalf("findings %q", keys(byRule(res.Findings)))
	}
	f := res.Findings[0]
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "dependencies.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{f.Message, "fix: " + f.Fix, "fixed in: " + strings.Join(f.Package.Fixed, ", ")} {
		if !strings.Contains(string(doc), "           "+line+"\n") {
			t.Errorf("docs/dependencies.md does not show %q", line)
		}
	}
}

func TestAnAdvisoryWithoutFixKeepsTheOthersFixes(t *testing.T) {
	db := t.TempDir()
	writeDBFrom(t, db, "osv-fix", "PyPI")
	for _, c := range []adviceCase{
		// 0201 is fixed in 2.0, 0202 never: 0201 keeps its fix, and the
		// advice says what the upgrade buys and what remains.
		{pin: "nofixpkg==1.0", findings: map[string]string{"SECFIRST-TEST-0201": "2.0", "SECFIRST-TEST-0202": ""},
			message: "No version of nofixpkg is free of known advisories: 2.0, the smallest with the fewest, is still affected by SECFIRST-TEST-0202.",
			fix: []string{"2.0 fixes 1 of the 2 advisories of 1.0 and leaves SECFIRST-TEST-0202 (no fix yet",
				"Pin `nofixpkg==2.0`"}},
		// A range that ends with last_affected names no fixed version: the
		// release after 2.5 is clean, but OSV does not say which it is.
		{pin: "lastpkg==1.0", findings: map[string]string{"SECFIRST-TEST-0401": "2.0", "SECFIRST-TEST-0402": ""},
			message: "2.0, the smallest with the fewest, is still affected by SECFIRST-TEST-0402.",
			fix:     []string{"Pin `lastpkg==2.0`"}},
	} {
		checkAdvice(t, db, c)
	}
	// With no fix at all there is no version to advise.
	repo := newRepo(t, map[string]string{"requirements.txt": "nofixpkg==2.0\n"})
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	if len(res.Findings) != 1 || len(res.Findings[0].Package.Fixed) != 0 ||
		!strings.Contains(res.Findings[0].Message, "No fixed version of this advisory yet. No known version of nofixpkg has fewer advisories than 2.0.") ||
		!strings.HasPrefix(res.Findings[0].Fix, "No fixed version of nofixpkg yet") {
		t.Errorf("no fix at all: %+v", res.Findings)
	}
}

func TestGoSumOnlyModulesAreReportedOnGoSum(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "Go")
	goSum := `github.com/google/uuid v1.3.0 h1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=
github.com/google/uuid v1.3.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=
golang.org/x/text v0.3.7 h1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=
golang.org/x/text v0.3.7/go.mod h1:u+2+/6zg+i71rQMx5EYifcz6MCKuco9NR6JIITiCfzQ=
`
	// A module before Go 1.17: go.mod lists direct requirements only.
	repo := newRepo(t, map[string]string{
		"go.mod": "module example.com/app\n\ngo 1.16\n\nrequire github.com/google/uuid v1.3.0\n",
		"go.sum": goSum,
	})
	for _, mode := range []checks.Mode{checks.ModeWorktree, checks.ModeStaged} {
		if mode == checks.ModeStaged {
			writeFiles(t, repo, map[string]string{"go.mod": "module example.com/app\n\ngo 1.16\n\nrequire github.com/google/uuid v1.3.0 // uuid\n"})
			git(t, repo, "add", "go.mod")
		}
		res := scanRepo(t, repo, mode, Options{DBDir: db, Offline: true})
		if len(res.Findings) != 1 {
			t.Fatalf("%s: findings %q warnings %q", mode, keys(byRule(res.Findings)), res.Warnings)
		}
		f := res.Findings[0]
		if f.File != "go.sum" || f.Line != 3 || f.Rule != "GO-2022-1059" {
			t.Errorf("%s: reported at %s (%s), want go.sum:3", mode, f.Location(), f.Rule)
		}
		if !strings.Contains(f.Message, "transitive dependency") || f.Lesson != lessonFor("deps/transitive") {
			t.Errorf("%s: not called indirect: %q (lesson %s)", mode, f.Message, f.Lesson)
		}
		for _, s := range []string{"go get golang.org/x/text@v0.3.8 && go mod tidy", "does not list", "go.mod and go.sum"} {
			if !strings.Contains(f.Fix, s) {
				t.Errorf("%s: fix %q lacks %q", mode, f.Fix, s)
			}
		}
		if want := checks.Fingerprint("deps", "GO-2022-1059", "go.sum", "Go/golang.org/x/text@0.3.7"); f.Fingerprint != want {
			t.Errorf("%s: fingerprint not of go.sum", mode)
		}
	}
}

func TestUnreadableLockfileNamesTheReasonAndHowToRegenerate(t *testing.T) {
	// npm 6 in 2019 wrote "resolved": false for packages from a cache
	// without their URL; osv-scanner's reader refuses the whole file.
	lock2019 := `{
  "name": "legacy",
  "version": "1.0.0",
  "lockfileVersion": 1,
  "requires": true,
  "dependencies": {
    "lodash": {
      "version": "4.17.15",
      "resolved": false,
      "integrity": "sha512-8xOcRHvCjnocdS5cpwXQXVzmmh5e5+saE2QGoeQmbKmRS6J3VQppPOIt0MnmE+4xlZoumy0GPG0D0MVIQbNA1A=="
    }
  }
}
`
	db := t.TempDir()
	writeDB(t, db, "npm")
	repo := newRepo(t, map[string]string{
		"legacy/package.json":      `{"name":"legacy","version":"1.0.0","dependencies":{"lodash":"^4.17.0"}}`,
		"legacy/package-lock.json": lock2019,
	})
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	want := "deps: legacy/package-lock.json was NOT checked: cannot read it as javascript/packagelockjson: could not extract: json: cannot unmarshal bool into Go struct field Dependency.dependencies.resolved of type string. " +
		"osv-scanner cannot read it either: regenerate it with a current npm (`npm install --package-lock-only`), and commit it."
	if len(res.Findings) != 0 || !slices.Equal(res.Warnings, []string{want}) {
		t.Fatalf("warnings\n got %q\nwant %q", res.Warnings, want)
	}
}

func TestPackageJSONWithoutLockfileIsNamed(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm")
	files := map[string]string{
		// Dependencies and no lockfile: not checked, and said so.
		"web/package.json": `{"name":"web","dependencies":{"lodash":"^4.17.0"}}`,
		// No dependencies: nothing to check.
		"tools/package.json": `{"name":"tools","scripts":{"lint":"eslint ."}}`,
		// A workspace member: the lockfile of the workspace root pins it.
		"js/package.json":                 `{"name":"root","workspaces":["packages/*"]}`,
		"js/package-lock.json":            cleanLock,
		"js/packages/a/package.json":      `{"name":"a","dependencies":{"lodash":"^4.17.0"}}`,
		"web/node_modules/x/package.json": `{"name":"x","dependencies":{"y":"1"}}`,
	}
	repo := newRepo(t, files)
	want := []string{"deps: web/package.json was NOT checked: no lockfile pins its dependencies (package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, bun.lock beside it or in a folder above). " +
		"Commit the lockfile your package manager writes (`npm install --package-lock-only`, `yarn install`, `pnpm install --lockfile-only`)."}
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	if !slices.Equal(res.Warnings, want) {
		t.Errorf("worktree: warnings\n got %q\nwant %q", res.Warnings, want)
	}
	// The hook: a commit that changes the bare package.json is told; one
	// that changes a covered one is not.
	writeFiles(t, repo, map[string]string{
		"web/package.json":           `{"name":"web","dependencies":{"lodash":"^4.17.21"}}`,
		"js/packages/a/package.json": `{"name":"a","dependencies":{"lodash":"^4.17.21"}}`,
	})
	git(t, repo, "add", "-A")
	if res := scanRepo(t, repo, checks.ModeStaged, Options{DBDir: db, Offline: true}); !slices.Equal(res.Warnings, want) {
		t.Errorf("staged: warnings\n got %q\nwant %q", res.Warnings, want)
	}
	// Given as a PATH without its lockfile, a package.json is not checked either.
	if res := scanPaths(t, repo, []string{"js/packages/a/package.json"}, Options{DBDir: db, Offline: true}); len(res.Warnings) != 1 ||
		!strings.HasPrefix(res.Warnings[0], "deps: js/packages/a/package.json was NOT checked: no lockfile") {
		t.Errorf("path: warnings %q", res.Warnings)
	}
}
