// Package onboard is the onboarding walkthrough (`secfirst onboard`): the
// shared responsibility model, installing the hook, a first scan of this
// repository with its real findings explained, one lesson and its quiz for
// each of secrets, dependencies, containers, access, data and
// infrastructure, and a closing summary. Progress is stored for the user
// after every step, so the walkthrough resumes where it stopped.
package onboard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/lessons"
	"github.com/secfirst-dev/secfirst/tui/common"
	"github.com/secfirst-dev/secfirst/tui/learn"
	"github.com/secfirst-dev/secfirst/tui/state"
	"github.com/secfirst-dev/secfirst/tui/status"
	"github.com/secfirst-dev/secfirst/tui/theme"
)

// Step is one step of the walkthrough.
type Step struct {
	ID, Title string
}

// Steps of the walkthrough, in the order of state.OnboardingSteps.
var Steps = []Step{
	{"welcome", "Welcome and the shared responsibility model"},
	{"hook", "Install the pre-commit hook"},
	{"scan", "A first scan of this repository"},
	{"lessons", "Six lessons, six questions"},
	{"summary", "What to do next"},
}

// Topic is one lesson of the lessons step.
type Topic struct {
	Name string
	// Prefer lists lesson ids in order of preference; the first lesson of
	// the topic is used when none of them exists.
	Prefer []string
	Tag    string
}

// Topics are the lessons step's subjects.
var Topics = []Topic{
	{"Secrets", []string{"secrets-leaked"}, "secrets"},
	{"Dependencies", []string{"deps-vulnerable"}, "dependencies"},
	{"Containers", []string{"containers-non-root"}, "containers"},
	{"Access", []string{"least-privilege"}, "access"},
	{"Data", []string{"logs-no-secrets"}, "data"},
	{"Infrastructure", []string{"tls-private-connectivity", "waf"}, "infrastructure"},
}

// LessonFor returns the lesson of a topic, nil when the library has none.
func LessonFor(t Topic) *lessons.Lesson {
	for _, id := range t.Prefer {
		if l, ok := lessons.Get(id); ok {
			return l
		}
	}
	for _, l := range lessons.All() {
		for _, tag := range l.Topics {
			if tag == t.Tag {
				return l
			}
		}
	}
	return nil
}

// KeyMap are the walkthrough's keys.
type KeyMap struct {
	Next, Prev, Up, Down, Skip, Back key.Binding
}

// DefaultKeyMap returns the walkthrough's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next: key.NewBinding(key.WithKeys("enter", "right", "n"), key.WithHelp("enter", "continue")),
		Prev: key.NewBinding(key.WithKeys("left", "p"), key.WithHelp("←/p", "previous")),
		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
		Down: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
		Skip: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "skip")),
		Back: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave")),
	}
}

type planMsg struct {
	plan *hooks.Plan
	err  error
}

type installedMsg struct{ err error }

// Model is the walkthrough.
type Model struct {
	c             *common.Common
	keys          KeyMap
	width, height int

	progress state.Onboarding
	loadErr  error
	saveErr  error
	step     int
	topic    int
	quizzing bool
	quiz     *learn.Quiz
	correct  map[string]bool

	body    viewport.Model
	spinner spinner.Model

	plan       *hooks.Plan
	planErr    error
	installErr error

	scan     *common.Scan
	scanned  *common.ScanDoneMsg
	scanNote string

	hookInstalled bool
	lastScan      *state.ScanSummary
}

// New returns the walkthrough.
func New(c *common.Common) *Model {
	sp := c.Spinner()
	return &Model{c: c, keys: DefaultKeyMap(), body: viewport.New(0, 0), spinner: sp, correct: map[string]bool{}}
}

// Title is the screen's name.
func (m *Model) Title() string { return "Onboarding" }

// Capturing is always false.
func (m *Model) Capturing() bool { return false }

// Init does nothing until the walkthrough is opened.
func (m *Model) Init() tea.Cmd { return nil }

// Open resumes where the user stopped; once finished, it starts again from
// the first step, keeping what was done (leaving on step 1 of a second
// walk must not undo the first).
func (m *Model) Open(common.NavigateMsg) tea.Cmd {
	m.progress, m.loadErr = state.Onboarding{}, nil
	if m.c.State != nil {
		m.progress, m.loadErr = m.c.State.Onboarding()
	}
	if results, err := m.quizResults(); err == nil {
		for id, r := range results {
			m.correct[id] = r.Correct
		}
	}
	m.step, m.topic, m.quizzing = 0, 0, false
	if !m.progress.Finished {
		for i, s := range Steps {
			if s.ID == m.progress.Step {
				m.step = i
			}
		}
		m.topic = min(max(m.progress.Topic, 0), len(Topics)-1)
	}
	return m.enter()
}

func (m *Model) quizResults() (map[string]state.QuizResult, error) {
	if m.c.State == nil {
		return nil, nil
	}
	return m.c.State.QuizResults()
}

// enter starts what the current step needs (a plan, a scan).
func (m *Model) enter() tea.Cmd {
	m.save()
	m.body.GotoTop()
	switch Steps[m.step].ID {
	case "hook":
		m.plan, m.planErr, m.installErr = nil, nil, nil
		ctx, root, bin := m.c.Context(), m.c.Repo.Root, m.c.HookBinary
		return func() tea.Msg {
			p, err := hooks.PlanInstall(ctx, root, hooks.InstallOptions{Binary: bin})
			return planMsg{p, err}
		}
	case "scan":
		if m.scanned == nil && m.scan == nil {
			s, cmd := m.c.StartScan(checks.ModeWorktree)
			m.scan = s
			return tea.Batch(cmd, m.spinner.Tick)
		}
	case "summary":
		m.progress.Finished = true
		m.progress.MarkDone("summary")
		m.save()
		// What the summary says is read from the repository, not from
		// this session: the hook may have been installed, and the scan
		// run, in an earlier one.
		m.hookInstalled = status.GatherHook(m.c.Context(), m.c.Repo.Root).Installed
		if m.c.State != nil {
			m.lastScan, _ = m.c.State.LastScan(m.c.Repo.Root)
		}
	}
	m.refresh()
	return nil
}

func (m *Model) save() {
	if m.c.State == nil {
		return
	}
	m.progress.Step = Steps[m.step].ID
	m.progress.Topic = m.topic
	m.saveErr = m.c.State.SaveOnboarding(m.progress)
}

// SetSize lays the screen out.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.body.Width, m.body.Height = w, max(h-2, 1)
	if m.quiz != nil {
		m.quiz.SetWidth(w)
	}
	m.refresh()
}

// refresh re-renders the step's text.
func (m *Model) refresh() {
	if m.width == 0 {
		return
	}
	y := m.body.YOffset
	m.body.SetContent(m.content())
	m.body.SetYOffset(y)
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case planMsg:
		m.plan, m.planErr = msg.plan, msg.err
		m.refresh()
	case installedMsg:
		m.installErr = msg.err
		if msg.err == nil {

			m.progress.MarkDone("hook")
			return tea.Batch(m.next(), common.Refresh)
		}
		m.refresh()
	case common.ScanDoneMsg:
		if m.scan == nil || msg.ID != m.scan.ID {
			return nil
		}
		m.scan = nil
		switch {
		case msg.Canceled:
			m.scanNote = "Scan cancelled. Press r to scan again, or enter to go on without it."
		case msg.Err != nil:
			m.scanNote = "The scan could not run: " + msg.Err.Error()
		default:
			done := msg
			m.scanned = &done
			m.progress.MarkDone("scan")
			m.save()
		}
		m.refresh()
		return common.Refresh
	case spinner.TickMsg:
		if m.scan != nil {
			var cmd tea.Cmd
			m.spinner, cmd = m.spinner.Update(msg)
			m.refresh()
			return cmd
		}
	case learn.AnsweredMsg:
		if m.quiz != nil {
			m.quiz.Update(msg)
		}
		m.correct[msg.Lesson] = msg.Correct
	case tea.KeyMsg:
		return m.updateKey(msg)
	}
	return nil
}

func (m *Model) updateKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if m.quizzing {
		answered, _ := m.quiz.Answered()
		switch {
		case key.Matches(msg, k.Back):
			m.quizzing = false
			m.refresh()
			return nil
		case answered && msg.String() == "enter":
			return m.nextTopic()
		}
		return m.quiz.Update(msg)
	}
	switch {
	case key.Matches(msg, k.Back):
		if m.scan != nil {
			m.scan.Cancel()
			return nil
		}
		return common.Back
	case key.Matches(msg, k.Up):
		m.body.ScrollUp(1)
		return nil
	case key.Matches(msg, k.Down):
		m.body.ScrollDown(1)
		return nil
	case key.Matches(msg, k.Prev):
		return m.prev()
	}
	switch Steps[m.step].ID {
	case "hook":
		switch {
		case key.Matches(msg, k.Skip):
			return m.next()
		case key.Matches(msg, k.Next) && m.plan != nil && m.plan.Changes():
			p := m.plan
			return func() tea.Msg { return installedMsg{p.Apply()} }
		case key.Matches(msg, k.Next) && (m.plan != nil || m.planErr != nil):
			if m.plan != nil {
				m.progress.MarkDone("hook")
			}
			return m.next()
		}
		return nil
	case "scan":
		if msg.String() == "r" && m.scan == nil {
			m.scanned, m.scanNote = nil, ""
			return m.enter()
		}
		if key.Matches(msg, k.Next) && m.scan == nil {
			return m.next()
		}
		return nil
	case "lessons":
		if key.Matches(msg, k.Next) {
			m.startQuiz()
		}
		return nil
	case "summary":
		if key.Matches(msg, k.Next) {
			return common.Back
		}
		return nil
	}
	if key.Matches(msg, k.Next) {
		m.progress.MarkDone(Steps[m.step].ID)
		return m.next()
	}
	return nil
}

func (m *Model) next() tea.Cmd {
	if m.step < len(Steps)-1 {
		m.step++
	}
	return m.enter()
}

func (m *Model) prev() tea.Cmd {
	if Steps[m.step].ID == "lessons" && m.topic > 0 {
		m.topic--
		m.save()
		m.body.GotoTop()
		m.refresh()
		return nil
	}
	if m.step > 0 {
		m.step--
		if Steps[m.step].ID == "lessons" {
			m.topic = len(Topics) - 1
		}
	}
	return m.enter()
}

func (m *Model) startQuiz() {
	l := LessonFor(Topics[m.topic])
	if l == nil || len(l.Sections.Quiz.Choices) == 0 {
		m.nextTopic()
		return
	}
	m.quiz = learn.NewQuiz(m.c, l)
	m.quiz.SetWidth(m.width)
	m.quizzing = true
}

func (m *Model) nextTopic() tea.Cmd {
	m.quizzing = false
	if m.topic < len(Topics)-1 {
		m.topic++
		m.save()
		m.body.GotoTop()
		m.refresh()
		return nil
	}
	m.progress.MarkDone("lessons")
	return m.next()
}

// View draws the progress line, the step and its hint.
func (m *Model) View() string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(common.Truncate(m.progressLine(), m.width) + "\n")
	b.WriteString(s.Divider.Render(common.Rule(m.width)) + "\n")
	h := m.body.Height
	p := m.problem()
	if p != "" {
		h--
	}
	if m.quizzing {
		b.WriteString(common.Lines(m.quiz.View(), m.width, h))
	} else {
		b.WriteString(common.Lines(m.body.View(), m.width, h))
	}
	if p != "" {
		b.WriteString("\n" + common.Truncate(p, m.width))
	}
	return b.String()
}

func (m *Model) progressLine() string {
	s := m.c.Styles
	var dots strings.Builder
	for i := range Steps {
		switch {
		case i == m.step:
			dots.WriteString(s.Cursor.Render("●"))
		case m.progress.IsDone(Steps[i].ID):
			dots.WriteString(s.OK.Render("●"))
		default:
			dots.WriteString(s.Muted.Render("○"))
		}
	}
	title := Steps[m.step].Title
	if Steps[m.step].ID == "lessons" {
		title = fmt.Sprintf("Lesson %d of %d: %s", m.topic+1, len(Topics), Topics[m.topic].Name)
	}
	return dots.String() + s.Muted.Render(fmt.Sprintf("  Step %d of %d · ", m.step+1, len(Steps))) + s.Title.Render(title)
}

// problem is a failure to read or store the progress, shown under the step.
func (m *Model) problem() string {
	s := m.c.Styles
	switch {
	case m.saveErr != nil:
		return s.Err.Render("Progress not saved: " + termtext.Line(m.saveErr.Error()))
	case m.loadErr != nil:
		return s.Err.Render("Progress could not be read: " + termtext.Line(m.loadErr.Error()))
	}
	return ""
}

func (m *Model) content() string {
	w := max(m.width-2, 20)
	switch Steps[m.step].ID {
	case "welcome":
		return m.welcome(w)
	case "hook":
		return m.hookStep(w)
	case "scan":
		return m.scanStep(w)
	case "lessons":
		return m.lessonStep(w)
	}
	return m.summary(w)
}

func (m *Model) welcome(w int) string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(s.Title.Render("Welcome to secfirst") + "\n\n")
	b.WriteString(common.Wrap("secfirst puts security first in your everyday git work: a hook checks every commit for leaked secrets, vulnerable dependencies and insecure Dockerfiles; every finding comes with its fix and a short lesson; and a checklist keeps the team's practices honest.", w) + "\n\n")
	b.WriteString(common.Wrap("This walkthrough takes about ten minutes. Leave at any time: `secfirst onboard` resumes where you stopped.", w) + "\n")
	if l, ok := lessons.Get("shared-responsibility"); ok {
		b.WriteString("\n" + strings.TrimRight(m.c.Markdown(common.LessonMarkdown(l), w), "\n") + "\n")
	} else {
		b.WriteString("\n" + s.Section.Render("The shared responsibility model") + "\n")
		b.WriteString(common.Wrap("The cloud provider secures the cloud; you secure what you put in it: identities, configuration, code and data.", w) + "\n")
	}
	return b.String()
}

func (m *Model) hookStep(w int) string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(common.Wrap("The pre-commit hook runs `secfirst hook pre-commit` on what you stage, every time you commit. A clean commit costs you at most one quiet line; a commit with a secret in it stops, with the fix.", w) + "\n\n")
	switch {
	case m.installErr != nil:
		b.WriteString(s.Err.Render(common.Wrap("The hook could not be installed: "+termtext.Line(m.installErr.Error()), w)) + "\n")
		b.WriteString(common.Wrap("Press s to skip this step; `secfirst hooks install` tries again later.", w) + "\n")
	case m.planErr != nil:
		b.WriteString(s.Err.Render(common.Wrap("secfirst cannot install a hook here: "+termtext.Line(m.planErr.Error()), w)) + "\n")
		b.WriteString("Press enter to go on without it.\n")
	case m.plan == nil:
		b.WriteString(s.Muted.Render("Working out what installing would change…") + "\n")
	case !m.plan.Changes():
		b.WriteString(s.OK.Render("✓ The hook is already in place:") + "\n")
		for _, a := range m.plan.Actions {
			b.WriteString(common.Wrap("  "+termtext.Line(a.Summary), w) + "\n")
		}
	default:
		b.WriteString(s.Section.Render("What installing will do") + "\n")
		for _, a := range m.plan.Actions {
			b.WriteString(common.Wrap("• "+termtext.Line(a.Summary), w) + "\n")
			if a.Kind == hooks.ActSnippet && a.Snippet != "" {
				b.WriteString(s.Code.Render(termtext.Block(a.Snippet)) + "\n")
			}
		}
		for _, n := range m.plan.Notes {
			b.WriteString(s.Warn.Render(common.Wrap("note: "+termtext.Line(n), w)) + "\n")
		}
		b.WriteString("\nNothing has changed yet. " + s.Key.Render("enter") + " installs it, " + s.Key.Render("s") + " skips this step.\n")
	}
	return b.String()
}

func (m *Model) scanStep(w int) string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(common.Wrap("secfirst now scans the tracked files of this repository, as `secfirst scan` does. What it finds here is real: each finding comes with where it is, why it matters and how to fix it.", w) + "\n\n")
	if m.scan != nil {
		b.WriteString(m.spinner.View() + " Scanning the working tree… (esc cancels)\n")
		return b.String()
	}
	if m.scanNote != "" {
		b.WriteString(s.Warn.Render(common.Wrap(termtext.Line(m.scanNote), w)) + "\n")
	}
	if m.scanned == nil {
		return b.String()
	}
	rep := m.scanned.Report
	for _, e := range rep.Errors {
		b.WriteString(s.Err.Render(common.Wrap("! "+termtext.Line(e), w)) + "\n")
	}
	if len(rep.Findings) == 0 {
		b.WriteString(s.OK.Render("✓ No findings in the tracked files.") + "\n\n")
		b.WriteString(common.Wrap("Good: the hook keeps it that way for every commit. `secfirst scan --history` checks what earlier commits may still carry.", w) + "\n")
		return b.String()
	}
	sum := rep.Summary
	b.WriteString(s.Section.Render(fmt.Sprintf("%d finding(s), %d of them would block a commit", sum.Total(), sum.Blocking)) + "\n\n")
	// Most severe first: what to fix first is what to read first.
	list := common.WorstFirst(rep.Findings)
	const shown = 8
	for i, f := range list {
		f := common.Shown(f)
		if i == shown {
			b.WriteString(s.Muted.Render(fmt.Sprintf("…and %d more: the findings screen (f on the dashboard) lists them all.", len(list)-shown)) + "\n")
			break
		}
		b.WriteString(s.Severity(f.Severity).Render(theme.SeverityLabel(f.Severity)) + " " + s.Bold.Render(f.Title) + s.Muted.Render(" · "+f.Location()) + "\n")
		if f.Snippet != "" {
			b.WriteString("     " + s.Code.Render(common.Truncate(strings.TrimSpace(f.Snippet), w-5)) + "\n")
		}
		if l, ok := lessons.Get(f.Lesson); ok {
			b.WriteString(common.Indent(common.Wrap("Why: "+l.Summary, w-5), "     ", "     ") + "\n")
		}
		b.WriteString(common.Indent(common.Wrap("Fix: "+f.Fix, w-5), "     ", "     ") + "\n\n")
	}
	return b.String()
}

func (m *Model) lessonStep(w int) string {
	s := m.c.Styles
	t := Topics[m.topic]
	l := LessonFor(t)
	if l == nil {
		return s.Warn.Render("No lesson on " + t.Name + " in this build of secfirst: press enter to go on.")
	}
	var b strings.Builder
	if m.correct[l.ID] {
		b.WriteString(s.OK.Render("✓ You answered this lesson's quiz correctly before.") + "\n")
	}
	md := "# " + l.Title + "\n\n" + l.Summary + "\n\n## " + lessons.HeadingWhy + "\n\n" + strings.TrimSpace(l.Sections.WhyItMatters) +
		"\n\n## " + lessons.HeadingHowToFix + "\n\n" + strings.TrimSpace(l.Sections.HowToFix) + "\n"
	b.WriteString(strings.TrimRight(m.c.Markdown(md, w), "\n") + "\n\n")
	b.WriteString(s.Muted.Render("The whole lesson, with an example: secfirst learn "+l.ID) + "\n")
	return b.String()
}

func (m *Model) summary(w int) string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(s.Title.Render("You are set") + "\n\n")
	check := func(ok bool, text string) {
		mark := s.Warn.Render("✗ ")
		if ok {
			mark = s.OK.Render("✓ ")
		}
		b.WriteString(mark + common.Wrap(text, w-2) + "\n")
	}
	if m.hookInstalled {
		check(true, "The pre-commit hook checks every commit.")
	} else {
		check(false, "The hook is not installed: run `secfirst hooks install`.")
	}
	switch {
	case m.lastScan == nil:
		check(false, "No scan yet: run `secfirst scan`.")
	case m.lastScan.Total.Total() == 0:
		check(true, "The last scan of this repository found nothing.")
	default:
		check(false, fmt.Sprintf("The last scan of this repository found %d finding(s), %d blocking.", m.lastScan.Total.Total(), m.lastScan.Total.Blocking))
	}
	right := 0
	for _, t := range Topics {
		if l := LessonFor(t); l != nil && m.correct[l.ID] {
			right++
		}
	}
	check(right == len(Topics), fmt.Sprintf("%d of %d quiz questions answered correctly.", right, len(Topics)))
	b.WriteString("\n" + s.Section.Render("Next steps") + "\n")
	for _, n := range []string{
		"Fix what the scan found: `secfirst` opens the dashboard, f lists the findings.",
		"Check the history too: `secfirst scan --history` (a secret in an old commit is still leaked).",
		"Review the team's checklist: `secfirst checklist review`, then commit .secfirst/checklist.yaml.",
		"Browse the library: `secfirst learn`.",
	} {
		b.WriteString(common.Wrap("• "+n, w) + "\n")
	}
	return b.String()
}

func bind(keys, help string) key.Binding {
	return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, help))
}

// ShortHelp is the help line: what the keys do at this point of the walk.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	scroll := bind("↑/↓", "scroll")
	leave := bind("esc", "leave")
	switch Steps[m.step].ID {
	case "hook":
		if m.plan != nil && m.plan.Changes() {
			return []key.Binding{bind("enter", "install"), bind("s", "skip"), k.Prev, leave}
		}
	case "scan":
		if m.scan != nil {
			return []key.Binding{bind("esc", "cancel the scan")}
		}
		return []key.Binding{bind("enter", "continue"), bind("r", "scan again"), scroll, k.Prev, leave}
	case "lessons":
		if m.quizzing {
			if answered, _ := m.quiz.Answered(); answered {
				return []key.Binding{bind("enter", "next lesson"), bind("r", "try again"), bind("esc", "back to the lesson")}
			}
			return []key.Binding{bind("a-d", "answer"), bind("↑/↓", "move"), bind("esc", "back to the lesson")}
		}
		return []key.Binding{bind("enter", "take the quiz"), scroll, k.Prev, leave}
	case "summary":
		return []key.Binding{bind("enter", "finish"), k.Prev}
	}
	return []key.Binding{bind("enter", "continue"), scroll, k.Prev, leave}
}

// FullHelp is every key of the screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Next, k.Prev, k.Skip}, {k.Up, k.Down, k.Back}}
}

// Busy reports whether a scan runs or a plan is being made.
func (m *Model) Busy() bool {
	return m.scan != nil || (Steps[m.step].ID == "hook" && m.plan == nil && m.planErr == nil)
}
