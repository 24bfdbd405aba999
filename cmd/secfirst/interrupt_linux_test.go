package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// bigRepo commits about 24 MB of text: far more than a scan reads before
// the test interrupts it (see readAtLeast).
func bigRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	rng := rand.New(rand.NewPCG(1, 2))
	const letters = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	line := make([]byte, 100)
	for i := range 240 {
		var b bytes.Buffer
		for b.Len() < 100_000 {
			for j := range line {
				line[j] = letters[rng.IntN(len(letters))]
			}
			fmt.Fprintf(&b, "const v%d = %q;\n", b.Len(), line)
		}
		r.Write(fmt.Sprintf("src/m%03d.js", i), b.String())
	}
	r.Commit("big")
	return r
}

// readBytes is how many bytes the process has read so far (rchar of
// /proc/PID/io: files and pipes alike).
func readBytes(pid int) (int64, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, false
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "rchar: "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// readAtLeast waits until the process has read n bytes: the scan is under
// way, deep in the files, not starting up.
func readAtLeast(t *testing.T, cmd *exec.Cmd, exited <-chan error, n int64) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("the scan ended (%v) before it was interrupted", err)
		default:
		}
		if got, ok := readBytes(cmd.Process.Pid); ok && got >= n {
			return
		}
		time.Sleep(10 * time.Millisecond) // polling the process's state
	}
	t.Fatalf("the scan read less than %d bytes in 2 minutes", n)
}

// Ctrl-C during a scan stops it: exit 130, one line on stderr, no report
// on stdout, and the process is gone, not still scanning. Before, the
// first Ctrl-C was swallowed (the scan went on for 25 s and more, or for
// ever when the worktree scan deadlocked) and an interrupted scan exited 2.
func TestCtrlCStopsAScan(t *testing.T) {
	bin := gittest.BuiltSecfirst(t)
	r := bigRepo(t)
	for _, args := range [][]string{{"scan", "--offline"}, {"scan", "--offline", "--history"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, args...)
			cmd.Dir, cmd.Env = r.Dir, r.Env
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			readAtLeast(t, cmd, exited, 2<<20)

			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-exited:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatal("secfirst was still running 30 s after Ctrl-C")
			}
			if code := cmd.ProcessState.ExitCode(); code != 130 {
				t.Fatalf("exit code %d (%v) after Ctrl-C, want 130; stderr:\n%s", code, err, stderr.String())
			}
			if got := stderr.String(); got != "secfirst: interrupted\n" {
				t.Errorf("stderr after Ctrl-C is %q, want one line", got)
			}
			if stdout.Len() != 0 {
				t.Errorf("an interrupted scan printed a report:\n%s", stdout.String())
			}
		})
	}
}
