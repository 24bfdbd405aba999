package checklist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// maxConfigSize bounds every repository file the checklist reads itself
// (CI files, hook manager configurations, package.json, the policy files
// the history cache depends on): configuration is kilobytes, and a file
// past this is skipped with a warning rather than read into memory.
const maxConfigSize = 2 << 20

// readRepoFile reads the slash-separated path rel of the repository: only
// a regular file inside it (no symbolic link, device or FIFO, no linked
// directory on the way), at most maxConfigSize bytes. A missing file is
// fs.ErrNotExist, for the caller to ignore; any other refusal is also
// recorded as a warning naming the file, so nothing is skipped silently.
func (r *Repo) readRepoFile(rel string) ([]byte, error) {
	data, err := safefile.ReadInRoot(r.Root, rel, maxConfigSize)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.warnSkipped(rel, err)
	}
	return data, err
}

// warnSkipped records that the file rel was not read, and why.
func (r *Repo) warnSkipped(rel string, err error) {
	r.Warn(fmt.Sprintf("skipped %s: %s", rel, skipReason(r.Root, rel, err)))
}

// skipReason says in a few words why a file was not read.
func skipReason(root, rel string, err error) string {
	var tl *safefile.TooLargeError
	switch {
	case errors.As(err, &tl):
		return "larger than " + safefile.Size(tl.Limit)
	case errors.Is(err, safefile.ErrOutside):
		return "it lies under a symbolic link to a directory; secfirst reads only files inside the repository"
	case errors.Is(err, safefile.ErrNotRegular):
		if fi, lerr := os.Lstat(filepath.Join(root, filepath.FromSlash(rel))); lerr == nil {
			return notRegular(fi.Mode())
		}
		return "not a regular file"
	}
	return unwrapPathErr(err).Error()
}

// notRegular names what a file that is not a regular file is.
func notRegular(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link; secfirst reads only regular files inside the repository"
	case m.IsDir():
		return "a directory"
	}
	return "not a regular file (" + m.Type().String() + ")"
}

// Warn records a problem the person must hear about: a file that was not
// read, or evidence that is incomplete. The commands print the warnings on
// standard error.
func (r *Repo) Warn(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.warnings == nil {
		r.warnings = map[string]bool{}
	}
	r.warnings[msg] = true
}

// Warnings are the warnings recorded so far, sorted.
func (r *Repo) Warnings() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.warnings))
	for w := range r.warnings {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// lstatRepoFile reports whether rel is a regular file of the repository;
// something else at that name (a symbolic link, say) is a warning.
func (r *Repo) lstatRepoFile(rel string) (fs.FileInfo, bool) {
	p, err := safefile.InRoot(r.Root, rel)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !strings.Contains(err.Error(), "not a directory") {
			r.warnSkipped(rel, err)
		}
		return nil, false
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, false
	}
	if !fi.Mode().IsRegular() {
		r.Warn(fmt.Sprintf("skipped %s: %s", rel, notRegular(fi.Mode())))
		return nil, false
	}
	return fi, true
}
