package hooks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// keptHook is the hook secfirst keeps for one hook name: where the current
// script runs it (secfirst-chained/<hook>) and where script version 1 ran it
// (<hook>.secfirst-chained). Normally at most one of them exists.
type keptHook struct {
	current, legacy fileState
}

// readKept reads the hook kept for secfirst's script of hook name in dir
// (the folder of the script: the script finds it beside itself).
func readKept(dir, name string) (keptHook, error) {
	var k keptHook
	var err error
	if k.current, err = readState(chainedPathIn(dir, name)); err != nil {
		return k, err
	}
	k.legacy, err = readState(filepath.Join(dir, name+LegacyChainedSuffix))
	return k, err
}

func chainedPathIn(dir, name string) string { return filepath.Join(dir, ChainedDir, name) }

// exists reports whether a hook is kept in either place.
func (k keptHook) exists() bool { return k.current.exists || k.legacy.exists }

// both reports whether both places hold a hook (an old and a new install
// mixed by hand): secfirst never picks one and loses the other.
func (k keptHook) both() bool { return k.current.exists && k.legacy.exists }

// file is the kept hook: the current layout's when it exists, else the
// legacy one.
func (k keptHook) file() fileState {
	if k.current.exists {
		return k.current
	}
	return k.legacy
}

// runBy is the kept file a secfirst script of format version runs.
func (k keptHook) runBy(version int) fileState {
	if version <= 1 {
		return k.legacy
	}
	return k.current
}

// states are the files as the plan saw them.
func (k keptHook) states() []fileState { return []fileState{k.current, k.legacy} }

// moveHook moves a hook file from one path to another in the hooks
// directory or its ChainedDir, byte for byte and with its mode: a rename,
// which replaces a file at to in one step. A symbolic link is moved as a
// link; a relative target is rewritten for the folder it moves to (one
// "../" more going into ChainedDir, one less coming out), so that it still
// names the same file and comes back with the text it had.
func moveHook(from, to string) error {
	fi, err := os.Lstat(from)
	if err != nil {
		return fmt.Errorf("cannot move %s: %w", from, unwrapPath(err))
	}
	if err := ensureChainedDir(filepath.Dir(to)); err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("cannot move %s to %s: %w", from, to, unwrapPath(err))
		}
		return nil
	}
	target, err := os.Readlink(from)
	if err != nil {
		return fmt.Errorf("cannot read the link %s: %w", from, unwrapPath(err))
	}
	if !filepath.IsAbs(target) {
		target = relink(target, filepath.Dir(from), filepath.Dir(to))
	}
	// The new link is made beside its destination, then renamed over it.
	tmp := to + ".secfirst-new"
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("cannot move the link %s: %w", from, unwrapPath(err))
	}
	if err := os.Rename(tmp, to); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("cannot move the link %s: %w", from, unwrapPath(err))
	}
	if err := os.Remove(from); err != nil {
		return fmt.Errorf("cannot remove %s: %w", from, unwrapPath(err))
	}
	return nil
}

// relink rewrites a relative link target written in fromDir for toDir,
// where toDir is fromDir, its ChainedDir, or the parent of its ChainedDir.
func relink(target, fromDir, toDir string) string {
	switch {
	case filepath.Clean(toDir) == filepath.Join(fromDir, ChainedDir):
		return "../" + target
	case filepath.Clean(fromDir) == filepath.Join(toDir, ChainedDir):
		if rest, ok := strings.CutPrefix(target, "../"); ok {
			return rest
		}
		return ChainedDir + "/" + target
	}
	return target
}

// ensureChainedDir creates ChainedDir when dir is one, and refuses one that
// is not a plain directory (a link could send the user's hook elsewhere).
func ensureChainedDir(dir string) error {
	if filepath.Base(dir) != ChainedDir {
		return nil
	}
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(dir, 0o755); err != nil {
			return fmt.Errorf("cannot create %s: %w", dir, unwrapPath(err))
		}
		return nil
	case err != nil:
		return fmt.Errorf("cannot use %s: %w", dir, unwrapPath(err))
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory: secfirst keeps chained hooks there; move it away and try again", dir)
	}
	return nil
}

// removeChainedDir removes ChainedDir once it holds no hook any more.
func removeChainedDir(hooksDir string) {
	_ = os.Remove(filepath.Join(hooksDir, ChainedDir)) // fails, as it should, when not empty
}
