// Package safefile reads files that come from a repository, which may be
// hostile: only regular files are read (never a symlink, a device, a FIFO
// or a socket, which could point outside the repository or never end), no
// directory on the way from the repository's root may be a symlink, and a
// read never takes more than a given number of bytes.
//
// It imports nothing of secfirst's, so any package may use it.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrNotRegular is returned for a path that is not a regular file: a
// symlink, a device, a FIFO, a socket or a directory.
var ErrNotRegular = errors.New("not a regular file")

// ErrOutside is returned when a directory between the root and the file is
// a symlink, so the file may lie outside the root.
var ErrOutside = errors.New("reached through a symlink")

// TooLargeError is returned when a file holds more than the limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s", e.Path, Size(e.Limit))
}

// Size formats a byte count for people: 512 bytes, 64 KiB, 10 MiB.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// Open opens path for reading when it is a regular file: a symlink is
// refused, not followed, and a device, FIFO or socket is refused without
// blocking. The caller reads it (bounded) and closes it; fi is its size
// and mode as opened.
func Open(path string) (fh *os.File, fi fs.FileInfo, err error) {
	fi, err = os.Lstat(path)
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, &fs.PathError{Op: "read", Path: path, Err: ErrNotRegular}
	}
	// O_NOFOLLOW and O_NONBLOCK: should the file have been swapped for a
	// symlink or a FIFO since Lstat, the open fails or does not hang.
	fh, err = openNoFollow(path)
	if err != nil {
		return nil, nil, err
	}
	if fi2, err := fh.Stat(); err != nil || !fi2.Mode().IsRegular() || !os.SameFile(fi, fi2) {
		fh.Close()
		return nil, nil, &fs.PathError{Op: "read", Path: path, Err: ErrNotRegular}
	}
	return fh, fi, nil
}

// ReadFile reads path when it is a regular file (a symlink is refused, not
// followed) of at most limit bytes. A missing file is fs.ErrNotExist.
func ReadFile(path string, limit int64) ([]byte, error) {
	fh, fi, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if fi.Size() > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}

// ReadInRoot reads the slash-separated path rel under root as ReadFile does,
// and also refuses it when a directory between root and the file is a
// symlink. rel must not leave root ("..").
func ReadInRoot(root, rel string, limit int64) ([]byte, error) {
	p, err := InRoot(root, rel)
	if err != nil {
		return nil, err
	}
	return ReadFile(p, limit)
}

// InRoot returns the path of rel under root after checking that rel stays
// inside root and that no directory between root and the file is a
// symlink. The file itself is not checked.
func InRoot(root, rel string) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(rel))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", &fs.PathError{Op: "read", Path: rel, Err: ErrOutside}
	}
	dir := root
	parts := strings.Split(clean, string(filepath.Separator))
	for _, part := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return "", &fs.PathError{Op: "read", Path: filepath.Join(root, clean), Err: ErrOutside}
		}
		if !fi.IsDir() {
			return "", &fs.PathError{Op: "read", Path: dir, Err: syscall.ENOTDIR}
		}
	}
	return filepath.Join(root, clean), nil
}
