package secrets_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// run runs the secrets check on the repository in one mode and returns its
// whole result; an error fails the test.
func run(t *testing.T, r *gittest.Repo, mode checks.Mode) checks.Result {
	t.Helper()
	res, err := runErr(t, r, mode)
	if err != nil {
		t.Fatalf("%s: %v", mode, err)
	}
	return res
}

func runErr(t *testing.T, r *gittest.Repo, mode checks.Mode) (checks.Result, error) {
	t.Helper()
	src, err := checks.NewRepoSource(context.Background(), r.Dir, mode)
	if err != nil {
		t.Fatal(err)
	}
	src.Env = r.Env
	return secrets.New().Run(context.Background(), src)
}

func warned(res checks.Result, parts ...string) bool {
	for _, w := range res.Warnings {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(w, p)
		}
		if all {
			return true
		}
	}
	return false
}

// A text file with one NUL byte is binary to git's diff, which printed
// "Binary files differ" and hid its secret from the hook and from history,
// while the working-tree scan found it. All three modes find it now.
func TestTextFileWithANulByteIsFoundInEveryMode(t *testing.T) {
	r := gittest.New(t)
	r.Write("README", "x\n")
	r.Commit("init")
	r.Write("data.txt", "header\x00binary-ish\ntoken = \""+gittest.FakeGitHubToken()+"\"\n")
	r.Git("add", "-A")
	want := func(mode checks.Mode, res checks.Result) {
		t.Helper()
		if len(res.Findings) != 1 || res.Findings[0].Location() != "data.txt:2" || res.Findings[0].Rule != "github-pat" {
			t.Errorf("%s: want github-pat at data.txt:2, got %v", mode, rules(res.Findings))
		}
		if len(res.Warnings) != 0 {
			t.Errorf("%s: a text file is read, not skipped: %v", mode, res.Warnings)
		}
	}
	want(checks.ModeStaged, run(t, r, checks.ModeStaged))
	leak := r.Commit("leak")
	want(checks.ModeWorktree, run(t, r, checks.ModeWorktree))
	hist := run(t, r, checks.ModeHistory)
	want(checks.ModeHistory, hist)
	if len(hist.Findings) == 1 && hist.Findings[0].Commit != leak {
		t.Errorf("history: attributed to %s, want %s", hist.Findings[0].Commit, leak)
	}
	// An edit of the file in a later commit: only its added line is new.
	r.Write("data.txt", "header\x00binary-ish\ntoken = \"x\"\nother = \""+gittest.FakeAWSKey()+"\"\n")
	r.Git("add", "-A")
	if got := run(t, r, checks.ModeStaged); len(got.Findings) != 1 || got.Findings[0].Location() != "data.txt:3" {
		t.Errorf("staged edit: want the added line data.txt:3 only, got %v", rules(got.Findings))
	}
}

// Files gitleaks does not read (archives, application formats) are named
// in a warning in every mode, never skipped silently.
func TestBinaryFilesAreNamedInAWarning(t *testing.T) {
	r := gittest.New(t)
	r.Write("README", "x\n")
	r.Commit("init")
	token := gittest.FakeGitHubToken()
	r.Write("dist/app.zip", "PK\x03\x04\x14\x00\x00\x00token = \""+token+"\"\n")
	// No extension: gitleaks' allowlists skip *.pdf before reading it.
	r.Write("docs/manual", "%PDF-1.4\n\x00\x01token = \""+token+"\"\n")
	// An image the allowlists skip is not "skipped": gitleaks is told to.
	r.Write("logo.png", "\x89PNG\r\n\x1a\n\x00\x00token = \""+token+"\"\n")
	r.Git("add", "-A")
	check := func(mode checks.Mode, res checks.Result) {
		t.Helper()
		if !warned(res, "2 files NOT checked for secrets", "binary", "dist/app.zip", "docs/manual", "(application/pdf)") {
			t.Errorf("%s: want one warning naming both files, got %q", mode, res.Warnings)
		}
	}
	check(checks.ModeStaged, run(t, r, checks.ModeStaged))
	r.Commit("binaries")
	check(checks.ModeWorktree, run(t, r, checks.ModeWorktree))
	check(checks.ModeHistory, run(t, r, checks.ModeHistory))
}

// A text file whose name merely contains an archive's extension
// (`.browserslistrc` holds ".br", brotli's) is read in every mode, as the
// hook reads its diff; a file named as an archive is still named as one.
func TestTextNamedLikeAnArchiveIsRead(t *testing.T) {
	r := gittest.New(t)
	r.Write("README", "x\n")
	r.Commit("init")
	r.Write("frontend/.browserslistrc", "last 2 versions\ntoken = \""+gittest.FakeGitHubToken()+"\"\n")
	r.Write("src/address.zipcode.ts", "const token = \""+gittest.FakeGitHubToken()+"\"\n")
	r.Write("dist/app.js.br", "\x1b\x0f\x00\xf8token = \""+gittest.FakeGitHubToken()+"\"\n")
	r.Git("add", "-A")
	r.Commit("files")
	for _, mode := range []checks.Mode{checks.ModeWorktree, checks.ModeHistory} {
		res := run(t, r, mode)
		var where []string
		for _, f := range res.Findings {
			where = append(where, f.File)
		}
		slices.Sort(where)
		if !slices.Equal(where, []string{"frontend/.browserslistrc", "src/address.zipcode.ts"}) {
			t.Errorf("%s: found in %v, want both text files", mode, where)
		}
		if !warned(res, "1 file NOT checked", "dist/app.js.br", "(archive)") || warned(res, "browserslistrc") {
			t.Errorf("%s: want the .br file alone named as an archive, got %q", mode, res.Warnings)
		}
	}
}

// A shallow clone's history stops at its oldest fetched commits: the scan
// says so instead of passing it off as the whole history.
func TestShallowHistoryIsAWarning(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.txt", "one\n")
	r.Commit("one")
	r.Write("a.txt", "two\n")
	r.Commit("two")
	clone := &gittest.Repo{T: t, Dir: filepath.Join(t.TempDir(), "clone"), Env: r.Env}
	r.Git("clone", "-q", "--depth", "1", "file://"+r.Dir, clone.Dir)
	if res := run(t, clone, checks.ModeHistory); !warned(res, "shallow", "NOT checked") {
		t.Errorf("a shallow clone must be a warning: %q", res.Warnings)
	}
	if res := run(t, r, checks.ModeHistory); len(res.Warnings) != 0 {
		t.Errorf("a full clone has nothing to warn about: %q", res.Warnings)
	}
}

// Findings that `gitleaks:allow` and .gitleaksignore hide are reported as
// suppressed, by what and where, redacted; the others are findings.
func TestSuppressedSecretsAreReported(t *testing.T) {
	r := gittest.New(t)
	r.Write("README", "x\n")
	r.Commit("init")
	allowed, ignored, kept := gittest.FakeAWSKey(), gittest.FakeGitHubToken(), gittest.FakeStripeKey()
	r.Write("a.py", "x = 1\nk = \""+allowed+"\"  # gitleaks:allow\n")
	r.Write("b.py", "t = \""+ignored+"\"\n")
	r.Write("c.py", "s = \""+kept+"\"\n")
	r.Write(".gitleaksignore", "# reviewed\nb.py:github-pat:1\nnot a fingerprint\n")
	r.Git("add", "-A")
	for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree, checks.ModeHistory} {
		if mode == checks.ModeWorktree {
			r.Git("commit", "-q", "--no-verify", "-m", "x")
		}
		res := run(t, r, mode)
		if len(res.Findings) != 1 || res.Findings[0].File != "c.py" {
			t.Errorf("%s: want only c.py reported, got %v", mode, rules(res.Findings))
		}
		got := map[string]string{}
		for _, s := range res.Suppressed {
			got[s.By] = s.Finding.Rule + "@" + s.Finding.Location() + " by " + s.Where
			for _, secret := range []string{allowed, ignored} {
				if strings.Contains(s.Finding.Snippet+s.Finding.Message, secret) {
					t.Errorf("%s: a suppressed finding shows its secret", mode)
				}
			}
		}
		if got[checks.SuppressedByInline] != "aws-access-token@a.py:2 by a.py:2" ||
			got[checks.SuppressedByGitleaksIgnore] != "github-pat@b.py:1 by .gitleaksignore:2" || len(res.Suppressed) != 2 {
			t.Errorf("%s: suppressed = %v", mode, got)
		}
		if !warned(res, ".gitleaksignore:3", "not a gitleaks fingerprint") {
			t.Errorf("%s: a line of .gitleaksignore that is no fingerprint must be named: %q", mode, res.Warnings)
		}
	}
}

// In staged mode .gitleaks.toml and .gitleaksignore are read from the
// index: the index is the commit. An unstaged edit neither adds nor removes
// a rule or an ignore.
func TestConfigIsReadAsStaged(t *testing.T) {
	r := gittest.New(t)
	rule := "[[rules]]\nid = \"acme-internal-token\"\nregex = '''ACME-[0-9]{12}'''\nkeywords = [\"acme-\"]\n"
	r.Write(".gitleaks.toml", rule)
	r.Write("README", "x\n")
	r.Commit("init")
	r.Write("app.py", "internal = \"ACME-"+strings.Repeat("7", 12)+"\"\ntoken = \""+gittest.FakeGitHubToken()+"\"\n")
	r.Git("add", "app.py")
	// Unstaged: the rule removed, and an ignore of the token.
	r.Write(".gitleaks.toml", "# no rules of our own\n")
	r.Write(".gitleaksignore", "app.py:github-pat:2\n")
	res := run(t, r, checks.ModeStaged)
	if len(res.Findings) != 2 || len(res.Suppressed) != 0 {
		t.Fatalf("the staged rule and no ignore apply: findings %v, suppressed %d", rules(res.Findings), len(res.Suppressed))
	}
	// Staged: the ignore hides the token, whatever the working tree says.
	r.Git("add", ".gitleaksignore")
	r.Remove(".gitleaksignore")
	res = run(t, r, checks.ModeStaged)
	if len(res.Findings) != 1 || res.Findings[0].Rule != "acme-internal-token" || len(res.Suppressed) != 1 {
		t.Fatalf("the staged ignore applies: findings %v, suppressed %d", rules(res.Findings), len(res.Suppressed))
	}
}

// A configuration that leaves no rule is a loud warning, never a clean
// scan: [extend] path = "/dev/null" without rules of its own, an extended
// empty file, or every default rule disabled.
func TestConfigLeavingNoRulesIsAWarning(t *testing.T) {
	var defaults struct{ Rules []struct{ ID string } }
	if _, err := toml.Decode(config.DefaultConfig, &defaults); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range defaults.Rules {
		ids = append(ids, `"`+r.ID+`"`)
	}
	for name, toml := range map[string]string{
		"extend /dev/null":     "[extend]\npath = \"/dev/null\"\n",
		"extend an empty file": "[extend]\npath = \"base.toml\"\n",
		"every rule disabled":  "[extend]\nuseDefault = true\ndisabledRules = [" + strings.Join(ids, ", ") + "]\n",
	} {
		t.Run(name, func(t *testing.T) {
			r := gittest.New(t)
			r.Write(".gitleaks.toml", toml)
			r.Write("base.toml", "# nothing\n")
			r.Write("app.py", "token = \""+gittest.FakeGitHubToken()+"\"\n")
			r.Git("add", "-A")
			for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree, checks.ModeHistory} {
				if mode == checks.ModeWorktree {
					r.Git("commit", "-q", "--no-verify", "-m", "x")
				}
				if res := run(t, r, mode); !warned(res, ".gitleaks.toml", "leaves no rule", "NOTHING was checked") {
					t.Errorf("%s: want a warning, got %q", mode, res.Warnings)
				}
			}
		})
	}
}

// gitleaks' configuration in a repository is read only as regular files
// inside it, bounded: a .gitleaks.toml or .gitleaksignore that is a symlink
// to /dev/zero, or an [extend] path to it, is one clear line, not a read
// that never ends.
func TestConfigIsReadOnlyFromRegularFilesInTheRepository(t *testing.T) {
	for name, c := range map[string]struct {
		file, link, toml, base string
		want                   []string
	}{
		".gitleaks.toml symlink":  {".gitleaks.toml", "/dev/zero", "", "", []string{".gitleaks.toml", "is not a regular file"}},
		".gitleaksignore symlink": {".gitleaksignore", "/dev/zero", "", "", []string{".gitleaksignore", "is not a regular file"}},
		"extend /dev/zero":        {"", "", "[extend]\npath = \"/dev/zero\"\n", "", []string{`[extend] path "/dev/zero" is outside the repository`}},
		"extend outside":          {"", "", "[extend]\npath = \"../base.toml\"\n", "", []string{`[extend] path "../base.toml" is outside the repository`}},
		"extend a symlink":        {"base.toml", "/dev/zero", "[extend]\npath = \"base.toml\"\n", "", []string{"[extend] path: base.toml", "is not a regular file"}},
		// viper takes minutes of CPU over a key of thousands of parts.
		"nested too deep":  {"", "", "title = \"x\"\n" + strings.Repeat("a.", 20000) + "b = 1\n", "", []string{".gitleaks.toml", "nest more than 64 levels"}},
		"extends too deep": {"", "", "[extend]\npath = \"base.toml\"\n", "[" + strings.Repeat("a.", 20000) + "b]\nx = 1\n", []string{"base.toml", "nest more than 64 levels"}},
	} {
		t.Run(name, func(t *testing.T) {
			r := gittest.New(t)
			r.Write("app.py", "x = 1\n")
			if c.toml != "" {
				r.Write(".gitleaks.toml", c.toml)
			}
			if c.base != "" {
				r.Write("base.toml", c.base)
			}
			if c.link != "" {
				if err := os.Symlink(c.link, filepath.Join(r.Dir, c.file)); err != nil {
					t.Fatal(err)
				}
			}
			r.Git("add", "-A")
			for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree, checks.ModeHistory} {
				if mode == checks.ModeWorktree {
					r.Git("commit", "-q", "--no-verify", "-m", "x")
				}
				_, err := runErr(t, r, mode)
				ok := err != nil && !strings.Contains(err.Error(), "\n")
				for _, w := range c.want {
					ok = ok && strings.Contains(err.Error(), w)
				}
				if !ok {
					t.Errorf("%s: want one line saying %q, got %v", mode, c.want, err)
				}
			}
		})
	}
}

// A file over the size limit is skipped with a warning naming it, in every
// mode; .secfirst.toml's [secrets] max_file_size_mb sets the limit.
func TestFilesOverTheLimitAreNamedInAWarning(t *testing.T) {
	r := gittest.New(t)
	r.Write("README", "x\n")
	r.Commit("init")
	big := strings.Repeat("value = 1\n", 150_000) + "token = \"" + gittest.FakeGitHubToken() + "\"\n" // 1.5 MB
	r.Write("data/dump.sql", big)
	r.Write("small.py", "aws = \""+gittest.FakeAWSKey()+"\"\n")
	r.Write(".secfirst.toml", "[secrets]\nmax_file_size_mb = 1\n")
	r.Git("add", "-A")
	scanWith := func(mode checks.Mode, policy bool) *checks.Report {
		t.Helper()
		src, err := checks.NewRepoSource(context.Background(), r.Dir, mode)
		if err != nil {
			t.Fatal(err)
		}
		src.Env = r.Env
		var pol *checks.Policy
		if policy {
			if pol, err = checks.LoadPolicy(r.Dir); err != nil {
				t.Fatal(err)
			}
		}
		return checks.Scan(context.Background(), src, []checks.Check{secrets.New()}, pol, checks.Options{})
	}
	for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree, checks.ModeHistory} {
		if mode == checks.ModeWorktree {
			r.Git("commit", "-q", "--no-verify", "-m", "big")
		}
		rep := scanWith(mode, true)
		if len(rep.Findings) != 1 || rep.Findings[0].File != "small.py" {
			t.Errorf("%s: want only small.py, got %v", mode, rules(rep.Findings))
		}
		want := "secrets: 1 file NOT checked for secrets, larger than the limit of 1 MB ([secrets] max_file_size_mb in .secfirst.toml): data/dump.sql"
		if len(rep.Warnings) != 1 || !strings.HasPrefix(rep.Warnings[0], want) || !strings.Contains(rep.Warnings[0], "(1.5 MB)") {
			t.Errorf("%s: warnings %q", mode, rep.Warnings)
		}
		// Under the default limit of 10 MB the file is read.
		if rep := scanWith(mode, false); len(rep.Findings) != 2 || len(rep.Warnings) != 0 {
			t.Errorf("%s: without the setting want both secrets, got %v %q", mode, rules(rep.Findings), rep.Warnings)
		}
	}
}
