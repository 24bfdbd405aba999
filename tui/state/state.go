// Package state keeps what secfirst remembers for one person between runs:
// quiz results, onboarding progress and, per repository, the counts of the
// last scan. It lives in the user's XDG state directory, never in the
// repository, and it never holds findings text: only counts, so no secret
// can end up in it.
package state

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/secfirst-dev/secfirst/checks"

	"github.com/secfirst-dev/secfirst/internal/atomicfile"
)

// Store is the state directory of one user.
type Store struct {
	// Dir is $XDG_STATE_HOME/secfirst (or the platform's equivalent).
	Dir string

	// mu serialises read-modify-write updates: two answers recorded at
	// once (a quick retry) must both count.
	mu sync.Mutex
}

// DefaultDir is where the state lives: $XDG_STATE_HOME/secfirst; when that
// is unset, the XDG default ~/.local/state/secfirst on Linux and the BSDs,
// and the user configuration directory (os.UserConfigDir) elsewhere.
func DefaultDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "secfirst"), nil
	}
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" && runtime.GOOS != "plan9" {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "state", "secfirst"), nil
		}
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no directory for secfirst's state: %w", err)
	}
	return filepath.Join(d, "secfirst", "state"), nil
}

// Open returns the store in DefaultDir.
func Open() (*Store, error) {
	d, err := DefaultDir()
	if err != nil {
		return nil, err
	}
	return &Store{Dir: d}, nil
}

// read decodes a JSON file of the store; a missing file leaves v alone.
func (s *Store) read(name string, v any) error {
	data, err := os.ReadFile(filepath.Join(s.Dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(s.Dir, name), err)
	}
	return nil
}

// write encodes v to a file of the store atomically (temporary file in the
// same directory, then rename), readable by the user alone.
func (s *Store) write(name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	p := filepath.Join(s.Dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(p, data, 0o600)
}

// ScanSummary is what the dashboard shows of the last scan of a repository:
// counts only.
type ScanSummary struct {
	Mode checks.Mode `json:"mode"`
	At   time.Time   `json:"at"`
	// Checks are the checks that ran, in order; ByCheck counts their
	// findings by severity (a check with no findings has a zero Summary).
	Checks  []string                  `json:"checks"`
	ByCheck map[string]checks.Summary `json:"by_check"`
	Total   checks.Summary            `json:"total"`
	// Warnings and Failed count problems: warnings of the report and the
	// checks that could not run.
	Warnings int `json:"warnings"`
	Failed   int `json:"failed"`
}

// Summarize reduces a report to counts.
func Summarize(rep *checks.Report, ran []string, at time.Time) ScanSummary {
	s := ScanSummary{Mode: rep.Mode, At: at, Checks: append([]string(nil), ran...), ByCheck: map[string]checks.Summary{}}
	for _, name := range ran {
		s.ByCheck[name] = checks.Summary{}
	}
	byCheck := map[string][]checks.Finding{}
	for _, f := range rep.Findings {
		byCheck[f.Check] = append(byCheck[f.Check], f)
		if _, ok := s.ByCheck[f.Check]; !ok {
			s.Checks = append(s.Checks, f.Check)
		}
	}
	for name, fs := range byCheck {
		s.ByCheck[name] = checks.Summarize(fs)
	}
	s.Total = rep.Summary
	s.Warnings = len(rep.Warnings) - len(rep.Errors)
	s.Failed = len(rep.Errors)
	return s
}

// scanFile names a repository's summary by a digest of its root, so the
// state directory does not mirror the user's folder names.
func scanFile(root string) string {
	sum := sha256.Sum256([]byte(filepath.Clean(root)))
	return filepath.Join("scans", hex.EncodeToString(sum[:])[:24]+".json")
}

type scanRecord struct {
	Version int         `json:"version"`
	Repo    string      `json:"repo"`
	Scan    ScanSummary `json:"scan"`
}

// LastScan returns the last scan of the repository at root, nil if none.
func (s *Store) LastScan(root string) (*ScanSummary, error) {
	var rec scanRecord
	if err := s.read(scanFile(root), &rec); err != nil {
		return nil, err
	}
	if rec.Version == 0 || filepath.Clean(rec.Repo) != filepath.Clean(root) {
		return nil, nil
	}
	return &rec.Scan, nil
}

// SaveLastScan records the last scan of the repository at root.
func (s *Store) SaveLastScan(root string, sum ScanSummary) error {
	return s.write(scanFile(root), scanRecord{Version: 1, Repo: filepath.Clean(root), Scan: sum})
}

// QuizResult is a person's answer to one lesson's quiz.
type QuizResult struct {
	Choice   string    `json:"choice"` // the letter chosen last
	Correct  bool      `json:"correct"`
	Attempts int       `json:"attempts"`
	At       time.Time `json:"at"`
}

type quizRecord struct {
	Version int                   `json:"version"`
	Results map[string]QuizResult `json:"results"`
}

const quizFile = "quiz.json"

// QuizResults returns the answers given so far, by lesson id.
func (s *Store) QuizResults() (map[string]QuizResult, error) {
	rec := quizRecord{Results: map[string]QuizResult{}}
	if err := s.read(quizFile, &rec); err != nil {
		return map[string]QuizResult{}, err
	}
	if rec.Results == nil {
		rec.Results = map[string]QuizResult{}
	}
	return rec.Results, nil
}

// RecordQuiz stores an answer to a lesson's quiz and returns the result.
func (s *Store) RecordQuiz(lessonID, choice string, correct bool, at time.Time) (QuizResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	results, err := s.QuizResults()
	if err != nil {
		return QuizResult{}, err
	}
	r := results[lessonID]
	r.Choice, r.Correct, r.At = choice, correct, at
	r.Attempts++
	results[lessonID] = r
	return r, s.write(quizFile, quizRecord{Version: 1, Results: results})
}

// Onboarding is how far a person got in `secfirst onboard`.
type Onboarding struct {
	// Step is the id of the step to resume at.
	Step string `json:"step"`
	// Done lists the steps completed.
	Done []string `json:"done"`
	// Topic is the index of the lesson topic to resume at, within the
	// lessons step.
	Topic int `json:"topic"`
	// Finished is true once the closing summary was reached.
	Finished bool `json:"finished"`
}

// IsDone reports whether a step is complete.
func (o Onboarding) IsDone(step string) bool {
	for _, d := range o.Done {
		if d == step {
			return true
		}
	}
	return false
}

// MarkDone records a step as complete.
func (o *Onboarding) MarkDone(step string) {
	if !o.IsDone(step) {
		o.Done = append(o.Done, step)
	}
}

// OnboardingSteps are the ids of the onboarding walkthrough's steps, in
// order: the walkthrough (tui/onboard) titles them, the dashboard and the
// plain summary count the done ones against them.
var OnboardingSteps = []string{"welcome", "hook", "scan", "lessons", "summary"}

type onboardingRecord struct {
	Version    int        `json:"version"`
	Onboarding Onboarding `json:"onboarding"`
}

const onboardingFile = "onboarding.json"

// Onboarding returns the progress stored so far (zero when none).
func (s *Store) Onboarding() (Onboarding, error) {
	var rec onboardingRecord
	err := s.read(onboardingFile, &rec)
	return rec.Onboarding, err
}

// SaveOnboarding stores the progress.
func (s *Store) SaveOnboarding(o Onboarding) error {
	return s.write(onboardingFile, onboardingRecord{Version: 1, Onboarding: o})
}
