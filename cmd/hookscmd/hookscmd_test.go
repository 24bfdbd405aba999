package hookscmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// hermetic makes the git commands these in-process runs start use no user
// or system configuration.
func hermetic(t *testing.T) {
	for _, kv := range gittest.Env(t) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

func TestInstallStatusUninstall(t *testing.T) {
	hermetic(t)
	r := gittest.New(t)
	hookPath := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")
	if err := os.MkdirAll(filepath.Dir(hookPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hookPath, []byte("#!/bin/sh\nexit 0\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	ios, _, out, _ := iostreams.Test()
	if err := RunInstall(ctx, &InstallOptions{IO: ios, Dir: r.Dir, DryRun: true, Binary: "/usr/local/bin/secfirst"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "would") || !strings.Contains(out.String(), "secfirst-chained/pre-commit") {
		t.Fatalf("dry run output:\n%s", out)
	}
	if b, _ := os.ReadFile(hookPath); string(b) != "#!/bin/sh\nexit 0\n" {
		t.Fatal("dry run changed the hook")
	}

	ios, _, out, _ = iostreams.Test()
	if err := RunInstall(ctx, &InstallOptions{IO: ios, Dir: r.Dir, Hooks: []string{"pre-commit", "pre-push"}, Binary: "/usr/local/bin/secfirst"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "secfirst now runs on pre-commit and pre-push") {
		t.Fatalf("install output:\n%s", out)
	}

	ios, _, out, _ = iostreams.Test()
	sub := filepath.Join(r.Dir, "a", "b")
	os.MkdirAll(sub, 0o755)
	if err := RunStatus(ctx, &StatusOptions{IO: ios, Dir: sub, Format: "json"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Hooks []map[string]any `json:"hooks"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("status JSON: %v\n%s", err, out)
	}
	if len(doc.Hooks) != 2 {
		t.Fatalf("hooks = %v", doc.Hooks)
	}
	pc := doc.Hooks[0]
	if pc["name"] != "pre-commit" || pc["installed"] != true || pc["chained"] != true || pc["path"] != hookPath {
		t.Fatalf("pre-commit status = %v", pc)
	}
	for _, h := range doc.Hooks {
		for k := range h {
			if k != "name" && k != "installed" && k != "path" && k != "chained" && k != "manager" {
				t.Fatalf("unexpected key %q in %v", k, h)
			}
		}
	}

	ios, _, out, _ = iostreams.Test()
	if err := RunStatus(ctx, &StatusOptions{IO: ios, Dir: r.Dir, Format: "text"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pre-commit  installed") || !strings.Contains(out.String(), "runs .git/hooks/secfirst-chained/pre-commit first") {
		t.Fatalf("status text:\n%s", out)
	}

	ios, _, _, _ = iostreams.Test()
	if err := RunUninstall(ctx, &UninstallOptions{IO: ios, Dir: r.Dir}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(hookPath)
	if b, _ := os.ReadFile(hookPath); err != nil || string(b) != "#!/bin/sh\nexit 0\n" || fi.Mode().Perm() != 0o700 {
		t.Fatalf("hook not restored: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, ".git", "hooks", "pre-push")); err == nil {
		t.Fatal("pre-push hook left behind")
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	hermetic(t)
	r := gittest.New(t)
	ctx := context.Background()
	ios, _, _, _ := iostreams.Test()
	for name, err := range map[string]error{
		"unknown hook":   RunInstall(ctx, &InstallOptions{IO: ios, Dir: r.Dir, Hooks: []string{"post-commit"}, Binary: "/x/secfirst"}),
		"bad format":     RunStatus(ctx, &StatusOptions{IO: ios, Dir: r.Dir, Format: "yaml"}),
		"not a repo":     RunStatus(ctx, &StatusOptions{IO: ios, Dir: t.TempDir(), Format: "text"}),
		"relative bin":   RunInstall(ctx, &InstallOptions{IO: ios, Dir: r.Dir, Binary: "secfirst"}),
		"uninstall hook": RunUninstall(ctx, &UninstallOptions{IO: ios, Dir: r.Dir, Hooks: []string{"nope"}}),
	} {
		if cmdutil.Code(err) != cmdutil.ExitFailure || err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want exit 2 with one line", name, err)
		}
	}
}

// Paths shown by install, status, uninstall and their errors come from the
// repository and its configuration: a control byte in them is shown, never
// sent to the terminal. JSON keeps the exact path.
func TestTextOutputShowsControlBytes(t *testing.T) {
	hermetic(t)
	r := gittest.New(t)
	const hostile = "hooks\x1b]0;pwned\x07\u009b31m"
	hooksDir := filepath.Join(t.TempDir(), hostile)
	r.Git("config", "core.hooksPath", hooksDir)
	if err := os.MkdirAll(hooksDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hooksDir, "pre-commit"), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	shown := `hooks\x1b]0;pwned\x07\u009b31m`
	check := func(what, text string) {
		t.Helper()
		if strings.ContainsAny(text, "\x1b\x07\u009b") {
			t.Fatalf("%s sends control bytes to the terminal:\n%q", what, text)
		}
		if !strings.Contains(text, shown) {
			t.Fatalf("%s does not show the path visibly:\n%q", what, text)
		}
	}

	ios, _, out, _ := iostreams.Test()
	if err := RunInstall(ctx, &InstallOptions{IO: ios, Dir: r.Dir, Binary: "/usr/local/bin/secfirst"}); err != nil {
		t.Fatal(err)
	}
	check("install", out.String())

	ios, _, out, _ = iostreams.Test()
	if err := RunStatus(ctx, &StatusOptions{IO: ios, Dir: r.Dir, Format: "text"}); err != nil {
		t.Fatal(err)
	}
	check("status", out.String())

	ios, _, out, _ = iostreams.Test()
	if err := RunStatus(ctx, &StatusOptions{IO: ios, Dir: r.Dir, Format: "json"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Hooks []struct{ Path string } `json:"hooks"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc.Hooks[0].Path != filepath.Join(hooksDir, "pre-commit") {
		t.Fatalf("JSON path = %+v (%v), want the exact path", doc.Hooks, err)
	}

	// A hook written over secfirst's, with the chained one still there: the
	// next install refuses, naming both files.
	if err := os.WriteFile(filepath.Join(hooksDir, "pre-commit"), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ = iostreams.Test()
	err := RunInstall(ctx, &InstallOptions{IO: ios, Dir: r.Dir, Binary: "/usr/local/bin/secfirst"})
	if cmdutil.Code(err) != cmdutil.ExitFailure {
		t.Fatalf("install over a conflict: %v", err)
	}
	check("install error", err.Error())

	ios, _, out, _ = iostreams.Test()
	if err := RunUninstall(ctx, &UninstallOptions{IO: ios, Dir: r.Dir}); err != nil {
		t.Fatal(err)
	}
	check("uninstall", out.String())
}
