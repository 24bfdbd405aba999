package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/tui/common"
	"github.com/secfirst-dev/secfirst/tui/state"
	"github.com/secfirst-dev/secfirst/tui/theme"
)

// TestMain makes every git command of the package hermetic: the checks
// run git with the process environment, so no user or system
// configuration may leak in, and state and caches go to a temporary home.
func TestMain(m *testing.M) {
	os.Exit(gittest.Main(m, func(string) {
		// Goldens are drawn without colour, by every renderer.
		lipgloss.SetColorProfile(termenv.Ascii)
	}))
}

// testNow is the fixed clock of the tests.
var testNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.Local)

// testCommon is the shared context for a repository in a test: fixed
// name, path, clock and reviewer, a temporary state directory, offline
// checks, and a hook binary that exists outside the temporary directory.
func testCommon(t *testing.T, r *gittest.Repo) *common.Common {
	t.Helper()
	rend := lipgloss.NewRenderer(io.Discard)
	rend.SetColorProfile(termenv.Ascii)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return &common.Common{
		Renderer: rend,
		Styles:   theme.NewStyles(rend, theme.Default()),
		Keys:     common.NewGlobalKeys(),
		Repo:     common.Repo{Root: r.Dir, Name: "demo-repo", Display: "~/src/demo-repo"},
		State:    &state.Store{Dir: t.TempDir()},
		Now:      func() time.Time { return testNow },
		Ctx:      ctx,
		Checks: func() []checks.Check {
			return all.Checks(all.Options{Offline: true, DBDir: filepath.Join(t.TempDir(), "no-db")})
		},
		EvidenceChecks: func() []checks.Check {
			return all.Checks(all.Options{Offline: true, DBDir: filepath.Join(t.TempDir(), "no-db")})
		},
		HookBinary: "/usr/bin/env",
		Reviewer:   "Ada Tester <ada@example.com>",
	}
}

// session runs the program in teatest at 80x24.
type session struct {
	t  *testing.T
	tm *teatest.TestModel
	m  *Model
	// ended is closed when the program has ended (q, or leaving a
	// standalone screen).
	ended chan struct{}
}

func start(t *testing.T, c *common.Common, screen common.Screen, standalone bool) *session {
	t.Helper()
	m := New(c, screen, standalone)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	s := &session{t: t, tm: tm, m: m, ended: make(chan struct{})}
	go func() {
		tm.WaitFinished(t)
		close(s.ended)
	}()
	return s
}

// errEnded is a probe sent to a program that has ended.
var errEnded = errors.New("the program has ended")

// do runs fn on the program's goroutine, between two messages, and waits
// until it has run.
func (s *session) do(fn func(*Model)) error {
	s.t.Helper()
	done := make(chan struct{})
	s.tm.Send(probeMsg{func(m *Model) { fn(m); close(done) }})
	select {
	case <-done:
		return nil
	case <-s.ended:
		return errEnded
	case <-time.After(2 * time.Minute):
		return errors.New("the program does not answer")
	}
}

// until waits until cond holds for the program's state. It polls the
// state, never the clock: the deadline only bounds a test that fails.
func (s *session) until(what string, cond func(*Model) bool) {
	s.t.Helper()
	s.poll(what, cond, false)
}

// poll is until; when ended is true, a program that has ended ends the
// wait too.
func (s *session) poll(what string, cond func(*Model) bool, ended bool) {
	s.t.Helper()
	deadline := time.Now().Add(time.Minute)
	var view string
	for time.Now().Before(deadline) {
		ok := false
		err := s.do(func(m *Model) { ok, view = cond(m), m.View() })
		if errors.Is(err, errEnded) && ended {
			return
		}
		if err != nil {
			s.t.Fatalf("%v while waiting for %s", err, what)
		}
		if ok {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.t.Fatalf("still waiting for %s after a minute; the screen shows:\n%s", what, view)
}

// view is the screen now, after the messages sent so far.
func (s *session) view() string {
	s.t.Helper()
	var v string
	if err := s.do(func(m *Model) { v = m.View() }); err != nil {
		s.t.Fatal(err)
	}
	return v
}

// waitFor waits until the screen shows all of the texts.
func (s *session) waitFor(texts ...string) {
	s.t.Helper()
	s.until(fmt.Sprintf("the screen to show %q", texts), func(m *Model) bool {
		v := m.View()
		for _, t := range texts {
			if !strings.Contains(v, t) {
				return false
			}
		}
		return true
	})
}

func (s *session) key(k string) {
	switch k {
	case "enter":
		s.tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	case "esc":
		s.tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	case "tab":
		s.tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	case "down":
		s.tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	case "up":
		s.tm.Send(tea.KeyMsg{Type: tea.KeyUp})
	default:
		s.tm.Type(k)
	}
}

// settle waits until nothing is under way: no screen busy and no command
// in flight (a key's navigation on its way, a refresh, a spinner's tick).
func (s *session) settle() {
	s.t.Helper()
	s.poll("the work under way to end", (*Model).Idle, true)
}

// finish waits for the work to settle, quits and returns the final screen,
// as the person last saw it.
func (s *session) finish() string {
	s.t.Helper()
	s.settle()
	if err := s.tm.Quit(); err != nil { // nothing to do if it quit by itself
		s.t.Fatal(err)
	}
	fm := s.tm.FinalModel(s.t, teatest.WithFinalTimeout(time.Minute)).(*Model)
	return fm.View()
}

// golden compares the final screen with testdata/<test>.golden, after
// checking it fits 80x24 and shows no temporary path.
func golden(t *testing.T, view string, tempDirs ...string) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != 24 {
		t.Errorf("screen has %d lines, want 24:\n%s", len(lines), view)
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w > 80 {
			t.Errorf("line %d is %d cells wide:\n%s", i+1, w, l)
		}
	}
	for _, d := range tempDirs {
		if strings.Contains(view, d) {
			t.Errorf("the screen shows the temporary path %s", d)
		}
	}
	if strings.Contains(view, "\x1b[") {
		t.Errorf("colour or styles in a NO_COLOR screen: %q", view)
	}
	teatest.RequireEqualOutput(t, []byte(view+"\n"))
}

func assertNoSecret(t *testing.T, view string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(view, s) || strings.Contains(view, s[len(s)/2:]) {
			t.Fatalf("the screen shows a secret (or half of one):\n%s", view)
		}
	}
}
