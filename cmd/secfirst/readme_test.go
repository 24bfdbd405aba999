package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The README opens with the two commands a newcomer runs on a fresh clone.
// The first one must run secfirst on a repository and exit 0 (nothing
// blocking) or 1 (blocking findings), never 2: it once combined --history
// with a path and failed. This runs it literally, from the repository's
// root, offline (tests never touch the network).
func TestReadmeFirstCommandRuns(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	first := readmeFirstCommand(t, filepath.Join(root, "README.md"))
	if !strings.HasPrefix(first, "go run ./cmd/secfirst ") {
		t.Fatalf("the README's first command is %q; it should run secfirst from this checkout", first)
	}
	cmd := exec.Command("sh", "-c", first)
	cmd.Dir = root
	// A scan records its counts for the dashboard: in a state directory of
	// the test's own, not the user's.
	cmd.Env = append(os.Environ(), "SECFIRST_OFFLINE=1", "NO_COLOR=1", "XDG_STATE_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 1 && !strings.Contains(string(out), "exit status 2"):
		// blocking findings: a scan that worked
	default:
		t.Fatalf("%s: %v\n%s", first, err, out)
	}
	if !strings.Contains(string(out), "secfirst:") {
		t.Errorf("%s printed no secfirst summary:\n%s", first, out)
	}
}

// readmeFirstCommand returns the first command of the README's first code
// block, without its trailing comment.
func readmeFirstCommand(t *testing.T, path string) string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	inBlock := false
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			if inBlock {
				break
			}
			inBlock = true
			continue
		}
		if !inBlock {
			continue
		}
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	t.Fatalf("%s has no command in its first code block", path)
	return ""
}
