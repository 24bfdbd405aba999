//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "reg")
	os.WriteFile(reg, []byte("hello"), 0o644)
	if got, err := ReadFile(reg, 5); err != nil || string(got) != "hello" {
		t.Fatalf("regular file: %q %v", got, err)
	}
	var tl *TooLargeError
	if _, err := ReadFile(reg, 4); !errors.As(err, &tl) || !strings.Contains(err.Error(), "larger than 4 bytes") {
		t.Fatalf("over the limit: %v", err)
	}
	link := filepath.Join(dir, "link")
	os.Symlink("/dev/zero", link)
	if _, err := ReadFile(link, 1<<20); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("symlink to a device: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(fifo, 1<<20); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("fifo: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 1); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
	if _, err := ReadFile(dir, 1<<20); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("directory: %v", err)
	}
}

func TestReadInRoot(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("x"), 0o644)
	os.MkdirAll(filepath.Join(root, "a", "b"), 0o755)
	os.WriteFile(filepath.Join(root, "a", "b", "f"), []byte("in"), 0o644)
	os.Symlink(outside, filepath.Join(root, "out"))
	if got, err := ReadInRoot(root, "a/b/f", 10); err != nil || string(got) != "in" {
		t.Fatalf("inside: %q %v", got, err)
	}
	for _, rel := range []string{"out/secret", "../x", "/etc/passwd", "a/../../x"} {
		if _, err := ReadInRoot(root, rel, 10); !errors.Is(err, ErrOutside) {
			t.Errorf("%s: want ErrOutside, got %v", rel, err)
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{512: "512 bytes", 64 << 10: "64 KiB", 10 << 20: "10 MiB", 1536: "1.5 KiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
