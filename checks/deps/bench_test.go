package deps

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
)

// The benchmark fixture: an npm database of 100,000 advisories (the size of
// the real npm export, mostly one advisory per package name) and a
// repository whose package-lock.json has 1,500 packages, 150 of them with
// two advisories each that apply, plus lodash 4.17.15. It is generated once
// per test binary, outside every timed loop.
const (
	benchAdvisories = 100_000
	benchPackages   = 1_500
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchLock(bump int) []byte {
	pk := map[string]any{"": map[string]any{"name": "big", "version": "1.0.0", "dependencies": map[string]string{"lodash": "^4.17.0"}}}
	for i := range benchPackages {
		pk[fmt.Sprintf("node_modules/pkg-%d", i)] = map[string]string{"version": fmt.Sprintf("1.%d.0", (i+bump)%7)}
	}
	pk["node_modules/lodash"] = map[string]string{"version": "4.17.15"}
	data, _ := json.MarshalIndent(map[string]any{"name": "big", "version": "1.0.0", "lockfileVersion": 3, "packages": pk}, "", " ")
	return data
}

func benchFixture(b *testing.B) (db, repo string) {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "secfirst-deps-bench-")
		if benchErr != nil {
			return
		}
		db := filepath.Join(benchDir, "db")
		zp := ZipPath(db, "npm")
		if benchErr = os.MkdirAll(filepath.Dir(zp), 0o755); benchErr != nil {
			return
		}
		f, err := os.Create(zp)
		if err != nil {
			benchErr = err
			return
		}
		zw := zip.NewWriter(f)
		for i := range benchAdvisories {
			name := fmt.Sprintf("other-%d", i)
			if i < 300 {
				name = fmt.Sprintf("pkg-%d", (i%150)*10) // 150 lockfile packages, two advisories each
			} else if i == 300 {
				name = "lodash"
			}
			adv := map[string]any{
				"id": fmt.Sprintf("GHSA-perf-%06d", i), "modified": "2026-01-01T00:00:00Z",
				"aliases": []string{fmt.Sprintf("CVE-2099-%06d", i)},
				"summary": "synthetic advisory", "details": "synthetic advisory text for the benchmark, about as long as a real one. ",
				"affected": []any{map[string]any{
					"package": map[string]string{"ecosystem": "npm", "name": name},
					"ranges":  []any{map[string]any{"type": "SEMVER", "events": []any{map[string]string{"introduced": "0"}, map[string]string{"fixed": "1.9.0"}}}},
				}},
				"severity": []any{map[string]string{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"}},
			}
			if name == "lodash" {
				adv["affected"] = []any{map[string]any{
					"package": map[string]string{"ecosystem": "npm", "name": "lodash"},
					"ranges":  []any{map[string]any{"type": "SEMVER", "events": []any{map[string]string{"introduced": "0"}, map[string]string{"fixed": "4.17.21"}}}},
				}}
			}
			data, _ := json.Marshal(adv)
			w, err := zw.Create(adv["id"].(string) + ".json")
			if err != nil {
				benchErr = err
				return
			}
			w.Write(data)
		}
		if benchErr = zw.Close(); benchErr != nil {
			return
		}
		if benchErr = f.Close(); benchErr != nil {
			return
		}
		repo := filepath.Join(benchDir, "repo")
		os.MkdirAll(repo, 0o755)
		writeFiles(b, repo, map[string]string{
			"package.json":      `{"name":"big","version":"1.0.0","dependencies":{"lodash":"^4.17.0"}}`,
			"package-lock.json": string(benchLock(0)),
			"README.md":         "big\n",
		})
		git(b, repo, "init", "-q")
		git(b, repo, "add", "-A")
		git(b, repo, "commit", "-qm", "base")
		// The commit under test changes the lockfile (and README).
		writeFiles(b, repo, map[string]string{"package-lock.json": string(benchLock(1)), "README.md": "big, bigger\n"})
		git(b, repo, "add", "-A")
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "db"), filepath.Join(benchDir, "repo")
}

// cpuTime is the CPU this process and its waited-for children (git) have
// used: a figure that holds on a busy shared machine, where wall time
// measures the neighbours.
func cpuTime() time.Duration {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

// reportCPU adds a cpu-ms/op metric for the loop that started at start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

func benchScan(b *testing.B, repo string, mode checks.Mode, opts Options) checks.Result {
	ctx := context.Background()
	src, err := checks.NewRepoSource(ctx, repo, mode)
	if err != nil {
		b.Fatal(err)
	}
	res, err := New(opts).Run(ctx, src)
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkDepsIndexBuild is the one-off cost after a download (db update
// pays it): reading all 100,000 advisories once.
func BenchmarkDepsIndexBuild(b *testing.B) {
	db, _ := benchFixture(b)
	zp := ZipPath(db, "npm")
	f, err := os.Open(zp)
	if err != nil {
		b.Fatal(err)
	}
	st, err := stampOf(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		if _, err := buildIndex(zp, st); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// BenchmarkDepsScanStaged is the hook's deps work on a commit that changes
// the 1,500-package lockfile, once the index exists: read the staged blob,
// extract, look up, match, build 301 findings.
func BenchmarkDepsScanStaged(b *testing.B) {
	db, repo := benchFixture(b)
	opts := Options{DBDir: db, Offline: true}
	if _, err := BuildIndex(db, "npm"); err != nil {
		b.Fatal(err)
	}
	res := benchScan(b, repo, checks.ModeStaged, opts)
	if len(res.Findings) != 301 || len(res.Warnings) != 0 {
		b.Fatalf("fixture: %d findings, warnings %q", len(res.Findings), res.Warnings)
	}
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		benchScan(b, repo, checks.ModeStaged, opts)
	}
	reportCPU(b, start)
}

// BenchmarkDepsScanStagedNoLockfile is a commit that touches no lockfile.
func BenchmarkDepsScanStagedNoLockfile(b *testing.B) {
	db, _ := benchFixture(b)
	repo := filepath.Join(b.TempDir(), "r")
	os.MkdirAll(repo, 0o755)
	writeFiles(b, repo, map[string]string{"package-lock.json": string(benchLock(0)), "README.md": "x\n"})
	git(b, repo, "init", "-q")
	git(b, repo, "add", "-A")
	git(b, repo, "commit", "-qm", "base")
	writeFiles(b, repo, map[string]string{"README.md": "y\n"})
	git(b, repo, "add", "-A")
	opts := Options{DBDir: db, Offline: true}
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		if res := benchScan(b, repo, checks.ModeStaged, opts); len(res.Findings) != 0 {
			b.Fatal("findings")
		}
	}
	reportCPU(b, start)
}
