// Package learn is the lessons screen: the library by topic, the reader
// (the lesson rendered with glamour) and the quiz, whose results are kept
// for the user.
package learn

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/lessons"
	"github.com/secfirst-dev/secfirst/tui/common"
	"github.com/secfirst-dev/secfirst/tui/state"
)

// KeyMap are the lessons screen's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDn, Open, Quiz, Back key.Binding
}

// DefaultKeyMap returns the lessons screen's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp: key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		PageDn: key.NewBinding(key.WithKeys("pgdown", " "), key.WithHelp("pgdn", "page down")),
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "read")),
		Quiz:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "take the quiz")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// Topics are the library's sections in display order; lessons of other
// topics follow, sorted.
var Topics = []string{"fundamentals", "secrets", "dependencies", "containers", "access", "data", "infrastructure", "operations", "pipeline"}

// TopicTitle is a topic's heading.
func TopicTitle(t string) string {
	switch t {
	case "access":
		return "Identity and access"
	case "pipeline":
		return "CI pipeline"
	}
	if t == "" {
		return "Other"
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

type view int

const (
	viewLibrary view = iota
	viewReader
	viewQuiz
)

// row is a line of the library: a topic heading or a lesson.
type row struct {
	topic  string
	lesson *lessons.Lesson
}

// Model is the lessons screen.
type Model struct {
	c             *common.Common
	keys          KeyMap
	width, height int

	rows    []row
	cursor  common.Cursor
	results map[string]state.QuizResult
	loadErr error

	view   view
	open   *lessons.Lesson
	reader viewport.Model
	quiz   *Quiz
}

// New returns the lessons screen.
func New(c *common.Common) *Model {
	m := &Model{c: c, keys: DefaultKeyMap(), reader: viewport.New(0, 0), results: map[string]state.QuizResult{}}
	m.rows = library(lessons.All())
	m.cursor.SetLen(len(m.rows))
	m.skipHeading(1)
	return m
}

// library groups lessons by their first topic, in the order of Topics.
func library(all []*lessons.Lesson) []row {
	by := map[string][]*lessons.Lesson{}
	for _, l := range all {
		t := ""
		if len(l.Topics) > 0 {
			t = l.Topics[0]
		}
		by[t] = append(by[t], l)
	}
	order := append([]string(nil), Topics...)
	var rest []string
	for t := range by {
		known := false
		for _, k := range Topics {
			known = known || k == t
		}
		if !known {
			rest = append(rest, t)
		}
	}
	sort.Strings(rest)
	order = append(order, rest...)
	var rows []row
	for _, t := range order {
		if len(by[t]) == 0 {
			continue
		}
		rows = append(rows, row{topic: t})
		for _, l := range by[t] {
			rows = append(rows, row{lesson: l})
		}
	}
	return rows
}

// Title is the screen's name.
func (m *Model) Title() string { return "Lessons" }

// Capturing is always false.
func (m *Model) Capturing() bool { return false }

// Init loads the quiz results.
func (m *Model) Init() tea.Cmd { return m.loadResults() }

type resultsMsg struct {
	results map[string]state.QuizResult
	err     error
}

func (m *Model) loadResults() tea.Cmd {
	store := m.c.State
	return func() tea.Msg {
		if store == nil {
			return resultsMsg{results: map[string]state.QuizResult{}}
		}
		r, err := store.QuizResults()
		return resultsMsg{r, err}
	}
}

// Open shows the library, or the lesson named in msg.
func (m *Model) Open(msg common.NavigateMsg) tea.Cmd {
	if msg.Lesson != "" {
		if l, ok := lessons.Get(msg.Lesson); ok {
			for i, r := range m.rows {
				if r.lesson == l {
					m.cursor.Index = i
					m.cursor.Move(0)
				}
			}
			m.openReader(l)
			return nil
		}
	}
	m.view = viewLibrary
	return nil
}

// SetSize lays the screen out.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.cursor.SetHeight(max(h-5, 3))
	m.reader.Width, m.reader.Height = w, max(h-2, 1)
	if m.open != nil {
		m.renderReader()
	}
	if m.quiz != nil {
		m.quiz.SetWidth(w)
	}
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case resultsMsg:
		m.results, m.loadErr = msg.results, msg.err
		return nil
	case AnsweredMsg:
		if m.quiz != nil {
			m.quiz.Update(msg)
		}
		if msg.Err == nil {
			m.results[msg.Lesson] = msg.Result
		}
		return nil
	case tea.KeyMsg:
		switch m.view {
		case viewQuiz:
			if key.Matches(msg, m.keys.Back) {
				m.view = viewReader
				return nil
			}
			return m.quiz.Update(msg)
		case viewReader:
			switch {
			case key.Matches(msg, m.keys.Back):
				m.view = viewLibrary
			case key.Matches(msg, m.keys.Quiz):
				m.startQuiz()
			case key.Matches(msg, m.keys.Up):
				m.reader.ScrollUp(1)
			case key.Matches(msg, m.keys.Down):
				m.reader.ScrollDown(1)
			case key.Matches(msg, m.keys.PageUp):
				m.reader.PageUp()
			case key.Matches(msg, m.keys.PageDn):
				m.reader.PageDown()
			}
			return nil
		}
		switch {
		case key.Matches(msg, m.keys.Back):
			return common.Back
		case key.Matches(msg, m.keys.Up):
			m.cursor.Move(-1)
			m.skipHeading(-1)
		case key.Matches(msg, m.keys.Down):
			m.cursor.Move(1)
			m.skipHeading(1)
		case key.Matches(msg, m.keys.PageUp):
			m.cursor.Move(-m.cursor.Height)
			m.skipHeading(-1)
		case key.Matches(msg, m.keys.PageDn):
			m.cursor.Move(m.cursor.Height)
			m.skipHeading(1)
		case key.Matches(msg, m.keys.Open):
			if l := m.Selected(); l != nil {
				m.openReader(l)
			}
		case key.Matches(msg, m.keys.Quiz):
			if l := m.Selected(); l != nil {
				m.openReader(l)
				m.startQuiz()
			}
		}
	}
	return nil
}

// skipHeading moves the cursor off a topic heading, in direction dir (and
// back the other way at the ends of the list).
func (m *Model) skipHeading(dir int) {
	for _, d := range []int{dir, -dir} {
		for m.cursor.Index >= 0 && m.cursor.Index < len(m.rows) && m.rows[m.cursor.Index].lesson == nil {
			before := m.cursor.Index
			m.cursor.Move(d)
			if m.cursor.Index == before {
				break
			}
		}
		if m.Selected() != nil {
			break
		}
	}
	// Show the heading above the first lesson of the list.
	if m.cursor.Index == 1 {
		m.cursor.Offset = 0
	}
}

// Selected is the lesson under the cursor.
func (m *Model) Selected() *lessons.Lesson {
	if m.cursor.Index < 0 || m.cursor.Index >= len(m.rows) {
		return nil
	}
	return m.rows[m.cursor.Index].lesson
}

func (m *Model) openReader(l *lessons.Lesson) {
	m.open = l
	m.view = viewReader
	m.quiz = nil
	m.renderReader()
	m.reader.GotoTop()
}

func (m *Model) renderReader() {
	md := common.LessonMarkdown(m.open)
	m.reader.SetContent(m.c.Markdown(md, max(m.width-2, 20)))
}

func (m *Model) startQuiz() {
	if m.open == nil || len(m.open.Sections.Quiz.Choices) == 0 {
		return
	}
	m.quiz = NewQuiz(m.c, m.open)
	m.quiz.SetWidth(m.width)
	m.view = viewQuiz
}

// View draws the screen.
func (m *Model) View() string {
	switch m.view {
	case viewReader:
		return m.readerView()
	case viewQuiz:
		return common.Lines(m.quiz.View(), m.width, m.height)
	}
	return m.libraryView()
}

func (m *Model) libraryView() string {
	s := m.c.Styles
	var b strings.Builder
	passed, total := 0, 0
	for _, r := range m.rows {
		if r.lesson != nil {
			total++
			if m.results[r.lesson.ID].Correct {
				passed++
			}
		}
	}
	b.WriteString(s.Section.Render("Library") + s.Muted.Render(fmt.Sprintf("  %d lessons · %d quizzes passed", total, passed)) + "\n")
	if m.loadErr != nil {
		b.WriteString(s.Err.Render(common.Truncate("quiz results cannot be read: "+termtext.Line(m.loadErr.Error()), m.width)) + "\n")
	} else {
		b.WriteString(s.Divider.Render(common.Rule(m.width)) + "\n")
	}
	from, to := m.cursor.Visible()
	var list strings.Builder
	for i := from; i < to; i++ {
		r := m.rows[i]
		if r.lesson == nil {
			list.WriteString(s.Section.Render(TopicTitle(r.topic)) + "\n")
			continue
		}
		mark := "  "
		if res, ok := m.results[r.lesson.ID]; ok {
			if res.Correct {
				mark = s.OK.Render("✓ ")
			} else {
				mark = s.Warn.Render("✗ ")
			}
		}
		line := fmt.Sprintf("%s%-30s %s", mark, common.Truncate(r.lesson.ID, 30), s.Muted.Render(r.lesson.Title))
		if i == m.cursor.Index {
			list.WriteString(s.Cursor.Render("› ") + common.Truncate(line, m.width-2) + "\n")
		} else {
			list.WriteString("  " + common.Truncate(line, m.width-2) + "\n")
		}
	}
	b.WriteString(common.Lines(list.String(), m.width, m.cursor.Height) + "\n")
	b.WriteString(s.Divider.Render(common.Rule(m.width)) + "\n")
	if l := m.Selected(); l != nil {
		b.WriteString(common.Lines(common.Wrap(l.Summary, m.width), m.width, 2))
	}
	return b.String()
}

func (m *Model) readerView() string {
	s := m.c.Styles
	head := s.Section.Render(m.open.Title)
	pct := fmt.Sprintf(" %3.0f%%", m.reader.ScrollPercent()*100)
	line := common.Truncate(head, m.width-len(pct)) + s.Muted.Render(pct)
	hint := s.Muted.Render("secfirst learn "+m.open.ID+" · ") + s.Key.Render("t") + s.Muted.Render(" takes the quiz")
	return line + "\n" + common.Lines(m.reader.View(), m.width, m.reader.Height) + "\n" + common.Truncate(hint, m.width)
}

// ShortHelp is the help line.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch m.view {
	case viewReader:
		return []key.Binding{k.Up, k.Down, k.Quiz, k.Back}
	case viewQuiz:
		return append(m.quiz.ShortHelp(), k.Back)
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Quiz, k.Back}
}

// FullHelp is every key of the screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	q := DefaultQuizKeys()
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDn}, {k.Open, k.Quiz, k.Back}, {q.Choose, q.Retry}}
}
