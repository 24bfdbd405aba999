package checks

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
)

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
}
