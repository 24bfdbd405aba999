package onboard

import (
	"context"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
)

// The walkthrough needs a terminal: without one it says so in one line and
// exits 2, printing nothing on stdout.
func TestOnboardNeedsATerminal(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	err := Run(context.Background(), &Options{IO: ios, Dir: t.TempDir()})
	if code := cmdutil.Code(err); code != cmdutil.ExitFailure {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(err.Error(), "needs a terminal") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error %q", err)
	}
	if out.Len() != 0 {
		t.Fatalf("stdout %q", out)
	}
}
