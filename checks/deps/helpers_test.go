package deps

import (
	"archive/zip"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
)

// writeDB zips the advisories of testdata/osv/<eco>/ into osv-scanner's
// local layout under dir, for each ecosystem given.
func writeDB(t testing.TB, dir string, ecos ...string) {
	t.Helper()
	writeDBFrom(t, dir, "osv", ecos...)
}

// writeDBFrom does it for testdata/<tree>/<eco>/.
func writeDBFrom(t testing.TB, dir, tree string, ecos ...string) {
	t.Helper()
	for _, eco := range ecos {
		files, err := filepath.Glob(filepath.Join("testdata", tree, eco, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no advisories for %s in testdata", eco)
		}
		writeZip(t, ZipPath(dir, eco), files, nil)
	}
}

// writeZip writes the files (and extra name -> content entries) as a zip.
func writeZip(t testing.TB, zipPath string, files []string, extra map[string][]byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(zipPath), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(out)
	add := func(name string, data []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		add(filepath.Base(f), data)
	}
	names := make([]string, 0, len(extra))
	for n := range extra {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		add(n, extra[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// git runs the real git binary in dir.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// newRepo makes a git repository holding testdata/project (or the given
// files) and commits it.
func newRepo(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	if files == nil {
		files = projectFiles(t)
	}
	writeFiles(t, dir, files)
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "base")
	return dir
}

func projectFiles(t testing.TB) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", "project"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata", "project", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(data)
	}
	return files
}

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func scanRepo(t testing.TB, repo string, mode checks.Mode, opts Options) checks.Result {
	t.Helper()
	src, err := checks.NewRepoSource(context.Background(), repo, mode)
	if err != nil {
		t.Fatal(err)
	}
	return runCheck(t, src, opts)
}

// scanPaths runs the check over PATHs given on the command line in cwd.
func scanPaths(t testing.TB, cwd string, paths []string, opts Options) checks.Result {
	t.Helper()
	src, err := checks.NewPathsSource(context.Background(), cwd, paths)
	if err != nil {
		t.Fatal(err)
	}
	return runCheck(t, src, opts)
}

func runCheck(t testing.TB, src *checks.Source, opts Options) checks.Result {
	t.Helper()
	res, err := New(opts).Run(context.Background(), src)
	if err != nil {
		t.Fatalf("deps check: %v", err)
	}
	return res
}

// byRule indexes findings by "name@version rule".
func byRule(fs []checks.Finding) map[string]checks.Finding {
	m := map[string]checks.Finding{}
	for _, f := range fs {
		m[f.Package.Name+"@"+f.Package.Version+" "+f.Rule] = f
	}
	return m
}

func keys(m map[string]checks.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
