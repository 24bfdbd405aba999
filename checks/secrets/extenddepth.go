package secrets

import _ "unsafe" // for go:linkname

// gitleaksExtendDepth is gitleaks' package-level count of [extend] levels
// (config.extendDepth). gitleaks loads one configuration per process and
// never resets it, so in a process that loads .gitleaks.toml more than once
// (the TUI rescanning, a test suite) the third load reaches its depth limit
// and silently drops every default rule: a scan that looks clean.
// loadRepoConfig puts it back to zero, under viperMu, before each load.
// Kolide's launcher met the same trap (kolide/launcher#2701). If gitleaks
// renames the variable, the build fails here instead of the scans going
// quiet; TestRepoConfigLoadedTwiceKeepsDefaults guards the behaviour.
//
//go:linkname gitleaksExtendDepth github.com/zricethezav/gitleaks/v8/config.extendDepth
var gitleaksExtendDepth int
