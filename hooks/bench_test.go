package hooks_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/hooks"
)

const (
	benchFiles  = 50000
	benchStaged = 10
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchRepo builds, once per test process, a repository of 50,000 committed
// and checked-out files with 10 of them modified and staged: the commit of
// PRODUCT.md's performance budget. The commit goes in through fast-import
// and the files come out through one checkout, which takes seconds instead
// of minutes of `git add`.
func benchRepo(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "secfirst-bench-50k-")
		if err != nil {
			benchErr = err
			return
		}
		benchDir = dir
		benchErr = buildBenchRepo(dir)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir
}

func buildBenchRepo(dir string) error {
	git := func(stdin *os.File, args ...string) error {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if stdin != nil {
			cmd.Stdin = stdin
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v\n%s", args[0], err, out)
		}
		return nil
	}
	if err := git(nil, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	stream, err := os.CreateTemp("", "secfirst-bench-fast-import-")
	if err != nil {
		return err
	}
	defer os.Remove(stream.Name())
	w := bufio.NewWriter(stream)
	rnd := rand.New(rand.NewSource(1))
	fmt.Fprintf(w, "commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata 4\nbase\n")
	for i := 0; i < benchFiles; i++ {
		content := pyFile(rnd, i)
		fmt.Fprintf(w, "M 644 inline %s\ndata %d\n%s\n", benchPath(i), len(content), content)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if _, err := stream.Seek(0, 0); err != nil {
		return err
	}
	if err := git(stream, "fast-import", "--quiet"); err != nil {
		return err
	}
	stream.Close()
	if err := git(nil, "checkout", "-q", "-f", "main"); err != nil {
		return err
	}
	var staged []string
	for i := 0; i < benchStaged; i++ {
		p := filepath.Join(dir, filepath.FromSlash(benchPath(i*997)))
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(f, "\ndef added_%d(x):\n    return x + %d\n", i, i)
		f.Close()
		staged = append(staged, benchPath(i*997))
	}
	return git(nil, append([]string{"add", "--"}, staged...)...)
}

func benchPath(i int) string { return fmt.Sprintf("src/m%03d/f%05d.py", i%500, i) }

func pyFile(rnd *rand.Rand, i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# module %d\n", i)
	for j := 0; j < 8; j++ {
		fmt.Fprintf(&b, "def f%d(x):\n    return x * %d\n", j, rnd.Intn(1000))
	}
	return b.String()
}

// reportMedian adds the median wall time per run: the budget is a median.
func reportMedian(b *testing.B, d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	if len(d) > 0 {
		b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "median-ms")
	}
}

// BenchmarkPreCommit runs the pre-commit hook in process on a 10-file commit
// in a 50,000-file repository: git's diff of the index, every check,
// the policy. Package init and the first build of gitleaks' rules are paid
// once per process and so are not in this figure; see
// BenchmarkPreCommitBinary for what a commit really costs.
func BenchmarkPreCommit(b *testing.B) {
	dir := benchRepo(b)
	ctx := context.Background()
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		res, err := hooks.RunPreCommit(ctx, dir, hooks.RunOptions{Offline: true})
		times = append(times, time.Since(start))
		if err != nil || res.Blocked() || len(res.Errors) > 0 {
			b.Fatalf("hook run: %v %v", err, res.Errors)
		}
	}
	reportMedian(b, times)
}

// BenchmarkPreCommitBinary runs what git runs: the installed secfirst binary,
// `secfirst hook pre-commit`, from process start to exit.
func BenchmarkPreCommitBinary(b *testing.B) {
	dir := benchRepo(b)
	var times []time.Duration
	for b.Loop() {
		cmd := exec.Command(secfirstBin, "hook", "pre-commit")
		cmd.Dir = dir
		start := time.Now()
		out, err := cmd.CombinedOutput()
		times = append(times, time.Since(start))
		if err != nil {
			b.Fatalf("secfirst hook pre-commit: %v\n%s", err, out)
		}
	}
	reportMedian(b, times)
}

// BenchmarkStagedDiff is the floor: the one git command the secrets check
// cannot avoid, `git diff --cached` on the 50,000-file index.
func BenchmarkStagedDiff(b *testing.B) {
	dir := benchRepo(b)
	var times []time.Duration
	for b.Loop() {
		cmd := exec.Command("git", "diff", "--cached", "-U0", "--no-color", "--no-ext-diff")
		cmd.Dir = dir
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		times = append(times, time.Since(start))
	}
	reportMedian(b, times)
}
