package tuilaunch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// secfirst-tui on PATH is found when it is not beside this program (here:
// the test binary); its absence is an error that says how to install it.
func TestFindOnPathOrSayHowToInstall(t *testing.T) {
	bin := t.TempDir()
	t.Setenv("PATH", bin)
	_, err := Find()
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "go install github.com/secfirst-dev/secfirst/cmd/...@latest") {
		t.Fatalf("without secfirst-tui: %v", err)
	}
	tui := filepath.Join(bin, Program)
	if err := os.WriteFile(tui, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Find()
	if err != nil || got != tui {
		t.Fatalf("Find = %q, %v; want %q", got, err, tui)
	}
	// A file that cannot be run is not a program.
	if err := os.Chmod(tui, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := Find(); err == nil {
		t.Fatalf("found %s, which is not executable", got)
	}
}

// On Windows Go reports no execute bit: secfirst-tui.exe beside
// secfirst.exe is a program all the same. Elsewhere the bit decides.
func TestIsProgramOnEachSystem(t *testing.T) {
	for _, c := range []struct {
		mode os.FileMode
		goos string
		want bool
	}{
		{0o644, "windows", true},
		{0o666, "windows", true},
		{0o644, "linux", false},
		{0o755, "linux", true},
		{0o755, "darwin", true},
		{os.ModeDir | 0o755, "linux", false},
		{os.ModeDir | 0o777, "windows", false},
	} {
		if got := isProgram(c.mode, c.goos); got != c.want {
			t.Errorf("isProgram(%v, %s) = %v, want %v", c.mode, c.goos, got, c.want)
		}
	}
}

// An inherited SECFIRST_BIN is replaced, never kept beside the new one (a
// child reads the first of two, so a stale one would win).
func TestChildEnvReplacesAStaleSecfirstBin(t *testing.T) {
	environ := []string{"PATH=/bin", EnvSecfirst + "=/stale/secfirst", "HOME=/home/x", "SECFIRST_BINARY=keep"}
	got := strings.Join(childEnv(environ, "/new/secfirst", "linux"), "\n")
	want := strings.Join([]string{"PATH=/bin", "HOME=/home/x", "SECFIRST_BINARY=keep", EnvSecfirst + "=/new/secfirst"}, "\n")
	if got != want {
		t.Fatalf("childEnv:\n%s\nwant:\n%s", got, want)
	}
	// Unknown secfirst: the stale one is still dropped.
	if got := childEnv(environ, "", "linux"); len(got) != 3 {
		t.Fatalf("childEnv without secfirst: %q", got)
	}
	// Windows names are case-insensitive.
	got = strings.Join(childEnv([]string{"Secfirst_Bin=C:\\old.exe"}, "C:\\new.exe", "windows"), "\n")
	if got != EnvSecfirst+"=C:\\new.exe" {
		t.Fatalf("childEnv on Windows: %q", got)
	}
}
