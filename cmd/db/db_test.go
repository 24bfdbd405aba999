package db

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks/deps"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
)

// osvZip zips the deps check's test advisories of one ecosystem.
func osvZip(t *testing.T, eco string) []byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "checks", "deps", "testdata", "osv", eco, "*.json"))
	if len(files) == 0 {
		t.Fatalf("no test advisories for %s", eco)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(filepath.Base(f))
		w.Write(data)
	}
	zw.Close()
	return buf.Bytes()
}

// localBucket serves <eco>/all.zip like the OSV bucket and records requests.
func localBucket(t *testing.T, objects map[string][]byte) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		eco, _ := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/all.zip")
		data, ok := objects[eco]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "all.zip", time.Unix(1700000000, 0), bytes.NewReader(data))
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), paths...) }
}

func gitRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	return dir
}

func TestUpdateDownloadsTheRepositorysEcosystems(t *testing.T) {
	srv, requests := localBucket(t, map[string][]byte{"npm": osvZip(t, "npm"), "PyPI": osvZip(t, "PyPI")})
	repo := gitRepo(t, map[string]string{
		"package-lock.json": `{"name":"x","version":"1.0.0","lockfileVersion":3,"packages":{"":{"name":"x"},"node_modules/lodash":{"version":"4.17.15"}}}`,
	})
	dbDir := t.TempDir()
	ios, _, stdout, stderr := iostreams.Test()
	err := RunUpdate(context.Background(), &UpdateOptions{IO: ios, Dir: repo, DB: dbDir, baseURL: srv.URL, httpClient: srv.Client()})
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if got := requests(); len(got) != 1 || got[0] != "/npm/all.zip" {
		t.Errorf("requests %q: want the npm database only", got)
	}
	if _, err := os.Stat(deps.ZipPath(dbDir, "npm")); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q: progress belongs on stderr", stdout)
	}
	for _, s := range []string{"Downloading OSV databases to " + dbDir + ": npm", "npm: downloading", "npm: 5 advisories, indexed"} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
}

func TestUpdateWarnsOfADatabaseWithoutAdvisories(t *testing.T) {
	var empty bytes.Buffer
	zip.NewWriter(&empty).Close()
	srv, _ := localBucket(t, map[string][]byte{"npm": empty.Bytes()})
	ios, _, _, stderr := iostreams.Test()
	err := RunUpdate(context.Background(), &UpdateOptions{IO: ios, Dir: t.TempDir(), DB: t.TempDir(), Ecosystems: []string{"npm"},
		baseURL: srv.URL, httpClient: srv.Client()})
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if want := "npm: warning: the download holds no advisories; scans will report npm packages as NOT checked\n"; !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("stderr %q, want it to end with %q", stderr, want)
	}
}

func TestUpdateNamedEcosystemsAndEnvironment(t *testing.T) {
	srv, requests := localBucket(t, map[string][]byte{"PyPI": osvZip(t, "PyPI"), "Go": osvZip(t, "Go")})
	dbDir := t.TempDir()
	t.Setenv(deps.EnvDB, dbDir)
	ios, _, _, stderr := iostreams.Test()
	err := RunUpdate(context.Background(), &UpdateOptions{IO: ios, Dir: t.TempDir(), Ecosystems: []string{"pypi", "Go", "PyPI"},
		baseURL: srv.URL, httpClient: srv.Client()})
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if got := strings.Join(requests(), " "); got != "/PyPI/all.zip /Go/all.zip" {
		t.Errorf("requests %q", got)
	}
	for _, eco := range []string{"PyPI", "Go"} {
		if _, err := os.Stat(deps.ZipPath(dbDir, eco)); err != nil {
			t.Errorf("%s not in $%s: %v", eco, deps.EnvDB, err)
		}
	}
}

func TestUpdateErrors(t *testing.T) {
	srv, _ := localBucket(t, map[string][]byte{})
	cases := []struct {
		name string
		opts UpdateOptions
		want string
	}{
		{"unknown ecosystem", UpdateOptions{Ecosystems: []string{"nmp"}}, `unknown ecosystem "nmp"`},
		{"outside a repository", UpdateOptions{}, "not inside a git repository"},
		{"no lockfile", UpdateOptions{Dir: gitRepo(t, map[string]string{"README.md": "x"})}, "no lockfile or manifest"},
		{"server error", UpdateOptions{Ecosystems: []string{"npm"}}, "404"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			o := c.opts
			o.IO, o.DB, o.baseURL, o.httpClient = ios, t.TempDir(), srv.URL, srv.Client()
			if o.Dir == "" {
				o.Dir = t.TempDir()
			}
			err := RunUpdate(context.Background(), &o)
			if cmdutil.Code(err) != cmdutil.ExitFailure || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err %v (code %d), want one line with %q and exit 2", err, cmdutil.Code(err), c.want)
			}
		})
	}
}

func TestCommandTree(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewCmd(ios)
	sub, _, err := cmd.Find([]string{"update"})
	if err != nil || sub.Name() != "update" || sub.Flags().Lookup("ecosystem") == nil || sub.Flags().Lookup("db") == nil {
		t.Fatalf("db update: %v", err)
	}
}

// Progress is redrawn in place on a terminal (carriage return, erase to
// the end of the line); written for a log, it holds no control sequence.
func TestProgressEscapesOnlyOnATerminal(t *testing.T) {
	srv, _ := localBucket(t, map[string][]byte{"npm": osvZip(t, "npm")})
	for _, tty := range []bool{false, true} {
		ios, _, _, stderr := iostreams.Test()
		ios.SetTTY(tty)
		err := RunUpdate(context.Background(), &UpdateOptions{IO: ios, Ecosystems: []string{"npm"}, DB: t.TempDir(), baseURL: srv.URL, httpClient: srv.Client()})
		if err != nil {
			t.Fatalf("tty %v: %v\n%s", tty, err, stderr)
		}
		got := stderr.String()
		switch {
		case !tty && strings.ContainsAny(got, "\r\x1b"):
			t.Errorf("a log holds control sequences: %q", got)
		case tty && !strings.Contains(got, "\r\x1b[K"):
			t.Errorf("a terminal's progress is not redrawn in place: %q", got)
		}
	}
}
