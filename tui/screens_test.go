package tui

import (
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/tui/common"
	"github.com/secfirst-dev/secfirst/tui/onboard"
	"github.com/secfirst-dev/secfirst/tui/state"
)

func TestDashboardGolden(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# demo\n")
	r.Commit("first")
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan", "Checklist")
	golden(t, s.finish(), r.Dir)
}

// secretRepo is a repository with a fake GitHub token committed in
// config/app.env and a clean README; it returns the token.
func secretRepo(t *testing.T) (*gittest.Repo, string) {
	r := gittest.New(t)
	tok := gittest.FakeGitHubToken()
	r.Write("README.md", "# demo\n")
	r.Write("config/app.env", "APP_NAME=demo\nGITHUB_TOKEN="+tok+"\n")
	r.Commit("first")
	return r, tok
}

func TestFindingsGolden(t *testing.T) {
	r, tok := secretRepo(t)
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("s")
	s.waitFor("config/app.env:2")
	view := s.finish()
	assertNoSecret(t, view, tok)
	golden(t, view, r.Dir)
}

func TestFindingDetailGolden(t *testing.T) {
	r, tok := secretRepo(t)
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("s")
	s.waitFor("config/app.env:2")
	s.key("enter")
	s.key("j")
	s.waitFor("• ")
	view := s.finish()
	assertNoSecret(t, view, tok)
	golden(t, view, r.Dir)
}

// checklistScreen opens the checklist screen of a repository holding
// file with content, and a checklist of the template.
func checklistScreen(t *testing.T, file, content string) (*session, *gittest.Repo) {
	r := gittest.New(t)
	r.Write(file, content)
	r.Commit("first")
	if _, _, err := checklist.Init(r.Dir); err != nil {
		t.Fatal(err)
	}
	s := start(t, testCommon(t, r), common.ScreenChecklist, true)
	s.waitFor("done ·", "Code and supply chain")
	return s, r
}

func TestChecklistReviewGolden(t *testing.T) {
	s, r := checklistScreen(t, "README.md", "# demo\n")
	golden(t, s.finish(), r.Dir)
}

func TestChecklistMissingGolden(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# demo\n")
	r.Commit("first")
	s := start(t, testCommon(t, r), common.ScreenChecklist, true)
	s.waitFor("No checklist yet")
	golden(t, s.finish(), r.Dir)
}

func TestLessonsLibraryGolden(t *testing.T) {
	r := gittest.New(t)
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("l")
	s.waitFor("Library")
	golden(t, s.finish(), r.Dir)
}

func TestLessonReaderGolden(t *testing.T) {
	r := gittest.New(t)
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("l")
	s.waitFor("Library")
	s.key("enter")
	s.waitFor("takes the quiz")
	golden(t, s.finish(), r.Dir)
}

func TestHooksPlanGolden(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# demo\n")
	r.Commit("first")
	s := start(t, testCommon(t, r), common.ScreenDashboard, false)
	s.waitFor("Last scan")
	s.key("i")
	s.waitFor("applies this plan")
	golden(t, s.finish(), r.Dir)
}

func TestOnboardingWelcomeGolden(t *testing.T) {
	r := gittest.New(t)
	s := start(t, testCommon(t, r), common.ScreenOnboarding, true)
	s.waitFor("Welcome to secfirst")
	golden(t, s.finish(), r.Dir)
}

// The walkthrough's steps are the ones the dashboard and the plain summary
// count against.
func TestOnboardingStepsAreTheCountedOnes(t *testing.T) {
	var ids []string
	for _, s := range onboard.Steps {
		ids = append(ids, s.ID)
	}
	if strings.Join(ids, " ") != strings.Join(state.OnboardingSteps, " ") {
		t.Fatalf("walkthrough steps %v, counted steps %v", ids, state.OnboardingSteps)
	}
}

// TestChecklistReviewShowsTheManifestsEvidence: in a repository with a
// privileged pod, pod-security is verified by secfirst on the review
// screen, with the finding as its evidence.
func TestChecklistReviewShowsTheManifestsEvidence(t *testing.T) {
	s, r := checklistScreen(t, "k8s/debug.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  containers:\n    - name: shell\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n")
	for i := 0; i < 14; i++ { // the 15th item
		s.key("j")
	}
	s.waitFor("Pods run non-root", "pod-security · automatic: secfirst checks it", "kubernetes/privileged")
	golden(t, s.finish(), r.Dir)
}
