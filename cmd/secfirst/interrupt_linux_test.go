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

// grow commits files more of about 100 KB of text each, after the first
// files already there: with 240 files (24 MB) far more than a scan reads
// before the test interrupts it (see readAtLeast).
func grow(r *gittest.Repo, first, files int) {
	rng := rand.New(rand.NewPCG(1, uint64(first)))
	const letters = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	line := make([]byte, 100)
	for i := first; i < first+files; i++ {
		var b bytes.Buffer
		for b.Len() < 100_000 {
			for j := range line {
				line[j] = letters[rng.IntN(len(letters))]
			}
			fmt.Fprintf(&b, "const v%d = %q;\n", b.Len(), line)
		}
		r.Write(fmt.Sprintf("src/m%04d.js", i), b.String())
	}
	r.Commit(fmt.Sprintf("%d more files", files))
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
// way, deep in the files, not starting up. It returns false if the scan
// ended first (a machine fast enough to scan the whole input between two
// polls), with the exit in ended.
func readAtLeast(t *testing.T, cmd *exec.Cmd, exited <-chan error, n int64) (ended error, under bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return err, false
		default:
		}
		if got, ok := readBytes(cmd.Process.Pid); ok && got >= n {
			return nil, true
		}
		time.Sleep(10 * time.Millisecond) // polling the process's state
	}
	t.Fatalf("the scan read less than %d bytes in 2 minutes", n)
	return nil, false
}

// Ctrl-C during a scan stops it: exit 130, one line on stderr, no report
// on stdout, and the process is gone, not still scanning. Before, the
// first Ctrl-C was swallowed (the scan went on for 25 s and more, or for
// ever when the worktree scan deadlocked) and an interrupted scan exited 2.
//
// The scan is interrupted once it has read 2 MB of 24 MB. A machine that
// scans the rest before the signal lands (the scan ended before the poll
// saw 2 MB read, or exited 0 or 1 with its report after the signal) is given an
// input four times larger, up to three times: a scan that ignores Ctrl-C
// fails every time.
func TestCtrlCStopsAScan(t *testing.T) {
	bin := gittest.BuiltSecfirst(t)
	r := gittest.New(t)
	files := 240
	grow(r, 0, files)
	for _, args := range [][]string{{"scan", "--offline"}, {"scan", "--offline", "--history"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			for attempt := 1; ; attempt++ {
				if interruptScan(t, bin, r, args) {
					return
				}
				if attempt == 3 {
					t.Fatalf("the scan of %d files finished before Ctrl-C %d times", files, attempt)
				}
				t.Logf("the scan of %d files finished before Ctrl-C; again with %d", files, files*4)
				grow(r, files, files*3)
				files *= 4
			}
		})
	}
}

// interruptScan runs secfirst with args in r, interrupts it once it has
// read 2 MB and checks how it stops. It returns false when the scan
// finished before the interrupt could land.
func interruptScan(t *testing.T, bin string, r *gittest.Repo, args []string) bool {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = r.Dir, r.Env
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err, under := readAtLeast(t, cmd, exited, 2<<20); !under {
		if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 {
			t.Fatalf("the scan failed (exit %d, %v) before it was interrupted: %s", code, err, stderr.String())
		}
		return false
	}

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
	if code := cmd.ProcessState.ExitCode(); (code == 0 || code == 1) && stdout.Len() > 0 && !strings.Contains(stderr.String(), "interrupted") {
		return false // finished between the poll and the signal
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
	return true
}
