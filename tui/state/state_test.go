package state

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
)

func TestDefaultDirFollowsXDG(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/x/state")
	if d, _ := DefaultDir(); d != filepath.Join("/x/state", "secfirst") {
		t.Fatalf("DefaultDir = %s", d)
	}
	if runtime.GOOS == "linux" {
		home := t.TempDir()
		t.Setenv("XDG_STATE_HOME", "")
		t.Setenv("HOME", home)
		if d, _ := DefaultDir(); d != filepath.Join(home, ".local", "state", "secfirst") {
			t.Fatalf("DefaultDir without XDG_STATE_HOME = %s", d)
		}
		// A relative XDG_STATE_HOME is invalid per the spec: ignored.
		t.Setenv("XDG_STATE_HOME", "rel")
		if d, _ := DefaultDir(); d != filepath.Join(home, ".local", "state", "secfirst") {
			t.Fatalf("DefaultDir with a relative XDG_STATE_HOME = %s", d)
		}
	}
}

func TestLastScanPerRepositoryCountsOnly(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	at := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	rep := &checks.Report{Mode: checks.ModeStaged, Findings: []checks.Finding{
		{Check: "secrets", Severity: checks.High, Blocking: true, Message: "token ghp_****", File: "a.env"},
		{Check: "dockerfile", Severity: checks.Medium, File: "Dockerfile"},
		{Check: "dockerfile", Severity: checks.Low, File: "Dockerfile"},
	}, Warnings: []string{"no database", "deps check failed: x"}, Errors: []string{"deps check failed: x"}}
	rep.Summary = checks.Summarize(rep.Findings)
	sum := Summarize(rep, []string{"secrets", "deps", "dockerfile"}, at)
	if err := s.SaveLastScan("/repo/one", sum); err != nil {
		t.Fatal(err)
	}
	got, err := s.LastScan("/repo/one")
	if err != nil || got == nil {
		t.Fatalf("LastScan: %v %v", got, err)
	}
	if got.Mode != checks.ModeStaged || !got.At.Equal(at) || got.Total.Total() != 3 || got.Total.Blocking != 1 ||
		got.ByCheck["secrets"].High != 1 || got.ByCheck["dockerfile"].Medium != 1 || got.ByCheck["dockerfile"].Low != 1 ||
		got.ByCheck["deps"].Total() != 0 || got.Warnings != 1 || got.Failed != 1 {
		t.Fatalf("summary %+v", got)
	}
	if len(got.Checks) != 3 || got.Checks[1] != "deps" {
		t.Fatalf("checks %v", got.Checks)
	}
	if other, err := s.LastScan("/repo/two"); other != nil || err != nil {
		t.Fatalf("another repository sees %v %v", other, err)
	}
	files, _ := filepath.Glob(filepath.Join(s.Dir, "scans", "*.json"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	data, _ := os.ReadFile(files[0])
	for _, leak := range []string{"ghp_", "a.env", "Dockerfile", "token"} {
		if containsFold(string(data), leak) {
			t.Errorf("the state file holds %q:\n%s", leak, data)
		}
	}
	if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestQuizAndOnboardingRoundTrip(t *testing.T) {
	s := &Store{Dir: filepath.Join(t.TempDir(), "not", "yet")}
	res, err := s.QuizResults()
	if err != nil || len(res) != 0 {
		t.Fatalf("empty store: %v %v", res, err)
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, err := s.RecordQuiz("secrets-leaked", "A", false, at); err != nil {
		t.Fatal(err)
	}
	r, err := s.RecordQuiz("secrets-leaked", "B", true, at)
	if err != nil || !r.Correct || r.Attempts != 2 || r.Choice != "B" {
		t.Fatalf("record: %+v %v", r, err)
	}
	res, _ = s.QuizResults()
	if !res["secrets-leaked"].Correct || res["secrets-leaked"].Attempts != 2 {
		t.Fatalf("results %+v", res)
	}

	o := Onboarding{Step: "scan", Topic: 2}
	o.MarkDone("welcome")
	o.MarkDone("welcome")
	if err := s.SaveOnboarding(o); err != nil {
		t.Fatal(err)
	}
	got, err := s.Onboarding()
	if err != nil || got.Step != "scan" || got.Topic != 2 || len(got.Done) != 1 || !got.IsDone("welcome") || got.IsDone("hook") {
		t.Fatalf("onboarding %+v %v", got, err)
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if e.Name() != "quiz.json" && e.Name() != "onboarding.json" {
			t.Errorf("left over: %s", e.Name())
		}
	}
}

func TestCorruptStateIsAnError(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(s.Dir, "quiz.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.QuizResults(); err == nil {
		t.Fatal("a corrupt quiz file read as empty")
	}
}

// Answers recorded at once (a quick retry while the first answer is still
// being written) all count: none is lost to the other's write.
func TestConcurrentQuizAnswersAllCount(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.RecordQuiz("secrets-leaked", "A", i == n-1, time.Now()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	res, err := s.QuizResults()
	if err != nil {
		t.Fatal(err)
	}
	if got := res["secrets-leaked"].Attempts; got != n {
		t.Fatalf("%d attempts recorded, want %d", got, n)
	}
}
