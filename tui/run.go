package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/tui/common"
	"github.com/secfirst-dev/secfirst/tui/state"
	"github.com/secfirst-dev/secfirst/tui/theme"
)

// Options configure a TUI session.
type Options struct {
	In  io.Reader
	Out io.Writer
	// Dir is any directory inside the repository.
	Dir string
	// Renderer draws the styles; Color says whether it may use colour
	// (false under NO_COLOR or without a terminal).
	Renderer *lipgloss.Renderer
	Color    bool
	// DBDir and Offline configure the dependency check of scans.
	DBDir   string
	Offline bool
	// Checks replaces the checks scans run, EvidenceChecks those of the
	// checklist's evidence (tests).
	Checks, EvidenceChecks func() []checks.Check
	// Store replaces the user's state directory (tests).
	Store *state.Store
	// Now replaces the clock (tests).
	Now func() time.Time
	// HookBinary is the secfirst the hook calls ("" means this program).
	HookBinary string
}

// ErrNotARepository is returned when Dir is not inside a git working tree.
var ErrNotARepository = checks.ErrNotARepository

// NewCommon builds the shared context for the repository containing o.Dir.
func NewCommon(ctx context.Context, o Options) (*common.Common, error) {
	root, err := checks.RepoRoot(ctx, o.Dir)
	if err != nil {
		return nil, err
	}
	r := o.Renderer
	if r == nil {
		r = lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.Ascii)
	}
	if !o.Color {
		r.SetColorProfile(termenv.Ascii)
	}
	store := o.Store
	if store == nil {
		if s, err := state.Open(); err == nil {
			store = s
		}
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	list := o.Checks
	if list == nil {
		dbDir, offline := o.DBDir, o.Offline
		list = func() []checks.Check { return all.Checks(all.Options{DBDir: dbDir, Offline: offline}) }
	}
	home, _ := os.UserHomeDir()
	c := &common.Common{
		Renderer:       r,
		Styles:         theme.NewStyles(r, theme.Default()),
		Color:          o.Color,
		Keys:           common.NewGlobalKeys(),
		Repo:           common.RepoFromRoot(root, home),
		State:          store,
		Now:            now,
		Ctx:            ctx,
		Checks:         list,
		EvidenceChecks: o.EvidenceChecks,
		HookBinary:     o.HookBinary,
	}
	if o.Color {
		c.Light = !r.HasDarkBackground()
	}
	return c, nil
}

// Run runs the TUI on a screen until the person quits. standalone makes
// leaving that screen end the program (`secfirst onboard`, `secfirst
// checklist review`); otherwise Esc leads back to the dashboard.
func Run(ctx context.Context, o Options, start common.Screen, standalone bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops background scans when the program ends
	c, err := NewCommon(ctx, o)
	if err != nil {
		return err
	}
	if !o.Color {
		// bubbles' own parts (the text input's cursor) draw with the
		// default renderer: no colour there either.
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithAltScreen()}
	if o.In != nil {
		opts = append(opts, tea.WithInput(o.In))
	}
	if o.Out != nil {
		opts = append(opts, tea.WithOutput(o.Out))
	}
	p := tea.NewProgram(New(c, start, standalone), opts...)
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // interrupted: nothing more to say
	}
	if err != nil {
		return fmt.Errorf("terminal interface: %w", err)
	}
	return nil
}

// RunDashboard is `secfirst` on a terminal.
func RunDashboard(ctx context.Context, o Options) error {
	return Run(ctx, o, common.ScreenDashboard, false)
}

// RunOnboarding is `secfirst onboard`.
func RunOnboarding(ctx context.Context, o Options) error {
	return Run(ctx, o, common.ScreenOnboarding, true)
}

// RunChecklistReview is `secfirst checklist review`.
func RunChecklistReview(ctx context.Context, o Options) error {
	return Run(ctx, o, common.ScreenChecklist, true)
}
