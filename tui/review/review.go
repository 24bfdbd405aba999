// Package review is the checklist review screen (`secfirst checklist
// review`): the items by area with their status, evidence and staleness; a
// key per status and one to write a note. Each change is recorded with the
// reviewer (git's user.name and user.email) and the day, through the
// checklist package, which writes the file atomically and keeps its comments.
package review

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/tui/common"
)

// KeyMap are the review screen's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDn key.Binding
	Pass, Fail, Todo, NA     key.Binding
	Accept, Note, Refresh    key.Binding
	Lesson, Init             key.Binding
	Save, Back               key.Binding
}

// DefaultKeyMap returns the review screen's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:  key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		PageDn:  key.NewBinding(key.WithKeys("pgdown", " "), key.WithHelp("pgdn", "page down")),
		Pass:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pass")),
		Fail:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fail")),
		Todo:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "todo")),
		NA:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "n/a")),
		Accept:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "accept risk")),
		Note:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "note")),
		Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh evidence")),
		Lesson:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "lesson")),
		Init:    key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "create checklist")),
		Save:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back/cancel")),
	}
}

// loadedMsg is the checklist with fresh evidence.
type loadedMsg struct {
	gen        int
	file       *checklist.File
	evidence   map[string]checklist.Evidence
	staleAfter int
	missing    bool
	err        error
	canceled   bool
}

// savedMsg is the outcome of a review written through checklist.Update:
// the file as written, or after a failure as the disk holds it (nil when
// it cannot be read).
type savedMsg struct {
	seq  int
	id   string
	who  string
	file *checklist.File
	err  error
}

type row struct {
	area  string
	entry int // index in report.Items, -1 for an area heading
}

// Model is the review screen.
type Model struct {
	c             *common.Common
	keys          KeyMap
	width, height int
	spinner       spinner.Model

	loading    bool
	cancel     context.CancelFunc
	gen        int
	file       *checklist.File
	evidence   map[string]checklist.Evidence
	staleAfter int
	report     *checklist.Report
	missing    bool
	err        error
	// Reviews are written one after the other, in the order given, while
	// the screen shows them at once: pending counts those not yet written,
	// lastWrite ends when the last one given is written, newest is the
	// file after the newest write that has reported.
	pending    int
	seq        int
	lastWrite  chan struct{}
	newest     *checklist.File
	newestSeq  int
	saveFailed string

	rows   []row
	cursor common.Cursor

	// editing is the status a note is being written for ("" for a note
	// alone) while the note input is open.
	editing   bool
	editFor   checklist.Status
	note      textinput.Model
	message   string
	messageOK bool
}

// New returns the review screen.
func New(c *common.Common) *Model {
	ti := textinput.New()
	ti.Prompt = "note: "
	ti.CharLimit = 500
	sp := c.Spinner()
	return &Model{c: c, keys: DefaultKeyMap(), note: ti, spinner: sp}
}

// Title is the screen's name.
func (m *Model) Title() string { return "Checklist review" }

// Capturing is true while a note is typed.
func (m *Model) Capturing() bool { return m.editing }

// Init does nothing until the screen is opened.
func (m *Model) Init() tea.Cmd { return nil }

// Open loads the checklist and refreshes the automatic evidence.
func (m *Model) Open(common.NavigateMsg) tea.Cmd {
	m.message = ""
	return m.load(true)
}

// SetSize lays the screen out: list above, the item's details below.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.cursor.SetHeight(max(h-10, 3))
}

func (m *Model) load(skipSlow bool) tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.gen++
	m.loading = true
	ctx, cancel := context.WithCancel(m.c.Context())
	m.cancel = cancel
	gen, root := m.gen, m.c.Repo.Root
	list := m.c.EvidenceCheckList()
	load := func() tea.Msg {
		defer cancel()
		msg := loadedMsg{gen: gen}
		f, err := checklist.Load(checklist.Path(root))
		if errors.Is(err, checklist.ErrNoChecklist) {
			msg.missing = true
			return msg
		}
		if err != nil {
			msg.err = err
			return msg
		}
		repo, err := checklist.OpenRepo(ctx, root, checklist.RepoOptions{Checks: list})
		if err != nil {
			msg.err = err
			return msg
		}
		msg.file = f
		msg.staleAfter = repo.Policy.StaleAfterDays
		msg.evidence = checklist.Evaluate(ctx, repo, f.Items, checklist.EvalOptions{SkipSlow: skipSlow})
		msg.canceled = ctx.Err() != nil
		return msg
	}
	return tea.Batch(load, m.spinner.Tick)
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.loading, m.cancel = false, nil
		m.missing, m.err = msg.missing, msg.err
		if msg.file != nil {
			keep := m.selectedID()
			m.file, m.evidence, m.staleAfter = msg.file, msg.evidence, msg.staleAfter
			m.reassess(keep)
		} else {
			m.file = nil
			m.rows = nil
		}
		if msg.canceled {
			m.setMessage("Evidence refresh cancelled: some automatic items say so.", false)
		}
		return nil
	case savedMsg:
		return m.saved(msg)
	case spinner.TickMsg:
		if m.loading {
			var cmd tea.Cmd
			m.spinner, cmd = m.spinner.Update(msg)
			return cmd
		}
	case tea.KeyMsg:
		if m.editing {
			return m.updateNote(msg)
		}
		return m.updateKey(msg)
	}
	return nil
}

func (m *Model) updateKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if key.Matches(msg, k.Back) {
		if m.loading && m.cancel != nil {
			m.cancel()
			return nil
		}
		return common.Back
	}
	if m.missing {
		if key.Matches(msg, k.Init) {
			if _, _, err := checklist.Init(m.c.Repo.Root); err != nil {
				m.setMessage("Could not create the checklist: "+err.Error(), false)
				return nil
			}
			m.setMessage("Created "+checklist.RelPath+" from the template: review it and commit it.", true)
			return tea.Batch(m.load(true), common.Refresh)
		}
		return nil
	}
	if m.file == nil || m.loading {
		return nil
	}
	if m.pending > 0 && key.Matches(msg, k.Refresh) {
		m.setMessage("Still saving; refresh once it is written.", false)
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		m.cursor.Move(-1)
		m.skipHeading(-1)
	case key.Matches(msg, k.Down):
		m.cursor.Move(1)
		m.skipHeading(1)
	case key.Matches(msg, k.PageUp):
		m.cursor.Move(-m.cursor.Height)
		m.skipHeading(-1)
	case key.Matches(msg, k.PageDn):
		m.cursor.Move(m.cursor.Height)
		m.skipHeading(1)
	case key.Matches(msg, k.Refresh):
		m.setMessage("", true)
		return m.load(false)
	case key.Matches(msg, k.Lesson):
		if e, ok := m.Selected(); ok && e.Lesson != "" {
			it := e
			return func() tea.Msg { return common.NavigateMsg{To: common.ScreenLessons, Lesson: it.Lesson} }
		}
	case key.Matches(msg, k.Pass):
		return m.setStatus(checklist.Pass)
	case key.Matches(msg, k.Fail):
		return m.setStatus(checklist.Fail)
	case key.Matches(msg, k.Todo):
		return m.setStatus(checklist.Todo)
	case key.Matches(msg, k.NA):
		return m.setStatus(checklist.NA)
	case key.Matches(msg, k.Accept):
		// Accepting a risk needs a reason: ask for the note first.
		return m.startNote(checklist.AcceptedRisk)
	case key.Matches(msg, k.Note):
		return m.startNote("")
	}
	return nil
}

func (m *Model) startNote(st checklist.Status) tea.Cmd {
	e, ok := m.Selected()
	if !ok {
		return nil
	}
	m.editing, m.editFor = true, st
	m.note.SetValue(e.Note)
	m.note.CursorEnd()
	if st == checklist.AcceptedRisk {
		m.setMessage("Why is this risk accepted? enter saves, esc cancels.", true)
	} else {
		m.setMessage("Write the note; enter saves, esc cancels.", true)
	}
	return m.note.Focus()
}

func (m *Model) updateNote(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.editing = false
		m.note.Blur()
		m.setMessage("Nothing was changed.", true)
		return nil
	case key.Matches(msg, m.keys.Save):
		e, ok := m.Selected()
		if !ok {
			m.editing = false
			return nil
		}
		note := strings.TrimSpace(m.note.Value())
		st := m.editFor
		if st == "" {
			st = keepStatus(e)
		}
		save, err := m.apply(e, st, &note)
		if err != nil {
			m.setMessage(err.Error(), false)
			if st == checklist.AcceptedRisk && note == "" {
				return nil // keep the input open for the reason
			}
		}
		m.editing = false
		m.note.Blur()
		return save
	}
	var cmd tea.Cmd
	m.note, cmd = m.note.Update(msg)
	return cmd
}

// keepStatus is the status a note alone records: the item's own (an
// automatic item's finding, unless a person overrode it).
func keepStatus(e checklist.Entry) checklist.Status {
	if e.Kind == checklist.Auto && !e.Overridden {
		return e.Computed
	}
	return e.Status
}

func (m *Model) setStatus(st checklist.Status) tea.Cmd {
	e, ok := m.Selected()
	if !ok {
		return nil
	}
	save, err := m.apply(e, st, nil)
	if err != nil {
		m.setMessage(err.Error(), false)
		return nil
	}
	return save
}

// apply records the review on the screen at once (a review the file would
// refuse is refused here, before anything is written) and returns the
// command that writes it: checklist.Update, which takes the writers' lock,
// reads the file as it is now and applies the review to it, so a `set`
// run meanwhile is kept, and the screen never waits on the lock.
func (m *Model) apply(e checklist.Entry, st checklist.Status, note *string) (tea.Cmd, error) {
	who, err := m.reviewer()
	if err != nil {
		return nil, err
	}
	r := checklist.Review{Status: st, Note: note, ReviewedBy: who, ReviewedAt: m.c.Now()}
	if err := m.file.Apply(e.ID, r, e.Computed); err != nil {
		return nil, err
	}
	m.reassess(e.ID)
	m.pending++
	m.seq++
	m.setMessage("Saving "+e.ID+"…", true)
	ctx, root, id, computed, seq := m.c.Context(), m.c.Repo.Root, e.ID, e.Computed, m.seq
	prev, done := m.lastWrite, make(chan struct{})
	m.lastWrite = done
	return func() tea.Msg {
		defer close(done)
		if prev != nil {
			select {
			case <-prev:
			case <-ctx.Done():
			}
		}
		f, err := checklist.Update(ctx, root, func(f *checklist.File) error {
			if _, ok := f.Item(id); !ok {
				return fmt.Errorf("item %s is no longer in %s; nothing was written for it", id, checklist.RelPath)
			}
			return f.Apply(id, r, computed)
		})
		if err != nil {
			// Show what the file holds: the review was not written.
			f, _ = checklist.Load(checklist.Path(root))
		}
		return savedMsg{seq: seq, id: id, who: who, file: f, err: err}
	}, nil
}

// saved shows the outcome of a write: the file as it now is (with the
// changes others made meanwhile), and what became of the review.
func (m *Model) saved(msg savedMsg) tea.Cmd {
	m.pending--
	if msg.seq > m.newestSeq {
		m.newest, m.newestSeq = msg.file, msg.seq
	}
	if msg.err != nil {
		m.saveFailed = fmt.Sprintf("%s not saved: %v", msg.id, msg.err)
	}
	if m.pending > 0 {
		return nil // the screen shows the reviews still being written
	}
	// Everything given is written: show the file as it now is, with the
	// changes others made meanwhile, and what became of the reviews.
	if m.newest != nil {
		m.file = m.newest
	} else if f, err := checklist.Load(checklist.Path(m.c.Repo.Root)); err == nil {
		m.file = f
	}
	m.newest = nil
	m.reassess(m.selectedID()) // the cursor stays where the person moved it
	if m.saveFailed != "" {
		m.setMessage(m.saveFailed, false)
		m.saveFailed = ""
		return common.Refresh
	}
	var after checklist.Entry
	for _, e := range m.report.Items {
		if e.ID == msg.id {
			after = e
		}
	}
	m.setMessage(fmt.Sprintf("%s: %s, reviewed by %s on %s.", msg.id, after.Status, msg.who, after.ReviewedAt), true)
	return common.Refresh
}

// reassess recomputes the report from the file and the evidence, keeping
// the cursor on item keep.
func (m *Model) reassess(keep string) {
	m.report = checklist.Assess(m.file, m.evidence, m.staleAfter, m.c.Now())
	m.buildRows(keep)
}

// reviewer is "Name <email>" from git's configuration for this repository.
func (m *Model) reviewer() (string, error) {
	if m.c.Reviewer != "" {
		return m.c.Reviewer, nil
	}
	return checklist.Reviewer(m.c.Context(), m.c.Repo.Root)
}

func (m *Model) setMessage(s string, ok bool) { m.message, m.messageOK = s, ok }

func (m *Model) selectedID() string {
	if it, ok := m.Selected(); ok {
		return it.ID
	}
	return ""
}

func (m *Model) buildRows(keep string) {
	m.rows = nil
	index := map[string]int{}
	for i, e := range m.report.Items {
		index[e.ID] = i
	}
	for _, g := range m.report.Groups() {
		m.rows = append(m.rows, row{area: g.Category, entry: -1})
		for _, e := range g.Items {
			m.rows = append(m.rows, row{area: g.Category, entry: index[e.ID]})
		}
	}
	m.cursor.SetLen(len(m.rows))
	if keep != "" && m.Select(keep) {
		return
	}
	m.cursor.Top()
	m.skipHeading(1)
}

func (m *Model) skipHeading(dir int) {
	for _, d := range []int{dir, -dir} {
		for m.cursor.Index >= 0 && m.cursor.Index < len(m.rows) && m.rows[m.cursor.Index].entry < 0 {
			before := m.cursor.Index
			m.cursor.Move(d)
			if m.cursor.Index == before {
				break
			}
		}
		if _, ok := m.Selected(); ok {
			break
		}
	}
	if m.cursor.Index == 1 {
		m.cursor.Offset = 0
	}
}

// Select moves the cursor to an item (tests, links from other screens).
func (m *Model) Select(id string) bool {
	for i, r := range m.rows {
		if r.entry >= 0 && m.report.Items[r.entry].ID == id {
			m.cursor.Index = i
			m.cursor.Move(0)
			return true
		}
	}
	return false
}

// Selected is the item under the cursor, as assessed now.
func (m *Model) Selected() (checklist.Entry, bool) {
	if m.report == nil || m.cursor.Index < 0 || m.cursor.Index >= len(m.rows) {
		return checklist.Entry{}, false
	}
	r := m.rows[m.cursor.Index]
	if r.entry < 0 {
		return checklist.Entry{}, false
	}
	return m.report.Items[r.entry], true
}

func statusLabel(st checklist.Status) string {
	switch st {
	case checklist.AcceptedRisk:
		return "risk"
	case checklist.NA:
		return "n/a"
	}
	return string(st)
}

func (m *Model) statusStyle(st checklist.Status) func(...string) string {
	s := m.c.Styles
	switch st {
	case checklist.Pass:
		return s.OK.Render
	case checklist.Fail:
		return s.Err.Render
	case checklist.Todo:
		return s.Warn.Render
	}
	return s.Muted.Render
}

// View draws the screen.
func (m *Model) View() string {
	s := m.c.Styles
	var b strings.Builder
	switch {
	case m.missing:
		b.WriteString(s.Section.Render("No checklist yet") + "\n\n")
		b.WriteString(common.Wrap("The checklist lives in "+checklist.RelPath+", committed with the code and reviewed like code. Press i to create it from the template of a secure cloud SaaS team's practices.", m.width) + "\n")
		if m.message != "" {
			b.WriteString("\n" + m.messageView() + "\n")
		}
		return b.String()
	case m.err != nil:
		b.WriteString(s.Err.Render(common.Wrap(termtext.Line(m.err.Error()), m.width)) + "\n")
		b.WriteString(s.Muted.Render("Fix the file, then come back: nothing is written to a file that does not parse.") + "\n")
		return b.String()
	case m.file == nil:
		b.WriteString(m.spinner.View() + " Reading the checklist and checking the automatic items…\n")
		return b.String()
	}
	b.WriteString(common.Truncate(m.summaryLine(), m.width) + "\n")
	b.WriteString(s.Divider.Render(common.Rule(m.width)) + "\n")
	b.WriteString(common.Lines(m.listView(), m.width, m.cursor.Height) + "\n")
	b.WriteString(s.Divider.Render(common.Rule(m.width)) + "\n")
	if m.editing {
		// The prompt (or why the note was refused) above the input.
		msg := m.messageView()
		n := strings.Count(msg, "\n") + 1
		b.WriteString(common.Lines(m.detailView(), m.width, 5-n) + "\n")
		b.WriteString(msg + "\n")
		b.WriteString(common.Truncate(m.note.View(), m.width))
	} else {
		// A message may take two lines; the details give way.
		msg := m.messageView()
		n := strings.Count(msg, "\n") + 1
		b.WriteString(common.Lines(m.detailView(), m.width, 6-n) + "\n")
		b.WriteString(msg)
	}
	return b.String()
}

func (m *Model) messageView() string {
	s := m.c.Styles
	if m.message == "" {
		return ""
	}
	st := s.OK
	if !m.messageOK {
		st = s.Err
	}
	msg := common.Wrap(termtext.Line(m.message), m.width)
	return st.Render(common.Lines(msg, m.width, min(strings.Count(msg, "\n")+1, 2)))
}

func (m *Model) summaryLine() string {
	s := m.c.Styles
	t := m.report.Summary
	line := fmt.Sprintf("%d/%d done · %d pass · %d fail · %d todo", t.Pass+t.NA+t.AcceptedRisk, t.Total(), t.Pass, t.Fail, t.Todo)
	if t.Stale > 0 {
		line += s.Warn.Render(fmt.Sprintf(" · %d stale", t.Stale))
	}
	if m.loading {
		line = m.spinner.View() + " checking evidence (esc cancels) · " + line
	}
	return line
}

func (m *Model) listView() string {
	s := m.c.Styles
	from, to := m.cursor.Visible()
	var b strings.Builder
	for i := from; i < to; i++ {
		r := m.rows[i]
		if r.entry < 0 {
			b.WriteString(s.Section.Render(termtext.Line(checklist.AreaTitle(r.area))) + "\n")
			continue
		}
		e := m.report.Items[r.entry]
		flag := ""
		if e.Stale {
			flag = s.Warn.Render("stale ")
		}
		line := fmt.Sprintf("%s %s %s%s", m.statusStyle(e.Status)(fmt.Sprintf("%-4s", termtext.Line(statusLabel(e.Status)))),
			s.Muted.Render(fmt.Sprintf("%-6s", termtext.Line(string(e.Kind)))), flag, termtext.Line(e.Title))
		if i == m.cursor.Index {
			b.WriteString(s.Cursor.Render("› ") + common.Truncate(line, m.width-2) + "\n")
		} else {
			b.WriteString("  " + common.Truncate(line, m.width-2) + "\n")
		}
	}
	return b.String()
}

func (m *Model) detailView() string {
	s := m.c.Styles
	e, ok := m.Selected()
	if !ok {
		return ""
	}
	var b strings.Builder
	kind := "manual: a person attests it"
	if e.Kind == checklist.Auto {
		kind = "automatic: secfirst checks it"
	}
	b.WriteString(s.Bold.Render(termtext.Line(e.ID)) + s.Muted.Render(" · "+kind) + "\n")
	evidence := e.Evidence
	if e.Kind == checklist.Auto {
		evidence = fmt.Sprintf("%s: %s", e.Computed, e.Evidence)
		if e.Overridden {
			evidence = fmt.Sprintf("recorded as %s; secfirst finds %s", e.Status, evidence)
		}
	}
	if evidence != "" {
		lines := strings.Split(common.Wrap(termtext.Line(oneLine(evidence)), m.width-9), "\n")
		for i, l := range lines[:min(len(lines), 2)] {
			label := "Evidence "
			if i > 0 {
				label = "         "
			}
			if i == 1 && len(lines) > 2 {
				l = common.Truncate(l+" "+lines[2], m.width-9)
			}
			b.WriteString(s.Label.Render(label) + l + "\n")
		}
	}
	var parts []string
	if e.Owner != "" {
		parts = append(parts, "owner "+termtext.Line(e.Owner))
	}
	if e.Reviewed {
		r := termtext.Line(fmt.Sprintf("by %s on %s", e.ReviewedBy, e.ReviewedAt))
		if e.Stale {
			r += s.Warn.Render(fmt.Sprintf(" · stale: %d days old", e.AgeDays))
		}
		parts = append(parts, r)
	} else {
		parts = append(parts, "never reviewed")
	}
	b.WriteString(s.Label.Render("Review   ") + common.Truncate(strings.Join(parts, " · "), m.width-9) + "\n")
	if e.Note != "" {
		b.WriteString(s.Label.Render("Note     ") + common.Truncate(termtext.Line(oneLine(e.Note)), m.width-9) + "\n")
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ShortHelp is the help line.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.editing:
		return []key.Binding{k.Save, k.Back}
	case m.missing:
		return []key.Binding{k.Init, k.Back}
	}
	return []key.Binding{k.Pass, k.Fail, k.Todo, k.NA, k.Accept, k.Note, k.Refresh}
}

// FullHelp is every key of the screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDn}, {k.Pass, k.Fail, k.Todo, k.NA, k.Accept}, {k.Note, k.Refresh, k.Lesson, k.Init, k.Back}}
}

// Busy reports whether the checklist is being read or written.
func (m *Model) Busy() bool { return m.loading || m.pending > 0 }
