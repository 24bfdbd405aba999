// Package findings is the findings screen: scan the working tree, the
// staged changes or the history; browse the findings, filtered by check and
// severity; read where each one is, its redacted code line, its fix and its
// lesson; and suppress one with a reason.
package findings

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/lessons"
	"github.com/secfirst-dev/secfirst/tui/common"
	"github.com/secfirst-dev/secfirst/tui/theme"
)

// KeyMap are the findings screen's keys.
type KeyMap struct {
	Up, Down       key.Binding
	PageUp, PageDn key.Binding
	Open           key.Binding
	Tab            key.Binding
	Scan           key.Binding
	Mode           key.Binding
	Check          key.Binding
	Severity       key.Binding
	Ignore         key.Binding
	Warnings       key.Binding
	Back           key.Binding
	Confirm        key.Binding
}

// DefaultKeyMap returns the findings screen's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		PageDn:   key.NewBinding(key.WithKeys("pgdown", " "), key.WithHelp("pgdn", "page down")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Tab:      key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "switch pane")),
		Scan:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "scan")),
		Mode:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mode")),
		Check:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check filter")),
		Severity: key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "severity filter")),
		Ignore:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "ignore…")),
		Warnings: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "warnings")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back/cancel")),
		Confirm:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
	}
}

// Modes are the scan modes, in the order m cycles through them.
var Modes = []checks.Mode{checks.ModeWorktree, checks.ModeStaged, checks.ModeHistory}

type pane int

const (
	paneList pane = iota
	paneDetail
)

// Model is the findings screen.
type Model struct {
	c    *common.Common
	keys KeyMap

	width, height int

	mode    checks.Mode
	scan    *common.Scan
	spinner spinner.Model

	report  *checks.Report
	ran     []string
	scanned bool
	// note is the last thing that happened (scan done, ignore added).
	note    string
	noteErr bool

	all     []checks.Finding
	visible []int // indexes into all, after the filters
	check   string
	minSev  checks.Severity

	cursor       common.Cursor
	focus        pane
	showWarnings bool
	detail       viewport.Model
	detailFor    string

	ignoring bool
	reason   textinput.Model
}

// New returns the findings screen.
func New(c *common.Common) *Model {
	sp := c.Spinner()
	ti := textinput.New()
	ti.Prompt = "reason: "
	ti.Placeholder = "why this finding is acceptable"
	ti.CharLimit = 300
	m := &Model{c: c, keys: DefaultKeyMap(), mode: checks.ModeWorktree, spinner: sp, reason: ti, detail: viewport.New(0, 0)}
	m.refilter()
	return m
}

// Title is the screen's name.
func (m *Model) Title() string { return "Findings" }

// Capturing is true while the reason of an ignore is typed.
func (m *Model) Capturing() bool { return m.ignoring }

// Init does nothing: a scan starts on request.
func (m *Model) Init() tea.Cmd { return nil }

// Open starts a scan when the dashboard asked for one.
func (m *Model) Open(msg common.NavigateMsg) tea.Cmd {
	if msg.Scan {
		return m.StartScan("")
	}
	return nil
}

// StartScan scans in the given mode ("" keeps the current one).
func (m *Model) StartScan(mode checks.Mode) tea.Cmd {
	if mode != "" {
		m.mode = mode
	}
	m.scan.Cancel()
	s, cmd := m.c.StartScan(m.mode)
	m.scan = s
	m.note = ""
	return tea.Batch(cmd, m.spinner.Tick)
}

// SetSize lays the screen out: a status line, the list, the detail pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	listH := max((h-3)/3, 3)
	m.cursor.SetHeight(listH)
	m.detail.Width = w
	m.detail.Height = max(h-listH-3, 1)
	m.detailFor = ""
	m.syncDetail()
}

func (m *Model) listHeight() int { return m.cursor.Height }

// Update handles a message.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.ScanDoneMsg:
		if m.scan == nil || msg.ID != m.scan.ID {
			return nil
		}
		m.scan = nil
		return m.scanDone(msg)
	case spinner.TickMsg:
		if m.scan == nil {
			return nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return cmd
	case tea.KeyMsg:
		if m.ignoring {
			return m.updateIgnore(msg)
		}
		return m.updateKey(msg)
	}
	return nil
}

func (m *Model) scanDone(msg common.ScanDoneMsg) tea.Cmd {
	switch {
	case msg.Canceled:
		m.setNote(fmt.Sprintf("Scan of the %s cancelled.", modeText(msg.Mode)), true)
		return nil
	case msg.Err != nil:
		m.setNote("Scan failed: "+msg.Err.Error(), true)
		return nil
	}
	m.report, m.ran, m.scanned = msg.Report, msg.Ran, true
	m.all = common.WorstFirst(msg.Report.Findings)
	m.cursor.Index, m.cursor.Offset = 0, 0
	m.focus = paneList
	m.refilter()
	switch {
	case len(msg.Report.Errors) > 0:
		m.setNote(fmt.Sprintf("%d check(s) could not run: press w for the warnings.", len(msg.Report.Errors)), true)
	case msg.SaveErr != nil:
		m.setNote("Could not record the scan for the dashboard: "+msg.SaveErr.Error(), true)
	default:
		m.note = ""
	}
	return common.Refresh
}

func (m *Model) setNote(s string, isErr bool) {
	m.note, m.noteErr = s, isErr
}

func (m *Model) updateKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		switch {
		case m.scan != nil:
			m.scan.Cancel()
			return nil
		case m.showWarnings:
			m.showWarnings = false
			m.detailFor = ""
			m.syncDetail()
			return nil
		case m.focus == paneDetail:
			m.focus = paneList
			return nil
		}
		return common.Back
	case key.Matches(msg, k.Scan):
		return m.StartScan("")
	case m.scan != nil:
		// While scanning only esc, s and the global keys act.
		return nil
	case key.Matches(msg, k.Mode):
		// Results of another mode are not this mode's: they go, and the
		// screen says how to get this one's.
		m.mode = nextMode(m.mode)
		m.report, m.ran, m.scanned, m.all = nil, nil, false, nil
		m.showWarnings, m.focus = false, paneList
		m.refilter()
		return nil
	case key.Matches(msg, k.Check):
		m.check = nextCheck(m.check, m.checkNames())
		m.refilter()
		return nil
	case key.Matches(msg, k.Severity):
		m.minSev = nextSeverity(m.minSev)
		m.refilter()
		return nil
	case key.Matches(msg, k.Warnings):
		m.showWarnings = !m.showWarnings
		m.detailFor = ""
		m.syncDetail()
		return nil
	case key.Matches(msg, k.Tab):
		if m.focus == paneList {
			m.focus = paneDetail
		} else {
			m.focus = paneList
		}
		return nil
	case key.Matches(msg, k.Open):
		if len(m.visible) > 0 {
			m.focus = paneDetail
			m.detail.GotoTop()
		}
		return nil
	case key.Matches(msg, k.Ignore):
		if f, ok := m.Selected(); ok {
			m.ignoring = true
			m.reason.SetValue("")
			m.setNote(fmt.Sprintf("Ignore %s in %s: type the reason, enter saves, esc cancels.", f.Rule, f.File), false)
			return m.reason.Focus()
		}
		return nil
	}
	if m.focus == paneDetail {
		switch {
		case key.Matches(msg, k.Up):
			m.detail.ScrollUp(1)
		case key.Matches(msg, k.Down):
			m.detail.ScrollDown(1)
		case key.Matches(msg, k.PageUp):
			m.detail.PageUp()
		case key.Matches(msg, k.PageDn):
			m.detail.PageDown()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		m.cursor.Move(-1)
	case key.Matches(msg, k.Down):
		m.cursor.Move(1)
	case key.Matches(msg, k.PageUp):
		m.cursor.Move(-m.listHeight())
	case key.Matches(msg, k.PageDn):
		m.cursor.Move(m.listHeight())
	}
	m.syncDetail()
	return nil
}

func (m *Model) updateIgnore(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.ignoring = false
		m.reason.Blur()
		m.setNote("Nothing was ignored.", false)
		return nil
	case key.Matches(msg, m.keys.Confirm):
		f, ok := m.Selected()
		if !ok {
			m.ignoring = false
			return nil
		}
		_, err := AddIgnore(m.c.Repo.Root, f, m.reason.Value())
		if err != nil {
			if strings.TrimSpace(m.reason.Value()) == "" {
				m.setNote(err.Error(), true)
				return nil
			}
			m.ignoring = false
			m.reason.Blur()
			m.setNote(fmt.Sprintf("Could not write %s: %v", checks.PolicyFile, err), true)
			return nil
		}
		m.ignoring = false
		m.reason.Blur()
		m.remove(f.Fingerprint)
		m.setNote(fmt.Sprintf("Ignored %s in %s: added to %s with your reason.", f.Rule, f.File, checks.PolicyFile), false)
		return nil
	}
	var cmd tea.Cmd
	m.reason, cmd = m.reason.Update(msg)
	return cmd
}

// remove drops the findings an ignore now suppresses.
func (m *Model) remove(fingerprint string) {
	kept := m.all[:0]
	for _, f := range m.all {
		if f.Fingerprint != fingerprint {
			kept = append(kept, f)
		}
	}
	m.all = kept
	m.refilter()
}

// Selected returns the finding under the cursor.
func (m *Model) Selected() (checks.Finding, bool) {
	if len(m.visible) == 0 {
		return checks.Finding{}, false
	}
	return m.all[m.visible[m.cursor.Index]], true
}

func (m *Model) refilter() {
	m.visible = m.visible[:0]
	for i, f := range m.all {
		if m.check != "" && f.Check != m.check {
			continue
		}
		if m.minSev != "" && f.Severity.Rank() < m.minSev.Rank() {
			continue
		}
		m.visible = append(m.visible, i)
	}
	m.cursor.SetLen(len(m.visible))
	m.detailFor = ""
	m.syncDetail()
}

func (m *Model) checkNames() []string {
	names := append([]string(nil), m.ran...)
	if len(names) == 0 {
		names = append(names, checks.KnownChecks...)
	}
	return names
}

func nextMode(cur checks.Mode) checks.Mode {
	for i, md := range Modes {
		if md == cur {
			return Modes[(i+1)%len(Modes)]
		}
	}
	return Modes[0]
}

func nextCheck(cur string, names []string) string {
	if cur == "" {
		if len(names) > 0 {
			return names[0]
		}
		return ""
	}
	for i, n := range names {
		if n == cur && i+1 < len(names) {
			return names[i+1]
		}
	}
	return ""
}

// nextSeverity cycles the minimum severity: all, then critical down to low.
func nextSeverity(cur checks.Severity) checks.Severity {
	order := []checks.Severity{"", checks.Critical, checks.High, checks.Medium, checks.Low}
	for i, s := range order {
		if s == cur {
			return order[(i+1)%len(order)]
		}
	}
	return ""
}

func modeText(m checks.Mode) string {
	switch m {
	case checks.ModeStaged:
		return "staged changes"
	case checks.ModeHistory:
		return "history"
	}
	return "working tree"
}

// syncDetail renders the detail pane for the selected finding, once per
// finding and width.
func (m *Model) syncDetail() {
	id := "none"
	if f, ok := m.Selected(); ok {
		id = fmt.Sprintf("%s/%s/%d/%s", f.Fingerprint, f.File, f.Line, f.Commit)
	}
	if m.showWarnings {
		id = "warnings"
	}
	id += fmt.Sprintf("@%d", m.detail.Width)
	if id == m.detailFor {
		return
	}
	m.detailFor = id
	m.detail.SetContent(m.detailContent())
	m.detail.GotoTop()
}

func (m *Model) detailContent() string {
	s := m.c.Styles
	w := max(m.detail.Width-1, 20)
	if m.showWarnings {
		if m.report == nil || len(m.report.Warnings) == 0 {
			return s.Muted.Render("No warnings.")
		}
		var b strings.Builder
		b.WriteString(s.Section.Render("Warnings") + "\n")
		for _, wn := range m.report.Warnings {
			b.WriteString(common.Wrap("! "+termtext.Line(wn), w) + "\n")
		}
		return b.String()
	}
	sel, ok := m.Selected()
	if !ok {
		return ""
	}
	f := common.Shown(sel)
	var b strings.Builder
	b.WriteString(s.Bold.Render(f.Title) + "\n")
	status := "not blocking"
	if f.Blocking {
		status = "blocks commits"
	}
	b.WriteString(s.Severity(f.Severity).Render(string(f.Severity)) + s.Muted.Render(fmt.Sprintf(" · %s · %s · %s", f.Check, f.Rule, status)) + "\n\n")
	field := func(label, value string) {
		if value == "" {
			return
		}
		lines := strings.Split(common.Wrap(value, w-9), "\n")
		for i, l := range lines {
			if i == 0 {
				b.WriteString(s.Label.Render(fmt.Sprintf("%-8s ", label)) + l + "\n")
			} else {
				b.WriteString(strings.Repeat(" ", 9) + l + "\n")
			}
		}
	}
	field("Where", f.Location())
	if f.Commit != "" {
		field("Commit", shortCommit(f.Commit))
	}
	if f.Snippet != "" {
		b.WriteString(s.Label.Render(fmt.Sprintf("%-8s ", "Code")) + s.Code.Render(common.Truncate(strings.TrimSpace(f.Snippet), w-9)) + "\n")
	}
	if f.Package != nil {
		p := f.Package
		fixed := "no fixed version yet"
		if len(p.Fixed) > 0 {
			fixed = "fixed in " + strings.Join(p.Fixed, ", ")
		}
		field("Package", fmt.Sprintf("%s %s (%s), %s", p.Name, p.Version, p.Ecosystem, fixed))
	}
	field("What", f.Message)
	field("Fix", f.Fix)
	if len(f.Refs) > 0 {
		field("Refs", strings.Join(f.Refs, ", "))
	}
	field("Ignore", "x adds an ignore of this finding (by fingerprint) with your reason to .secfirst.toml")
	if l, ok := lessons.Get(f.Lesson); ok {
		b.WriteString("\n" + s.Section.Render("Lesson: "+l.Title) + s.Muted.Render("  (secfirst learn "+l.ID+")") + "\n")
		b.WriteString(strings.TrimRight(m.c.Markdown(common.LessonMarkdown(l), w), "\n") + "\n")
	}
	return b.String()
}

// Columns of a row of the list: the cursor, the severity, the check and
// the gaps; the location and the title share the rest.
const (
	rowFixed = 2 + 5 + 11 + 1
	minTitle = 24
	minLoc   = 16
)

// locationWidth is the location column's width: the longest location in
// view, as long as the title keeps minTitle cells.
func (m *Model) locationWidth(from, to int) int {
	longest := 0
	for i := from; i < to; i++ {
		longest = max(longest, len([]rune(m.location(m.all[m.visible[i]]))))
	}
	return max(min(longest, m.width-rowFixed-minTitle), minLoc)
}

// location is where a finding is, as the list shows it.
func (m *Model) location(f checks.Finding) string {
	loc := common.Shown(f).Location()
	if f.Commit != "" {
		loc = shortCommit(f.Commit)[:7] + " " + loc
	}
	return loc
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// noteView is the note line: muted, or in the error style.
func (m *Model) noteView() string {
	st := m.c.Styles.Muted
	if m.noteErr {
		st = m.c.Styles.Err
	}
	return st.Render(common.Truncate(termtext.Line(m.note), m.width))
}

// View draws the screen.
func (m *Model) View() string {
	s := m.c.Styles
	var b strings.Builder
	if m.ignoring {
		// The prompt, or why the reason was refused, above the input.
		b.WriteString(m.noteView() + "\n")
	} else {
		b.WriteString(common.Truncate(m.statusLine(), m.width) + "\n")
	}
	b.WriteString(s.Divider.Render(common.Rule(m.width)) + "\n")
	b.WriteString(common.Lines(m.listView(), m.width, m.listHeight()) + "\n")
	if m.ignoring {
		b.WriteString(common.Truncate(m.reason.View(), m.width) + "\n")
	} else if m.note != "" {
		b.WriteString(m.noteView() + "\n")
	} else {
		rule := s.Divider
		if m.focus == paneDetail {
			rule = s.Cursor
		}
		b.WriteString(rule.Render(common.Rule(m.width)) + "\n")
	}
	b.WriteString(common.Lines(m.detail.View(), m.width, m.detail.Height))
	return common.Lines(b.String(), m.width, m.height)
}

func (m *Model) statusLine() string {
	s := m.c.Styles
	if m.scan != nil {
		el := m.c.Now().Sub(m.scan.Start).Round(time.Second)
		line := fmt.Sprintf("%s Scanning the %s… (esc cancels)", m.spinner.View(), modeText(m.scan.Mode))
		if el >= time.Second {
			line += fmt.Sprintf(" %s", el)
		}
		return line
	}
	filter := "all checks"
	if m.check != "" {
		filter = m.check
	}
	sev := "all severities"
	if m.minSev != "" {
		sev = string(m.minSev) + " and above"
	}
	left := s.Label.Render("Mode ") + string(m.mode)
	if m.report != nil {
		sum := checks.Summarize(m.all)
		left += s.Label.Render("  Found ") + fmt.Sprintf("%d", sum.Total())
		if sum.Blocking > 0 {
			left += s.Err.Render(fmt.Sprintf(" (%d blocking)", sum.Blocking))
		}
		if n := len(m.report.Warnings); n > 0 {
			left += s.Warn.Render(fmt.Sprintf("  ! %d warning(s)", n))
		}
	}
	return left + s.Label.Render("  Filter ") + filter + ", " + sev
}

func (m *Model) listView() string {
	s := m.c.Styles
	if !m.scanned {
		if m.scan != nil {
			return s.Muted.Render("Scanning…")
		}
		return s.Muted.Render(fmt.Sprintf("No scan yet. Press s to scan the %s (m changes the mode).", modeText(m.mode)))
	}
	if len(m.visible) == 0 {
		if len(m.all) > 0 {
			return s.Muted.Render("No finding matches the filter (c and v change it).")
		}
		if m.report != nil && len(m.report.Errors) > 0 {
			return s.Err.Render("No findings, but some checks could not run: press w.")
		}
		return s.OK.Render(fmt.Sprintf("No findings in the %s.", modeText(m.report.Mode)))
	}
	from, to := m.cursor.Visible()
	locW := m.locationWidth(from, to)
	var b strings.Builder
	for i := from; i < to; i++ {
		f := common.Shown(m.all[m.visible[i]])
		loc := m.location(m.all[m.visible[i]])
		row := fmt.Sprintf("%s %-10s %-*s %s", s.Severity(f.Severity).Render(theme.SeverityLabel(f.Severity)), f.Check,
			locW, common.Truncate(loc, locW), f.Title)
		if i == m.cursor.Index {
			cur := "› "
			if m.focus == paneDetail {
				cur = "• "
			}
			b.WriteString(s.Cursor.Render(cur) + common.Truncate(row, m.width-2) + "\n")
		} else {
			b.WriteString("  " + common.Truncate(row, m.width-2) + "\n")
		}
	}
	return b.String()
}

// ShortHelp is the help line.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.ignoring {
		return []key.Binding{k.Confirm, k.Back}
	}
	if m.scan != nil {
		return []key.Binding{k.Back}
	}
	if m.focus == paneDetail {
		return []key.Binding{k.Up, k.Down, k.Tab, k.Ignore, k.Back}
	}
	return []key.Binding{k.Open, k.Scan, k.Mode, k.Check, k.Severity, k.Ignore}
}

// FullHelp is every key of the screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDn, k.Open, k.Tab},
		{k.Scan, k.Mode, k.Check, k.Severity},
		{k.Ignore, k.Warnings, k.Back},
	}
}

// Busy reports whether a scan is running.
func (m *Model) Busy() bool { return m.scan != nil }
