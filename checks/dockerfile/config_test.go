package dockerfile

import (
	"slices"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

const (
	configDockerfile = "FROM ghcr.io/org/base:1.0@sha256:x\n" + // 1 untrusted registry
		"RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n" + // 2 DL3008 ignored, DL3015 made an error
		"RUN cd /src && sudo make\n" + // 3 DL3003 ignored; DS-0010 ignored until a date long past
		"USER root\n" + // 4 DS-0002 in .trivyignore
		"HEALTHCHECK NONE\n"
	hadolintYAML = "# the team's hadolint settings\n" +
		"ignored:\n" +
		"  - DL3008\n" + // 3
		"  - dl3003\n" + // 4
		"trustedRegistries:\n" +
		"  - registry.example.com\n" +
		"  - docker.io\n" +
		"override:\n" +
		"  error:\n" +
		"    - DL3015\n"
	trivyIgnoreFile = "# tuned for trivy\n" +
		"AVD-DS-0002 # runs as root on purpose: a legacy agent\n" + // 2
		"DS-0010 exp:2000-01-01\n" +
		"CVE-2024-0001\n"
)

type suppressionSeen struct{ rule, by, where, reason string }

func suppressionsOf(res checks.Result) []suppressionSeen {
	var out []suppressionSeen
	for _, s := range res.Suppressed {
		out = append(out, suppressionSeen{strings.TrimPrefix(s.Finding.Rule, "dockerfile/"), s.By, s.Where, s.Reason})
	}
	slices.SortFunc(out, func(a, b suppressionSeen) int { return strings.Compare(a.rule, b.rule) })
	return out
}

// .hadolint.yaml (ignored, trustedRegistries, override) and .trivyignore
// (with an expiry) act on Dockerfile findings through their refs; what
// they hide is reported as suppressed, with the line that hid it. The hook
// reads them as staged: an unstaged edit changes nothing.
func TestHadolintConfigAndTrivyIgnore(t *testing.T) {
	r := gittest.New(t)
	r.Write("Dockerfile", configDockerfile)
	r.Write(".hadolint.yaml", hadolintYAML)
	r.Write(".trivyignore", trivyIgnoreFile)
	r.Git("add", "-A")
	// Not staged: an edit that would also ignore sudo (DL3004).
	r.Write(".hadolint.yaml", strings.Replace(hadolintYAML, "  - dl3003\n", "  - dl3003\n  - DL3004\n", 1))

	run := func(mode checks.Mode) checks.Result {
		t.Helper()
		res := runRepo(t, r, mode)
		if len(res.Warnings) != 0 {
			t.Errorf("%s: warnings %q", mode, res.Warnings)
		}
		return res
	}
	staged := run(checks.ModeStaged)
	got := byFile(staged.Findings)["Dockerfile"]
	want := map[string][]int{"untrusted-registry": {1}, "apt-no-install-recommends": {2}, "sudo": {3}}
	if len(got) != len(want) || !slices.Equal(got["untrusted-registry"], want["untrusted-registry"]) ||
		!slices.Equal(got["apt-no-install-recommends"], want["apt-no-install-recommends"]) || !slices.Equal(got["sudo"], want["sudo"]) {
		t.Errorf("staged findings %v, want %v", got, want)
	}
	for _, f := range staged.Findings {
		if f.Rule == RuleID(ruleAptRecommends) && f.Severity != checks.High {
			t.Errorf("override error: DL3015 should make %s high, it is %s", f.Rule, f.Severity)
		}
		if f.Rule == RuleID(ruleUntrustedRegistry) && !strings.Contains(f.Message, "ghcr.io") {
			t.Errorf("untrusted registry message: %s", f.Message)
		}
	}
	wantSup := []suppressionSeen{
		{"pkg-unpinned", checks.SuppressedByHadolintConfig, ".hadolint.yaml:3", "ignored: DL3008"},
		{"root-user", checks.SuppressedByTrivyIgnore, ".trivyignore:2", "runs as root on purpose: a legacy agent"},
		{"run-cd", checks.SuppressedByHadolintConfig, ".hadolint.yaml:4", "ignored: DL3003"},
	}
	if s := suppressionsOf(staged); !slices.Equal(s, wantSup) {
		t.Errorf("staged suppressions:\n got %v\nwant %v", s, wantSup)
	}

	// The working tree has the edit: sudo is ignored there.
	worktree := run(checks.ModeWorktree)
	if got := byFile(worktree.Findings)["Dockerfile"]; len(got["sudo"]) != 0 {
		t.Errorf("the working tree's .hadolint.yaml ignores DL3004: %v", got)
	}
	if n := len(worktree.Suppressed); n != 4 {
		t.Errorf("worktree: %d suppressed, want 4: %v", n, suppressionsOf(worktree))
	}
}

// A configuration file that cannot be used is a warning naming it and the
// line, and only its settings are lost; disable-ignore-pragma turns off
// hadolint's comments, not secfirst's.
func TestHadolintConfigProblems(t *testing.T) {
	r := gittest.New(t)
	r.Write("Dockerfile", "FROM alpine:3.20@sha256:x\nUSER app\nHEALTHCHECK NONE\n# hadolint ignore=DL3004\nRUN sudo make\n# secfirst:ignore=dockerfile/run-cd legacy build script\nRUN cd /src && make\n")
	for _, tc := range []struct {
		name, yaml string
		warn       string
		sudo       bool
	}{
		{"broken YAML", "ignored: [DL3004\n", ".hadolint.yaml is not applied: yaml: line 1", false},
		{"a list that is not one", "ignored: DL3004\n", ".hadolint.yaml is not applied: line 1: ignored wants a list", false},
		{"unknown override level", "override:\n  fatal: [DL3004]\n", `line 2: override level "fatal"`, false},
		{"disable-ignore-pragma", "disable-ignore-pragma: true\n", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.Write(".hadolint.yaml", tc.yaml)
			r.Git("add", "-A")
			r.Git("commit", "-q", "--no-verify", "--allow-empty", "-m", tc.name)
			res := runRepo(t, r, checks.ModeWorktree)
			warns := strings.Join(res.Warnings, "\n")
			if tc.warn == "" && warns != "" || !strings.Contains(warns, tc.warn) {
				t.Errorf("warnings %q, want %q", warns, tc.warn)
			}
			got := byFile(res.Findings)["Dockerfile"]
			if (len(got["sudo"]) == 1) != tc.sudo {
				t.Errorf("sudo reported: %v, want %v (%v)", got["sudo"], tc.sudo, got)
			}
			if len(got["run-cd"]) != 0 {
				t.Errorf("secfirst's own comment must keep working: %v", got)
			}
		})
	}
}
