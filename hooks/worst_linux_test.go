//go:build linux

package hooks_test

import (
	"math/rand"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks/dockerfile"
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/terraform"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// worstCommit stages, in a new repository, the heaviest commit the hook is
// known to meet: a file just under each check's size limit, every line of
// which is a finding or a secret candidate. A generated manifest of 42,000
// pods (4 MiB), a module of 18,000 buckets (1 MiB), a Dockerfile of 37,000
// RUN lines (1 MiB), and a 9 MB single line of random text (the secrets
// check's limit is 10 MB): about 500,000 findings, and the parsers' largest
// trees. With list, the pods are one document, a kind: List: yaml.v3
// builds its whole node tree at once.
func worstCommit(t testing.TB, list bool) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	r.Write("README.md", "demo\n")
	r.Commit("init")
	fill := func(limit int, head, unit string) string {
		return head + strings.Repeat(unit, (limit-len(head))/len(unit))
	}
	if list {
		r.Write("pods.yaml", fill(kubernetes.MaxManifestSize, "apiVersion: v1\nkind: List\nitems:\n", "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    - name: c\n      image: nginx\n"))
	} else {
		r.Write("pods.yaml", fill(kubernetes.MaxManifestSize, "", "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n"))
	}
	var tf strings.Builder
	for i := 0; tf.Len() < terraform.MaxFileSize-64; i++ {
		tf.WriteString("resource \"aws_s3_bucket\" \"b" + strconv.Itoa(i) + "\" {\n  bucket = \"b" + strconv.Itoa(i) + "\"\n}\n")
	}
	r.Write("main.tf", tf.String())
	r.Write("Dockerfile", fill(dockerfile.MaxFileSize, "FROM ubuntu\n", "RUN apt-get install -y curl\n"))
	rnd := rand.New(rand.NewSource(1))
	line := make([]byte, 9_000_000)
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 =;(){}"
	for i := range line {
		line[i] = letters[rnd.Intn(len(letters))]
	}
	r.Write("bundle.min.js", string(line))
	r.Git("add", "-A")
	return r
}

// hookOnWorstCommit runs the installed binary's hook as git would and
// returns its peak resident memory in MB, its wall time and its output.
func hookOnWorstCommit(t testing.TB, dir string) (peakMB float64, took time.Duration, out string) {
	t.Helper()
	cmd := exec.Command(secfirstBin, "hook", "pre-commit")
	cmd.Dir = dir
	start := time.Now()
	b, err := cmd.CombinedOutput()
	took = time.Since(start)
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("hook on the worst commit: exit %d (%v), want 1 (blocked)\n%s", code, err, b)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return float64(ru.Maxrss) / 1024, took, string(b) // Linux: kilobytes
}

// The hook's peak memory stays under PRODUCT.md's 300 MB on the worst
// commit, and it still counts every finding: before findings past the cap
// were only counted, this commit took the hook 1.1 GB and a minute.
func TestHookMemoryOnTheWorstCommit(t *testing.T) {
	for _, list := range []bool{false, true} {
		t.Run(map[bool]string{false: "documents", true: "one List"}[list], func(t *testing.T) {
			r := worstCommit(t, list)
			peak, _, out := hookOnWorstCommit(t, r.Dir)
			if peak >= 300 {
				t.Errorf("peak memory %.0f MB, budget 300 MB", peak)
			}
			m := regexp.MustCompile(`secfirst: (\d+) findings`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no summary line:\n%s", out)
			}
			// It lists a few hundred; that it counts exactly what a full
			// scan finds is TestHookCountsWhatItDoesNotListAndDecidesAsAFullScan's.
			if n, _ := strconv.Atoi(m[1]); n < 450_000 {
				t.Errorf("the hook counted %d findings, want every one of the commit's (about 500,000)", n)
			}
			t.Logf("peak %.0f MB", peak)
		})
	}
}

// BenchmarkPreCommitWorstCommit is the hook, as git runs it, on
// worstCommit: its wall time and its peak memory (peak-MB, the largest of
// the runs).
func BenchmarkPreCommitWorstCommit(b *testing.B) {
	r := worstCommit(b, false)
	var times []time.Duration
	worst := 0.0
	for b.Loop() {
		peak, took, _ := hookOnWorstCommit(b, r.Dir)
		times = append(times, took)
		worst = max(worst, peak)
	}
	reportMedian(b, times)
	b.ReportMetric(worst, "peak-MB")
}
