package checklistcmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// benchRepo is a committed repository of n source files with the files
// the evidence reads (a lockfile, Dockerfiles, a CI workflow) and the
// default checklist.
func benchRepo(b *testing.B, n int) *gittest.Repo {
	b.Helper()
	r := gittest.New(b)
	for i := 0; i < n; i++ {
		p := filepath.Join(r.Dir, "src", fmt.Sprintf("pkg%03d", i/50), fmt.Sprintf("file%04d.go", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		body := fmt.Sprintf("package pkg%03d\n\n// F%d returns its number.\nfunc F%d() int {\n\treturn %d\n}\n", i/50, i, i, i)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	r.Write("package-lock.json", `{"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"app","version":"1.0.0"}}}`+"\n")
	r.Write("Dockerfile", "FROM alpine:3.20\nUSER app\n")
	r.Write(".github/workflows/ci.yml", "on: push\njobs:\n  scan:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: gitleaks/gitleaks-action@v2\n")
	r.Write(checklist.RelPath, string(checklist.TemplateYAML()))
	r.Commit("init")
	return r
}

// BenchmarkStatusUnchanged5000Files is `secfirst checklist status` on a
// 5,000-file repository when nothing changed since the last run: every
// scan's evidence comes from the cache. The first, cold run (which scans
// everything, the history included) is reported as cold-s.
func BenchmarkStatusUnchanged5000Files(b *testing.B) {
	r := benchRepo(b, 5000)
	ios, _, _, _ := iostreams.Test()
	ios.Out, ios.ErrOut = io.Discard, io.Discard
	opts := &StatusOptions{Format: "json", Options: &Options{IO: ios, Dir: r.Dir, Repo: checklist.RepoOptions{CacheDir: b.TempDir()}}}
	start := time.Now()
	if err := RunStatus(context.Background(), opts); code(err) == 2 {
		b.Fatal(err)
	}
	cold := time.Since(start)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := RunStatus(context.Background(), opts); code(err) == 2 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cold.Seconds(), "cold-s")
}

// BenchmarkStatusOneFileChanged5000Files is the same status after one
// file changed in the working tree: that file alone is rescanned.
func BenchmarkStatusOneFileChanged5000Files(b *testing.B) {
	r := benchRepo(b, 5000)
	ios, _, _, _ := iostreams.Test()
	ios.Out, ios.ErrOut = io.Discard, io.Discard
	opts := &StatusOptions{Format: "json", Options: &Options{IO: ios, Dir: r.Dir, Repo: checklist.RepoOptions{CacheDir: b.TempDir()}}}
	if err := RunStatus(context.Background(), opts); code(err) == 2 {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Write("src/pkg000/file0000.go", fmt.Sprintf("package pkg000\n\n// edit %d\n", i))
		if err := RunStatus(context.Background(), opts); code(err) == 2 {
			b.Fatal(err)
		}
	}
}
