package checks

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestGlobMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, name string
		want          bool
	}{
		{"docs/**", "docs/a/b.md", true},
		{"docs/**", "src/docs/a.md", false},
		{"**/testdata/*", "a/b/testdata/x.txt", true},
		{"**/testdata/*", "testdata/x.txt", true},
		{"*.md", "deep/dir/README.md", true},
		{"src/*.go", "src/a/b.go", false},
		{"src/*.go", "src/b.go", true},
		{"src/**/fixtures/*", "src/a/b/fixtures/key.pem", true},
		{"src/**/fixtures/*", "src/fixtures/key.pem", true},
		{"src/**/fixtures/*", "lib/src/fixtures/key.pem", false},
	} {
		if got := globMatch(c.pattern, c.name); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}

func TestIgnoreExpiresAfterItsDay(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.Local)
	ig := Ignore{Rule: "x", Reason: "r", Expires: day}
	if ig.Expired(day.Add(23 * time.Hour)) {
		t.Fatal("an ignore holds through its expiry day")
	}
	if !ig.Expired(day.AddDate(0, 0, 1)) {
		t.Fatal("an ignore stops the day after")
	}
}

func TestIgnoreMatchesRefsAndAllFields(t *testing.T) {
	f := Finding{Rule: "dockerfile/root-user", Refs: []string{"DL3002"}, File: "build/Dockerfile", Fingerprint: "abc"}
	if !(Ignore{Rule: "dl3002"}).Matches(f) {
		t.Fatal("a rule ignore matches a ref, case-insensitively")
	}
	if (Ignore{Rule: "DL3002", Path: "other/*"}).Matches(f) {
		t.Fatal("every field set must match")
	}
	if (Ignore{}).Matches(f) {
		t.Fatal("an empty ignore matches nothing")
	}
}

func TestParsePolicy(t *testing.T) {
	p, err := ParsePolicy(".secfirst.toml", []byte(`fail_on = "medium"
disabled_checks = ["deps"]
strict = true
[checklist]
stale_after_days = 30
[[ignore]]
rule = "generic-api-key"
reason = "fixtures"
expires = 2030-01-02
`))
	if err != nil {
		t.Fatal(err)
	}
	if p.FailOn != FailOn(Medium) || p.CheckEnabled("deps") || !p.CheckEnabled("secrets") || !p.Strict || p.StaleAfterDays != 30 {
		t.Fatalf("policy = %+v", p)
	}
	if len(p.Ignores) != 1 || p.Ignores[0].Expires.Year() != 2030 || p.Ignores[0].Line != 6 {
		t.Fatalf("ignores = %+v", p.Ignores)
	}
	for text, want := range map[string]string{
		"fail_on = \"high\"\nfoo = 1\n":                                        ".secfirst.toml:2: unknown setting \"foo\"",
		"disabled_checks = [\"nope\"]\n":                                       ".secfirst.toml:1: unknown check",
		"[[ignore]]\nreason = \"x\"\n":                                         ".secfirst.toml:1: [[ignore]] needs a fingerprint",
		"\n[[ignore]]\nrule = \"x\"\nexpires = \"soon\"\n":                     ".secfirst.toml:2",
		"[[ignore]]\nrule = \"x\"\nreason = \"r\"\nexpires = \"31/12/2030\"\n": "is not a date",
		// Nested deep enough to cost BurntSushi/toml gigabytes: refused first.
		"fail_on = \"high\"\n" + strings.Repeat("a.", 20000) + "b = 1\n":           ".secfirst.toml: tables, dotted keys, arrays and inline tables nest more than 64 levels deep",
		"x = " + strings.Repeat("{a = ", 20000) + "1" + strings.Repeat("}", 20000): ".secfirst.toml:1: arrays and inline tables are nested more than",
	} {
		_, err := ParsePolicy(".secfirst.toml", []byte(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePolicy(%q) error = %v, want %q", text, err, want)
		}
	}
}

func TestApplyMarksBlockingBySeverity(t *testing.T) {
	fs := []Finding{{Rule: "a", Severity: Critical}, {Rule: "b", Severity: Medium}, {Rule: "c", Severity: Low}}
	kept, _, _ := DefaultPolicy().Apply(fs, "", time.Now())
	if !kept[0].Blocking || kept[1].Blocking || kept[2].Blocking {
		t.Fatalf("default high: %+v", kept)
	}
	kept, _, _ = DefaultPolicy().Apply(fs, FailOn(Low), time.Now())
	if !kept[2].Blocking {
		t.Fatal("--fail-on low overrides the policy")
	}
	kept, _, _ = DefaultPolicy().Apply(fs, FailNever, time.Now())
	if kept[0].Blocking {
		t.Fatal("never blocks nothing")
	}
}

func TestApplyReturnsWhatItSuppressed(t *testing.T) {
	pol, err := ParsePolicy(".secfirst.toml", []byte(`fail_on = "low"

[[ignore]]
rule = "a"
reason = "fixture keys, revoked"

[[ignore]]
path = "docs/**"
reason = "documentation"
expires = 2020-01-01
`))
	if err != nil {
		t.Fatal(err)
	}
	fs := []Finding{
		{Rule: "a", File: "x.go", Severity: Critical},
		{Rule: "b", File: "docs/y.md", Severity: High},
	}
	kept, suppressed, warnings := pol.Apply(fs, "", time.Date(2026, 1, 1, 0, 0, 0, 0, time.Local))
	if len(kept) != 1 || kept[0].Rule != "b" || !kept[0].Blocking {
		t.Fatalf("kept = %+v", kept)
	}
	if len(suppressed) != 1 {
		t.Fatalf("suppressed = %+v", suppressed)
	}
	s := suppressed[0]
	if s.Finding.Rule != "a" || s.By != SuppressedByPolicy || s.Where != ".secfirst.toml:3" || s.Reason != "fixture keys, revoked" || s.Finding.Blocking {
		t.Fatalf("suppression = %+v", s)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], ".secfirst.toml:7: ignore (path docs/**) expired") {
		t.Fatalf("warnings = %q", warnings)
	}
}

// The path globs of [[ignore]] entries match what git's own `:(glob)`
// pathspec matches (a pattern without a slash as `**/` and the pattern, as
// in .gitignore), on the patterns people write.
func TestGlobMatchAgreesWithGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required")
	}
	dir := t.TempDir()
	files := []string{
		"README.md", "app.lock", "go.sum", "key.pem",
		"docs/guide.md", "docs/img/logo.png", "docs.md",
		"src/main.go", "src/fixtures/a.pem", "src/fixtures/deep/b.pem",
		"src/pkg/fixtures/c.json", "src/pkg/sub/fixtures/d.txt", "lib/src/fixtures/e.txt",
		"vendor/x/y.lock", "certs/prod/server.pem", "a b/c$d.txt",
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	git("init", "-q")
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("add", ".")
	for _, pattern := range []string{
		"src/**/fixtures/*", "**/fixtures/*", "**/*.pem", "docs/**", "*.lock", "*.md",
		"src/*.go", "src/**", "**/fixtures/**", "certs/*/server.pem", "a b/*", "[ab]pp.lock", "docs",
	} {
		var gitSays []string
		for _, f := range strings.Split(git("ls-files", "-z", ":(glob)"+globPattern(pattern)), "\x00") {
			if f != "" {
				gitSays = append(gitSays, f)
			}
		}
		var weSay []string
		for _, f := range files {
			if globMatch(pattern, f) {
				weSay = append(weSay, f)
			}
		}
		slices.Sort(gitSays)
		slices.Sort(weSay)
		if !slices.Equal(gitSays, weSay) {
			t.Errorf("pattern %q: git matches %q, secfirst %q", pattern, gitSays, weSay)
		}
	}
}

// An ignore's place names the policy file the user wrote: .secfirst.toml
// for the repository's own, the --config file as given otherwise.
func TestIgnoreWhereNamesThePolicyFile(t *testing.T) {
	text := []byte("[[ignore]]\nrule = \"github-pat\"\nreason = \"fixture\"\nexpires = 2020-01-02\n")
	cases := map[string]string{
		filepath.Join(t.TempDir(), PolicyFile): ".secfirst.toml:1: ignore",
		filepath.Join("ci", "strict.toml"):     filepath.Join("ci", "strict.toml") + ":1: ignore",
	}
	for path, want := range cases {
		pol, err := ParsePolicy(path, text)
		if err != nil {
			t.Fatal(err)
		}
		_, _, warnings := pol.Apply(nil, "", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if len(warnings) != 1 || !strings.HasPrefix(warnings[0], want) {
			t.Errorf("%s: warnings %q, want one starting %q", path, warnings, want)
		}
	}
}
