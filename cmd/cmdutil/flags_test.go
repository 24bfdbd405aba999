package cmdutil

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A report written to a file is whole or not written: a writer that fails
// half way leaves the file as it was; a finished one replaces it, keeping
// its permissions.
func TestWriteOutputIsWholeOrNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.sarif")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteOutput(io.Discard, path, func(w io.Writer) error {
		io.WriteString(w, "half a rep")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "old" {
		t.Fatalf("a failed report changed the file: %q", data)
	}
	if err := WriteOutput(io.Discard, path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if data, _ := os.ReadFile(path); string(data) != "new" || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file %q, mode %v", data, fi.Mode().Perm())
	}
}

func TestOrList(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "a", "a b": "a or b", "a b c": "a, b or c"} {
		var values []string
		if in != "" {
			values = filepathSplit(in)
		}
		if got := OrList(values); got != want {
			t.Errorf("OrList(%q) = %q, want %q", values, got, want)
		}
	}
}

func filepathSplit(s string) []string { return strings.Fields(s) }

// -o naming a symbolic link writes the file it points to, atomically,
// and leaves the link a link (a dangling one creates its target).
func TestWriteOutputFollowsASymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "reports", "latest.sarif")
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "report.sarif")
	if err := os.Symlink(filepath.Join("reports", "latest.sarif"), link); err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{"first", "second"} { // dangling, then existing
		if err := WriteOutput(io.Discard, link, func(w io.Writer) error { _, err := io.WriteString(w, content); return err }); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("the link was replaced: %v, %v", fi.Mode(), err)
		}
		if data, err := os.ReadFile(target); err != nil || string(data) != content {
			t.Fatalf("target holds %q, %v; want %q", data, err, content)
		}
	}
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink("loop", loop); err != nil {
		t.Fatal(err)
	}
	err := WriteOutput(io.Discard, loop, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
	if Code(err) != 2 || !strings.Contains(err.Error(), "symbolic links") {
		t.Fatalf("a link loop: %v", err)
	}
}
