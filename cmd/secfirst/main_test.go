package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// The one line an error prints may quote a path the user or the
// repository chose: its control bytes are shown, not obeyed.
func TestErrorLineShowsNoEscape(t *testing.T) {
	bin := gittest.BuiltSecfirst(t)
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "scan", filepath.Join(dir, "missing\x1b]0;pwned\x07"))
	cmd.Dir, cmd.Env = dir, gittest.Env(t)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 2 {
		t.Fatalf("exit %d (%v), stderr %q", code, err, stderr.String())
	}
	got := stderr.String()
	if strings.ContainsAny(got, "\x1b\x07") || !strings.Contains(got, `missing\x1b]0;pwned\x07`) || strings.Count(got, "\n") != 1 {
		t.Fatalf("stderr %q: want one line with the escapes made visible", got)
	}
}
