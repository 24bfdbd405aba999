// Package atomicfile writes files so that nothing is ever half written: a
// reader, or a crash, sees the old file or the new one. Every file secfirst
// writes for a user (hooks, .secfirst.toml, the checklist, the TUI's state,
// the OSV index) goes through it. It imports nothing of secfirst's, so any
// package may use it.
//
// Why not github.com/google/renameio/v2, which does the temporary file and
// the rename: renameio builds on Unix only (secfirst ships for Windows);
// its WriteFile may put the temporary file in os.TempDir(), while secfirst
// keeps it beside its target under a name the target directory's
// .gitignore covers (RemoveLeftovers cleans what a crash left); and it has
// no exclusive create (CreateExclusive below hard-links a complete file
// into place, so two racing writers cannot overwrite each other).
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Write replaces path with data: a temporary file in the same directory,
// given perm (exactly: the umask does not apply), synced, then renamed over
// path. The directory must exist.
func Write(path string, data []byte, perm fs.FileMode) error {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot replace %s: %w", path, unwrap(err))
	}
	syncDir(filepath.Dir(path))
	return nil
}

// CreateExclusive writes a new file as Write does, but fails with
// fs.ErrExist when path already exists: the complete temporary file is
// hard-linked into place, which the file system refuses over an existing
// name, so even two racing writers cannot overwrite each other.
func CreateExclusive(path string, data []byte, perm fs.FileMode) error {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
		// A file system without hard links: check, then rename.
		if _, serr := os.Lstat(path); serr == nil {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
		if rerr := os.Rename(tmp, path); rerr != nil {
			return fmt.Errorf("cannot create %s: %w", path, unwrap(rerr))
		}
	}
	syncDir(filepath.Dir(path))
	return nil
}

// tempPrefix starts the name of every temporary file of path: a dot file,
// so `ls` does not show it, named after the file it will replace.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// RemoveLeftovers removes the temporary files that writes of path left
// behind when the process died between writing and renaming (a crash, a
// kill, a power cut), and returns their names. Only regular files are
// removed. A temporary file of a write in progress would be removed too, so
// call it only while holding a lock that every writer of path takes.
func RemoveLeftovers(path string) ([]string, error) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	prefix := tempPrefix(path)
	var removed []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("cannot remove the leftover %s: %w", filepath.Join(dir, e.Name()), unwrap(err))
		}
		removed = append(removed, e.Name())
	}
	return removed, nil
}

func writeTemp(path string, data []byte, perm fs.FileMode) (string, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPrefix(path)+"*")
	if err != nil {
		return "", fmt.Errorf("cannot write in %s: %w", dir, unwrap(err))
	}
	name := tmp.Name()
	fail := func(err error) (string, error) {
		tmp.Close()
		os.Remove(name)
		return "", fmt.Errorf("cannot write %s: %w", path, unwrap(err))
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("cannot write %s: %w", path, unwrap(err))
	}
	return name, nil
}

// syncDir makes a rename durable; failure only weakens durability, so it
// is ignored (some systems cannot sync directories).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// unwrap drops the operation and path of a file-system error: the messages
// above name the path once, in the user's terms.
func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
