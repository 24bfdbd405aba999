//go:build unix

package cmdutil

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// stuckChild is set in the process TestSignalEndsAStuckCommand starts: it
// runs a command that never returns, as a screen stuck in a library would.
const stuckChild = "SECFIRST_TEST_STUCK_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(stuckChild) != "" {
		os.Exit(Main(os.Stderr, func(ctx context.Context) error {
			fmt.Println("ready") // the signals are caught from here on
			select {}
		}))
	}
	os.Exit(m.Run())
}

// A command that never returns still ends on a signal, with the shell's
// code for it: 130 for SIGINT, 143 for SIGTERM, one line on stderr.
// (secfirst-tui used to catch signals into a context only: a stuck screen
// could not be ended, and SIGTERM exited 130.)
func TestSignalEndsAStuckCommand(t *testing.T) {
	for _, c := range []struct {
		sigs []syscall.Signal
		want int
	}{
		{[]syscall.Signal{syscall.SIGTERM}, ExitTerminated},
		{[]syscall.Signal{syscall.SIGINT}, ExitInterrupted},
		{[]syscall.Signal{syscall.SIGINT, syscall.SIGINT}, ExitInterrupted},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), stuckChild+"=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
			cmd.Process.Kill()
			t.Fatalf("child said %q, %v", line, err)
		}
		for _, sig := range c.sigs {
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
		}
		cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != c.want || stderr.String() != "secfirst: interrupted\n" {
			t.Errorf("%v: exit %d, stderr %q; want %d and one line", c.sigs, code, stderr.String(), c.want)
		}
	}
}
