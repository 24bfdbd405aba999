package checklistcmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/tuilaunch"
)

// ReviewOptions are the options of `secfirst checklist review`.
type ReviewOptions struct {
	*Options
	// Stdin reads the answers from standard input even when it is not a
	// terminal: a deliberate choice for scripts and tests, so that a
	// command run by accident in CI does not consume its input.
	Stdin bool
	// All asks about every item, not only the stale and unreviewed ones.
	All bool
	// Plain asks in plain prompts even on a terminal, instead of opening
	// the TUI's checklist screen.
	Plain bool
}

func newReviewCmd(parent *Options) *cobra.Command {
	opts := &ReviewOptions{Options: parent}
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Walk the stale and unreviewed items, refresh the evidence and record each review",
		Long: `Walk the items whose review is stale or that nobody has reviewed yet, with
the evidence secfirst finds now. For each, choose a status (Enter keeps the
current one) and a note; the reviewer is git's user.name and user.email, the
date today. Each answer is written at once, atomically, so stopping half way
keeps what was reviewed.

On a terminal, review opens the checklist screen of the terminal interface
(--plain asks in plain prompts instead). Review is interactive: with standard
input that is not a terminal it stops with an error, unless --stdin says the
answers are piped on purpose (plain prompts, one answer per line: the status
letter, then the note).`,
		Example: `  secfirst checklist review
  secfirst checklist review --all
  printf 'p\nOkta policy\ns\n' | secfirst checklist review --stdin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return RunReview(ctxOf(cmd), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Stdin, "stdin", false, "read answers from standard input even when it is not a terminal")
	cmd.Flags().BoolVar(&opts.All, "all", false, "review every item, not only the stale and unreviewed ones")
	cmd.Flags().BoolVar(&opts.Plain, "plain", false, "ask in plain prompts even on a terminal")
	return cmd
}

// runTUI opens the terminal interface (secfirst-tui) on its checklist
// screen. The file has been read first, so a broken one is refused with its
// line (exit 2) before any screen opens.
func runTUI(opts *ReviewOptions, root string) error {
	// No --db: checklist commands take none, and both programs find the
	// database the same way ($SECFIRST_OSV_DB or the user cache).
	return tuilaunch.Launch(opts.IO, []string{"review", "--dir", root})
}

// errQuit ends the review at the person's request; errEOF at the end of input.
var (
	errQuit = errors.New("quit")
	errEOF  = errors.New("end of input")
)

// RunReview reviews the items: on a terminal in the TUI's checklist screen,
// otherwise (or with --plain or --stdin) in plain prompts.
func RunReview(ctx context.Context, opts *ReviewOptions) error {
	if !opts.Stdin && !opts.IO.IsStdinTTY() {
		return cmdutil.Failf("checklist review asks questions and standard input is not a terminal: run it in a terminal, or pass --stdin to answer from standard input (use `secfirst checklist set` in scripts)")
	}
	repo, err := opts.openRepo(ctx)
	if err != nil {
		return err
	}
	f, err := load(repo)
	if err != nil {
		return err
	}
	if opts.IO.Interactive() && !opts.Stdin && !opts.Plain {
		// On a terminal, the review is the TUI's checklist screen.
		return runTUI(opts, repo.Root)
	}
	by, err := reviewer(ctx, repo.Root)
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.IO.ErrOut, "Checking the repository for the automatic items...")
	rep, err := opts.assess(ctx, repo, f)
	if err != nil {
		return err
	}
	var queue []checklist.Entry
	for _, g := range rep.Groups() {
		for _, e := range g.Items {
			if opts.All || e.NeedsReview() {
				queue = append(queue, e)
			}
		}
	}
	out := opts.IO.Out
	if len(queue) == 0 {
		fmt.Fprintf(out, "Nothing to review: every item was reviewed in the last %d days (--all reviews them anyway).\n", rep.StaleAfterDays)
		return nil
	}
	fmt.Fprintf(out, "%s to review as %s. Enter keeps the current status; s skips, q quits.\n", plural(len(queue), "item", "items"), oneLine(by))
	in := bufio.NewReader(opts.IO.In)
	reviewed, skipped := 0, 0
	for i, e := range queue {
		if ctx.Err() != nil {
			return cmdutil.Failf("interrupted after %d reviewed", reviewed)
		}
		fmt.Fprintf(out, "\n[%d/%d] %s · %s (%s)\n  %s\n", i+1, len(queue), oneLine(checklist.AreaTitle(e.Category)), oneLine(e.ID), e.Kind, oneLine(e.Title))
		describe(out, e)
		r, err := ask(in, out, e)
		switch {
		case errors.Is(err, errQuit):
			fmt.Fprintf(out, "\nStopped: %d reviewed, %d skipped, %d left.\n", reviewed, skipped, len(queue)-i)
			return nil
		case errors.Is(err, errEOF):
			fmt.Fprintf(out, "\nEnd of input: %d reviewed, %d skipped, %d left.\n", reviewed, skipped, len(queue)-i)
			return nil
		case err != nil:
			return cmdutil.Failf("%v", err)
		case r == nil:
			skipped++
			continue
		}
		r.ReviewedBy, r.ReviewedAt = by, opts.now()
		// Each answer is applied to the file as it is now, under the
		// writers' lock, so a `set` run during the review is kept.
		if _, err := checklist.Update(ctx, repo.Root, func(f *checklist.File) error {
			if _, ok := f.Item(e.ID); !ok {
				return fmt.Errorf("item %s is no longer in %s; nothing was written for it", e.ID, checklist.RelPath)
			}
			return f.Apply(e.ID, *r, e.Computed)
		}); err != nil {
			return fileError(repo.Root, err)
		}
		reviewed++
		fmt.Fprintf(out, "  %s recorded: %s\n", marks[r.Status], r.Status)
	}
	fmt.Fprintf(out, "\nDone: %d reviewed, %d skipped. Commit %s to share the review.\n", reviewed, skipped, checklist.RelPath)
	return nil
}

func describe(w io.Writer, e checklist.Entry) {
	if e.Kind == checklist.Auto {
		fmt.Fprintf(w, "  secfirst finds: %s — %s\n", e.Computed, oneLine(e.Evidence))
		if e.Fresh != "" {
			fmt.Fprintf(w, "  (%s)\n", oneLine(e.Fresh))
		}
		if e.Overridden {
			fmt.Fprintf(w, "  recorded override: %s\n", e.Status)
		}
	} else {
		fmt.Fprintf(w, "  now: %s\n", e.Status)
		if e.Evidence != "" {
			fmt.Fprintf(w, "  evidence: %s\n", oneLine(e.Evidence))
		}
	}
	if e.Note != "" {
		fmt.Fprintf(w, "  note: %s\n", oneLine(e.Note))
	}
	switch {
	case e.Stale:
		fmt.Fprintf(w, "  last reviewed %s by %s: %d days ago, stale\n", e.ReviewedAt, oneLine(e.ReviewedBy), e.AgeDays)
	case e.Reviewed:
		fmt.Fprintf(w, "  last reviewed %s by %s\n", e.ReviewedAt, oneLine(e.ReviewedBy))
	default:
		fmt.Fprintln(w, "  not reviewed yet")
	}
	if e.Lesson != "" {
		fmt.Fprintf(w, "  learn: secfirst learn %s\n", oneLine(e.Lesson))
	}
}

// readLine reads one answer; errEOF when the input has ended.
func readLine(in *bufio.Reader) (string, error) {
	line, err := in.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) {
			return "", errEOF
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}

var statusKeys = map[string]checklist.Status{
	"p": checklist.Pass, "pass": checklist.Pass,
	"f": checklist.Fail, "fail": checklist.Fail,
	"t": checklist.Todo, "todo": checklist.Todo,
	"n": checklist.NA, "n/a": checklist.NA, "na": checklist.NA,
	"a": checklist.AcceptedRisk, "accepted-risk": checklist.AcceptedRisk,
}

// ask prompts for one item's status and note. A nil review is a skip.
func ask(in *bufio.Reader, out io.Writer, e checklist.Entry) (*checklist.Review, error) {
	var status checklist.Status
	for attempts := 0; status == ""; attempts++ {
		if attempts >= 5 {
			fmt.Fprintln(out, "  skipped after 5 unclear answers")
			return nil, nil
		}
		if e.Kind == checklist.Auto {
			fmt.Fprintf(out, "Status? Enter keeps %s, c confirms what secfirst finds (%s), [n]/a, [a]ccepted-risk, [s]kip, [q]uit: ", e.Status, e.Computed)
		} else {
			fmt.Fprintf(out, "Status? [p]ass [f]ail [t]odo [n]/a [a]ccepted-risk, Enter keeps %s, [s]kip, [q]uit: ", e.Status)
		}
		answer, err := readLine(in)
		if err != nil {
			fmt.Fprintln(out)
			return nil, err
		}
		answer = strings.ToLower(answer)
		switch answer {
		case "":
			status = e.Status
			continue
		case "s", "skip":
			fmt.Fprintln(out, "  skipped")
			return nil, nil
		case "q", "quit":
			return nil, errQuit
		case "c", "confirm":
			if e.Kind == checklist.Auto {
				status = e.Computed
				continue
			}
		}
		st, ok := statusKeys[answer]
		switch {
		case !ok:
			fmt.Fprintf(out, "  %q is not an answer here\n", answer)
		case e.Kind == checklist.Auto && !st.IsOverride() && st != e.Computed:
			fmt.Fprintf(out, "  secfirst verifies this item and finds %s: fix the repository, or choose n/a or accepted-risk\n", e.Computed)
		default:
			status = st
		}
	}
	r := &checklist.Review{Status: status}
	current := e.Note
	prompt := "Note (Enter keeps it, - removes it): "
	if current == "" {
		prompt = "Note (Enter for none): "
	}
	for {
		fmt.Fprint(out, prompt)
		answer, err := readLine(in)
		if err != nil {
			fmt.Fprintln(out)
			return nil, err
		}
		note := current
		switch answer {
		case "":
		case "-":
			note = ""
		default:
			note = answer
		}
		if status == checklist.AcceptedRisk && note == "" {
			prompt = "accepted-risk needs a note saying why the risk is accepted: "
			continue
		}
		if note != current {
			r.Note = &note
		}
		return r, nil
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
