// Package hookplan is the hooks screen: the status of secfirst's hooks and,
// before anything is installed or removed, the plan of exactly what will be
// written, moved or chained. Nothing changes until the person confirms.
package hookplan

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/tui/common"
)

// KeyMap are the hooks screen's keys.
type KeyMap struct {
	Install, InstallPush, Uninstall, Apply, Cancel key.Binding
}

// DefaultKeyMap returns the hooks screen's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Install:     key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "install pre-commit")),
		InstallPush: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "install pre-push")),
		Uninstall:   key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "uninstall")),
		Apply:       key.NewBinding(key.WithKeys("enter", "y"), key.WithHelp("enter/y", "apply the plan")),
		Cancel:      key.NewBinding(key.WithKeys("esc", "n"), key.WithHelp("esc/n", "cancel")),
	}
}

type statusMsg struct {
	rep *hooks.StatusReport
	err error
}

type planMsg struct {
	what string
	plan *hooks.Plan
	err  error
}

// AppliedMsg says a plan was carried out (or failed).
type AppliedMsg struct {
	What string
	Err  error
}

// Model is the hooks screen.
type Model struct {
	c             *common.Common
	keys          KeyMap
	width, height int

	rep    *hooks.StatusReport
	repErr error

	// what is "install pre-commit", "uninstall"... while a plan is shown.
	what    string
	plan    *hooks.Plan
	planErr error
	result  string
	failed  bool
	opened  bool
}

// New returns the hooks screen.
func New(c *common.Common) *Model { return &Model{c: c, keys: DefaultKeyMap()} }

// Title is the screen's name.
func (m *Model) Title() string { return "Hooks" }

// Capturing is always false.
func (m *Model) Capturing() bool { return false }

// SetSize records the space the screen has.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Init does nothing until the screen is opened.
func (m *Model) Init() tea.Cmd { return nil }

// Open reads the status and, when asked, plans the install of pre-commit.
func (m *Model) Open(msg common.NavigateMsg) tea.Cmd {
	m.opened = true
	m.result, m.failed = "", false
	m.plan, m.planErr, m.what = nil, nil, ""
	cmds := []tea.Cmd{m.readStatus()}
	if msg.Install {
		cmds = append(cmds, m.planInstall(hooks.PreCommit))
	}
	return tea.Batch(cmds...)
}

func (m *Model) readStatus() tea.Cmd {
	ctx, root := m.c.Context(), m.c.Repo.Root
	return func() tea.Msg {
		rep, err := hooks.Status(ctx, root)
		return statusMsg{rep, err}
	}
}

func (m *Model) planInstall(hook string) tea.Cmd {
	ctx, root, bin := m.c.Context(), m.c.Repo.Root, m.c.HookBinary
	what := "install the " + hook + " hook"
	m.what = what
	return func() tea.Msg {
		p, err := hooks.PlanInstall(ctx, root, hooks.InstallOptions{Hooks: []string{hook}, Binary: bin})
		return planMsg{what, p, err}
	}
}

func (m *Model) planUninstall() tea.Cmd {
	ctx, root := m.c.Context(), m.c.Repo.Root
	what := "uninstall secfirst's hooks"
	m.what = what
	return func() tea.Msg {
		p, err := hooks.PlanUninstall(ctx, root, hooks.UninstallOptions{Hooks: hooks.Names})
		return planMsg{what, p, err}
	}
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case statusMsg:
		m.rep, m.repErr = msg.rep, msg.err
	case planMsg:
		if msg.what == m.what {
			m.plan, m.planErr = msg.plan, msg.err
		}
	case AppliedMsg:
		m.plan, m.what = nil, ""
		if msg.Err != nil {
			m.result, m.failed = "Nothing more was done: "+msg.Err.Error(), true
		} else {
			m.result, m.failed = "Done: "+msg.What+".", false
		}
		return tea.Batch(m.readStatus(), common.Refresh)
	case common.RefreshMsg:
		return m.readStatus()
	case tea.KeyMsg:
		k := m.keys
		if m.what != "" {
			switch {
			case key.Matches(msg, k.Apply) && m.plan != nil:
				p, what := m.plan, m.what
				if !p.Changes() {
					m.plan, m.what = nil, ""
					m.result, m.failed = "Nothing to do.", false
					return nil
				}
				return func() tea.Msg { return AppliedMsg{What: what, Err: p.Apply()} }
			case key.Matches(msg, k.Cancel):
				m.plan, m.planErr, m.what = nil, nil, ""
				m.result, m.failed = "Cancelled: nothing was changed.", false
			}
			return nil
		}
		switch {
		case key.Matches(msg, k.Install):
			m.result = ""
			return m.planInstall(hooks.PreCommit)
		case key.Matches(msg, k.InstallPush):
			m.result = ""
			return m.planInstall(hooks.PrePush)
		case key.Matches(msg, k.Uninstall):
			m.result = ""
			return m.planUninstall()
		case key.Matches(msg, m.c.Keys.Back):
			return common.Back
		}
	}
	return nil
}

// View draws the screen.
func (m *Model) View() string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(s.Section.Render("Git hooks") + "\n")
	switch {
	case m.repErr != nil:
		b.WriteString(s.Err.Render(common.Wrap(termtext.Line(m.repErr.Error()), m.width)) + "\n")
	case m.rep == nil:
		b.WriteString(s.Muted.Render("Reading…") + "\n")
	default:
		for _, h := range m.rep.Hooks {
			mark, state := s.Warn.Render("✗"), "not installed"
			if h.Installed {
				mark, state = s.OK.Render("✓"), "installed"
				if h.Chained {
					state += ", chained"
				}
				if h.Manager != "" {
					state += " via " + string(h.Manager)
				}
			}
			path := h.Path
			if m.rep.Layout != nil {
				path = m.rep.Layout.Rel(path)
			}
			b.WriteString(fmt.Sprintf("%s %-11s %-26s %s\n", mark, termtext.Line(h.Name), termtext.Line(state), s.Muted.Render(termtext.Line(path))))
			if h.Problem != "" {
				b.WriteString(s.Warn.Render(common.Wrap("  ! "+termtext.Line(h.Problem), m.width-2)) + "\n")
			}
		}
	}
	b.WriteString("\n")
	if m.what != "" {
		b.WriteString(s.Title.Render("Plan: "+m.what) + "\n")
		switch {
		case m.planErr != nil:
			b.WriteString(s.Err.Render(common.Wrap(termtext.Line(m.planErr.Error()), m.width)) + "\n")
			b.WriteString(s.Muted.Render("esc goes back.") + "\n")
		case m.plan == nil:
			b.WriteString(s.Muted.Render("Working out what would change…") + "\n")
		default:
			b.WriteString(m.planView())
		}
	} else if m.result != "" {
		st := s.OK
		if m.failed {
			st = s.Err
		}
		b.WriteString(st.Render(common.Wrap(termtext.Line(m.result), m.width)) + "\n")
	} else {
		b.WriteString(s.Muted.Render(common.Wrap("The pre-commit hook checks what you stage, before every commit. Nothing is changed until you have seen the plan and confirmed it.", m.width)) + "\n")
	}
	return b.String()
}

func (m *Model) planView() string {
	s := m.c.Styles
	var b strings.Builder
	w := m.width - 2
	for _, a := range m.plan.Actions {
		b.WriteString(common.Indent(common.Wrap("• "+termtext.Line(a.Summary), w), "  ", "    ") + "\n")
		if a.Kind == hooks.ActSnippet && a.Snippet != "" {
			for _, l := range strings.Split(strings.TrimRight(a.Snippet, "\n"), "\n") {
				b.WriteString("      " + s.Code.Render(termtext.Line(l)) + "\n")
			}
		}
	}
	for _, n := range m.plan.Notes {
		b.WriteString(s.Warn.Render(common.Indent(common.Wrap("note: "+termtext.Line(n), w), "  ", "    ")) + "\n")
	}
	b.WriteString("\n")
	if m.plan.Changes() {
		b.WriteString(s.Key.Render("enter") + " applies this plan, " + s.Key.Render("esc") + " cancels: nothing has changed yet.\n")
	} else {
		b.WriteString("Nothing to change. " + s.Key.Render("esc") + " goes back.\n")
	}
	return b.String()
}

// ShortHelp is the help line.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.what != "" {
		return []key.Binding{k.Apply, k.Cancel}
	}
	return []key.Binding{k.Install, k.InstallPush, k.Uninstall, m.c.Keys.Back}
}

// FullHelp is every key of the screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Install, k.InstallPush, k.Uninstall}, {k.Apply, k.Cancel}}
}

// Busy reports whether a status read or a plan is under way.
func (m *Model) Busy() bool {
	return m.what != "" && m.plan == nil && m.planErr == nil || m.rep == nil && m.repErr == nil && m.opened
}
