package checklistcmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
)

// SetOptions are the options of `secfirst checklist set`.
type SetOptions struct {
	*Options
	ID     string
	Status string
	// Note and Owner are nil when the flag was not given (kept as is);
	// an empty string removes them.
	Note  *string
	Owner *string
}

func newSetCmd(parent *Options) *cobra.Command {
	opts := &SetOptions{Options: parent}
	var note, owner string
	cmd := &cobra.Command{
		Use:   "set ID --status S [--note N]",
		Short: "Record a review of one item: status, note, reviewer and date",
		Long: `Record a review of one item. The status is pass, fail, todo, n/a or
accepted-risk; the reviewer is git's user.name and user.email, the date today.
Only the item's status, note, owner and review keys change: everything else
in the file, comments included, is kept.

Automatic items are verified by secfirst: their status cannot be set against
the evidence. Setting the status secfirst finds records the review; n/a or
accepted-risk (with a note) overrides it.`,
		Example: `  secfirst checklist set mfa-enforced --status pass --note "Okta policy, all users"
  secfirst checklist set waf --status accepted-risk --note "internal tool, no public endpoint"
  secfirst checklist set security-policy --status pass`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if cmd.Flags().Changed("note") {
				opts.Note = &note
			}
			if cmd.Flags().Changed("owner") {
				opts.Owner = &owner
			}
			return RunSet(ctxOf(cmd), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Status, "status", "", "pass, fail, todo, n/a or accepted-risk (required)")
	cmd.Flags().StringVar(&note, "note", "", "a note on the item (\"\" removes it)")
	cmd.Flags().StringVar(&owner, "owner", "", "who owns the practice (\"\" removes it)")
	_ = cmd.MarkFlagRequired("status")
	return cmd
}

// RunSet records the review and writes the file atomically.
func RunSet(ctx context.Context, opts *SetOptions) error {
	status, err := checklist.ParseStatus(opts.Status)
	if err != nil {
		return cmdutil.Failf("%v", err)
	}
	repo, err := opts.openRepo(ctx)
	if err != nil {
		return err
	}
	f, err := load(repo)
	if err != nil {
		return err
	}
	it, ok := f.Item(opts.ID)
	if !ok {
		return unknownItem(f, opts.ID)
	}
	by, err := reviewer(ctx, repo.Root)
	if err != nil {
		return err
	}
	var computed checklist.Evidence
	if (it.Kind == checklist.Auto || checklist.Verifiable(it.ID, opts.Eval.Providers)) && !status.IsOverride() {
		// Only this item's evidence, and only when the status must agree
		// with it (n/a and accepted-risk override whatever secfirst finds):
		// set must not scan what it does not need. A manual item the
		// repository can verify (from its Kubernetes manifests or
		// Terraform) is automatic while it holds them.
		computed = checklist.Evaluate(ctx, repo, []checklist.Item{it}, checklist.EvalOptions{Providers: opts.Eval.Providers})[it.ID]
		if ctx.Err() != nil {
			return cmdutil.Failf("interrupted")
		}
		opts.warn(repo)
	}
	auto := it.Kind == checklist.Auto || (computed.Status != "" && !computed.Manual)
	if it.Kind == checklist.Manual && !auto {
		computed = checklist.Evidence{}
	}
	r := checklist.Review{Status: status, Note: opts.Note, Owner: opts.Owner, ReviewedBy: by, ReviewedAt: opts.now()}
	// The review is applied to the file as it is once this writer holds
	// the lock: another `set` that finished meanwhile is kept.
	f, err = checklist.Update(ctx, repo.Root, func(f *checklist.File) error {
		now, ok := f.Item(it.ID)
		if !ok || now.Kind != it.Kind {
			return fmt.Errorf("%s changed while secfirst was working (item %s); nothing was written, run the command again", checklist.RelPath, it.ID)
		}
		return f.Apply(it.ID, r, computed.Status)
	})
	if err != nil {
		var ae *checklist.AutoStatusError
		if errors.As(err, &ae) {
			return cmdutil.Failf("%v (secfirst found: %s)", err, computed.Text)
		}
		return fileError(repo.Root, err)
	}
	after, _ := f.Item(it.ID)
	shown := string(status)
	if auto && !after.Status.IsOverride() {
		shown = string(computed.Status) + " (verified by secfirst)"
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s %s: %s, reviewed by %s on %s\n", marks[status], it.ID, shown, oneLine(by), after.ReviewedAt.Format(checklist.DateLayout))
	return nil
}
