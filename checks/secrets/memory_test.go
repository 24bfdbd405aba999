//go:build linux

package secrets_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

const memoryChildEnv = "SECFIRST_TEST_MEMORY_REPO"

// TestHugeFileKeepsMemoryBounded stages a 120 MB file (issue 13: a 108 MB
// one peaked at 1.1 GB) beside a small leak, then commits them: the staged
// and the history scan name the huge file in a warning, find the leak, and
// the process that runs them never holds 300 MB. The scans run in a
// process of their own, whose peak resident size the kernel counts
// (VmHWM).
func TestHugeFileKeepsMemoryBounded(t *testing.T) {
	if dir := os.Getenv(memoryChildEnv); dir != "" {
		for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeHistory} {
			if mode == checks.ModeHistory {
				cmd := exec.Command("git", "commit", "-q", "--no-verify", "-m", "huge")
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%v %s", err, out)
				}
			}
			src, err := checks.NewRepoSource(context.Background(), dir, mode)
			if err != nil {
				t.Fatal(err)
			}
			res, err := secrets.New().Run(context.Background(), src)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("%s: %s | %s\n", mode, strings.Join(rules(res.Findings), " "), strings.Join(res.Warnings, " | "))
		}
		status, err := os.ReadFile("/proc/self/status")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				fmt.Println(line)
			}
		}
		return
	}
	r := gittest.New(t)
	r.Write("README", "x\n")
	r.Commit("init")
	r.Write("dump.sql", strings.Repeat("INSERT INTO t VALUES (1, 'some row of data');\n", 2_700_000))
	r.Write("app.py", "token = \""+gittest.FakeGitHubToken()+"\"\n")
	r.Git("add", "-A")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHugeFileKeepsMemoryBounded$", "-test.count=1")
	cmd.Env = append(append([]string{}, r.Env...), memoryChildEnv+"="+r.Dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the scans: %v\n%s", err, out)
	}
	var kb int
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb)
		}
	}
	for _, mode := range []string{"staged", "history"} {
		if !strings.Contains(string(out), mode+": github-pat@app.py:1 | secrets: 1 file NOT checked for secrets, larger than the limit of 10 MB") ||
			!strings.Contains(string(out), "dump.sql") {
			t.Errorf("%s: want the leak found and the huge file named:\n%s", mode, out)
		}
	}
	if kb == 0 || kb > 300*1024 {
		t.Fatalf("peak resident memory %d kB, want under 300 MB:\n%s", kb, out)
	}
	t.Logf("peak resident memory of the staged and history scans: %d MB", kb/1024)
}
