// Package dashboard is the screen `secfirst` opens on: the repository, its
// hook, the last scan by check and severity, the checklist's progress by
// area, the onboarding progress, and the keys to every other screen.
package dashboard

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/tui/common"
	"github.com/secfirst-dev/secfirst/tui/dbupdate"
	"github.com/secfirst-dev/secfirst/tui/status"
	"github.com/secfirst-dev/secfirst/tui/theme"
)

// KeyMap are the dashboard's keys: one per screen.
type KeyMap struct {
	Scan, Findings, Lessons, Checklist, Onboarding, Install, Hooks, Refresh key.Binding
	UpdateDB, Cancel                                                        key.Binding
}

// DefaultKeyMap returns the dashboard's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Scan:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "scan")),
		Findings:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "findings")),
		Lessons:    key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "lessons")),
		Checklist:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "checklist")),
		Onboarding: key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "onboarding")),
		Install:    key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "install hook")),
		Hooks:      key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "hooks")),
		Refresh:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		UpdateDB:   key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "update vuln. data")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel download")),
	}
}

// statusMsg carries a freshly gathered status.
type statusMsg struct {
	gen int
	st  status.Status
}

// Model is the dashboard.
type Model struct {
	c             *common.Common
	keys          KeyMap
	width, height int
	spinner       spinner.Model

	st      *status.Status
	loading bool
	gen     int
	db      *dbupdate.Model
}

// New returns the dashboard.
func New(c *common.Common) *Model {
	sp := c.Spinner()
	return &Model{c: c, keys: DefaultKeyMap(), spinner: sp, db: dbupdate.New(c)}
}

// Title is the screen's name.
func (m *Model) Title() string { return "Dashboard" }

// Capturing is always false: the dashboard takes no text.
func (m *Model) Capturing() bool { return false }

// SetSize records the space the dashboard has.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Init gathers the status.
func (m *Model) Init() tea.Cmd { return m.reload() }

func (m *Model) reload() tea.Cmd {
	m.gen++
	m.loading = true
	gen, c := m.gen, m.c
	gather := func() tea.Msg {
		st := status.Gather(c.Context(), c.Repo.Root, status.Options{
			Store: c.State, Now: c.Now(), Checks: c.EvidenceCheckList(),
		})
		return statusMsg{gen: gen, st: st}
	}
	return tea.Batch(gather, m.spinner.Tick)
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if cmd := m.db.Update(msg); cmd != nil {
		return cmd
	}
	switch msg := msg.(type) {
	case statusMsg:
		if msg.gen == m.gen {
			st := msg.st
			m.st, m.loading = &st, false
		}
	case common.RefreshMsg:
		return m.reload()
	case spinner.TickMsg:
		if m.loading {
			var cmd tea.Cmd
			m.spinner, cmd = m.spinner.Update(msg)
			return cmd
		}
	case tea.KeyMsg:
		k := m.keys
		switch {
		case key.Matches(msg, k.Cancel):
			m.db.Cancel()
		case key.Matches(msg, k.UpdateDB):
			return m.db.Start()
		case key.Matches(msg, k.Scan):
			return func() tea.Msg { return common.NavigateMsg{To: common.ScreenFindings, Scan: true} }
		case key.Matches(msg, k.Findings):
			return common.Navigate(common.ScreenFindings)
		case key.Matches(msg, k.Lessons):
			return common.Navigate(common.ScreenLessons)
		case key.Matches(msg, k.Checklist):
			return common.Navigate(common.ScreenChecklist)
		case key.Matches(msg, k.Onboarding):
			return common.Navigate(common.ScreenOnboarding)
		case key.Matches(msg, k.Install):
			return func() tea.Msg { return common.NavigateMsg{To: common.ScreenHooks, Install: true} }
		case key.Matches(msg, k.Hooks):
			return common.Navigate(common.ScreenHooks)
		case key.Matches(msg, k.Refresh):
			return m.reload()
		}
	}
	return nil
}

const labelW = 12

// View draws the dashboard.
func (m *Model) View() string {
	s := m.c.Styles
	var b strings.Builder
	row := func(label, value string) {
		b.WriteString(s.Label.Render(fmt.Sprintf("%-*s", labelW, label)) + value + "\n")
	}
	row("Repository", s.Bold.Render(m.c.Repo.Name))
	row("Path", m.c.Repo.Display)
	if m.st == nil {
		b.WriteString("\n" + m.spinner.View() + " Reading the repository…\n")
		return b.String()
	}
	st := m.st
	row("Hook", m.hookView(st.Hook))
	row("Onboarding", m.onboardingView(st.Onboarding))
	row("Vuln. data", common.Truncate(m.db.View(), m.width-labelW))
	b.WriteString("\n")
	left := m.scanView(st)
	right := m.checklistView(st.Checklist)
	b.WriteString(common.Columns(left, right, 40, 0) + "\n\n")
	b.WriteString(m.keysView())
	if m.loading {
		b.WriteString("\n" + s.Muted.Render(m.spinner.View()+" refreshing…"))
	}
	return b.String()
}

func (m *Model) hookView(h status.Hook) string {
	s := m.c.Styles
	switch {
	case h.Err != nil:
		return s.Err.Render("unknown: " + termtext.Line(h.Err.Error()))
	case h.Problem != "":
		return s.Warn.Render("! " + termtext.Line(h.Problem))
	case h.Installed:
		line := "✓ pre-commit installed"
		if h.Manager != "" {
			line = "✓ pre-commit runs secfirst through " + termtext.Line(h.Manager)
		} else if h.Chained {
			line += ", chained with the previous hook"
		}
		return s.OK.Render(line)
	}
	return s.Warn.Render("✗ pre-commit not installed") + s.Muted.Render(" · press i to install it")
}

func (m *Model) onboardingView(o status.Onboarding) string {
	s := m.c.Styles
	switch {
	case o.Err != nil:
		return s.Err.Render("unknown: " + termtext.Line(o.Err.Error()))
	case o.Finished:
		return s.OK.Render("✓ done") + s.Muted.Render(" · press o to go through it again")
	case o.Done == 0:
		return fmt.Sprintf("not started (%d steps)", o.Total) + s.Muted.Render(" · press o to start")
	}
	return fmt.Sprintf("%d of %d steps done", o.Done, o.Total) + s.Muted.Render(" · press o to continue")
}

func (m *Model) scanView(st *status.Status) string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(s.Section.Render("Last scan") + "\n")
	switch {
	case st.ScanErr != nil:
		b.WriteString(s.Err.Render(common.Wrap("cannot read it: "+termtext.Line(st.ScanErr.Error()), 38)) + "\n")
		return b.String()
	case st.Scan == nil:
		b.WriteString("never" + s.Muted.Render(" · press s to scan") + "\n")
		return b.String()
	}
	sc := st.Scan
	b.WriteString(fmt.Sprintf("%s, %s\n", termtext.Line(string(sc.Mode)), Ago(m.c.Now(), sc.At)))
	t := sc.Total
	switch {
	case t.Total() == 0:
		b.WriteString(s.OK.Render("✓ no findings") + "\n")
	default:
		line := fmt.Sprintf("%d finding(s)", t.Total())
		if t.Blocking > 0 {
			line += s.Err.Render(fmt.Sprintf(", %d blocking", t.Blocking))
		}
		b.WriteString(line + "\n")
	}
	if sc.Failed > 0 {
		b.WriteString(s.Err.Render(fmt.Sprintf("! %d check(s) could not run", sc.Failed)) + "\n")
	}
	b.WriteString(s.Label.Render(fmt.Sprintf("%-11s", "check")))
	for _, sev := range checks.Severities {
		b.WriteString(s.Label.Render(fmt.Sprintf("%5s", strings.ToLower(strings.TrimSpace(theme.SeverityLabel(sev))))))
	}
	b.WriteString("\n")
	for _, name := range sc.Checks {
		sum := sc.ByCheck[name]
		b.WriteString(fmt.Sprintf("%-11s", termtext.Line(name)))
		for _, sev := range checks.Severities {
			n := sum.Count(sev)
			cell := fmt.Sprintf("%5d", n)
			if n > 0 {
				cell = s.Severity(sev).Render(cell)
			} else {
				cell = s.Muted.Render(cell)
			}
			b.WriteString(cell)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (m *Model) checklistView(c status.Checklist) string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(s.Section.Render("Checklist") + "\n")
	switch {
	case c.Err != nil:
		b.WriteString(s.Err.Render(common.Wrap("cannot read it: "+termtext.Line(c.Err.Error()), 38)) + "\n")
		return b.String()
	case !c.Present:
		b.WriteString("none yet" + s.Muted.Render(" · press c to create it") + "\n")
		return b.String()
	}
	t := c.Total
	line := fmt.Sprintf("%d/%d done", t.Done(), t.Total())
	if n := t.Fail; n > 0 {
		line += s.Err.Render(fmt.Sprintf(" · %d fail", n))
	}
	if t.Stale > 0 {
		line += s.Warn.Render(fmt.Sprintf(" · %d stale", t.Stale))
	}
	b.WriteString(line + "\n")
	for _, a := range c.Areas {
		frac := fmt.Sprintf("%d/%d", a.Done(), a.Total())
		b.WriteString(fmt.Sprintf("%-24s%6s %s", common.Truncate(termtext.Line(a.Title), 23), frac, m.bar(a, 6)))
		if n := a.Fail; n > 0 {
			b.WriteString(s.Err.Render(" !"))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// bar draws an area's progress with plain characters, readable without colour.
func (m *Model) bar(a status.Area, width int) string {
	if a.Total() == 0 {
		return strings.Repeat("░", width)
	}
	done := a.Done() * width / a.Total()
	return m.c.Styles.OK.Render(strings.Repeat("█", done)) + m.c.Styles.Divider.Render(strings.Repeat("░", width-done))
}

func (m *Model) keysView() string {
	s := m.c.Styles
	k := m.keys
	var parts []string
	bindings := []key.Binding{k.Scan, k.Findings, k.Lessons, k.Checklist, k.Onboarding, k.Install, k.Hooks, k.UpdateDB}
	if m.hookInstalled() {
		bindings = slices.DeleteFunc(bindings, func(b key.Binding) bool { return b.Help().Key == k.Install.Help().Key })
	}
	for _, b := range bindings {
		parts = append(parts, s.Key.Render(b.Help().Key)+" "+b.Help().Desc)
	}
	line := strings.Join(parts, " · ")
	if lipgloss.Width(line) > m.width && m.width > 0 {
		half := len(parts) / 2
		return strings.Join(parts[:half], " · ") + "\n" + strings.Join(parts[half:], " · ")
	}
	return line
}

// Ago says how long ago t was, in words that need no date.
func Ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return "at an unknown time"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// ShortHelp is the help line.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.hookInstalled() {
		return []key.Binding{k.Scan, k.Findings, k.Refresh}
	}
	return []key.Binding{k.Scan, k.Install, k.Refresh}
}

// hookInstalled is true once the status says git runs secfirst's hook:
// then i (install) is no longer offered, h (hooks) still is.
func (m *Model) hookInstalled() bool { return m.st != nil && m.st.Hook.Installed }

// FullHelp is every key of the screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Scan, k.Findings, k.Lessons, k.Checklist}, {k.Onboarding, k.Install, k.Hooks, k.Refresh}, {k.UpdateDB, k.Cancel}}
}

// Busy reports whether the status is being gathered.
func (m *Model) Busy() bool { return m.loading || m.db.Running() }
