package learn

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/lessons"
	"github.com/secfirst-dev/secfirst/tui/common"
	"github.com/secfirst-dev/secfirst/tui/state"
)

// QuizKeys are the keys of a quiz.
type QuizKeys struct {
	Up, Down, Choose, Retry key.Binding
}

// DefaultQuizKeys returns the quiz keys.
func DefaultQuizKeys() QuizKeys {
	return QuizKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter/a-d", "answer")),
		Retry:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "try again")),
	}
}

// AnsweredMsg reports an answer to a lesson's quiz, once it is stored.
type AnsweredMsg struct {
	Lesson  string
	Correct bool
	Result  state.QuizResult
	Err     error
}

// Quiz asks one lesson's question, takes an answer, shows whether it is
// right with the explanation, and records the result for the user.
type Quiz struct {
	c      *common.Common
	keys   QuizKeys
	lesson *lessons.Lesson
	cursor int
	// chosen is the answer given (-1 before).
	chosen int
	saved  error
	width  int
}

// NewQuiz returns the quiz of lesson l.
func NewQuiz(c *common.Common, l *lessons.Lesson) *Quiz {
	return &Quiz{c: c, keys: DefaultQuizKeys(), lesson: l, chosen: -1}
}

// Answered reports whether an answer was given, and whether it was right.
func (q *Quiz) Answered() (answered, correct bool) {
	return q.chosen >= 0, q.lesson.Sections.Quiz.IsCorrect(q.chosen)
}

// SetWidth sets the width the quiz wraps to.
func (q *Quiz) SetWidth(w int) { q.width = w }

// Update handles keys: move, choose (enter or the choice's letter), retry.
func (q *Quiz) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case AnsweredMsg:
		if msg.Lesson == q.lesson.ID {
			q.saved = msg.Err
		}
	case tea.KeyMsg:
		quiz := q.lesson.Sections.Quiz
		if q.chosen >= 0 {
			if key.Matches(msg, q.keys.Retry) {
				q.chosen = -1
			}
			return nil
		}
		switch {
		case key.Matches(msg, q.keys.Up):
			q.cursor = max(q.cursor-1, 0)
		case key.Matches(msg, q.keys.Down):
			q.cursor = min(q.cursor+1, len(quiz.Choices)-1)
		case key.Matches(msg, q.keys.Choose):
			return q.choose(q.cursor)
		default:
			if s := msg.String(); len(s) == 1 {
				i := int(strings.ToUpper(s)[0]) - 'A'
				if i >= 0 && i < len(quiz.Choices) {
					q.cursor = i
					return q.choose(i)
				}
			}
		}
	}
	return nil
}

func (q *Quiz) choose(i int) tea.Cmd {
	q.chosen = i
	quiz := q.lesson.Sections.Quiz
	correct := quiz.IsCorrect(i)
	id, store, now := q.lesson.ID, q.c.State, q.c.Now()
	return func() tea.Msg {
		if store == nil {
			return AnsweredMsg{Lesson: id, Correct: correct}
		}
		r, err := store.RecordQuiz(id, lessons.ChoiceLabel(i), correct, now)
		return AnsweredMsg{Lesson: id, Correct: correct, Result: r, Err: err}
	}
}

// View draws the question, the choices and, once answered, the verdict and
// the explanation.
func (q *Quiz) View() string {
	s := q.c.Styles
	w := max(q.width, 20)
	quiz := q.lesson.Sections.Quiz
	var b strings.Builder
	b.WriteString(s.Section.Render("Quiz: "+q.lesson.Title) + "\n\n")
	b.WriteString(common.Wrap(quiz.Question, w) + "\n\n")
	for i, ch := range quiz.Choices {
		mark := "  "
		if q.chosen < 0 && i == q.cursor {
			mark = s.Cursor.Render("› ")
		}
		if q.chosen >= 0 {
			switch {
			case quiz.IsCorrect(i):
				mark = s.OK.Render("✓ ")
			case i == q.chosen:
				mark = s.Err.Render("✗ ")
			}
		}
		text := common.Wrap(fmt.Sprintf("%s) %s", lessons.ChoiceLabel(i), ch), w-2)
		b.WriteString(mark + strings.ReplaceAll(text, "\n", "\n     ") + "\n")
	}
	if q.chosen >= 0 {
		b.WriteString("\n")
		if quiz.IsCorrect(q.chosen) {
			b.WriteString(s.OK.Render("Correct.") + "\n")
		} else {
			b.WriteString(s.Err.Render(fmt.Sprintf("Not quite: the answer is %s.", quiz.Answer)) + "\n")
		}
		b.WriteString(common.Wrap(quiz.Explanation, w) + "\n")
		if q.saved != nil {
			b.WriteString(s.Err.Render(common.Wrap("Your answer could not be saved: "+termtext.Line(q.saved.Error()), w)) + "\n")
		}
	}
	return b.String()
}

// ShortHelp is the quiz's help line.
func (q *Quiz) ShortHelp() []key.Binding {
	if q.chosen >= 0 {
		return []key.Binding{q.keys.Retry}
	}
	return []key.Binding{q.keys.Up, q.keys.Down, q.keys.Choose}
}
