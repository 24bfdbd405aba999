package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// The packages secfirst must never link: bubbletea (its init asks the
// terminal for its background colour), bubbles (built on it), glamour,
// goldmark and chroma (whose lexer registry costs tens of milliseconds of
// every start), and the terminal interface's own packages.
var tuiStack = []string{
	"github.com/charmbracelet/bubbletea",
	"github.com/charmbracelet/bubbles",
	"github.com/charmbracelet/glamour",
	"github.com/alecthomas/chroma",
	"github.com/yuin/goldmark",
	"github.com/secfirst-dev/secfirst/tui/common",
	"github.com/secfirst-dev/secfirst/cmd/tuicmd",
}

func isTUIStack(pkg string) bool {
	pkg = strings.TrimSpace(pkg)
	if pkg == "github.com/secfirst-dev/secfirst/tui" {
		return true
	}
	for _, p := range tuiStack {
		if pkg == p || strings.HasPrefix(pkg, p+"/") {
			return true
		}
	}
	return false
}

// secfirst's import graph holds none of the terminal interface's stack;
// secfirst-tui's does (the check would pass on a typo otherwise).
func TestSecfirstLinksNoTUIStack(t *testing.T) {
	list := func(pkg string) []string {
		cmd := exec.Command("go", "list", "-deps", pkg)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Split(strings.TrimSpace(string(out)), "\n")
	}
	for _, dep := range list("github.com/secfirst-dev/secfirst/cmd/secfirst") {
		if isTUIStack(dep) {
			t.Errorf("secfirst links %s", dep)
		}
	}
	found := 0
	for _, dep := range list("github.com/secfirst-dev/secfirst/cmd/secfirst-tui") {
		if isTUIStack(dep) {
			found++
		}
	}
	if found < len(tuiStack) {
		t.Fatalf("secfirst-tui links only %d of the TUI stack's packages: the list is out of date", found)
	}
}

// The built program, running what the hook runs, initialises none of the
// stack (GODEBUG=inittrace=1 lists every package whose initialisation does
// work, as it runs).
func TestHookInitialisesNoTUIStack(t *testing.T) {
	bin := gittest.BuiltSecfirst(t)
	r := gittest.New(t)
	r.Write("README.md", "# demo\n")
	r.Git("add", "README.md")
	cmd := exec.Command(bin, "hook", "pre-commit")
	cmd.Dir = r.Dir
	cmd.Env = append(r.Env, "GODEBUG=inittrace=1", "SECFIRST_OFFLINE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("hook pre-commit: %v\n%s", err, out)
	}
	inits := 0
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || fields[0] != "init" {
			continue
		}
		inits++
		if isTUIStack(fields[1]) {
			t.Errorf("the hook initialises %s: %s", fields[1], line)
		}
	}
	if inits < 20 {
		t.Fatalf("only %d init lines: GODEBUG=inittrace=1 did not trace\n%s", inits, out)
	}
}
