package checks

import "sort"

// What hid a suppressed finding. Suppression is never silent: every output
// says how many findings were suppressed and by what.
const (
	// SuppressedByPolicy: an [[ignore]] entry of .secfirst.toml.
	SuppressedByPolicy = "policy"
	// SuppressedByGitleaksIgnore: a fingerprint in .gitleaksignore.
	SuppressedByGitleaksIgnore = "gitleaksignore"
	// SuppressedByInline: a comment on or above the line (gitleaks:allow,
	// # secfirst:ignore=, # hadolint ignore=, #checkov:skip=, #trivy:ignore:).
	SuppressedByInline = "inline"
	// SuppressedByOSVConfig: an ignore in osv-scanner.toml.
	SuppressedByOSVConfig = "osv-scanner.toml"
	// SuppressedByHadolintConfig: `ignored:` in .hadolint.yaml.
	SuppressedByHadolintConfig = ".hadolint.yaml"
	// SuppressedByTrivyIgnore: an id in .trivyignore.
	SuppressedByTrivyIgnore = ".trivyignore"
)

// SuppressionKinds are the SuppressedBy constants in the order outputs list
// them.
var SuppressionKinds = []string{
	SuppressedByPolicy, SuppressedByGitleaksIgnore, SuppressedByInline,
	SuppressedByOSVConfig, SuppressedByHadolintConfig, SuppressedByTrivyIgnore,
}

// SuppressionSource names, for people, where a kind of suppression is
// written: ".secfirst.toml", "inline comments".
func SuppressionSource(by string) string {
	switch by {
	case SuppressedByPolicy:
		return PolicyFile
	case SuppressedByGitleaksIgnore:
		return ".gitleaksignore"
	case SuppressedByInline:
		return "inline comments"
	}
	return by
}

// Suppression is a finding that a suppression hid, and what hid it. The
// finding is redacted like every other one.
type Suppression struct {
	Finding Finding
	// By is one of the SuppressedBy constants.
	By string
	// Reason is the reason the suppression gives, when it gives one.
	Reason string
	// Where is the suppression itself: ".secfirst.toml:12", "Dockerfile:3".
	Where string
	// Count is how many findings it hid when more than one: a group of
	// findings a hook did not list (see Unlisted), whose Finding has no
	// line and no fingerprint. 0 is one.
	Count int `json:",omitempty"`
}

// Findings is how many findings it hid.
func (s Suppression) Findings() int { return max(s.Count, 1) }

// SuppressedSummary counts suppressed findings by what hid them (the
// SuppressedBy constants): the "suppressed" object of the JSON document.
type SuppressedSummary struct {
	Total int            `json:"total"`
	By    map[string]int `json:"by"`
}

// SummarizeSuppressed counts suppressions by what hid them.
func SummarizeSuppressed(sups []Suppression) SuppressedSummary {
	s := SuppressedSummary{By: map[string]int{}}
	for _, sup := range sups {
		s.Total += sup.Findings()
		s.By[sup.By] += sup.Findings()
	}
	return s
}

// sortSuppressions orders suppressions as SortFindings orders findings, so
// reports are deterministic whatever order the checks ran in.
func sortSuppressions(sups []Suppression) {
	sort.SliceStable(sups, func(i, j int) bool { return findingLess(sups[i].Finding, sups[j].Finding) })
}
