// Package osvtest writes OSV databases in osv-scanner's local layout for
// tests: real databases, built from small advisory files.
package osvtest

import (
	"archive/zip"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/secfirst-dev/secfirst/checks/deps"
)

// FromDir writes, under a new temporary directory, the database of the
// advisories in root/<ecosystem>/*.json (the deps check's testdata/osv)
// and returns the directory, for --db or SECFIRST_OSV_DB.
func FromDir(t testing.TB, root string) string {
	t.Helper()
	dir := t.TempDir()
	ecos, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, eco := range ecos {
		if !eco.IsDir() {
			continue // a README beside the ecosystems
		}
		files, _ := filepath.Glob(filepath.Join(root, eco.Name(), "*.json"))
		advisories := map[string]string{}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			advisories[filepath.Base(f)] = string(data)
		}
		Write(t, dir, eco.Name(), advisories)
	}
	return dir
}

// Write writes the ecosystem's database under dir (its all.zip): each
// advisory by its file name.
func Write(t testing.TB, dir, eco string, advisories map[string]string) {
	t.Helper()
	zp := deps.ZipPath(dir, eco)
	if err := os.MkdirAll(filepath.Dir(zp), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(zp)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(out)
	names := make([]string, 0, len(advisories))
	for name := range advisories {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(advisories[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
