// Package tuilaunch starts secfirst's terminal interface when a command
// needs a screen. The interface is its own program, secfirst-tui, shipped
// beside secfirst: bubbletea, glamour and chroma initialise themselves when
// a program starts (bubbletea asks the terminal for its background colour,
// which stalls five seconds in a terminal that never answers; chroma builds
// its lexer tables), so the program that runs the git hook, scan and the
// checklist links none of them. secfirst finds secfirst-tui next to its own
// executable, then on PATH, and hands it the terminal (on Unix it becomes
// secfirst-tui: same process, same terminal, same exit code).
package tuilaunch

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/hooks"
)

// Program is the terminal interface's executable.
const Program = "secfirst-tui"

// EnvSecfirst tells secfirst-tui which secfirst started it: the program
// the hooks it installs must call (the one on PATH when that is the same
// file, so upgrades that move the real file keep the hooks working).
const EnvSecfirst = "SECFIRST_BIN"

// ErrNotFound is a program that is neither next to this executable nor on
// PATH.
var ErrNotFound = errors.New("not found")

// Sibling finds the program name next to this executable (as it was
// started, then with its symlinks resolved: Homebrew links both programs
// into bin/), then on PATH.
func Sibling(name string) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	dirs := []string{filepath.Dir(exe)}
	if real, err := filepath.EvalSymlinks(exe); err == nil && filepath.Dir(real) != dirs[0] {
		dirs = append(dirs, filepath.Dir(real))
	}
	for _, dir := range dirs {
		p := filepath.Join(dir, name+exeSuffix)
		if fi, err := os.Stat(p); err == nil && isProgram(fi.Mode(), runtime.GOOS) {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			return abs, nil
		}
	}
	return "", fmt.Errorf("%s: %w next to %s or on PATH", name, ErrNotFound, exe)
}

// isProgram says whether a file of this mode can be run on goos: a regular
// file, with an execute bit where there is one (Go reports none on Windows,
// where the .exe suffix makes the program).
func isProgram(mode os.FileMode, goos string) bool {
	if !mode.IsRegular() {
		return false
	}
	return goos == "windows" || mode.Perm()&0o111 != 0
}

// Find returns secfirst-tui, or an error that says how to install it.
func Find() (string, error) {
	p, err := Sibling(Program)
	if err != nil {
		return "", cmdutil.Failf("the terminal interface is not installed (%w): install it with secfirst (go install github.com/secfirst-dev/secfirst/cmd/...@latest, or brew reinstall secfirst)", err)
	}
	return p, nil
}

// Launch runs secfirst-tui with args on this process's terminal: without
// colour when the command was asked for none (--no-color), and telling it
// which secfirst the hooks it installs must call (this one, by the path
// hooks.DefaultBinary prefers). It returns only when secfirst-tui cannot be
// found or started, or (where a process cannot become another) with
// secfirst-tui's exit code.
func Launch(ios *iostreams.IOStreams, args []string) error {
	tui, err := Find()
	if err != nil {
		return err
	}
	if ios.NoColor() {
		args = append(args, "--no-color")
	}
	secfirst, _ := hooks.DefaultBinary()
	return run(tui, append([]string{Program}, args...), childEnv(os.Environ(), secfirst, runtime.GOOS))
}

// childEnv is environ for secfirst-tui: without any inherited SECFIRST_BIN
// (a child reads the first of two, so a stale one would win), then with
// this secfirst's path when it is known. Names are case-insensitive on
// Windows.
func childEnv(environ []string, secfirst, goos string) []string {
	env := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if name == EnvSecfirst || (goos == "windows" && strings.EqualFold(name, EnvSecfirst)) {
			continue
		}
		env = append(env, kv)
	}
	if secfirst != "" {
		env = append(env, EnvSecfirst+"="+secfirst)
	}
	return env
}
