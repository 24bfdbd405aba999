package checks

import (
	"errors"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// Head returns the commit HEAD points at ("" before the first commit) and
// the branch checked out ("" when detached). It reads the repository with
// go-git, without starting a git process: this is asked on every dashboard
// refresh and checklist status, and HEAD needs none of the index semantics
// only git itself gets right. Linked worktrees read their common directory.
func Head(root string) (commit, branch string, err error) {
	repo, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return "", "", err
	}
	ref, err := repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		// Unborn branch: HEAD names a branch that has no commit yet.
		sym, serr := repo.Storer.Reference(plumbing.HEAD)
		if serr == nil && sym.Type() == plumbing.SymbolicReference {
			return "", sym.Target().Short(), nil
		}
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	if ref.Name().IsBranch() {
		branch = ref.Name().Short()
	}
	return ref.Hash().String(), branch, nil
}
