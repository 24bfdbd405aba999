// Package tui is secfirst's terminal interface: the dashboard `secfirst`
// opens in a repository, and the screens it leads to (findings, lessons,
// checklist review, onboarding, hooks). It follows gh-dash and soft-serve:
// one shared common.Common (size, styles, keys, repository, services) is
// handed to every screen; each screen is a component with SetSize and its
// own KeyMap; long work runs in commands that return typed messages.
package tui

import (
	"reflect"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/secfirst-dev/secfirst/internal/termtext"

	"github.com/secfirst-dev/secfirst/tui/common"
	"github.com/secfirst-dev/secfirst/tui/dashboard"
	"github.com/secfirst-dev/secfirst/tui/findings"
	"github.com/secfirst-dev/secfirst/tui/hookplan"
	"github.com/secfirst-dev/secfirst/tui/learn"
	"github.com/secfirst-dev/secfirst/tui/onboard"
	"github.com/secfirst-dev/secfirst/tui/review"
)

// Opener is a screen that does something when it is navigated to (start a
// scan, open a lesson, plan an install).
type Opener interface {
	Open(msg common.NavigateMsg) tea.Cmd
}

// Model is the whole program: a header, the current screen and the help line.
type Model struct {
	c       *common.Common
	screens map[common.Screen]common.Component
	current common.Screen
	// home is the screen Esc leads back to; when standalone (`secfirst
	// onboard`, `secfirst checklist review`) leaving it quits.
	home       common.Screen
	standalone bool
	showHelp   bool
	help       help.Model
	quitting   bool
	// inflight counts the commands whose message has not come back yet.
	inflight int
}

// New builds the program on the given screen. standalone makes leaving
// that screen quit instead of going to the dashboard.
func New(c *common.Common, start common.Screen, standalone bool) *Model {
	m := &Model{c: c, current: start, home: start, standalone: standalone, help: c.Help()}
	if !standalone {
		m.home = common.ScreenDashboard
	}
	m.screens = map[common.Screen]common.Component{
		common.ScreenDashboard:  dashboard.New(c),
		common.ScreenFindings:   findings.New(c),
		common.ScreenLessons:    learn.New(c),
		common.ScreenChecklist:  review.New(c),
		common.ScreenOnboarding: onboard.New(c),
		common.ScreenHooks:      hookplan.New(c),
	}
	return m
}

// Init starts every screen; the first one shown is opened.
func (m *Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range m.order() {
		cmds = append(cmds, m.screens[s].Init())
	}
	if o, ok := m.screens[m.current].(Opener); ok {
		cmds = append(cmds, o.Open(common.NavigateMsg{To: m.current}))
	}
	return m.track(tea.Batch(cmds...))
}

// order lists the screens in a fixed order, so messages reach them the
// same way every run.
func (m *Model) order() []common.Screen {
	return []common.Screen{common.ScreenDashboard, common.ScreenFindings, common.ScreenLessons,
		common.ScreenChecklist, common.ScreenOnboarding, common.ScreenHooks}
}

// Update routes a message: keys to the current screen (after the global
// keys), everything else to every screen, which ignore what is not theirs.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if t, ok := msg.(trackedMsg); ok {
		m.inflight--
		switch inner := t.msg.(type) {
		case nil:
			return m, nil
		case tea.BatchMsg:
			cmds := make([]tea.Cmd, 0, len(inner))
			for _, c := range inner {
				cmds = append(cmds, m.track(c))
			}
			return m, tea.Batch(cmds...)
		}
		if programMsg(t.msg) {
			// Quit and the like are the program's: hand them back.
			return m, func() tea.Msg { return t.msg }
		}
		msg = t.msg
	}
	return m, m.track(m.update(msg))
}

// track counts cmd as work in flight until the program has handed its
// message back to Update: a screen's state can still change while a
// command runs (a NavigateMsg on its way starts a scan), so the program
// is idle only when no screen is busy and no command is in flight.
func (m *Model) track(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	m.inflight++
	return func() tea.Msg { return trackedMsg{cmd()} }
}

// trackedMsg is the message of a tracked command.
type trackedMsg struct{ msg tea.Msg }

var teaPackage = reflect.TypeOf(tea.QuitMsg{}).PkgPath()

// programMsg reports whether msg is one the program itself acts on (quit,
// a batch, a sequence, the screen modes), which Update must hand back
// rather than route to the screens.
func programMsg(msg tea.Msg) bool {
	t := reflect.TypeOf(msg)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() == teaPackage
}

// Idle reports whether nothing is under way: no screen busy, no command
// in flight.
func (m *Model) Idle() bool {
	if m.inflight > 0 {
		return false
	}
	for _, s := range m.order() {
		if b, ok := m.screens[s].(Busy); ok && b.Busy() {
			return false
		}
	}
	return true
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.help.Width = msg.Width
		for _, s := range m.order() {
			m.screens[s].SetSize(msg.Width, m.bodyHeight())
		}
		return nil
	case tea.KeyMsg:
		return m.updateKey(msg)
	case common.NavigateMsg:
		m.showHelp = false
		m.current = msg.To
		if o, ok := m.screens[msg.To].(Opener); ok {
			return o.Open(msg)
		}
		return nil
	case common.BackMsg:
		if m.current == m.home {
			if m.standalone {
				m.quitting = true
				return tea.Quit
			}
			return nil
		}
		m.current = m.home
		return common.Refresh
	case probeMsg:
		msg.fn(m)
		return nil
	}
	var cmds []tea.Cmd
	for _, s := range m.order() {
		cmds = append(cmds, m.screens[s].Update(msg))
	}
	return tea.Batch(cmds...)
}

// Busy is a screen with work under way (a scan, a status being read).
type Busy interface {
	Busy() bool
}

// probeMsg runs fn on the program's own goroutine, between two messages,
// so tests read the model's state (Idle, View) without racing the program.
type probeMsg struct{ fn func(*Model) }

func (m *Model) updateKey(msg tea.KeyMsg) tea.Cmd {
	k := m.c.Keys
	scr := m.screens[m.current]
	if msg.Type == tea.KeyCtrlC {
		m.quitting = true
		return tea.Quit
	}
	if scr.Capturing() {
		return scr.Update(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		m.quitting = true
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
		return nil
	case m.showHelp && key.Matches(msg, k.Back):
		m.showHelp = false
		return nil
	}
	return scr.Update(msg)
}

func (m *Model) bodyHeight() int { return max(m.c.Height-2, 1) }

// View draws the header, the screen (or the full help) and the help line.
func (m *Model) View() string {
	if m.quitting || m.c.Width == 0 {
		return ""
	}
	scr := m.screens[m.current]
	w := m.c.Width
	var body string
	if m.showHelp {
		body = m.fullHelp(scr)
	} else {
		body = scr.View()
	}
	var b strings.Builder
	b.WriteString(m.header(scr.Title()) + "\n")
	b.WriteString(common.Lines(body, w, m.bodyHeight()) + "\n")
	b.WriteString(m.footer(scr))
	return terminalSafe(b.String())
}

// terminalSafe keeps the screen's colours and styles (SGR sequences) and
// newlines (and tabs) and shows every other control sequence or byte visibly. The
// screens pass repository data through termtext where it becomes text;
// this is the net under them: whatever a screen forgets, no file name can
// set the window's title, write the clipboard or move the cursor.
func terminalSafe(view string) string {
	if termtext.Block(view) == view {
		return view // no control byte but newlines and tabs: nothing to do
	}
	var b strings.Builder
	b.Grow(len(view))
	p := ansi.NewParser()
	var state byte
	for len(view) > 0 {
		seq, width, n, next := ansi.DecodeSequence(view, state, p)
		switch {
		case width > 0, seq == "\n", seq == "\t":
			b.WriteString(seq)
		case ansi.HasCsiPrefix(seq) && ansi.Cmd(p.Command()).Final() == 'm':
			b.WriteString(seq)
		default:
			b.WriteString(termtext.Line(seq))
		}
		state, view = next, view[n:]
	}
	return b.String()
}

func (m *Model) header(title string) string {
	s := m.c.Styles
	left := s.Badge.Render("secfirst") + s.HeaderRepo.Render(m.c.Repo.Name)
	right := s.HeaderPage.Render(title + " ")
	gap := m.c.Width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return common.Truncate(left, m.c.Width)
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *Model) globalHelp() []key.Binding {
	k := m.c.Keys
	return []key.Binding{k.Help, k.Quit}
}

// footer is the screen's short help, cut to fit, then the global keys,
// which are always visible.
func (m *Model) footer(scr common.Component) string {
	h := m.help
	global := h.ShortHelpView(m.globalHelp())
	if m.showHelp {
		return global
	}
	h.Width = m.c.Width - lipgloss.Width(global) - lipgloss.Width(h.ShortSeparator)
	own := h.ShortHelpView(scr.ShortHelp())
	if own == "" {
		return global
	}
	return common.Truncate(own+m.c.Styles.HelpSep.Render(h.ShortSeparator)+global, m.c.Width)
}

func (m *Model) fullHelp(scr common.Component) string {
	s := m.c.Styles
	groups := append(append([][]key.Binding(nil), scr.FullHelp()...), []key.Binding{m.c.Keys.Back, m.c.Keys.Help, m.c.Keys.Quit})
	h := m.help
	h.ShowAll = true
	return s.Title.Render(scr.Title()+": keys") + "\n\n" + h.FullHelpView(groups) + "\n\n" + s.Muted.Render("? or esc closes this help.")
}
