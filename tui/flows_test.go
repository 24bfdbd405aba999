package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/lessons"
	"github.com/secfirst-dev/secfirst/tui/common"
	"github.com/secfirst-dev/secfirst/tui/onboard"
	"github.com/secfirst-dev/secfirst/tui/state"
)

// Install from the dashboard: i shows the plan, nothing is written until
// enter, then the hook is in place and the dashboard says so.
func TestFlowInstallHookFromDashboard(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# demo\n")
	r.Commit("first")
	hook := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")

	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("pre-commit not installed")
	s.key("i")
	s.waitFor("write secfirst's pre-commit hook to .git/hooks/pre-commit", "applies this plan")
	if _, err := os.Stat(hook); err == nil {
		t.Fatal("the hook was written before the plan was confirmed")
	}
	s.key("enter")
	s.waitFor("Done: install the pre-commit hook.")
	s.key("esc")
	s.waitFor("✓ pre-commit installed")
	golden(t, s.finish(), r.Dir)

	fi, err := os.Stat(hook)
	if err != nil {
		t.Fatalf("no hook after confirming the plan: %v", err)
	}
	if fi.Mode().Perm()&0o111 == 0 {
		t.Fatalf("hook is not executable: %v", fi.Mode())
	}
	data, _ := os.ReadFile(hook)
	if !strings.Contains(string(data), "hook pre-commit") {
		t.Fatalf("the hook does not run secfirst:\n%s", data)
	}
}

// Esc on the plan cancels it: nothing is written.
func TestFlowInstallCancelled(t *testing.T) {
	r := gittest.New(t)
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("i")
	s.waitFor("applies this plan")
	s.key("esc")
	s.waitFor("Cancelled: nothing was changed.")
	s.finish()
	if _, err := os.Stat(filepath.Join(r.Dir, ".git", "hooks", "pre-commit")); err == nil {
		t.Fatal("a cancelled plan wrote the hook")
	}
}

// Open a finding: the detail shows where it is, the redacted line, the fix
// and, further down, the lesson rendered with glamour; never the secret.
func TestFlowOpenFinding(t *testing.T) {
	r, tok := secretRepo(t)
	c := testCommon(t, r)
	s := start(t, c, common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("s")
	s.waitFor("config/app.env:2")
	s.key("enter")
	for range 14 {
		s.key("j")
	}
	s.waitFor("Lesson: ")
	view := s.finish()
	assertNoSecret(t, view, tok)
	if !strings.Contains(view, "Lesson: ") || !strings.Contains(view, "secfirst learn ") {
		t.Fatalf("no lesson in the detail pane:\n%s", view)
	}
	// The scan was recorded for the dashboard, as counts only.
	sum, err := c.State.LastScan(r.Dir)
	if err != nil || sum == nil {
		t.Fatalf("last scan not recorded: %v", err)
	}
	if sum.Total.High != 1 || sum.ByCheck["secrets"].High != 1 || sum.Total.Blocking != 1 {
		t.Fatalf("recorded counts %+v", sum)
	}
	walkNoSecret(t, c.State.Dir, tok)
}

func walkNoSecret(t *testing.T, dir, secret string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := os.ReadFile(p)
		if strings.Contains(string(data), secret[4:]) {
			t.Errorf("%s holds the secret", p)
		}
		return nil
	})
}

// x adds an ignore with a reason: the policy file keeps its text byte for
// byte, gains an [[ignore]] entry, and the next scan no longer reports it.
func TestFlowIgnoreFinding(t *testing.T) {
	r, tok := secretRepo(t)
	before := "# team policy\nfail_on = \"high\"   # keep"
	r.Write(".secfirst.toml", before)
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("s")
	s.waitFor("config/app.env:2")
	s.key("x")
	s.waitFor("type the reason")
	s.key("enter")
	s.waitFor("an ignore needs a reason")
	s.key("test fixture, not a real token")
	s.key("enter")
	s.waitFor("Ignored github-pat in config/app.env")
	s.key("s")
	view := s.finish()
	assertNoSecret(t, view, tok)
	if !strings.Contains(view, "No findings in the working tree.") {
		t.Fatalf("the ignored finding is still reported:\n%s", view)
	}

	data, err := os.ReadFile(filepath.Join(r.Dir, ".secfirst.toml"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	if !strings.HasPrefix(got, before+"\n") {
		t.Fatalf("the existing text changed:\n%s", got)
	}
	pol, err := checks.ParsePolicy(".secfirst.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(pol.Ignores) != 1 || pol.Ignores[0].Reason != "test fixture, not a real token" || pol.Ignores[0].Fingerprint == "" {
		t.Fatalf("ignores %+v", pol.Ignores)
	}
	if strings.Contains(got, tok[4:]) {
		t.Fatal("the policy file holds the secret")
	}
}

// Answer a quiz: the verdict and explanation show, the result is stored
// for the user, and the library marks the lesson.
func TestFlowAnswerQuiz(t *testing.T) {
	r := gittest.New(t)
	c := testCommon(t, r)
	l, ok := lessons.Get("shared-responsibility")
	if !ok {
		t.Fatal("no shared-responsibility lesson")
	}
	quiz := l.Sections.Quiz
	wrong := "a"
	if quiz.Answer == "A" {
		wrong = "b"
	}
	s := start(t, c, common.ScreenLessons, false)
	s.waitFor("Library")
	s.key("enter")
	s.waitFor("takes the quiz")
	s.key("t")
	s.waitFor("Quiz: " + l.Title)
	s.key(wrong)
	s.waitFor("Not quite: the answer is " + quiz.Answer)
	s.key("r")
	s.key(strings.ToLower(quiz.Answer))
	s.waitFor("Correct.")
	golden(t, s.finish(), r.Dir)

	res, err := c.State.QuizResults()
	if err != nil {
		t.Fatal(err)
	}
	got := res["shared-responsibility"]
	if !got.Correct || got.Attempts != 2 || got.Choice != quiz.Answer {
		t.Fatalf("stored result %+v", got)
	}

	// A new session shows the lesson as passed.
	s2 := start(t, c, common.ScreenLessons, false)
	s2.waitFor("1 quizzes passed")
	if v := s2.finish(); !strings.Contains(v, "✓ shared-responsibility") {
		t.Fatalf("library does not mark the passed quiz:\n%s", v)
	}
}

const reviewChecklist = `# Our checklist: comments stay.
version: 1
items:
  # People first
  - id: mfa-enforced
    title: MFA is enforced for every account
    category: identity-and-access
    lesson: mfa
    kind: manual
    status: todo # not yet
  - id: sso
    title: People sign in through SSO (OIDC or SAML)
    category: identity-and-access
    lesson: sso-oidc-saml
    kind: manual
    status: pass
    reviewed_by: Old Reviewer <old@example.com>
    reviewed_at: 2024-01-02
`

// Change a checklist item: p records pass with the reviewer and the day,
// e writes a note, a records an accepted risk only with a reason; the file
// keeps its comments; the stale item says so.
func TestFlowChangeChecklistItem(t *testing.T) {
	r := gittest.New(t)
	r.Write(".secfirst/checklist.yaml", reviewChecklist)
	r.Commit("checklist")
	path := filepath.Join(r.Dir, ".secfirst", "checklist.yaml")
	s := start(t, testCommon(t, r), common.ScreenChecklist, true)
	s.waitFor("1/2 done", "1 stale")
	s.key("p")
	s.waitFor("mfa-enforced: pass, reviewed by Ada Tester <ada@example.com> on 2025-03-14.")
	s.key("e")
	s.waitFor("Write the note")
	s.key("Okta policy, all users")
	s.key("enter")
	s.waitFor("Note     Okta policy, all users")
	s.settle() // the note is written (the screen showed it at once)
	s.key("j")
	s.key("a")
	s.waitFor("Why is this risk accepted?")
	s.key("enter")
	s.waitFor("accepted-risk needs a note")
	s.key("esc")
	s.waitFor("Nothing was changed.")
	golden(t, s.finish(), r.Dir)

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	for _, want := range []string{
		"# Our checklist: comments stay.",
		"# People first",
		"status: pass",
		"note: Okta policy, all users",
		"reviewed_by: Ada Tester <ada@example.com>",
		"reviewed_at: 2025-03-14",
		"reviewed_by: Old Reviewer <old@example.com>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("checklist lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "accepted-risk") {
		t.Errorf("an accepted risk without a note was recorded:\n%s", got)
	}
}

// The review writes through checklist.Update: a `set` made by another
// process during the review is kept, and the next answer still lands (the
// screen used to save the file it read on opening, so any concurrent write
// made every later answer fail). While another writer holds the lock, the
// screen still answers: the write waits on its own goroutine, not on
// bubbletea's (the screen used to freeze).
func TestFlowReviewBesideAnotherWriter(t *testing.T) {
	r := gittest.New(t)
	r.Write(".secfirst/checklist.yaml", reviewChecklist)
	r.Commit("checklist")
	s := start(t, testCommon(t, r), common.ScreenChecklist, true)
	s.waitFor("1/2 done")

	// Another writer, as `secfirst checklist set sso fail` would be.
	note := "SSO is down"
	if _, err := checklist.Update(context.Background(), r.Dir, func(f *checklist.File) error {
		return f.Apply("sso", checklist.Review{Status: checklist.Fail, Note: &note, ReviewedBy: "Bo Other <bo@example.com>", ReviewedAt: testNow}, "")
	}); err != nil {
		t.Fatal(err)
	}
	s.key("p")
	s.waitFor("mfa-enforced: pass, reviewed by Ada Tester <ada@example.com> on 2025-03-14.")
	s.settle()

	// Another writer holds the lock: the answer waits, the screen does not.
	unlock, err := checklist.Lock(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	s.key("t")
	s.waitFor("Saving mfa-enforced…")
	s.key("j")
	s.until("the cursor to move while the write waits", func(m *Model) bool { return strings.Contains(m.View(), "› fail") })
	unlock()
	s.waitFor("mfa-enforced: todo, reviewed by Ada Tester")
	s.finish()

	data, err := os.ReadFile(filepath.Join(r.Dir, ".secfirst", "checklist.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	for _, want := range []string{"status: todo # not yet", "reviewed_by: Ada Tester <ada@example.com>", "status: fail", "note: SSO is down", "reviewed_by: Bo Other <bo@example.com>"} {
		if !strings.Contains(got, want) {
			t.Errorf("checklist lacks %q:\n%s", want, got)
		}
	}
}

// Resume onboarding: progress is stored after every step and a new
// session starts where the last one stopped, down to the lesson.
func TestFlowResumeOnboarding(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# demo\n")
	r.Commit("first")
	c := testCommon(t, r)

	s := start(t, c, common.ScreenOnboarding, true)
	s.waitFor("Step 1 of 5")
	s.key("enter")
	s.waitFor("Step 2 of 5", "What installing will do")
	s.key("s") // skip the hook
	s.waitFor("Step 3 of 5", "No findings in the tracked files.")
	s.key("enter")
	s.waitFor("Lesson 1 of 6: Secrets")
	first := onboard.LessonFor(onboard.Topics[0])
	s.key("enter")
	s.waitFor("Quiz: " + first.Title)
	s.key(strings.ToLower(first.Sections.Quiz.Answer))
	s.waitFor("Correct.")
	s.key("enter")
	s.waitFor("Lesson 2 of 6: Dependencies")
	s.finish()

	prog, err := c.State.Onboarding()
	if err != nil {
		t.Fatal(err)
	}
	if prog.Step != "lessons" || prog.Topic != 1 || !prog.IsDone("welcome") || !prog.IsDone("scan") || prog.IsDone("hook") {
		t.Fatalf("stored progress %+v", prog)
	}

	s2 := start(t, c, common.ScreenOnboarding, true)
	s2.waitFor("Lesson 2 of 6: Dependencies")
	golden(t, s2.finish(), r.Dir)
}

// The closing step marks the walkthrough finished; the dashboard says so.
func TestFlowOnboardingSummary(t *testing.T) {
	r := gittest.New(t)
	c := testCommon(t, r)
	if err := c.State.SaveOnboarding(state.Onboarding{Step: "lessons", Topic: 5, Done: []string{"welcome", "scan"}}); err != nil {
		t.Fatal(err)
	}
	s := start(t, c, common.ScreenOnboarding, true)
	s.waitFor("Lesson 6 of 6")
	s.key("enter")
	s.waitFor("Quiz: ")
	s.key("a")
	s.waitFor("try again")
	s.key("enter")
	s.waitFor("You are set", "Next steps")
	golden(t, s.finish(), r.Dir)
	prog, _ := c.State.Onboarding()
	if !prog.Finished {
		t.Fatalf("not finished: %+v", prog)
	}
}

// blockingCheck stands for a slow scan: it runs until its context ends.
type blockingCheck struct{}

func (blockingCheck) Name() string { return "secrets" }
func (blockingCheck) Run(ctx context.Context, _ *checks.Source) (checks.Result, error) {
	<-ctx.Done()
	return checks.Result{}, ctx.Err()
}

// Long work runs in the background with a spinner and Esc cancels it.
func TestFlowCancelScan(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# demo\n")
	r.Commit("first")
	c := testCommon(t, r)
	c.Checks = func() []checks.Check { return []checks.Check{blockingCheck{}} }
	s := start(t, c, common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("s")
	s.waitFor("Scanning the working tree… (esc cancels)")
	s.key("esc")
	s.waitFor("Scan of the working tree cancelled.")
	s.finish()
	if sum, _ := c.State.LastScan(r.Dir); sum != nil {
		t.Fatalf("a cancelled scan was recorded as the last scan: %+v", sum)
	}
}

// The program redraws on resize and the full help opens with ?.
func TestResizeAndHelp(t *testing.T) {
	r := gittest.New(t)
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("?")
	s.waitFor("Dashboard: keys")
	golden(t, viewAfter(t, s, nil), r.Dir)
}

func TestResize(t *testing.T) {
	r := gittest.New(t)
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	view := viewAfter(t, s, tea.WindowSizeMsg{Width: 100, Height: 30})
	lines := strings.Split(view, "\n")
	if len(lines) != 30 || !strings.HasSuffix(lines[0], "Dashboard ") || len([]rune(lines[0])) != 100 {
		t.Fatalf("not redrawn at 100x30 (%d lines):\n%s", len(lines), view)
	}
}

// viewAfter sends msg and returns the screen once it is handled: Send
// queues it before finish's own messages.
func viewAfter(t *testing.T, s *session, msg tea.Msg) string {
	t.Helper()
	if msg != nil {
		s.tm.Send(msg)
	}
	return s.finish()
}

// richRepo has a leaked token, a Dockerfile with findings and a checklist.
func richRepo(t *testing.T) (*gittest.Repo, string) {
	r, tok := secretRepo(t)
	r.Write("Dockerfile", "FROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\nUSER root\nCMD [\"sh\"]\n")
	r.Commit("container")
	if _, _, err := checklist.Init(r.Dir); err != nil {
		t.Fatal(err)
	}
	return r, tok
}

// The dashboard after a scan: the last scan by check and severity, and
// the checklist's progress by area.
func TestDashboardAfterScanGolden(t *testing.T) {
	r, tok := richRepo(t)
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Checklist", "done")
	s.key("s")
	s.settle()
	s.key("esc")
	s.waitFor("Dashboard")
	view := s.finish()
	assertNoSecret(t, view, tok)
	for _, want := range []string{"worktree, just now", "secrets", "dockerfile", "Code and supply chain"} {
		if !strings.Contains(view, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	golden(t, view, r.Dir)
}

// c and v filter the list by check and by minimum severity.
func TestFindingsFilters(t *testing.T) {
	r, _ := richRepo(t)
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("s")
	s.settle()
	s.key("c") // the first check that ran: secrets
	view := s.finish()
	if !strings.Contains(view, "Filter secrets, all severities") || strings.Contains(view, " dockerfile ") {
		t.Fatalf("check filter not applied:\n%s", view)
	}

	s = start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("s")
	s.settle()
	s.key("v")
	s.key("v") // high and above
	view = s.finish()
	if !strings.Contains(view, "high and above") || !strings.Contains(view, "config/app.env:2") || strings.Contains(view, "MED ") || strings.Contains(view, "LOW ") {
		t.Fatalf("severity filter not applied:\n%s", view)
	}
	golden(t, view, r.Dir)
}

// The onboarding's first scan explains the real findings of the repository.
func TestOnboardingScanGolden(t *testing.T) {
	r, tok := richRepo(t)
	c := testCommon(t, r)
	if err := c.State.SaveOnboarding(state.Onboarding{Step: "scan", Done: []string{"welcome", "hook"}}); err != nil {
		t.Fatal(err)
	}
	s := start(t, c, common.ScreenOnboarding, true)
	s.waitFor("would block a commit")
	view := s.finish()
	assertNoSecret(t, view, tok)
	golden(t, view, r.Dir)
}

// m switches the scan to the history: a secret removed since is still
// found, in the commit that added it.
func TestFindingsHistoryMode(t *testing.T) {
	r, tok := secretRepo(t)
	added := r.Git("rev-parse", "HEAD")
	r.Remove("config/app.env")
	r.Commit("remove the token")
	s := start(t, testCommon(t, r), common.ScreenFindings, false)
	s.key("s")
	s.settle()
	view := s.finish()
	if !strings.Contains(view, "No findings in the working tree.") {
		t.Fatalf("working tree scan:\n%s", view)
	}

	s = start(t, testCommon(t, r), common.ScreenFindings, false)
	s.key("m")
	s.key("m")
	s.key("s")
	s.settle()
	view = s.finish()
	assertNoSecret(t, view, tok)
	if !strings.Contains(view, "Mode history") || !strings.Contains(view, added[:7]+" config/app.env:2") {
		t.Fatalf("history scan does not show the commit that added the secret:\n%s", view)
	}
}

// Walking a finished onboarding again starts at step 1, and leaving there
// keeps what was done: the dashboard still says it is done.
func TestFlowReopenFinishedOnboarding(t *testing.T) {
	r := gittest.New(t)
	c := testCommon(t, r)
	done := state.Onboarding{Step: "summary", Topic: 5, Finished: true, Done: append([]string(nil), state.OnboardingSteps...)}
	if err := c.State.SaveOnboarding(done); err != nil {
		t.Fatal(err)
	}
	s := start(t, c, common.ScreenOnboarding, true)
	s.waitFor("Step 1 of 5")
	s.key("esc")
	s.finish()
	got, err := c.State.Onboarding()
	if err != nil {
		t.Fatal(err)
	}
	if !got.Finished || len(got.Done) != len(state.OnboardingSteps) {
		t.Fatalf("leaving a second walk on step 1 undid the first: %+v", got)
	}
}

// The list reads worst first, and a wide terminal gives the location the
// room it needs instead of cutting it at a fixed width.
func TestFindingsWorstFirstAndWide(t *testing.T) {
	r, _ := richRepo(t)
	deep := "services/payments/internal/config/production/secrets.env"
	r.Write(deep, "GITHUB_TOKEN="+gittest.FakeGitHubToken()+"\n")
	r.Commit("deep")
	s := start(t, testCommon(t, r), common.ScreenFindings, false)
	s.tm.Send(tea.WindowSizeMsg{Width: 160, Height: 40})
	s.key("s")
	s.waitFor("Found ")
	view := s.finish()
	ranks := map[string]int{"CRIT": 5, "HIGH": 4, "MED ": 3, "LOW ": 2, "INFO": 1}
	last, rows := 6, 0
	for _, line := range strings.Split(view, "\n") {
		if len(line) < 6 || (line[:2] != "› " && line[:2] != "  ") && !strings.HasPrefix(line, "› ") {
			continue
		}
		row := strings.TrimPrefix(strings.TrimPrefix(line, "› "), "  ")
		if len(row) < 4 {
			continue
		}
		rank, ok := ranks[row[:4]]
		if !ok {
			continue
		}
		rows++
		if rank > last {
			t.Fatalf("%q comes after a less severe finding:\n%s", row, view)
		}
		last = rank
	}
	if rows < 5 {
		t.Fatalf("only %d rows read:\n%s", rows, view)
	}
	if !strings.Contains(view, deep+":1 ") {
		t.Fatalf("a 160-column screen cuts the location %s:\n%s", deep, view)
	}
}

// m changes the mode and drops the results of the other mode: they are not
// this mode's, and relabelling them would say they were.
func TestFindingsModeDropsOtherResults(t *testing.T) {
	r, _ := secretRepo(t)
	s := start(t, testCommon(t, r), common.ScreenFindings, false)
	s.key("s")
	s.waitFor("config/app.env:2")
	s.key("m")
	view := s.finish()
	if strings.Contains(view, "config/app.env:2") || strings.Contains(view, "Found ") || !strings.Contains(view, "Mode staged") || !strings.Contains(view, "Press s to scan the staged changes") {
		t.Fatalf("the worktree's results are shown as the staged changes':\n%s", view)
	}
}

// Once the hook is installed, the dashboard no longer offers to install it.
func TestDashboardStopsOfferingTheInstall(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# demo\n")
	r.Commit("first")
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("press i to install it")
	if v := s.view(); !strings.Contains(v, "i install hook") {
		t.Fatalf("not installed, no offer to install:\n%s", v)
	}
	s.key("i")
	s.waitFor("applies this plan")
	s.key("enter")
	s.waitFor("Done: install the pre-commit hook.")
	s.key("esc")
	s.waitFor("✓ pre-commit installed")
	if v := s.finish(); strings.Contains(v, "install hook") {
		t.Fatalf("installed, still offers to install:\n%s", v)
	}
}
