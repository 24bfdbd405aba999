package deps

import (
	"bytes"
	"context"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
)

// brokenFiles are dependency files that osv-scalibr's readers fail on, each
// in a folder of its own. The first three crashed their readers (a nil
// dereference on a YAML or JSON null) and, with them, the whole check.
var brokenFiles = map[string]string{
	"dart/pubspec.lock":         "~",
	"bun/bun.lock":              "null",
	"r/renv.lock":               "null",
	"rust/Cargo.lock":           "[[",
	"py/poetry.lock":            "{",
	"uv/uv.lock":                "{",
	"pipenv/Pipfile.lock":       "{",
	"php/composer.lock":         "{",
	"pnpm/pnpm-lock.yaml":       "{",
	"go/go.mod":                 "{",
	"java/pom.xml":              "{",
	"dotnet/packages.lock.json": "{",
	"swift/Package.resolved":    "{",
	"sbom/bom.cdx.json":         "{",
}

// scanReport runs the deps check through the engine, as secfirst does: a
// crash inside the check becomes a check error there.
func scanReport(t *testing.T, repo string, mode checks.Mode, opts Options) *checks.Report {
	t.Helper()
	ctx := context.Background()
	src, err := checks.NewRepoSource(ctx, repo, mode)
	if err != nil {
		t.Fatal(err)
	}
	return checks.Scan(ctx, src, []checks.Check{New(opts)}, nil, checks.Options{})
}

func TestOneBadLockfileSpoilsOnlyItself(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm")
	files := map[string]string{
		"package.json":      `{"name":"shop","version":"1.0.0","dependencies":{"lodash":"^4.17.15"}}`,
		"package-lock.json": vulnerableLock,
	}
	repo := newRepo(t, files)
	// Staged mode reads the files the commit adds: stage the broken ones.
	writeFiles(t, repo, brokenFiles)
	git(t, repo, "add", "-A")
	for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree} {
		t.Run(string(mode), func(t *testing.T) {
			if mode == checks.ModeWorktree {
				git(t, repo, "commit", "-qm", "broken files")
				// The vulnerable lockfile is checked in the working tree.
			} else {
				// The commit must touch the vulnerable lockfile too.
				writeFiles(t, repo, map[string]string{"package-lock.json": vulnerableLock + "\n"})
				git(t, repo, "add", "package-lock.json")
			}
			rep := scanReport(t, repo, mode, Options{DBDir: db, Offline: true})
			if len(rep.Errors) != 0 {
				t.Fatalf("the check failed: %q", rep.Errors)
			}
			got := byRule(rep.Findings)
			for _, k := range []string{"lodash@4.17.15 GHSA-35jh-r3h4-6jhm", "lodash@4.17.15 GHSA-p6mc-m468-83gw"} {
				if _, ok := got[k]; !ok {
					t.Errorf("broken files beside it hid %s (findings %q)", k, keys(got))
				}
			}
			for name := range brokenFiles {
				n := 0
				for _, w := range rep.Warnings {
					if strings.HasPrefix(w, "deps: "+name+" was NOT checked: cannot read it as ") {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%d warnings name %s, want 1:\n%s", n, name, strings.Join(rep.Warnings, "\n"))
				}
			}
			if len(rep.Warnings) != len(brokenFiles) {
				t.Errorf("%d warnings for %d broken files:\n%s", len(rep.Warnings), len(brokenFiles), strings.Join(rep.Warnings, "\n"))
			}
			for _, w := range rep.Warnings {
				if strings.HasPrefix(w, "deps: dart/pubspec.lock") && !strings.Contains(w, "the reader crashed") {
					t.Errorf("the crash is not named: %q", w)
				}
			}
		})
	}
}

func TestLibraryLogsStayQuiet(t *testing.T) {
	var buf bytes.Buffer
	log.SetOutput(&buf)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	// osv-scalibr's yarn.lock reader logs the lines it cannot read.
	repo := newRepo(t, map[string]string{"yarn.lock": "\x1b]0;pwned\x07@^1:\n  nothing\n"})
	scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: t.TempDir(), Offline: true})
	if buf.Len() != 0 {
		t.Fatalf("a library wrote to the log: %q", buf.String())
	}
}

func TestSymlinkedDependencyFilesAreNeverFollowed(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm", "PyPI")
	// Outside the repository: a vulnerable requirements file and an
	// osv-scanner.toml that would hide the lodash findings.
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{
		"requirements.txt": "django==3.2.12\n",
		"osv-scanner.toml": "[[IgnoredVulns]]\nid = \"GHSA-35jh-r3h4-6jhm\"\n[[IgnoredVulns]]\nid = \"GHSA-p6mc-m468-83gw\"\n",
	})
	repo := newRepo(t, map[string]string{
		"package.json":      `{"name":"shop","version":"1.0.0","dependencies":{"lodash":"^4.17.15"}}`,
		"package-lock.json": vulnerableLock,
	})
	links := map[string]string{
		"osv-scanner.toml":         filepath.Join(outside, "osv-scanner.toml"),
		"py/requirements.txt":      filepath.Join(outside, "requirements.txt"),
		"zero/package-lock.json":   "/dev/zero",
		"zero/package.json":        "/dev/zero",
		"zero/npm-shrinkwrap.json": "/dev/zero",
	}
	for name, target := range links {
		p := filepath.Join(repo, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	git(t, repo, "add", "-A")
	git(t, repo, "commit", "-qm", "links")

	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	got := byRule(res.Findings)
	if k := keys(got); !slices.Equal(k, []string{"lodash@4.17.15 GHSA-35jh-r3h4-6jhm", "lodash@4.17.15 GHSA-p6mc-m468-83gw"}) {
		t.Errorf("findings %q: a symlink was followed", k)
	}
	for _, name := range []string{"osv-scanner.toml", "py/requirements.txt", "zero/package-lock.json", "zero/npm-shrinkwrap.json"} {
		want := "deps: " + name + " was NOT checked: not a regular file"
		if name == "osv-scanner.toml" {
			want = "deps: osv-scanner.toml was skipped: not a regular file"
		}
		if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.HasPrefix(w, want) }) {
			t.Errorf("no warning %q in:\n%s", want, strings.Join(res.Warnings, "\n"))
		}
	}

	// A PATH that is a symlink to a file outside is not read either.
	pres := scanPaths(t, repo, []string{"py/requirements.txt"}, Options{DBDir: db, Offline: true})
	if len(pres.Findings) != 0 || len(pres.Warnings) != 1 || !strings.HasPrefix(pres.Warnings[0], "deps: py/requirements.txt was NOT checked: not a regular file") {
		t.Errorf("symlinked PATH: findings %q warnings %q", keys(byRule(pres.Findings)), pres.Warnings)
	}

	// Staged: a symlinked osv-scanner.toml beside a staged lockfile is named,
	// and hides nothing.
	writeFiles(t, repo, map[string]string{"package-lock.json": vulnerableLock + "\n"})
	git(t, repo, "add", "package-lock.json")
	sres := scanRepo(t, repo, checks.ModeStaged, Options{DBDir: db, Offline: true})
	if len(sres.Findings) != 2 || !slices.ContainsFunc(sres.Warnings, func(w string) bool {
		return strings.HasPrefix(w, "deps: osv-scanner.toml was skipped: staged as a symbolic link")
	}) {
		t.Errorf("staged: findings %q warnings %q", keys(byRule(sres.Findings)), sres.Warnings)
	}

	// Staged: a lockfile staged as a link is named as not checked.
	if err := os.Symlink("../package-lock.json", filepath.Join(repo, "py", "package-lock.json")); err != nil {
		t.Fatal(err)
	}
	git(t, repo, "add", "py/package-lock.json")
	lres := scanRepo(t, repo, checks.ModeStaged, Options{DBDir: db, Offline: true})
	if !slices.Contains(lres.Warnings, "deps: py/package-lock.json was NOT checked: staged as a symlink, which is never followed") {
		t.Errorf("staged link: warnings %q", lres.Warnings)
	}
}

func TestDependencyFileOverTheLimitIsNamed(t *testing.T) {
	repo := newRepo(t, map[string]string{"requirements.txt": "django==3.2.12\n"})
	// A sparse file: over the limit without using the disk.
	f, err := os.OpenFile(filepath.Join(repo, "requirements.txt"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxDependencyFile + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: t.TempDir(), Offline: true})
	if len(res.Warnings) != 1 || res.Warnings[0] != "deps: requirements.txt was NOT checked: it is larger than 4 MiB" {
		t.Fatalf("warnings %q", res.Warnings)
	}
	// Staged, the same (its first bytes, read to tell, were parsed:
	// "unexpected end of JSON input" for a package-lock.json), and once
	// for npm-shrinkwrap.json, which is also read beside package-lock.json.
	writeFiles(t, repo, map[string]string{"package-lock.json": `{"name":"demo","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"demo","version":"1.0.0"}}}`})
	if err := os.Truncate(filepath.Join(repo, "requirements.txt"), 0); err != nil {
		t.Fatal(err)
	}
	f, err = os.Create(filepath.Join(repo, "npm-shrinkwrap.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxDependencyFile + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	git(t, repo, "add", "-A")
	res = scanRepo(t, repo, checks.ModeStaged, Options{DBDir: t.TempDir(), Offline: true})
	if !slices.Contains(res.Warnings, "deps: npm-shrinkwrap.json was NOT checked: it is larger than 64 MiB") ||
		slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "npm-shrinkwrap.json was skipped") }) {
		t.Fatalf("staged: warnings %q", res.Warnings)
	}
}

func TestEmptyDatabaseIsNeverClean(t *testing.T) {
	for name, extra := range map[string]map[string][]byte{
		"no entries":    nil,
		"no advisories": {"README.txt": []byte("not an advisory"), "broken.json": []byte("{")},
	} {
		t.Run(name, func(t *testing.T) {
			db := t.TempDir()
			writeDB(t, db, "PyPI")
			writeZip(t, ZipPath(db, "npm"), nil, extra)
			repo := newRepo(t, nil)
			res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
			want := "deps: 3 npm packages in package-lock.json were NOT checked: the OSV database for npm at " + ZipPath(db, "npm") + " holds no advisories"
			if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.HasPrefix(w, want) }) {
				t.Errorf("no warning %q in %q", want, res.Warnings)
			}
			// The PyPI database beside it still works.
			if _, ok := byRule(res.Findings)["django@3.2.12 GHSA-p64x-8rxx-wf6q"]; !ok {
				t.Errorf("findings %q", keys(byRule(res.Findings)))
			}
		})
	}
}

// TOML files nested deep enough to cost BurntSushi/toml gigabytes (its time
// and memory are quadratic in a key's depth) are named as not checked, and
// the check goes on: one hostile commit must not stall every hook after it.
func TestDeeplyNestedTOMLIsRefusedCheaply(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm")
	dotted := strings.Repeat("a.", 20000) + "b = 1\n"
	inline := "x = " + strings.Repeat("{a = ", 20000) + "1" + strings.Repeat("}", 20000) + "\n"
	repo := newRepo(t, map[string]string{
		"package.json":       `{"name":"shop","version":"1.0.0","dependencies":{"lodash":"^4.17.15"}}`,
		"package-lock.json":  vulnerableLock,
		"osv-scanner.toml":   dotted,
		"rust/Cargo.lock":    "[" + strings.Repeat("a.", 20000) + "b]\nx = 1\n",
		"py/poetry.lock":     inline,
		"uv/uv.lock":         dotted,
		"pdm/pdm.lock":       inline,
		"pylock/pylock.toml": dotted,
	})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 512<<20 {
		t.Errorf("the scan allocated %d MB: a nested file reached BurntSushi/toml", alloc>>20)
	}
	if k := keys(byRule(res.Findings)); !slices.Equal(k, []string{"lodash@4.17.15 GHSA-35jh-r3h4-6jhm", "lodash@4.17.15 GHSA-p6mc-m468-83gw"}) {
		t.Errorf("findings %q: the nested files hid the lockfile's", k)
	}
	for _, want := range []string{
		"deps: ignored invalid osv-scanner.toml: ",
		"deps: rust/Cargo.lock was NOT checked: cannot read it as rust/cargolock: ",
		"deps: py/poetry.lock was NOT checked: cannot read it as python/poetrylock: ",
		"deps: uv/uv.lock was NOT checked: cannot read it as python/uvlock: ",
		"deps: pdm/pdm.lock was NOT checked: cannot read it as python/pdmlock: ",
		"deps: pylock/pylock.toml was NOT checked: cannot read it as python/pylock: ",
	} {
		if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.HasPrefix(w, want) && strings.Contains(w, "nest") }) {
			t.Errorf("no warning %q...nest... in:\n%s", want, strings.Join(res.Warnings, "\n"))
		}
	}
}

// A dependency file past its format's limit (maxFileOf: what its readers
// hold a byte bounds it) is named and not read, staged or not: a staged
// 8 MiB requirements.txt took the hook to 436 MB. Under it, it is read.
func TestDependencyFileOverItsFormatsLimitIsNamed(t *testing.T) {
	for p, want := range map[string]int64{"package-lock.json": 64 << 20, "pnpm-lock.yaml": 8 << 20, "requirements.txt": 4 << 20, "go.mod": 4 << 20, "bom.cdx.json": 32 << 20, "app.spdx.json": 32 << 20} {
		if got := maxFileOf(p); got != want {
			t.Errorf("maxFileOf(%s) = %d MiB, want %d MiB", p, got>>20, want>>20)
		}
	}
	line := "django==3.2.12\n"
	over := line + strings.Repeat("# padding\n", (4<<20)/10)
	repo := newRepo(t, map[string]string{"requirements.txt": over, "app/requirements.txt": line})
	for _, mode := range []checks.Mode{checks.ModeWorktree, checks.ModeStaged} {
		if mode == checks.ModeStaged {
			writeFiles(t, repo, map[string]string{"requirements.txt": over + "# staged\n", "app/requirements.txt": line + "flask==0.12\n"})
			git(t, repo, "add", "-A")
		}
		res := scanRepo(t, repo, mode, Options{DBDir: t.TempDir(), Offline: true})
		if !slices.Contains(res.Warnings, "deps: requirements.txt was NOT checked: it is larger than 4 MiB") {
			t.Errorf("%s: warnings %q", mode, res.Warnings)
		}
		if !slices.ContainsFunc(res.Warnings, func(w string) bool {
			return strings.Contains(w, "in app/requirements.txt was NOT checked: no OSV database") || strings.Contains(w, "in app/requirements.txt were NOT checked: no OSV database")
		}) {
			t.Errorf("%s: the small requirements.txt was not read (warnings %q)", mode, res.Warnings)
		}
	}
}

// A file a requirements file includes (-r) is parsed as part of it, so it
// is held to the same limit, staged or not: never read past it.
func TestIncludedRequirementsOverTheLimitAreNotRead(t *testing.T) {
	big := "django==3.2.12\n" + strings.Repeat("# padding\n", (4<<20)/10+1)
	repo := newRepo(t, map[string]string{"requirements.txt": "-r base.txt\nflask==0.12\n", "base.txt": big})
	for _, mode := range []checks.Mode{checks.ModeWorktree, checks.ModeStaged} {
		if mode == checks.ModeStaged {
			writeFiles(t, repo, map[string]string{"requirements.txt": "-r base.txt\nflask==0.12.1\n"})
			git(t, repo, "add", "-A")
		}
		res := scanRepo(t, repo, mode, Options{DBDir: t.TempDir(), Offline: true})
		if !slices.ContainsFunc(res.Warnings, func(w string) bool {
			return strings.Contains(w, "base.txt") && strings.Contains(w, "larger than 4 MiB")
		}) {
			t.Errorf("%s: the included file over the limit is not named: %q", mode, res.Warnings)
		}
	}
}
