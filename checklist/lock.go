package checklist

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/atomicfile"
)

// LockName is the writers' lock of a working tree's checklist. It lives in
// the working tree's git directory (.git/ in a plain clone, its own
// directory under .git/worktrees/ in a linked worktree): git never shows or
// stages anything there, and no committed file can redirect it.
const LockName = "secfirst-checklist.lock"

// LockTimeout bounds the wait for another writer: a write takes
// milliseconds, so a lock held this long belongs to a process that is stuck.
const LockTimeout = 30 * time.Second

// lockRetry is how often a waiting writer tries the lock again.
const lockRetry = 10 * time.Millisecond

// Lock takes the writers' lock of the checklist in the working tree rooted
// at root: every write of the checklist (init, set, each answer of a
// review) holds it from the moment it reads the file until the new file is
// in place, so two writers can never both start from the same text and lose
// one's change. The lock is advisory (flock on Unix, LockFileEx on Windows)
// and is released by the operating system if the process dies. It waits
// up to LockTimeout, honouring ctx, then fails naming the lock.
func Lock(ctx context.Context, root string) (unlock func(), err error) {
	out, err := checks.Git(ctx, root, nil, "rev-parse", "--absolute-git-dir")
	if err != nil {
		return nil, fmt.Errorf("cannot find the git directory of %s: %v", root, err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), LockName)
	l := flock.New(p, flock.SetPermissions(0o600))
	wait, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	ok, err := l.TryLockContext(wait, lockRetry)
	switch {
	case ok:
		return func() { _ = l.Unlock() }, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err == nil || errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("another secfirst has been writing %s for %s (lock %s): nothing was written; try again when it has finished", RelPath, LockTimeout, p)
	}
	return nil, fmt.Errorf("cannot lock %s (%s): %v", RelPath, p, unwrapPathErr(err))
}

// Update is a locked read-modify-write of the checklist of the working
// tree at root: it takes the lock, removes what an interrupted write left
// behind, reads the file, lets edit change it and saves it. edit sees the
// file as the previous writer left it, so concurrent updates all land.
func Update(ctx context.Context, root string, edit func(f *File) error) (*File, error) {
	unlock, err := Lock(ctx, root)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := checkPath(Path(root)); err != nil {
		return nil, err
	}
	removeLeftovers(root)
	f, err := Load(Path(root))
	if err != nil {
		return nil, err
	}
	if err := edit(f); err != nil {
		return nil, err
	}
	if err := f.save(); err != nil {
		return nil, err
	}
	return f, nil
}

// removeLeftovers deletes the temporary files of writes that a crash or a
// kill interrupted between writing and renaming. Only a holder of the lock
// may call it: every writer holds the lock, so no temporary file is in use.
func removeLeftovers(root string) {
	_, _ = atomicfile.RemoveLeftovers(Path(root))
}

// SymlinkError is a checklist path that is a symbolic link: secfirst only
// reads and writes the checklist as a regular file in a real directory of
// the repository, so that a committed link cannot make it read or write
// anything outside.
type SymlinkError struct {
	Path   string // what is a link, relative to the repository root
	Target string // where it points, as the link says
}

func (e *SymlinkError) Error() string {
	return fmt.Sprintf("%s is a symbolic link (to %s): secfirst reads and writes the checklist only in a real directory of the repository, never through a link; replace it with a directory and file of its own", e.Path, e.Target)
}

// checkPath refuses a checklist file, or its directory, that is a
// symbolic link or not what it should be. Missing ones are fine: the
// caller's read or write says so.
func checkPath(path string) error {
	dir := filepath.Dir(path)
	dirName := filepath.Base(dir)
	fileName := dirName + "/" + filepath.Base(path)
	for _, c := range []struct{ p, name string }{{dir, dirName}, {path, fileName}} {
		fi, err := os.Lstat(c.p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %v", c.name, unwrapPathErr(err))
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(c.p)
			return &SymlinkError{Path: c.name, Target: target}
		case c.p == dir && !fi.IsDir():
			return fmt.Errorf("%s is not a directory: secfirst keeps the checklist in %s", c.name, fileName)
		case c.p == path && !fi.Mode().IsRegular():
			return fmt.Errorf("%s is not a regular file (%s): secfirst reads the checklist only from a regular file", c.name, fi.Mode().Type())
		}
	}
	return nil
}
