//go:build unix

package deps

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapIndexFile maps an index file into memory read-only. The hook looks up
// a few thousand names in an index of a hundred thousand advisories: mapped,
// it touches only the pages its binary searches visit instead of copying the
// whole file (about 5 ms for a 10 MB npm index). Index files are replaced by
// rename, never rewritten in place, so a mapping never sees a change.
func mapIndexFile(path string) (data []byte, release func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if fi.Size() == 0 || fi.Size() != int64(int(fi.Size())) {
		data, err := os.ReadFile(path)
		return data, func() {}, err
	}
	data, err = unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		data, err := os.ReadFile(path)
		return data, func() {}, err
	}
	return data, func() { _ = unix.Munmap(data) }, nil
}
