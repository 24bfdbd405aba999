package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// secfirstBinary builds secfirst once for the package's tests.
func secfirstBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "secfirst-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "secfirst")
		buildErr = gittest.BuildSecfirst(builtBin)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// The one line an error prints may quote a path the user or the
// repository chose: its control bytes are shown, not obeyed.
func TestErrorLineShowsNoEscape(t *testing.T) {
	bin := secfirstBinary(t)
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
