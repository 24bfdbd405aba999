package deps

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzNames are dependency files of every kind the extractors read.
var fuzzNames = []string{
	"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock",
	"go.mod", "requirements.txt", "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "pylock.toml",
	"Cargo.lock", "Gemfile.lock", "composer.lock", "pom.xml", "gradle.lockfile",
	"gradle/verification-metadata.xml", "packages.lock.json", "app.csproj", "packages.config",
	"app.deps.json", "Directory.Packages.props", "pubspec.lock", "mix.lock", "renv.lock",
	"Package.resolved", "conan.lock", "cabal.project.freeze", "stack.yaml.lock",
	"app.spdx.json", "bom.cdx.json", "lib/apk/db/installed", "var/lib/dpkg/status",
}

// FuzzLockfile feeds any content, under any dependency file's name, to the
// lockfile dispatch: the extractors chosen for the path, then secfirst's own
// handling of what they return (package-lock.json chunking, lines, names,
// directness). An extractor may fail or even crash on the file (that is a
// warning naming it); secfirst's own code must never crash, and every
// package it keeps must be matchable and placed inside the file.
//
//	go test -fuzz=FuzzLockfile -fuzztime=5s ./checks/deps/
func FuzzLockfile(f *testing.F) {
	for _, name := range fuzzNames {
		for _, seed := range []string{"", "~", "null", "{", "[[", "{}", "[]"} {
			f.Add(name, []byte(seed))
		}
	}
	project, _ := filepath.Glob(filepath.Join("testdata", "project", "*"))
	for _, p := range project {
		data, err := os.ReadFile(p)
		if err == nil {
			f.Add(filepath.Base(p), data)
		}
	}
	f.Add("package-lock.json", npmLockFixture(80))
	f.Add("package-lock.json", []byte(vulnerableLock))

	f.Fuzz(func(t *testing.T, name string, content []byte) {
		if !fs.ValidPath(name) || len(extractorsFor(name)) == 0 {
			name = fuzzNames[len(name)%len(fuzzNames)]
		}
		tree := newBlobFS(func(string) ([]byte, error) { return nil, fs.ErrNotExist })
		tree.put(name, content)
		lf := lockfile{file: name, rel: name, root: "/nonexistent", fsys: tree, content: content}
		recs, problems, err := packagesOf(context.Background(), lf, nil, func() {})
		if err != nil {
			t.Fatalf("error without a cancelled context: %v", err)
		}
		for _, p := range problems {
			if strings.Contains(p, internalErrorPrefix) {
				t.Fatalf("secfirst's own code crashed: %s", p)
			}
			if !strings.HasPrefix(p, "deps: "+name+" was NOT checked: ") {
				t.Fatalf("a warning that does not name the file: %q", p)
			}
		}
		lines := bytes.Count(content, []byte{'\n'}) + 1
		manifests := &manifestCache{}
		for _, r := range recs {
			if r.name == "" || r.version == "" || r.ecosystem == "" || r.file != name {
				t.Fatalf("unmatchable package %+v", r)
			}
			if r.line < 0 || r.line > lines {
				t.Fatalf("%s@%s on line %d of a %d-line file", r.name, r.version, r.line, lines)
			}
			if len(lookupNames(r)) == 0 {
				t.Fatalf("%s: no name to look up", r.name)
			}
			directnessOf(r, manifests)
		}
	})
}
