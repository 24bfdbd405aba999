//go:build linux

package hooks_test

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks/dockerfile"
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/terraform"
	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/internal/osvtest"
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

// withEveryCheck adds to a worst commit the worst files of the checks that
// do not parse: a leak corpus of 10 MB (a fake AWS key a line: 240,000
// findings, the secrets check's file size limit) and a package-lock.json
// of 220,000 packages (58 MB, under the deps check's 64 MiB), and returns
// an OSV database for npm to check it against. The checks run at once:
// their heaviest phases must not add up (they did, to 545 MB).
func withEveryCheck(t testing.TB, r *gittest.Repo) (dbDir string) {
	t.Helper()
	var keys strings.Builder
	for keys.Len() < 10_000_000-64 {
		keys.WriteString("aws_access_key_id = " + gittest.FakeAWSKey() + "\n")
	}
	r.Write("keys.env", keys.String())
	return withLargeLockfiles(t, r, "package-lock.json")
}

// withLargeLockfiles stages at each path a package-lock.json of 220,000
// packages (58 MB, under the deps check's 64 MiB; lodash 4.17.15, the last,
// is vulnerable), and returns an OSV database for npm to check them
// against.
func withLargeLockfiles(t testing.TB, r *gittest.Repo, paths ...string) (dbDir string) {
	t.Helper()
	var lock strings.Builder
	lock.WriteString(`{"name": "demo", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {` + "\n" +
		`"": {"name": "demo", "version": "1.0.0"},` + "\n")
	for i := range 220_000 {
		n := strconv.Itoa(i)
		lock.WriteString(`"node_modules/pkg-` + n + `": {"version": "1.0.` + strconv.Itoa(i%50) + `", "resolved": "https://registry.npmjs.org/pkg-` + n +
			`/-/pkg-` + n + `-1.0.0.tgz", "integrity": "sha512-` + strings.Repeat("A", 86) + `=="},` + "\n")
	}
	lock.WriteString(`"node_modules/lodash": {"version": "4.17.15"}` + "\n}}\n")
	for _, p := range paths {
		r.Write(p, lock.String())
	}
	r.Git("add", "-A")
	return osvtest.FromDir(t, "../checks/deps/testdata/osv")
}

// hookOnWorstCommit runs the installed binary's hook as git would and
// returns its peak resident memory in MB, its wall time and its output.
// env is added to the hook's environment.
//
// The hook is started by a fresh copy of this test binary (measureHook),
// not by this process: on Linux a child's peak resident size, as wait4
// reports it, is at least the high-water mark of the process that started
// it (the child runs in the parent's memory until it execs), and this one
// has just generated tens of MB of files. Started from here, the hook of
// two large lockfiles read 202-292 MB; it peaks at 189 MB.
func hookOnWorstCommit(t testing.TB, dir string, env ...string) (peakMB float64, took time.Duration, out string) {
	t.Helper()
	peakFile := filepath.Join(t.TempDir(), "peak")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "--", secfirstBin, "hook", "pre-commit")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...), measureEnv+"="+peakFile)
	start := time.Now()
	b, err := cmd.CombinedOutput()
	took = time.Since(start)
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("hook on the worst commit: exit %d (%v), want 1 (blocked)\n%s", code, err, b)
	}
	kb, err := os.ReadFile(peakFile)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(string(kb)), 64)
	if err != nil {
		t.Fatal(err)
	}
	return n / 1024, took, string(b) // Linux: kilobytes
}

func init() {
	measureHook = func() int {
		args := os.Args[slices.Index(os.Args, "--")+1:]
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, measureEnv+"=") })
		err := cmd.Run()
		if cmd.ProcessState == nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if err := os.WriteFile(os.Getenv(measureEnv), []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		return cmd.ProcessState.ExitCode()
	}
}

// The hook's peak memory stays under PRODUCT.md's 300 MB on the worst
// commit, and it still counts every finding: before findings past the cap
// were only counted, this commit took the hook 1.1 GB and a minute. Two of
// the largest lockfiles are checked one after the other (held at once,
// 373 MB).
func TestHookMemoryOnTheWorstCommit(t *testing.T) {
	t.Run("two of the largest lockfiles", func(t *testing.T) {
		r := gittest.New(t)
		r.Write("README.md", "demo\n")
		r.Commit("init")
		db := withLargeLockfiles(t, r, "web/package-lock.json", "api/package-lock.json")
		peak, _, out := hookOnWorstCommit(t, r.Dir, "SECFIRST_OSV_DB="+db)
		if peak >= 300 {
			t.Errorf("peak memory %.0f MB, budget 300 MB", peak)
		}
		for _, f := range []string{"web/package-lock.json", "api/package-lock.json"} {
			if !regexp.MustCompile(`lodash 4\.17\.15: .*  ` + regexp.QuoteMeta(f) + `:\d+`).MatchString(out) {
				t.Errorf("lodash is not reported in %s:\n%s", f, out)
			}
		}
		if strings.Contains(out, "NOT checked") {
			t.Errorf("a lockfile was not checked:\n%s", out)
		}
		t.Logf("peak %.0f MB", peak)
	})
	for _, c := range []struct {
		name        string
		list, every bool
		findings    int
	}{
		{"documents", false, false, 450_000},
		{"one List", true, false, 450_000},
		{"and every check's worst", true, true, 450_000 + 240_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := worstCommit(t, c.list)
			var env []string
			if c.every {
				env = append(env, "SECFIRST_OSV_DB="+withEveryCheck(t, r))
			}
			peak, _, out := hookOnWorstCommit(t, r.Dir, env...)
			if peak >= 300 {
				t.Errorf("peak memory %.0f MB, budget 300 MB", peak)
			}
			m := regexp.MustCompile(`secfirst: (\d+) findings`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no summary line:\n%s", out)
			}
			// It lists a few hundred; that it counts exactly what a full
			// scan finds is TestHookCountsWhatItDoesNotListAndDecidesAsAFullScan's.
			if n, _ := strconv.Atoi(m[1]); n < c.findings {
				t.Errorf("the hook counted %d findings, want every one of the commit's (about %d)", n, c.findings)
			}
			if c.every && (!strings.Contains(out, "lodash") || strings.Contains(out, "NOT checked")) {
				t.Errorf("the lockfile's vulnerable package is not reported, or a file was not checked:\n%s", out)
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
