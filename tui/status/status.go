// Package status gathers what the dashboard and the plain `secfirst`
// summary show about a repository: the hook, the last scan, the checklist
// and the onboarding progress. Each part is read independently, and a part
// that cannot be read says why instead of looking clean.
package status

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/tui/state"
)

// Hook is the pre-commit hook's state.
type Hook struct {
	Installed bool
	Chained   bool
	Manager   string
	// Path is the hook file relative to the repository when inside it.
	Path    string
	Problem string
	Err     error
}

// Area counts the checklist items of one area by status.
type Area struct {
	ID, Title string
	checklist.Summary
}

// Done is the number of items settled: pass, n/a or accepted risk.
func (a Area) Done() int { return a.Pass + a.NA + a.AcceptedRisk }

// Checklist is the checklist's progress.
type Checklist struct {
	// Present is false when the repository has no checklist yet.
	Present bool
	Err     error
	Areas   []Area
	Total   Area
}

// Onboarding is the user's progress in `secfirst onboard`.
type Onboarding struct {
	Done, Total int
	Finished    bool
	Err         error
}

// Status is everything the dashboard shows.
type Status struct {
	Hook       Hook
	Scan       *state.ScanSummary
	ScanErr    error
	Checklist  Checklist
	Onboarding Onboarding
}

// Options tune Gather.
type Options struct {
	// Store is the user's state (nil: no last scan, no onboarding).
	Store *state.Store
	// Now is the clock for staleness.
	Now time.Time
	// Checks are the checks the checklist's evidence runs (nil: every
	// check, offline).
	Checks []checks.Check
}

// Gather reads the repository at root. It never fails as a whole: each
// part carries its own error.
func Gather(ctx context.Context, root string, o Options) Status {
	var st Status
	st.Hook = GatherHook(ctx, root)
	if o.Store != nil {
		st.Scan, st.ScanErr = o.Store.LastScan(root)
		prog, err := o.Store.Onboarding()
		st.Onboarding = Onboarding{Total: len(state.OnboardingSteps), Finished: prog.Finished, Err: err}
		for _, s := range state.OnboardingSteps {
			if prog.IsDone(s) {
				st.Onboarding.Done++
			}
		}
	}
	st.Checklist = GatherChecklist(ctx, root, o.Checks, o.Now)
	return st
}

// GatherHook reads the pre-commit hook's status.
func GatherHook(ctx context.Context, root string) Hook {
	rep, err := hooks.Status(ctx, root)
	if err != nil {
		return Hook{Err: err}
	}
	h := rep.Hook(hooks.PreCommit)
	out := Hook{Installed: h.Installed, Chained: h.Chained, Manager: string(h.Manager), Path: h.Path, Problem: h.Problem}
	if rep.Layout != nil && h.Path != "" {
		out.Path = rep.Layout.Rel(h.Path)
	}
	return out
}

// GatherChecklist loads the checklist and counts its items by area and
// effective status. Automatic items are evaluated, except the slow ones
// (history), whose cached evidence is used.
func GatherChecklist(ctx context.Context, root string, list []checks.Check, now time.Time) Checklist {
	repo, err := checklist.OpenRepo(ctx, root, checklist.RepoOptions{Checks: list})
	if err != nil {
		return Checklist{Err: err}
	}
	f, err := checklist.Load(checklist.Path(root))
	if errors.Is(err, checklist.ErrNoChecklist) {
		return Checklist{}
	}
	if err != nil {
		return Checklist{Err: err}
	}
	ev := checklist.Evaluate(ctx, repo, f.Items, checklist.EvalOptions{SkipSlow: true})
	staleAfter := checks.DefaultStaleAfterDays
	if repo.Policy != nil && repo.Policy.StaleAfterDays > 0 {
		staleAfter = repo.Policy.StaleAfterDays
	}
	return Count(checklist.Assess(f, ev, staleAfter, now))
}

// Count groups a checklist report by area.
func Count(rep *checklist.Report) Checklist {
	c := Checklist{Present: true, Total: Area{Title: "All", Summary: rep.Summary}}
	for _, g := range rep.Groups() {
		a := Area{ID: g.Category, Title: g.Title}
		for _, e := range g.Items {
			switch e.Status {
			case checklist.Pass:
				a.Pass++
			case checklist.Fail:
				a.Fail++
			case checklist.Todo:
				a.Todo++
			case checklist.NA:
				a.NA++
			case checklist.AcceptedRisk:
				a.AcceptedRisk++
			}
			if e.Stale {
				a.Stale++
			}
		}
		c.Areas = append(c.Areas, a)
	}
	return c
}

// HookLine describes the hook in one line.
func (h Hook) Line() string {
	switch {
	case h.Err != nil:
		return "unknown: " + h.Err.Error()
	case h.Installed && h.Manager != "":
		return fmt.Sprintf("pre-commit runs secfirst through %s (%s)", h.Manager, h.Path)
	case h.Installed && h.Chained:
		return fmt.Sprintf("pre-commit installed, chained with the previous hook (%s)", h.Path)
	case h.Installed:
		return fmt.Sprintf("pre-commit installed (%s)", h.Path)
	}
	return "pre-commit not installed"
}

// ScanLine describes the last scan in one line, without its date.
func ScanLine(s *state.ScanSummary) string {
	if s == nil {
		return "never"
	}
	t := s.Total
	if t.Total() == 0 {
		line := fmt.Sprintf("%s: no findings", s.Mode)
		if s.Failed > 0 {
			line += fmt.Sprintf(", but %d check(s) could not run", s.Failed)
		}
		return line
	}
	var parts []string
	for _, sev := range checks.Severities {
		if n := t.Count(sev); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	line := fmt.Sprintf("%s: %s (%s), %d blocking", s.Mode, plural(t.Total(), "finding", "findings"), strings.Join(parts, ", "), t.Blocking)
	if s.Failed > 0 {
		line += fmt.Sprintf("; %d check(s) could not run", s.Failed)
	}
	return line
}

// ChecklistLine describes the checklist in one line.
func (c Checklist) Line() string {
	switch {
	case c.Err != nil:
		return "cannot be read: " + c.Err.Error()
	case !c.Present:
		return "none yet"
	}
	t := c.Total
	line := fmt.Sprintf("%d/%d done: %d pass, %d fail, %d todo, %d n/a, %d accepted-risk",
		t.Done(), t.Total(), t.Pass, t.Fail, t.Todo, t.NA, t.AcceptedRisk)
	if t.Stale > 0 {
		line += fmt.Sprintf(", %d stale", t.Stale)
	}
	return line
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// RepoName names a repository after its folder and gives its path as shown
// to a person, with ~ for the home directory; both are the repository's
// data, made safe for the terminal.
func RepoName(root, home string) (name, display string) {
	display = root
	if home != "" {
		if rel, err := filepath.Rel(home, root); err == nil && rel != ".." && !filepath.IsAbs(rel) && len(rel) > 0 && rel[0] != '.' {
			display = filepath.Join("~", rel)
		} else if rel == "." {
			display = "~"
		}
	}
	return termtext.Line(filepath.Base(root)), termtext.Line(display)
}

// WriteSummary writes the plain summary of the repository containing dir:
// what `secfirst` prints without a terminal.
func WriteSummary(ctx context.Context, w io.Writer, dir string, o Options) error {
	root, err := checks.RepoRoot(ctx, dir)
	if err != nil {
		return err
	}
	home, _ := os.UserHomeDir()
	name, display := RepoName(root, home)
	return WritePlain(w, name, display, Gather(ctx, root, o))
}

// WritePlain writes the summary `secfirst` prints without a terminal:
// plain lines, no colour, each with what to run next when something is
// missing.
func WritePlain(w io.Writer, name, display string, st Status) error {
	var b strings.Builder
	// Every line may quote the repository (paths, a hook manager's
	// config, a checklist that does not parse): safe for the terminal.
	line := func(label, text string) { fmt.Fprintf(&b, "%-12s%s\n", label, termtext.Line(text)) }
	fmt.Fprintf(&b, "secfirst: %s (%s)\n", termtext.Line(name), termtext.Line(display))
	line("hook:", st.Hook.Line())
	if st.Hook.Problem != "" {
		line("", "warning: "+st.Hook.Problem)
	}
	if st.Hook.Err == nil && !st.Hook.Installed {
		line("", "run: secfirst hooks install")
	}
	switch {
	case st.ScanErr != nil:
		line("last scan:", fmt.Sprintf("unknown: %v", st.ScanErr))
	case st.Scan == nil:
		line("last scan:", "never (run: secfirst scan)")
	default:
		line("last scan:", fmt.Sprintf("%s, %s", st.Scan.At.Local().Format("2006-01-02 15:04"), ScanLine(st.Scan)))
	}
	line("checklist:", st.Checklist.Line())
	if st.Checklist.Err == nil && !st.Checklist.Present {
		line("", "run: secfirst checklist init")
	}
	switch {
	case st.Onboarding.Err != nil:
		line("onboarding:", fmt.Sprintf("unknown: %v", st.Onboarding.Err))
	case st.Onboarding.Finished:
		line("onboarding:", "done")
	case st.Onboarding.Total > 0:
		line("onboarding:", fmt.Sprintf("%d/%d steps (run: secfirst onboard)", st.Onboarding.Done, st.Onboarding.Total))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
