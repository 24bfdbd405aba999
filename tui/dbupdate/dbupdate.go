// Package dbupdate downloads the vulnerability data the repository needs
// (`secfirst db update` for the ecosystems of its lockfiles) in the
// background, with a progress bar; Esc cancels it. The dashboard embeds it.
package dbupdate

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/deps"
	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/tui/common"
)

// progressMsg and doneMsg arrive from the download, one at a time, each
// with the channel to read the next from.
type progressMsg struct {
	p  deps.Progress
	ch chan tea.Msg
}

// DoneMsg ends an update.
type DoneMsg struct {
	Ecosystems []string
	Advisories int
	Err        error
	Canceled   bool
	// None is true when the repository has no lockfile: nothing to get.
	None bool
	ch   chan tea.Msg
}

// Model is an update that may be running.
type Model struct {
	c       *common.Common
	bar     progress.Model
	cancel  context.CancelFunc
	running bool
	current deps.Progress
	done    *DoneMsg
}

// New returns an idle updater.
func New(c *common.Common) *Model {
	opts := []progress.Option{progress.WithoutPercentage(), progress.WithWidth(20), progress.WithFillCharacters('█', '░')}
	if c.Color {
		opts = append(opts, progress.WithSolidFill("#8B7CF6"))
	} else {
		opts = append(opts, progress.WithColorProfile(termenv.Ascii))
	}
	return &Model{c: c, bar: progress.New(opts...)}
}

// Running reports whether an update is under way.
func (m *Model) Running() bool { return m.running }

// Cancel stops a running update.
func (m *Model) Cancel() {
	if m.cancel != nil {
		m.cancel()
	}
}

// Start downloads the data for the ecosystems of the repository's lockfiles.
func (m *Model) Start() tea.Cmd {
	if m.running {
		return nil
	}
	ctx, cancel := context.WithCancel(m.c.Context())
	m.cancel, m.running, m.done, m.current = cancel, true, nil, deps.Progress{}
	ch := make(chan tea.Msg, 32)
	root, dbDir, base := m.c.Repo.Root, m.c.DBDir, m.c.DBBaseURL
	go func() {
		defer close(ch)
		defer cancel()
		src := &checks.Source{Mode: checks.ModeWorktree, Root: root, InRepo: true}
		ecos, err := deps.Ecosystems(ctx, src)
		if err != nil || len(ecos) == 0 {
			ch <- &DoneMsg{Err: err, None: err == nil, ch: ch}
			return
		}
		advisories := 0
		err = deps.Update(ctx, deps.UpdateOptions{DBDir: dbDir, Ecosystems: ecos, BaseURL: base, Progress: func(p deps.Progress) {
			if p.Finished {
				advisories += p.Advisories
			}
			select { // progress may be dropped; the end never is
			case ch <- progressMsg{p: p, ch: ch}:
			default:
			}
		}})
		ch <- &DoneMsg{Ecosystems: ecos, Advisories: advisories, Err: err, Canceled: ctx.Err() != nil, ch: ch}
	}()
	return next(ch)
}

func next(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// Update follows the download.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case progressMsg:
		m.current = msg.p
		return next(msg.ch)
	case *DoneMsg:
		m.running, m.done, m.cancel = false, msg, nil
		return common.Refresh
	}
	return nil
}

// View is one line: the progress, or how the last update ended.
func (m *Model) View() string {
	s := m.c.Styles
	if m.running {
		p := m.current
		if p.Ecosystem == "" {
			return s.Muted.Render("finding the lockfiles' ecosystems… (esc cancels)")
		}
		pct := 0.0
		if p.Total > 0 {
			pct = float64(p.Done) / float64(p.Total)
		}
		return fmt.Sprintf("%s %s %s", p.Ecosystem, m.bar.ViewAs(pct), s.Muted.Render(fmt.Sprintf("%.1f MB (esc cancels)", float64(p.Done)/1e6)))
	}
	d := m.done
	switch {
	case d == nil:
		return s.Muted.Render("press u to download it for this repository's lockfiles")
	case d.Canceled:
		return s.Warn.Render("download cancelled (u resumes it)")
	case d.None:
		return s.Muted.Render("no lockfile here: no vulnerability data to download")
	case d.Err != nil:
		return s.Err.Render("download failed: " + termtext.Line(d.Err.Error()))
	}
	return s.OK.Render(fmt.Sprintf("✓ updated %s (%d advisories)", strings.Join(d.Ecosystems, ", "), d.Advisories))
}
