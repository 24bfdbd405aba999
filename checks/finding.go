// Package checks is secfirst's engine: the findings model, the sources a scan
// reads (staged index, working tree, history, paths), the policy from
// .secfirst.toml and the runner that ties checks to them. It knows no command
// line and no screen.
package checks

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Severity of a finding. The zero value is invalid on purpose, so a check that
// forgets to set one is caught by tests.
type Severity string

const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Severities from most to least severe.
var Severities = []Severity{Critical, High, Medium, Low, Info}

// Rank orders severities: critical is 5, info 1, unknown 0.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 5
	case High:
		return 4
	case Medium:
		return 3
	case Low:
		return 2
	case Info:
		return 1
	}
	return 0
}

// FailOn is the level at and above which findings block. "never" blocks none.
type FailOn string

// FailNever makes no finding blocking.
const FailNever FailOn = "never"

// ParseFailOn accepts critical, high, medium, low, info and never.
func ParseFailOn(s string) (FailOn, error) {
	v := FailOn(strings.ToLower(strings.TrimSpace(s)))
	if v == FailNever || Severity(v).Rank() > 0 {
		return v, nil
	}
	return "", fmt.Errorf("invalid fail-on level %q (want critical, high, medium, low, info or never)", s)
}

// Blocks reports whether a finding of severity s blocks at this level.
func (f FailOn) Blocks(s Severity) bool {
	if f == FailNever {
		return false
	}
	return s.Rank() >= Severity(f).Rank()
}

// Package is the dependency a deps finding is about.
type Package struct {
	Ecosystem string   `json:"ecosystem"`
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	Fixed     []string `json:"fixed"`
}

// Finding is one problem found by a check. Its JSON form is the contract of
// PRODUCT.md; nothing in it may ever hold a raw secret.
type Finding struct {
	Check       string   `json:"check"`
	Rule        string   `json:"rule"`
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"`
	File        string   `json:"file"`
	Line        int      `json:"line,omitempty"`
	Commit      string   `json:"commit,omitempty"`
	Message     string   `json:"message"`
	Fix         string   `json:"fix"`
	Lesson      string   `json:"lesson"`
	Refs        []string `json:"refs,omitempty"`
	Fingerprint string   `json:"fingerprint"`
	Blocking    bool     `json:"blocking"`
	Package     *Package `json:"package,omitempty"`

	// Snippet is the offending line as it may be shown to a person: secrets
	// are redacted in it by the check that found them. Not part of the JSON
	// contract.
	Snippet string `json:"-"`
}

// Location is "file:line" or just "file".
func (f Finding) Location() string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	return f.File
}

// Summary counts findings per severity and how many block.
type Summary struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
	Blocking int `json:"blocking"`
}

// Count returns the number of findings of one severity.
func (s Summary) Count(sev Severity) int {
	switch sev {
	case Critical:
		return s.Critical
	case High:
		return s.High
	case Medium:
		return s.Medium
	case Low:
		return s.Low
	case Info:
		return s.Info
	}
	return 0
}

// Total is the number of findings counted.
func (s Summary) Total() int { return s.Critical + s.High + s.Medium + s.Low + s.Info }

// Summarize counts findings.
func Summarize(findings []Finding) Summary {
	var s Summary
	for _, f := range findings {
		switch f.Severity {
		case Critical:
			s.Critical++
		case High:
			s.High++
		case Medium:
			s.Medium++
		case Low:
			s.Low++
		case Info:
			s.Info++
		}
		if f.Blocking {
			s.Blocking++
		}
	}
	return s
}

// SortFindings orders findings by file, line, check, rule and commit so that
// every report is deterministic.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return findingLess(fs[i], fs[j]) })
}

func findingLess(a, b Finding) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Check != b.Check {
		return a.Check < b.Check
	}
	if a.Rule != b.Rule {
		return a.Rule < b.Rule
	}
	return a.Commit < b.Commit
}

// MaxSnippet is how many bytes of a line a finding's Snippet shows.
const MaxSnippet = 200

// SnippetOf is a line of a file as a finding's Snippet shows it: trimmed,
// and cut at MaxSnippet bytes (on a character boundary) with "…".
func SnippetOf(line string) string {
	s := strings.TrimSpace(line)
	if len(s) <= MaxSnippet {
		return s
	}
	cut := MaxSnippet
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
