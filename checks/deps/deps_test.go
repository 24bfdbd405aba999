package deps

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
)

var allEcos = []string{"npm", "PyPI", "Go", "crates.io"}

func TestWorktreeFindingsWithFixedVersionsAndFixes(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, allEcos...)
	repo := newRepo(t, nil)
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	if len(res.Warnings) != 0 {
		t.Fatalf("unexpected warnings: %q", res.Warnings)
	}
	got := byRule(res.Findings)
	want := []string{
		"django@3.2.12 GHSA-p64x-8rxx-wf6q",
		"golang.org/x/text@0.3.7 GO-2022-1059",
		"lodash@4.17.15 GHSA-35jh-r3h4-6jhm",
		"lodash@4.17.15 GHSA-p6mc-m468-83gw",
		"minimist@1.2.5 GHSA-xvch-5gv4-984h",
		"smallvec@1.6.0 RUSTSEC-2021-0003",
	}
	if k := keys(got); !slices.Equal(k, want) {
		t.Fatalf("findings:\n got %q\nwant %q", k, want)
	}

	type exp struct {
		file     string
		sev      checks.Severity
		fixed    string
		fix      []string
		refs     []string
		ecosys   string
		lineText string
	}
	cases := map[string]exp{
		"lodash@4.17.15 GHSA-35jh-r3h4-6jhm": {"package-lock.json", checks.High, "4.17.21",
			[]string{"npm install lodash@4.17.21", "package-lock.json"}, []string{"CVE-2021-23337"}, "npm", `"node_modules/lodash"`},
		// Each finding keeps its own advisory's fix; the advice is the
		// version clean of both.
		"lodash@4.17.15 GHSA-p6mc-m468-83gw": {"package-lock.json", checks.High, "4.17.20",
			[]string{"npm install lodash@4.17.21"}, []string{"CVE-2020-8203"}, "npm", `"node_modules/lodash"`},
		// minimist comes in through mkdirp: an override, not an install.
		"minimist@1.2.5 GHSA-xvch-5gv4-984h": {"package-lock.json", checks.Critical, "1.2.6",
			[]string{`"overrides": {"minimist": "1.2.6"}`, "npm install"}, []string{"CVE-2021-44906"}, "npm", `"node_modules/minimist"`},
		// GHSA and PYSEC records of one CVE are one finding.
		"django@3.2.12 GHSA-p64x-8rxx-wf6q": {"requirements.txt", checks.Critical, "3.2.14",
			[]string{"django==3.2.14", "requirements.txt"}, []string{"CVE-2022-34265", "PYSEC-2022-213"}, "PyPI", "django==3.2.12"},
		// The Go database gives no severity: the alias GHSA's CVSS 7.5 decides.
		"golang.org/x/text@0.3.7 GO-2022-1059": {"go.mod", checks.High, "0.3.8",
			[]string{"go get golang.org/x/text@v0.3.8 && go mod tidy"}, []string{"CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"}, "Go", "require golang.org/x/text v0.3.7"},
		"smallvec@1.6.0 RUSTSEC-2021-0003": {"Cargo.lock", checks.Critical, "1.6.1",
			[]string{"Cargo.toml", "cargo update -p smallvec"}, []string{"CVE-2021-25900", "GHSA-43w2-9j62-hq99"}, "crates.io", `name = "smallvec"`},
	}
	for key, e := range cases {
		f := got[key]
		if f.Check != "deps" || f.File != e.file || f.Severity != e.sev {
			t.Errorf("%s: check %q file %q severity %q, want deps %q %q", key, f.Check, f.File, f.Severity, e.file, e.sev)
		}
		if f.Package == nil || f.Package.Ecosystem != e.ecosys || !slices.Equal(f.Package.Fixed, []string{e.fixed}) {
			t.Errorf("%s: package %+v, want ecosystem %s fixed [%s]", key, f.Package, e.ecosys, e.fixed)
		}
		for _, s := range e.fix {
			if !strings.Contains(f.Fix, s) {
				t.Errorf("%s: fix %q lacks %q", key, f.Fix, s)
			}
		}
		for _, r := range e.refs {
			if !slices.Contains(f.Refs, r) {
				t.Errorf("%s: refs %q lack %q", key, f.Refs, r)
			}
		}
		if slices.Contains(f.Refs, f.Rule) {
			t.Errorf("%s: refs repeat the rule id", key)
		}
		data, err := os.ReadFile(filepath.Join(repo, f.File))
		if err != nil {
			t.Fatal(err)
		}
		if f.Line <= 0 || !strings.Contains(lineText(data, f.Line), e.lineText) {
			t.Errorf("%s: line %d is %q, want the line with %q", key, f.Line, lineText(data, f.Line), e.lineText)
		}
		if f.Fingerprint == "" || f.Lesson == "" || f.Title == "" || f.Message == "" {
			t.Errorf("%s: incomplete finding %+v", key, f)
		}
		if want := checks.Fingerprint("deps", f.Rule, f.File, e.ecosys+"/"+f.Package.Name+"@"+f.Package.Version); f.Fingerprint != want {
			t.Errorf("%s: fingerprint %s, want %s", key, f.Fingerprint, want)
		}
	}
	if m := got["golang.org/x/text@0.3.7 GO-2022-1059"].Message; !strings.Contains(m, "CVSS 7.5 (from GHSA-69ch-w2m2-3vjp") {
		t.Errorf("Go finding message does not say where its severity came from: %q", m)
	}
	// minimist 1.2.5 is past GHSA-vh95-rmgr-6w4m's fix (1.2.3): not reported.
	if _, ok := got["minimist@1.2.5 GHSA-vh95-rmgr-6w4m"]; ok {
		t.Error("minimist 1.2.5 reported for an advisory fixed in 1.2.3")
	}
}

func TestWithdrawnAdvisoryIsIgnored(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm")
	// GHSA-8p5q-j9m2-g8wr (withdrawn) claims every lodash version.
	files := map[string]string{
		"package.json":      `{"name":"x","version":"1.0.0","dependencies":{"lodash":"4.17.21"}}`,
		"package-lock.json": `{"name":"x","version":"1.0.0","lockfileVersion":3,"packages":{"":{"name":"x","version":"1.0.0","dependencies":{"lodash":"4.17.21"}},"node_modules/lodash":{"version":"4.17.21"}}}`,
	}
	repo := newRepo(t, files)
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	if len(res.Findings) != 0 || len(res.Warnings) != 0 {
		t.Fatalf("lodash 4.17.21: findings %q warnings %q, want none", keys(byRule(res.Findings)), res.Warnings)
	}
}

func TestMissingEcosystemDatabaseWarnsAndOthersAreChecked(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm", "crates.io") // no PyPI, no Go
	repo := newRepo(t, nil)
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	got := byRule(res.Findings)
	for _, k := range []string{"lodash@4.17.15 GHSA-35jh-r3h4-6jhm", "minimist@1.2.5 GHSA-xvch-5gv4-984h", "smallvec@1.6.0 RUSTSEC-2021-0003"} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing %s: a missing database blanked the others (got %q)", k, keys(got))
		}
	}
	for _, k := range keys(got) {
		if strings.HasPrefix(k, "django") || strings.HasPrefix(k, "golang.org") {
			t.Errorf("finding %s without its database", k)
		}
	}
	if len(res.Warnings) != 2 {
		t.Fatalf("warnings %q, want one for PyPI and one for Go", res.Warnings)
	}
	joined := strings.Join(res.Warnings, "\n")
	for _, s := range []string{"PyPI packages in requirements.txt were NOT checked", "1 Go package in go.mod was NOT checked",
		ZipPath(db, "PyPI"), "secfirst db update", "--offline"} {
		if !strings.Contains(joined, s) {
			t.Errorf("warnings lack %q:\n%s", s, joined)
		}
	}
}

func TestNoDatabaseAtAllIsNeverClean(t *testing.T) {
	repo := newRepo(t, nil)
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: filepath.Join(t.TempDir(), "none"), Offline: true})
	if len(res.Findings) != 0 {
		t.Fatalf("findings without data: %q", keys(byRule(res.Findings)))
	}
	if len(res.Warnings) != 4 {
		t.Fatalf("want a warning per ecosystem, got %q", res.Warnings)
	}
	// Through the engine, the warnings reach the report.
	ctx := context.Background()
	src, _ := checks.NewRepoSource(ctx, repo, checks.ModeWorktree)
	rep := checks.Scan(ctx, src, []checks.Check{New(Options{DBDir: filepath.Join(t.TempDir(), "none"), Offline: true})}, nil, checks.Options{})
	if len(rep.Warnings) != 4 || rep.Summary.Blocking != 0 {
		t.Fatalf("report warnings %q blocking %d", rep.Warnings, rep.Summary.Blocking)
	}
}

func TestOSVScannerTomlIgnoresAreHonoured(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, allEcos...)
	files := projectFiles(t)
	files["osv-scanner.toml"] = `
[[IgnoredVulns]]
id = "CVE-2021-23337" # an alias of GHSA-35jh-r3h4-6jhm
reason = "templates never take user input"

[[IgnoredVulns]]
id = "GHSA-p6mc-m468-83gw"
ignoreUntil = 2020-01-01
reason = "expired: must not suppress"

[[PackageOverrides]]
name = "minimist"
ecosystem = "npm"
ignore = true
reason = "build-time only"

[[PackageOverrides]]
name = "django"
vulnerability.ignore = true
reason = "patched in our fork"
`
	// A config in another folder does not apply here.
	files["sub/osv-scanner.toml"] = "[[IgnoredVulns]]\nid = \"RUSTSEC-2021-0003\"\n"
	repo := newRepo(t, files)
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	got := byRule(res.Findings)
	want := []string{
		"golang.org/x/text@0.3.7 GO-2022-1059",
		"lodash@4.17.15 GHSA-p6mc-m468-83gw",
		"smallvec@1.6.0 RUSTSEC-2021-0003",
	}
	if k := keys(got); !slices.Equal(k, want) {
		t.Fatalf("with osv-scanner.toml:\n got %q\nwant %q", k, want)
	}
	// The fixed version covers the advisories that remain.
	if f := got["lodash@4.17.15 GHSA-p6mc-m468-83gw"]; !slices.Equal(f.Package.Fixed, []string{"4.17.20"}) {
		t.Errorf("fixed %q, want [4.17.20] once GHSA-35jh is ignored", f.Package.Fixed)
	}

	// What the ignores hid is reported, with the entry and its reason (a
	// whole-package ignore too: its package is still matched, to count).
	type hidden struct{ finding, by, reason, where string }
	var sup []hidden
	for _, s := range res.Suppressed {
		sup = append(sup, hidden{s.Finding.Package.Name + "@" + s.Finding.Package.Version + " " + s.Finding.Rule, s.By, s.Reason, s.Where})
		if s.Finding.Fingerprint == "" || s.Finding.File == "" || s.Finding.Line == 0 {
			t.Errorf("suppressed finding incomplete: %+v", s.Finding)
		}
	}
	slices.SortFunc(sup, func(a, b hidden) int { return strings.Compare(a.finding, b.finding) })
	wantSup := []hidden{
		{"django@3.2.12 GHSA-p64x-8rxx-wf6q", checks.SuppressedByOSVConfig, "patched in our fork", "osv-scanner.toml:17"},
		{"lodash@4.17.15 GHSA-35jh-r3h4-6jhm", checks.SuppressedByOSVConfig, "templates never take user input", "osv-scanner.toml:2"},
		{"minimist@1.2.5 GHSA-xvch-5gv4-984h", checks.SuppressedByOSVConfig, "build-time only", "osv-scanner.toml:11"},
	}
	if !slices.Equal(sup, wantSup) {
		t.Errorf("suppressed:\n got %+v\nwant %+v", sup, wantSup)
	}
}

func TestInvalidOSVScannerTomlWarnsAndIsIgnored(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, allEcos...)
	files := projectFiles(t)
	files["osv-scanner.toml"] = "[[IgnoredVulns]]\nid = \"GHSA-35jh-r3h4-6jhm\"\nbogus = 1\n"
	repo := newRepo(t, files)
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	if _, ok := byRule(res.Findings)["lodash@4.17.15 GHSA-35jh-r3h4-6jhm"]; !ok {
		t.Error("an invalid osv-scanner.toml suppressed a finding")
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "osv-scanner.toml") || !strings.Contains(res.Warnings[0], "bogus") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

func TestHistoryModeReturnsNothing(t *testing.T) {
	repo := newRepo(t, nil)
	res := scanRepo(t, repo, checks.ModeHistory, Options{DBDir: t.TempDir(), Offline: true})
	if len(res.Findings)+len(res.Warnings) != 0 {
		t.Fatalf("history: %+v", res)
	}
}

func TestPathsModeOutsideARepository(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "PyPI")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"app/requirements.txt": "Django==3.2.12\n"})
	got := byRule(scanPaths(t, dir, []string{"app"}, Options{DBDir: db, Offline: true}).Findings)
	f, ok := got["django@3.2.12 GHSA-p64x-8rxx-wf6q"]
	if !ok || f.File != "app/requirements.txt" || f.Line != 1 {
		t.Fatalf("paths scan: %q %+v", keys(got), f)
	}
}

func TestOSVScannerTomlIgnoreUntilUsesTheClock(t *testing.T) {
	cfg, err := parseOSVConfig("osv-scanner.toml", []byte("[[IgnoredVulns]]\nid = \"X-1\"\nignoreUntil = 2030-01-01\n"), time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.ignoredVuln([]string{"X-1"}); !ok {
		t.Error("ignore before its date does not apply")
	}
	cfg.now = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, ok := cfg.ignoredVuln([]string{"X-1"}); ok {
		t.Error("ignore after its date still applies")
	}
}

func TestUnreadableLockfileWarns(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm")
	repo := newRepo(t, map[string]string{"package-lock.json": `{"lockfileVersion": 3, "packages": {`})
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	if len(res.Findings) != 0 || len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "deps: package-lock.json was NOT checked: cannot read it as javascript/packagelockjson: ") {
		t.Fatalf("broken lockfile: %+v", res)
	}
}

func TestPoetryLockDirectAndTransitive(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "PyPI")
	lock := `[[package]]
name = "asgiref"
version = "3.5.2"
description = "ASGI specs"
optional = false
python-versions = ">=3.7"

[[package]]
name = "Django"
version = "4.0.4"
description = "web framework"
optional = false
python-versions = ">=3.8"

[metadata]
lock-version = "2.0"
python-versions = "^3.10"
content-hash = "0"
`
	for _, c := range []struct {
		pyproject, wantFix string
	}{
		{"[tool.poetry.dependencies]\npython = \"^3.10\"\nDjango = \"^4.0\"\n", "poetry add django@^4.0.6"},
		{"[tool.poetry.dependencies]\npython = \"^3.10\"\nwagtail = \"^3.0\"\n", "constraints file"},
	} {
		repo := newRepo(t, map[string]string{"poetry.lock": lock, "pyproject.toml": c.pyproject})
		res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
		f, ok := byRule(res.Findings)["django@4.0.4 GHSA-p64x-8rxx-wf6q"]
		if !ok {
			t.Fatalf("poetry.lock: %q %q", keys(byRule(res.Findings)), res.Warnings)
		}
		if !strings.Contains(f.Fix, c.wantFix) || !slices.Equal(f.Package.Fixed, []string{"4.0.6"}) || f.Line != 9 {
			t.Errorf("fix %q fixed %q line %d, want %q", f.Fix, f.Package.Fixed, f.Line, c.wantFix)
		}
	}
}
