package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteReplacesWithExactModeAndNoLeftovers(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pre-commit")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), 0o777); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(got) != "new" || fi.Mode().Perm() != 0o777 {
		t.Fatalf("content %q mode %v, want \"new\" 0777 (the umask must not apply)", got, fi.Mode().Perm())
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Fatalf("temporary files left: %v", names)
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "missing", "file")
	err := Write(p, []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "missing")) {
		t.Fatalf("err = %v, want one naming the missing directory", err)
	}
	// A directory in the way: the rename fails, the temporary file goes.
	busy := filepath.Join(dir, "busy")
	if err := os.MkdirAll(filepath.Join(busy, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(busy, []byte("x"), 0o644); err == nil {
		t.Fatal("replaced a non-empty directory")
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "busy" {
		t.Fatalf("left behind: %v", names)
	}
}

func TestCreateExclusiveNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "checklist.yaml")
	if err := CreateExclusive(p, []byte("first"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CreateExclusive(p, []byte("second"), 0o644); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second create: %v, want fs.ErrExist", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "first" {
		t.Fatalf("content %q, want the first", got)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Fatalf("temporary files left: %v", names)
	}
}

func TestRemoveLeftoversRemovesOnlyThisFilesTemporaries(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "checklist.yaml")
	for _, name := range []string{"checklist.yaml", ".checklist.yaml.tmp-123", ".checklist.yaml.tmp-9", ".other.yaml.tmp-1", "notes"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A directory with the prefix is not a temporary file of ours.
	if err := os.Mkdir(filepath.Join(dir, ".checklist.yaml.tmp-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	removed, err := RemoveLeftovers(p)
	if err != nil || strings.Join(removed, ",") != ".checklist.yaml.tmp-123,.checklist.yaml.tmp-9" {
		t.Fatalf("removed %v, %v", removed, err)
	}
	if got := strings.Join(entries(t, dir), ","); got != ".checklist.yaml.tmp-dir,.other.yaml.tmp-1,checklist.yaml,notes" {
		t.Fatalf("left %s", got)
	}
}
