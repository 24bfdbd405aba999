package hooks

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/checks/secrets"
)

// MaxPushCommits bounds the commits the pre-push hook scans for a branch
// that no remote has yet.
const MaxPushCommits = 1000

// RunOptions tune RunPreCommit and RunPrePush.
type RunOptions struct {
	// Checks replaces the checks that run (tests); nil means every check
	// of checks/all (pre-commit) or the secrets check (pre-push), minus
	// those the policy switches off.
	Checks []checks.Check
	// DBDir and Offline configure the dependency check (see all.Options).
	DBDir   string
	Offline bool
	// Now is the clock for ignore expiry (zero: time.Now()).
	Now time.Time
}

// Result is what a hook run found and whether git must stop.
type Result struct {
	// Hook is pre-commit or pre-push.
	Hook string
	// Report is the scan's report; nil when there was nothing to scan.
	Report *checks.Report
	// Policy is the .secfirst.toml that applied.
	Policy *checks.Policy
	// Checks are the names of the checks that ran.
	Checks []string
	// Errors are internal errors: checks that failed or panicked. They block
	// only under `strict = true`.
	Errors []string
	// Notes are things to say even when all is well (e.g. the bound on
	// the commits scanned before a push was hit).
	Notes []string
	// Commits is the number of commits a pre-push run scanned.
	Commits int
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
}

// Blocked reports whether the hook must fail: blocking findings, or an
// internal error under strict mode.
func (r *Result) Blocked() bool {
	if r.Report != nil && r.Report.Summary.Blocking > 0 {
		return true
	}
	return len(r.Errors) > 0 && r.Policy != nil && r.Policy.Strict
}

// ExitCode is the hook's exit code: 1 when blocked, else 0.
func (r *Result) ExitCode() int {
	if r.Blocked() {
		return 1
	}
	return 0
}

// RunPreCommit checks what the commit records: the index (GIT_INDEX_FILE when
// git sets one, as `git commit -a` and `git commit <path>` do), never the
// working tree, and applies .secfirst.toml as staged. dir is any directory
// of the working tree (git runs hooks at its top level). The error is for
// what stops the hook from running at all (not a repository, an unreadable
// .secfirst.toml); a check that fails is in Result.Errors.
func RunPreCommit(ctx context.Context, dir string, opts RunOptions) (*Result, error) {
	start := time.Now()
	src, err := checks.NewRepoSource(ctx, dir, checks.ModeStaged)
	if err != nil {
		return nil, err
	}
	// The hook lists the first findings of a rule in a file and counts
	// the rest (see checks.HookFindingsPerRule).
	src.FindingsPerRule = checks.HookFindingsPerRule
	list := opts.Checks
	if list == nil {
		list = all.Checks(all.Options{DBDir: opts.DBDir, Offline: opts.Offline})
	}
	// The policy as staged: the index is the commit, so an unstaged edit
	// must not suppress a staged secret, and a staged edit counts.
	// ScanStaged reads it while the checks run.
	res := &Result{Hook: PreCommit}
	var ran []checks.Check
	func() {
		defer func() {
			if r := recover(); r != nil {
				res.Errors = append(res.Errors, fmt.Sprintf("internal error: %v", r))
			}
		}()
		res.Report, res.Policy, ran, err = checks.ScanStaged(ctx, src, list, checks.Options{Now: opts.Now})
	}()
	if err != nil {
		return nil, err
	}
	if res.Policy != nil && res.Policy.UnstagedEdit() {
		res.Notes = append(res.Notes, checks.UnstagedPolicyNote)
	}
	record(ctx, res, ran)
	res.Elapsed = time.Since(start)
	return res, nil
}

// scan runs the checks the policy leaves on; a panic anywhere becomes an
// internal error of the result instead of a crash of the hook.
func scan(ctx context.Context, res *Result, src *checks.Source, list []checks.Check, opts RunOptions) {
	defer func() {
		if r := recover(); r != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("internal error: %v", r))
		}
	}()
	list, err := checks.Select(list, nil, res.Policy)
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
		return
	}
	if len(list) > 0 {
		res.Report = checks.Scan(ctx, src, list, res.Policy, checks.Options{Now: opts.Now})
	}
	record(ctx, res, list)
}

// record notes what ran and what failed.
func record(ctx context.Context, res *Result, ran []checks.Check) {
	for _, c := range ran {
		res.Checks = append(res.Checks, c.Name())
	}
	if len(ran) == 0 && len(res.Errors) == 0 {
		res.Report = nil
		res.Notes = append(res.Notes, "every check is switched off in "+checks.PolicyFile)
		return
	}
	if res.Report != nil {
		res.Errors = append(res.Errors, res.Report.Errors...)
	}
	if err := ctx.Err(); err != nil {
		res.Errors = append(res.Errors, "interrupted: "+err.Error())
	}
}

// PushRef is one line git gives the pre-push hook on standard input.
type PushRef struct {
	LocalRef, LocalSHA, RemoteRef, RemoteSHA string
}

// ParsePushRefs reads "<local ref> <local sha> <remote ref> <remote sha>"
// lines. Blank lines are skipped; a malformed line is an error.
func ParsePushRefs(r io.Reader) ([]PushRef, error) {
	var refs []PushRef
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			return nil, fmt.Errorf("unexpected pre-push input line %q (want: <local ref> <local sha> <remote ref> <remote sha>)", line)
		}
		refs = append(refs, PushRef{LocalRef: f[0], LocalSHA: f[1], RemoteRef: f[2], RemoteSHA: f[3]})
	}
	return refs, sc.Err()
}

func isZeroID(id string) bool { return strings.Trim(id, "0") == "" }

// isObjectID reports whether id is a full SHA-1 or SHA-256 object id.
func isObjectID(id string) bool {
	if len(id) != 40 && len(id) != 64 {
		return false
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// RunPrePush checks the commits being pushed: for each ref git is about to
// update, the commits between what the remote has and what is pushed
// (remote..local); for a branch the remote does not have, the commits no
// remote-tracking ref has (local --not --remotes), at most MaxPushCommits.
// Deletions push nothing and are skipped. When the pre-commit framework
// exports its range (PRE_COMMIT_FROM_REF, PRE_COMMIT_TO_REF), that range is
// used and stdin is not read.
func RunPrePush(ctx context.Context, dir string, stdin io.Reader, opts RunOptions) (*Result, error) {
	start := time.Now()
	root, err := checks.RepoRoot(ctx, dir)
	if err != nil {
		return nil, err
	}
	// Under the pre-commit framework the range comes from its environment
	// and stdin is not git's ref list (it may be a terminal that never
	// ends): the environment is asked first and stdin is then left unread.
	var refs []PushRef
	if to := os.Getenv("PRE_COMMIT_TO_REF"); to != "" {
		refs = []PushRef{{LocalSHA: to, RemoteSHA: os.Getenv("PRE_COMMIT_FROM_REF")}}
	} else if refs, err = ParsePushRefs(stdin); err != nil {
		return nil, err
	}
	pol, err := checks.LoadPolicy(root)
	if err != nil {
		return nil, err
	}
	res := &Result{Hook: PrePush, Policy: pol}
	revs, n, bounded, err := pushRevs(ctx, root, refs)
	if err != nil {
		return nil, err
	}
	res.Commits = n
	if bounded {
		res.Notes = append(res.Notes, fmt.Sprintf("the push has more than %d commits no remote has yet: only the newest %d were checked (run `secfirst scan --history` for all of them)", MaxPushCommits, MaxPushCommits))
	}
	if n > 0 {
		list := opts.Checks
		if list == nil {
			list = []checks.Check{secrets.New()}
		}
		src := &checks.Source{Mode: checks.ModeHistory, Root: root, InRepo: true, Revs: revs}
		scan(ctx, res, src, list, opts)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// pushRevs turns the refs being pushed into the revisions to scan (git
// rev-list syntax), and counts the commits they name, bounded.
func pushRevs(ctx context.Context, root string, refs []PushRef) (revs []string, n int, bounded bool, err error) {
	var include, exclude []string
	newBranch := false
	for _, r := range refs {
		// The ids go to git rev-list as revisions: one that is not an
		// object id (say "--output=x" in a hand-made PRE_COMMIT_TO_REF)
		// would be read as an option.
		for _, id := range []string{r.LocalSHA, r.RemoteSHA} {
			if id != "" && !isObjectID(id) {
				return nil, 0, false, fmt.Errorf("pre-push: %q is not a commit id", id)
			}
		}
		if r.LocalSHA == "" || isZeroID(r.LocalSHA) {
			continue // a deletion pushes no commit
		}
		include = append(include, r.LocalSHA)
		switch {
		case r.RemoteSHA == "" || isZeroID(r.RemoteSHA):
			newBranch = true
		case hasCommit(ctx, root, r.RemoteSHA):
			exclude = append(exclude, r.RemoteSHA)
		default:
			// The remote has a commit this clone never fetched (a force
			// push over someone's work): compare with what remotes have.
			newBranch = true
		}
	}
	if len(include) == 0 {
		return nil, 0, false, nil
	}
	tail := append([]string{"--not"}, exclude...)
	if newBranch {
		tail = append(tail, "--remotes")
	}
	args := append([]string{"rev-list", fmt.Sprintf("--max-count=%d", MaxPushCommits+1)}, include...)
	args = append(args, tail...)
	out, err := checks.Git(ctx, root, nil, args...)
	if err != nil {
		return nil, 0, false, err
	}
	ids := strings.Fields(string(out))
	revs = append([]string{}, include...)
	if len(ids) > MaxPushCommits {
		// Stop at the 1,001st newest commit: it and its ancestors are left
		// out, so at most the newest 1,000 (on a linear history) remain.
		revs = append(revs, "^"+ids[MaxPushCommits])
		ids, bounded = ids[:MaxPushCommits], true
	}
	revs = append(revs, tail...)
	return revs, len(ids), bounded, nil
}

func hasCommit(ctx context.Context, root, id string) bool {
	_, err := checks.Git(ctx, root, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", id+"^{commit}")
	return err == nil
}

// ErrNotARepository is checks.ErrNotARepository, for callers of this package.
var ErrNotARepository = checks.ErrNotARepository

// IsNotARepository reports whether err means dir is outside any repository.
func IsNotARepository(err error) bool { return errors.Is(err, checks.ErrNotARepository) }
