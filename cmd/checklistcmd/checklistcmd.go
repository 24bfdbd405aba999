// Package checklistcmd is `secfirst checklist`: the repository's security
// checklist (.secfirst/checklist.yaml) — init, status, set, export, review.
package checklistcmd

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/agext/levenshtein"
	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/internal/termtext"
)

// Options are what every checklist subcommand shares.
type Options struct {
	IO *iostreams.IOStreams
	// Dir is any directory of the repository (default: the working directory).
	Dir string
	// Now is the clock (nil: time.Now), for review dates and staleness.
	Now func() time.Time
	// Repo tunes evidence gathering (cache and database directories, and
	// the checks, which tests may replace).
	Repo checklist.RepoOptions
	// Eval tunes which evidence providers run.
	Eval checklist.EvalOptions
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// NewCmd builds `secfirst checklist` and its subcommands.
func NewCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &Options{IO: ios}
	cmd := &cobra.Command{
		Use:   "checklist <command>",
		Short: "Keep the repository's security checklist: init, status, review, set, export",
		Long: `The security checklist lives in .secfirst/checklist.yaml, committed with the
code and reviewed like code. secfirst verifies the items it can see in the
repository (kind: auto) every time it reads the file; people attest the
others (kind: manual) with a status, a note, their name and the date. A
review older than 90 days (stale_after_days in .secfirst.toml) is stale.`,
		Example: `  secfirst checklist init
  secfirst checklist status
  secfirst checklist set mfa-enforced --status pass --note "Okta policy, all users"
  secfirst checklist review
  secfirst checklist export --format markdown > checklist.md`,
	}
	cmd.AddCommand(
		newInitCmd(opts),
		newStatusCmd(opts),
		newSetCmd(opts),
		newExportCmd(opts),
		newReviewCmd(opts),
	)
	return cmd
}

// root finds the repository; outside one it is a one-line error.
func (o *Options) root(ctx context.Context) (string, error) {
	dir, err := cmdutil.WorkDir(o.Dir)
	if err != nil {
		return "", err
	}
	root, err := checks.RepoRoot(ctx, dir)
	if err != nil {
		return "", cmdutil.Failf("%s is not inside a git repository: the checklist lives at the root of one", dir)
	}
	return root, nil
}

// openRepo opens the repository with its policy.
func (o *Options) openRepo(ctx context.Context) (*checklist.Repo, error) {
	root, err := o.root(ctx)
	if err != nil {
		return nil, err
	}
	repo, err := checklist.OpenRepo(ctx, root, o.Repo)
	if err != nil {
		return nil, cmdutil.Failf("%v", err)
	}
	repo.Now = o.Now
	return repo, nil
}

// load reads the checklist; every problem is a one-line exit 2.
func load(repo *checklist.Repo) (*checklist.File, error) {
	f, err := checklist.Load(checklist.Path(repo.Root))
	if err != nil {
		return nil, fileError(repo.Root, err)
	}
	return f, nil
}

func fileError(root string, err error) error {
	if errors.Is(err, checklist.ErrNoChecklist) {
		return cmdutil.Failf("no checklist in %s (%s): run `secfirst checklist init`", root, checklist.RelPath)
	}
	return cmdutil.Failf("%v", err)
}

// staleAfter is the policy's review period.
func staleAfter(repo *checklist.Repo) int {
	if repo.Policy != nil && repo.Policy.StaleAfterDays > 0 {
		return repo.Policy.StaleAfterDays
	}
	return checks.DefaultStaleAfterDays
}

// assess computes fresh evidence and the report.
func (o *Options) assess(ctx context.Context, repo *checklist.Repo, f *checklist.File) (*checklist.Report, error) {
	ev := checklist.Evaluate(ctx, repo, f.Items, o.Eval)
	if ctx.Err() != nil {
		return nil, cmdutil.Failf("interrupted")
	}
	o.warn(repo)
	return checklist.Assess(f, ev, staleAfter(repo), o.now()), nil
}

// warn prints the evidence's warnings (files it did not read, and why) on
// standard error, one line each: nothing is skipped silently.
func (o *Options) warn(repo *checklist.Repo) {
	for _, w := range repo.Warnings() {
		fmt.Fprintf(o.IO.ErrOut, "warning: %s\n", termtext.Line(w))
	}
}

// reviewer is checklist.Reviewer; without a name a review cannot be
// attributed: exit 2.
func reviewer(ctx context.Context, root string) (string, error) {
	who, err := checklist.Reviewer(ctx, root)
	if err != nil {
		return "", cmdutil.Failf("%v", err)
	}
	return who, nil
}

// unknownItem is the error for an id that is not in the file, with the
// closest ids.
func unknownItem(f *checklist.File, id string) error {
	type cand struct {
		id   string
		dist int
	}
	var cands []cand
	for _, known := range f.IDs() {
		d := levenshtein.Distance(id, known, nil)
		if strings.Contains(known, id) || strings.Contains(id, known) {
			d = 0
		}
		if d <= max(1, len(id)/4) {
			cands = append(cands, cand{known, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].dist < cands[j].dist })
	if len(cands) > 3 {
		cands = cands[:3]
	}
	if len(cands) == 0 {
		return cmdutil.Failf("no item %q in %s (`secfirst checklist status` lists the ids)", id, checklist.RelPath)
	}
	var names []string
	for _, c := range cands {
		names = append(names, c.id)
	}
	return cmdutil.Failf("no item %q in %s; did you mean %s?", id, checklist.RelPath, strings.Join(names, ", "))
}

// relPath shows a path relative to the repository root.
func relPath(root, p string) string {
	if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}

func ctxOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
