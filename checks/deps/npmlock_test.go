package deps

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	scalibrosv "github.com/google/osv-scalibr/extractor/filesystem/osv"
)

// npmLockFixture is a v3 lockfile with what the reader treats specially:
// the root entry, nested copies of a package in different dependency groups,
// a package from git (its commit is its identity), an aliased package (its
// "name"), a workspace link, scoped names with dots, and values over several
// lines (MarshalIndent).
func npmLockFixture(n int) []byte {
	pk := map[string]any{"": map[string]any{"name": "app", "version": "1.0.0"}}
	for i := range n {
		e := map[string]any{"version": fmt.Sprintf("1.%d.0", i%5), "resolved": fmt.Sprintf("https://registry.npmjs.org/pkg-%d/-/pkg-%d.tgz", i, i)}
		switch i % 7 {
		case 1:
			e["dev"] = true
		case 2:
			e["optional"] = true
		case 3:
			e["devOptional"] = true
		}
		pk[fmt.Sprintf("node_modules/pkg-%d", i)] = e
		if i%4 == 0 {
			// The same package again, nested, in another group.
			nested := map[string]any{"version": fmt.Sprintf("1.%d.0", i%5), "dev": i%8 == 0}
			pk[fmt.Sprintf("node_modules/pkg-%d/node_modules/pkg-%d", i+1, i)] = nested
		}
	}
	pk["node_modules/from-git"] = map[string]any{"version": "2.0.0", "resolved": "git+ssh://git@github.com/acme/from-git.git#0123456789abcdef0123456789abcdef01234567"}
	pk["node_modules/alias"] = map[string]any{"name": "real-name", "version": "3.1.4"}
	pk["node_modules/@scope/pkg.js"] = map[string]any{"version": "0.1.0", "dev": true}
	pk["packages/web"] = map[string]any{"name": "web", "version": "0.0.1"}
	pk["node_modules/web"] = map[string]any{"resolved": "packages/web", "link": true}
	b, err := json.MarshalIndent(map[string]any{"name": "app", "lockfileVersion": 3, "requires": true, "packages": pk}, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

type npmPkg struct {
	version, commit string
	groups          []string
	line            int
}

func npmPkgs(t *testing.T, pkgs []*extractor.Package) map[string]npmPkg {
	t.Helper()
	out := map[string]npmPkg{}
	for _, p := range pkgs {
		id := p.Name + "@" + p.Version
		q := npmPkg{version: p.Version}
		if p.SourceCode != nil {
			q.commit = p.SourceCode.Commit
		}
		if m, ok := p.Metadata.(*scalibrosv.DepGroupMetadata); ok {
			q.groups = slices.Sorted(slices.Values(m.DepGroupVals))
		}
		if d := p.Location.Descriptor; d != nil && d.File != nil {
			q.line = d.File.LineNumber
		}
		if _, dup := out[id]; dup {
			t.Fatalf("%s reported twice", id)
		}
		out[id] = q
	}
	return out
}

func npmLockReader(t *testing.T) filesystem.Extractor {
	t.Helper()
	for _, e := range extractorsFor("package-lock.json") {
		if isNpmLockExtractor(e) {
			return e
		}
	}
	t.Fatal("no package-lock.json reader")
	return nil
}

// The chunked read finds exactly the packages, versions, commits and
// dependency groups of osv-scalibr's whole-file read, and each package on
// the line of its entry in the real file. Where a package has several
// entries, the whole-file read reports the line of whichever it met last
// (map order, so it changes between runs); the chunked read always reports
// the first.
func TestNpmChunkedReadEqualsWholeRead(t *testing.T) {
	e := npmLockReader(t)
	fixture, err := os.ReadFile("testdata/project/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"generated": npmLockFixture(300), "testdata": fixture} {
		for _, size := range []int{1, 2, 7, 64} {
			whole, err := e.Extract(context.Background(), scanInput(newBlobFS(func(string) ([]byte, error) { return nil, os.ErrNotExist }), "", "package-lock.json", content))
			if err != nil {
				t.Fatal(err)
			}
			entries, _ := npmLockEntries(content)
			if len(entries) < 2*size {
				continue
			}
			keyAt, first := map[int]string{}, map[string]int{}
			for _, en := range entries {
				keyAt[en.line] = en.key
				var v struct{ Version string }
				json.Unmarshal([]byte(en.value), &v)
				if k := path.Base(en.key) + "@" + v.Version; first[k] == 0 {
					first[k] = en.line
				}
			}
			chunked, ok := extractNpmLockChunked(context.Background(), e, newBlobFS(func(string) ([]byte, error) { return nil, os.ErrNotExist }), "", "package-lock.json", content, size)
			if !ok {
				t.Fatalf("%s/%d: not read in chunks", name, size)
			}
			want, got := npmPkgs(t, whole.Packages), npmPkgs(t, chunked)
			if len(got) != len(want) || len(want) < 3 {
				t.Fatalf("%s/%d: %d packages, want %d", name, size, len(got), len(want))
			}
			lines := strings.Split(string(content), "\n")
			for id, w := range want {
				g, ok := got[id]
				if !ok {
					t.Fatalf("%s/%d: %s missing", name, size, id)
				}
				if g.version != w.version || g.commit != w.commit || !slices.Equal(g.groups, w.groups) {
					t.Errorf("%s/%d: %s = %+v, want %+v", name, size, id, g, w)
				}
				// The line opens one of the package's entries: the same one
				// as the whole read, or another copy of the same package.
				gk, wk := keyAt[g.line], keyAt[w.line]
				if gk == "" || path.Base(gk) != path.Base(wk) {
					t.Errorf("%s/%d: %s on line %d (%q), whole read says %d (%q)", name, size, id, g.line, gk, w.line, wk)
				}
				if !strings.HasSuffix(strings.TrimSpace(lines[g.line-1]), "{") {
					t.Errorf("%s/%d: %s: line %d is %q", name, size, id, g.line, lines[g.line-1])
				}
				// Always the first copy's, where the whole read's is any copy's.
				if want := first[path.Base(wk)+"@"+w.version]; g.line != want {
					t.Errorf("%s/%d: %s on line %d, want %d (its first entry)", name, size, id, g.line, want)
				}
			}
		}
	}
}

// What is not a v2/v3 lockfile, or not plain JSON, is left to the reader.
func TestNpmLockEntriesRefusesWhatItCannotSplit(t *testing.T) {
	for _, doc := range []string{
		`{"lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0"}}}`,
		`{"packages": {"node_modules/a": {"version": "1"}, "node_modules/a": {"version": "2"}}}`,
		`{"packages": {}, "packages": {}}`,
		`{"packages": [1, 2]}`,
		`{"packages": {"node_modules/a": `,
		`[]`,
		// Nesting deep enough to overflow a recursive validator's stack.
		`{"packages": {"a": ` + strings.Repeat("[", 6_000_000),
	} {
		if _, ok := npmLockEntries([]byte(doc)); ok {
			t.Errorf("split %s", doc)
		}
	}
	entries, ok := npmLockEntries([]byte("{\n\"packages\": {\n  \"\": {},\n  \"node_modules/a\":\n    {\"version\": \"1\"}\n}}"))
	if !ok || len(entries) != 2 || entries[1].key != "node_modules/a" || entries[1].line != 5 {
		t.Fatalf("entries = %+v, %v", entries, ok)
	}
}

// A 5,000-package lockfile, read whole and in chunks: the quadratic cost
// this file exists for.
func BenchmarkNpmLockRead(b *testing.B) {
	content := npmLockFixture(5000)
	var e filesystem.Extractor
	for _, x := range extractorsFor("package-lock.json") {
		if isNpmLockExtractor(x) {
			e = x
		}
	}
	fsys := newBlobFS(func(string) ([]byte, error) { return nil, os.ErrNotExist })
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.Extract(context.Background(), scanInput(fsys, "", "package-lock.json", content)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("chunked", func(b *testing.B) {
		for b.Loop() {
			if _, ok := extractNpmLockChunked(context.Background(), e, fsys, "", "package-lock.json", content, npmChunk); !ok {
				b.Fatal("not chunked")
			}
		}
	})
}
