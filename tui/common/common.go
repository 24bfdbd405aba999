// Package common is what every screen of the TUI shares, after gh-dash's
// ProgramContext and soft-serve's common.Common: the size of the screen,
// the styles, the global keys, the repository and the services (state
// store, clock, checks) that screens use instead of reaching for globals, so
// tests can run any screen with a fixed clock, a temporary state directory
// and a repository name they choose.
package common

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/styles"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/lessons"
	"github.com/secfirst-dev/secfirst/tui/state"
	"github.com/secfirst-dev/secfirst/tui/status"
	"github.com/secfirst-dev/secfirst/tui/theme"
)

// Repo is the repository the TUI works on.
type Repo struct {
	// Root is the top level of the working tree.
	Root string
	// Name is what the header shows (the folder's name), and Display the
	// path as shown to a person (with ~ for the home directory), both safe
	// for the terminal (termtext); tests set them so no temporary path
	// reaches a golden file.
	Name    string
	Display string
}

// Common is shared by every screen. Screens keep a pointer: a resize or a
// new scan is seen by all of them.
type Common struct {
	Width, Height int

	Renderer *lipgloss.Renderer
	Styles   *theme.Styles
	// Color is false under NO_COLOR or without a terminal: glamour then
	// renders lessons without colour too.
	Color bool
	// Light is true on a light terminal background (asked once, before the
	// program starts, so the question never races the program's input).
	Light bool
	Keys  *GlobalKeys

	Repo Repo
	// State is the user's state directory (quiz results, onboarding
	// progress, last scan counts).
	State *state.Store
	// Now is the clock (tests fix it).
	Now func() time.Time
	// Ctx is the program's context: cancelled when the program ends.
	Ctx context.Context

	// Checks returns the checks a scan runs (before the policy selects).
	Checks func() []checks.Check
	// EvidenceChecks returns the checks the checklist's evidence runs; nil
	// leaves the choice to the checklist package (every check, offline:
	// evidence never touches the network).
	EvidenceChecks func() []checks.Check
	// HookBinary is the secfirst the hook calls ("" means this program).
	HookBinary string
	// DBDir is the vulnerability database ("" means the default) and
	// DBBaseURL where updates download from ("" means the OSV bucket).
	DBDir, DBBaseURL string
	// Reviewer is "Name <email>" for checklist reviews ("" asks git).
	Reviewer string

	mdMu sync.Mutex
	md   map[mdKey]*glamour.TermRenderer
}

// Spinner is the spinner every screen shows while it works.
func (c *Common) Spinner() spinner.Model {
	return spinner.New(spinner.WithSpinner(spinner.Line), spinner.WithStyle(c.Styles.Spinner))
}

// RepoFromRoot names a repository after its folder and shows its path with
// ~ for the home directory.
func RepoFromRoot(root, home string) Repo {
	name, display := status.RepoName(root, home)
	return Repo{Root: root, Name: name, Display: display}
}

// Context returns the program's context (Background when unset).
func (c *Common) Context() context.Context {
	if c.Ctx == nil {
		return context.Background()
	}
	return c.Ctx
}

// EvidenceCheckList is EvidenceChecks' list, nil when unset.
func (c *Common) EvidenceCheckList() []checks.Check {
	if c.EvidenceChecks == nil {
		return nil
	}
	return c.EvidenceChecks()
}

// Help returns a help model drawn with the common styles.
func (c *Common) Help() help.Model {
	h := help.New()
	s := c.Styles
	h.Styles.ShortKey, h.Styles.FullKey = s.HelpKey, s.HelpKey
	h.Styles.ShortDesc, h.Styles.FullDesc = s.HelpDesc, s.HelpDesc
	h.Styles.ShortSeparator, h.Styles.FullSeparator = s.HelpSep, s.HelpSep
	h.Styles.Ellipsis = s.HelpSep
	h.ShortSeparator = " · "
	return h
}

// Markdown renders Markdown for a terminal of this width: glamour's dark
// style with colour, its plain ASCII style without (NO_COLOR, tests).
func (c *Common) Markdown(md string, width int) string {
	if width < 20 {
		width = 20
	}
	style, profile := styles.AsciiStyle, termenv.Ascii
	if c.Color {
		style, profile = styles.DarkStyle, c.Renderer.ColorProfile()
		if c.Light {
			style = styles.LightStyle
		}
	}
	c.mdMu.Lock()
	defer c.mdMu.Unlock()
	// A renderer per look and width, built once: the findings screen
	// renders a whole lesson at every cursor move.
	k := mdKey{style, profile, width}
	r, ok := c.md[k]
	if !ok {
		var err error
		if r, err = glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithColorProfile(profile), glamour.WithWordWrap(width)); err != nil {
			return md
		}
		if c.md == nil {
			c.md = map[mdKey]*glamour.TermRenderer{}
		}
		c.md[k] = r
	}
	out, err := r.Render(joinListContinuations(md))
	if err != nil {
		return md
	}
	return out
}

type mdKey struct {
	style   string
	profile termenv.Profile
	width   int
}

var (
	listItem = regexp.MustCompile(`^\s*([-*+]|\d+[.)])\s+\S`)
	fence    = regexp.MustCompile("^\\s*(```|~~~)")
)

// joinListContinuations joins the soft-wrapped lines of a list item into
// one line: glamour keeps a list item's soft line breaks as hard ones, so
// wrapped source text would come out with ragged short lines. Code blocks
// are left alone.
func joinListContinuations(md string) string {
	lines := strings.Split(md, "\n")
	var out []string
	inFence, inItem := false, false
	for _, l := range lines {
		switch {
		case fence.MatchString(l):
			inFence = !inFence
			inItem = false
		case inFence:
		case strings.TrimSpace(l) == "":
			inItem = false
		case listItem.MatchString(l):
			inItem = true
		case inItem && (l[0] == ' ' || l[0] == '\t'):
			out[len(out)-1] += " " + strings.TrimSpace(l)
			continue
		default:
			inItem = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// GlobalKeys work on every screen.
type GlobalKeys struct {
	Quit key.Binding
	Help key.Binding
	Back key.Binding
}

// NewGlobalKeys returns the global key bindings.
func NewGlobalKeys() *GlobalKeys {
	return &GlobalKeys{
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Back: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// Component is one screen: it draws in the space SetSize gives it and names
// its keys for the help line.
type Component interface {
	Init() tea.Cmd
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	// Title is the screen's name in the header.
	Title() string
	// ShortHelp and FullHelp are the screen's own keys (the global ones
	// are added by the program).
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Capturing is true while the screen takes text input: then q and ?
	// are letters, not commands.
	Capturing() bool
}

// Screen identifies a screen.
type Screen int

const (
	ScreenDashboard Screen = iota
	ScreenFindings
	ScreenLessons
	ScreenChecklist
	ScreenOnboarding
	ScreenHooks
)

// NavigateMsg asks the program to show a screen.
type NavigateMsg struct {
	To Screen
	// Lesson opens the lessons screen on this lesson.
	Lesson string
	// Install opens the hooks screen with the install plan.
	Install bool
	// Scan starts a scan on the findings screen.
	Scan bool
}

// Navigate is a command that sends NavigateMsg.
func Navigate(to Screen) tea.Cmd {
	return func() tea.Msg { return NavigateMsg{To: to} }
}

// BackMsg asks the program to leave the current screen.
type BackMsg struct{}

// Back is a command that sends BackMsg.
func Back() tea.Msg { return BackMsg{} }

// RefreshMsg tells screens that the repository's state changed (a hook
// installed, a scan saved, a checklist item reviewed): they reload what
// they show.
type RefreshMsg struct{}

// Refresh is a command that sends RefreshMsg.
func Refresh() tea.Msg { return RefreshMsg{} }

// LessonMarkdown is a lesson as read on screen: title, summary and every
// section but the quiz, whose answer would otherwise be on the same page.
func LessonMarkdown(l *lessons.Lesson) string {
	var b strings.Builder
	b.WriteString("# " + l.Title + "\n\n" + l.Summary + "\n")
	sec := l.Sections
	for _, part := range []struct{ heading, body string }{
		{lessons.HeadingWhy, sec.WhyItMatters},
		{lessons.HeadingHowToFix, sec.HowToFix},
		{lessons.HeadingExample, sec.Example},
		{lessons.HeadingLearnMore, sec.LearnMore},
	} {
		if strings.TrimSpace(part.body) == "" {
			continue
		}
		b.WriteString("\n## " + part.heading + "\n\n" + strings.TrimSpace(part.body) + "\n")
	}
	return b.String()
}
