package tui

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/checks/deps"
	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/tui/common"
)

const lodashAdvisory = `{"schema_version":"1.6.0","id":"GHSA-test-lodash","modified":"2024-01-01T00:00:00Z",
"summary":"Prototype pollution in lodash","database_specific":{"severity":"HIGH"},
"affected":[{"package":{"ecosystem":"npm","name":"lodash"},
"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}]}`

const packageLock = `{"name":"demo","version":"1.0.0","lockfileVersion":3,"requires":true,
"packages":{"":{"name":"demo","version":"1.0.0","dependencies":{"lodash":"4.17.15"}},
"node_modules/lodash":{"version":"4.17.15","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.15.tgz"}}}`

func npmZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("GHSA-test-lodash.json")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(lodashAdvisory))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// u on the dashboard downloads the data of the repository's ecosystems
// (from a local stand-in for the OSV bucket) and the next scan uses it.
func TestDatabaseUpdateFromDashboard(t *testing.T) {
	data := npmZip(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/npm/all.zip" {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "all.zip", time.Unix(1700000000, 0), bytes.NewReader(data))
	}))
	defer srv.Close()

	r := gittest.New(t)
	r.Write("package-lock.json", packageLock)
	r.Commit("lockfile")
	c := testCommon(t, r)
	c.DBDir, c.DBBaseURL = filepath.Join(t.TempDir(), "osv"), srv.URL
	c.Checks = func() []checks.Check { return all.Checks(all.Options{Offline: true, DBDir: c.DBDir}) }

	s := start(t, c, common.ScreenDashboard, false)
	s.waitFor("press u to download it")
	s.key("u")
	s.settle()
	s.key("s")
	s.settle()
	view := s.finish()
	if _, err := os.Stat(deps.ZipPath(c.DBDir, "npm")); err != nil {
		t.Fatalf("no database after the update: %v", err)
	}
	if !strings.Contains(view, "deps · GHSA-test-lodash") || !strings.Contains(view, "Package  lodash 4.17.15 (npm), fixed in 4.17.21") {
		t.Fatalf("the scan after the update does not find the vulnerable package:\n%s", view)
	}

	s = start(t, c, common.ScreenDashboard, false)
	s.waitFor("press u to download it")
	s.key("u")
	s.settle()
	if v := s.finish(); !strings.Contains(v, "✓ updated npm (1 advisories)") {
		t.Fatalf("dashboard does not report the update:\n%s", v)
	}
}

// Esc cancels a download under way.
func TestDatabaseUpdateCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10000000")
		w.WriteHeader(http.StatusOK)
		w.Write(make([]byte, 300000))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // a slow link: the rest never comes
	}))
	defer srv.Close()
	r := gittest.New(t)
	r.Write("package-lock.json", packageLock)
	r.Commit("lockfile")
	c := testCommon(t, r)
	c.DBDir, c.DBBaseURL = filepath.Join(t.TempDir(), "osv"), srv.URL

	s := start(t, c, common.ScreenDashboard, false)
	s.waitFor("press u to download it")
	s.key("u")
	s.waitFor("(esc cancels)", "npm ")
	s.key("esc")
	s.settle()
	if v := s.finish(); !strings.Contains(v, "download cancelled (u resumes it)") {
		t.Fatalf("not cancelled:\n%s", v)
	}
	if _, err := os.Stat(deps.ZipPath(c.DBDir, "npm")); err == nil {
		t.Fatal("a cancelled download left a database in place")
	}
}
