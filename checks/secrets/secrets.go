// Package secrets finds leaked credentials with gitleaks v8 as a library:
// its default rules, the repository's .gitleaks.toml on top, .gitleaksignore
// and `gitleaks:allow` comments. No raw secret ever leaves this package: a
// finding carries a redacted form, a length and a digest.
package secrets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/fatih/semgroup"
	"github.com/gitleaks/go-gitdiff/gitdiff"
	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/lessons"
)

// Name is the check's id.
const Name = "secrets"

// HistoryRule is the lesson rule of a secret found in history.
const HistoryRule = "secrets/history"

// fallbackLesson covers any rule a lesson does not name.
const fallbackLesson = "secrets-leaked"

// maxDecodeDepth matches the gitleaks CLI's default --max-decode-depth, so
// base64, hex and percent-encoded secrets are found as deep as gitleaks finds them.
const maxDecodeDepth = 5

func init() {
	// gitleaks logs through a global zerolog logger to stderr, and its debug
	// lines include secrets. Nothing of it may reach the user.
	logging.Logger = zerolog.Nop()
}

// Check is the secrets check.
type Check struct{}

// New returns the secrets check.
func New() *Check { return &Check{} }

// Name implements checks.Check.
func (*Check) Name() string { return Name }

// Run implements checks.Check.
func (c *Check) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	switch {
	case len(src.Paths) > 0:
		return c.runPaths(ctx, src)
	case src.Mode == checks.ModeStaged:
		return c.runStaged(ctx, src)
	case src.Mode == checks.ModeHistory:
		return c.runHistory(ctx, src)
	default:
		return c.runWorktree(ctx, src)
	}
}

// newDetector builds a detector for one scan: gitleaks' Detector accumulates
// findings, so it is never shared between scans.
func newDetector(ctx context.Context, root string) (*detect.Detector, error) {
	cfg, err := LoadConfig(root)
	if err != nil {
		return nil, err
	}
	return detectorWith(ctx, root, cfg)
}

func detectorWith(ctx context.Context, root string, cfg config.Config) (*detect.Detector, error) {
	d := detect.NewDetectorContext(ctx, cfg)
	d.MaxDecodeDepth = maxDecodeDepth
	// As many workers as gitleaks: a stalled worker pool stalls the parse of
	// git's output, and then git itself.
	d.Sema = semgroup.NewGroup(ctx, 40)
	ignore := filepath.Join(root, ".gitleaksignore")
	if _, err := os.Stat(ignore); err == nil {
		if err := d.AddGitleaksIgnore(ignore); err != nil {
			return nil, fmt.Errorf("%s: %w", ignore, err)
		}
	}
	return d, nil
}

var (
	defaultOnce     sync.Once
	defaultCompiled atomic.Bool
	defaultCfg      config.Config
	defaultErr      error
	// viper keeps global state; gitleaks' config loading goes through it.
	viperMu sync.Mutex
)

// LoadConfig returns gitleaks' default rules, extended by root/.gitleaks.toml
// when the repository has one. The default configuration is built once per
// process: compiling its ~220 rules is the costliest part of a small scan.
func LoadConfig(root string) (config.Config, error) {
	path := filepath.Join(root, ".gitleaks.toml")
	if root == "" {
		path = ""
	}
	if path != "" {
		if _, err := os.Stat(path); err == nil {
			return loadRepoConfig(path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return config.Config{}, err
		}
	}
	defaultOnce.Do(func() {
		vc, err := defaultViperConfig()
		if err != nil {
			defaultErr = err
			return
		}
		defaultCfg, defaultErr = translate(vc)
		defaultCompiled.Store(defaultErr == nil)
	})
	return defaultCfg, defaultErr
}

// loadRepoConfig reads a repository's .gitleaks.toml. secfirst always starts
// from gitleaks' default rules: a file without [extend] adds to them instead
// of replacing them (use [extend] disabledRules to switch defaults off).
func loadRepoConfig(path string) (cfg config.Config, err error) {
	viperMu.Lock()
	defer viperMu.Unlock()
	defer func() {
		// gitleaks panics (regexp.MustCompile) on a bad pattern in a user's file.
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %v", path, r)
		}
	}()
	viper.Reset()
	defer viper.Reset()
	viper.SetConfigFile(path)
	viper.SetConfigType("toml")
	if err := viper.ReadInConfig(); err != nil {
		return config.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	var vc config.ViperConfig
	if err := viper.Unmarshal(&vc); err != nil {
		return config.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if vc.Extend.Path == "" && vc.Extend.URL == "" {
		vc.Extend.UseDefault = true
	}
	gitleaksExtendDepth = 0
	cfg, err = vc.Translate()
	if err != nil {
		return config.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	cfg.Path = ".gitleaks.toml"
	return cfg, nil
}

// runStaged scans the lines the commit adds: the staged diff against HEAD
// (git compares against the empty tree before the first commit). git reads
// GIT_INDEX_FILE itself, so `git commit -a` and `git commit <path>` are right.
// The diff is read whole first, so that only the rules it can trigger are
// compiled (see rulesFor).
func (c *Check) runStaged(ctx context.Context, src *checks.Source) (checks.Result, error) {
	cmd := exec.CommandContext(ctx, "git", "-c", "core.quotePath=false", "diff", "--cached",
		"-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/")
	var frags []detect.Fragment
	err := streamDiff(src, cmd, nil, func(f *gitdiff.File) {
		frags = append(frags, fragments(f)...)
	})
	if err != nil {
		return checks.Result{}, err
	}
	var cfg config.Config
	if hasRepoConfig(src.Root) {
		if cfg, err = LoadConfig(src.Root); err == nil {
			frags = dropAllowed(&cfg, frags)
		}
	} else if defaultCompiled.Load() {
		// A long-lived process (the TUI) already has every rule compiled.
		if cfg, err = LoadConfig(src.Root); err == nil {
			frags = dropAllowed(&cfg, frags)
		}
	} else {
		var allow *config.Config
		if allow, err = defaultAllowlists(); err != nil {
			return checks.Result{}, err
		}
		frags = dropAllowed(allow, frags)
		texts := make([]string, len(frags))
		for i, f := range frags {
			texts[i] = f.Raw
		}
		cfg, err = rulesFor(texts, maxDecodeDepth)
	}
	if err != nil {
		return checks.Result{}, err
	}
	if len(frags) == 0 {
		return checks.Result{}, nil
	}
	d, err := detectorWith(ctx, src.Root, cfg)
	if err != nil {
		return checks.Result{}, err
	}
	var wg sync.WaitGroup
	for _, frag := range frags {
		wg.Add(1)
		d.Sema.Go(func() error {
			defer wg.Done()
			for _, finding := range d.DetectContext(ctx, frag) {
				d.AddFinding(finding)
			}
			return nil
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return checks.Result{}, err
	}
	return checks.Result{Findings: c.convert(src, d.Findings())}, nil
}

func hasRepoConfig(root string) bool {
	_, err := os.Stat(filepath.Join(root, ".gitleaks.toml"))
	return err == nil
}

// fragments are the added lines of a patch, one fragment per hunk, as
// gitleaks' own git source makes them.
func fragments(f *gitdiff.File) []detect.Fragment {
	if f.IsDelete || f.IsBinary {
		return nil
	}
	commit := ""
	if f.PatchHeader != nil {
		commit = f.PatchHeader.SHA
	}
	var out []detect.Fragment
	for _, tf := range f.TextFragments {
		if tf == nil || tf.LinesAdded == 0 {
			continue
		}
		out = append(out, detect.Fragment{
			Raw:       tf.Raw(gitdiff.OpAdd),
			FilePath:  f.NewName,
			CommitSHA: commit,
			StartLine: int(tf.NewPosition),
		})
	}
	return out
}

// streamDiff runs a git command that prints patches and calls each with
// every parsed file, in order. The error names git's own complaint.
func streamDiff(src *checks.Source, cmd *exec.Cmd, whileGitRuns func() error, each func(*gitdiff.File)) error {
	cmd.Dir = src.Root
	if src.Env != nil {
		cmd.Env = src.Env
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot run git: %w", err)
	}
	if whileGitRuns != nil {
		if err := whileGitRuns(); err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return err
		}
	}
	files, err := gitdiff.Parse(stdout)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return err
	}
	for f := range files {
		each(f)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git %s: %s", cmd.Args[3], firstLine(stderr.String(), err))
	}
	return nil
}

// runHistory scans every commit reachable from HEAD (or src.Revs).
func (c *Check) runHistory(ctx context.Context, src *checks.Source) (checks.Result, error) {
	revs := src.Revs
	if len(revs) == 0 {
		if !src.HasHead(ctx) {
			return checks.Result{}, nil // no commit yet: no history
		}
		revs = []string{"HEAD"}
	}
	// The exact list of commits, split between parallel `git log --no-walk`
	// processes: one git process and one patch parser would otherwise feed
	// every detector, and git alone cannot keep two cores busy.
	out, err := src.Git(ctx, append(append([]string{"rev-list", "--full-history"}, revs...), "--")...)
	if err != nil {
		return checks.Result{}, err
	}
	commits := strings.Fields(string(out))
	if len(commits) == 0 {
		return checks.Result{}, nil
	}
	parts := splitCommits(commits, historyProcesses(len(commits)))
	// The rules compile while git starts diffing.
	var d *detect.Detector
	build := sync.OnceValue(func() (err error) {
		d, err = newDetector(ctx, src.Root)
		return err
	})
	each := func(f *gitdiff.File) {
		frags := fragments(f)
		if len(frags) == 0 {
			return
		}
		// One hunk: the detector's own allowlist check is enough. Many: ask once.
		if len(frags) > 1 && pathAllowed(&d.Config, frags[0].FilePath, frags[0].CommitSHA) {
			return
		}
		d.Sema.Go(func() error {
			for _, frag := range frags {
				for _, finding := range d.DetectContext(ctx, frag) {
					d.AddFinding(finding)
				}
			}
			return nil
		})
	}
	errs := make([]error, len(parts))
	var streams sync.WaitGroup
	for i, part := range parts {
		streams.Add(1)
		go func() {
			defer streams.Done()
			cmd := exec.CommandContext(ctx, "git", "-c", "core.quotePath=false", "log", "-p", "-U0", "--no-color",
				"--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/", "--diff-filter=tuxdb",
				"--no-walk=unsorted", "--stdin", "--")
			cmd.Stdin = strings.NewReader(strings.Join(part, "\n") + "\n")
			errs[i] = streamDiff(src, cmd, build, each)
		}()
	}
	streams.Wait()
	err = errors.Join(errs...)
	if d != nil {
		// The group's own Wait, as in runWorktree: once ctx is done, Go
		// skips the function, which a WaitGroup would wait for for ever.
		_ = d.Sema.Wait()
	}
	if ctx.Err() != nil {
		return checks.Result{}, ctx.Err()
	}
	if err != nil {
		return checks.Result{}, err
	}
	return checks.Result{Findings: c.convert(src, d.Findings())}, nil
}

func firstLine(s string, err error) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return err.Error()
	}
	return s
}

// runWorktree scans the tracked files as they are on disk.
func (c *Check) runWorktree(ctx context.Context, src *checks.Source) (checks.Result, error) {
	files, err := src.Files(ctx, nil)
	if err != nil {
		return checks.Result{}, err
	}
	d, err := newDetector(ctx, src.Root)
	if err != nil {
		return checks.Result{}, err
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		d.Sema.Go(func() error { return scanFile(ctx, d, f.Abs, f.Path) })
	}
	// The group's own Wait: once ctx is done, Go skips the function
	// (its semaphore is not acquired), so a WaitGroup counting the
	// functions would wait for ever.
	_ = d.Sema.Wait()
	if err := ctx.Err(); err != nil {
		return checks.Result{}, err
	}
	return checks.Result{Findings: c.convert(src, d.Findings())}, nil
}

// scanFile feeds one file to gitleaks through its own File source, which
// chunks large files, skips binaries and honours path allowlists.
func scanFile(ctx context.Context, d *detect.Detector, abs, rel string) error {
	fh, err := os.Open(abs)
	if err != nil {
		return nil // vanished or unreadable: nothing to scan
	}
	defer fh.Close()
	file := &sources.File{Content: fh, Path: rel, Config: &d.Config, MaxArchiveDepth: d.MaxArchiveDepth}
	return file.Fragments(ctx, func(frag sources.Fragment, err error) error {
		if err != nil || (frag.Raw == "" && frag.FilePath == "") {
			return nil
		}
		for _, finding := range d.DetectContext(ctx, detect.Fragment(frag)) {
			d.AddFinding(finding)
		}
		return nil
	})
}

// runPaths scans files and folders given on the command line the way
// `gitleaks dir` does, through gitleaks' own Files source.
func (c *Check) runPaths(ctx context.Context, src *checks.Source) (checks.Result, error) {
	d, err := newDetector(ctx, src.Root)
	if err != nil {
		return checks.Result{}, err
	}
	for _, p := range src.Paths {
		files := &sources.Files{Path: p, Config: &d.Config, Sema: d.Sema, MaxArchiveDepth: d.MaxArchiveDepth}
		if _, err := d.DetectSource(ctx, files); err != nil {
			return checks.Result{}, err
		}
	}
	fs := d.Findings()
	for i := range fs {
		fs[i].File = src.Rel(fs[i].File)
	}
	return checks.Result{Findings: c.convert(src, fs)}, nil
}

// convert turns gitleaks findings into secfirst findings, dropping every raw
// form of the secret on the way.
func (c *Check) convert(src *checks.Source, in []report.Finding) []checks.Finding {
	out := make([]checks.Finding, 0, len(in))
	for _, g := range in {
		path := filepath.ToSlash(g.File)
		if g.SymlinkFile != "" {
			path = filepath.ToSlash(g.SymlinkFile)
		}
		digest := sha256.Sum256([]byte(g.Secret))
		what := ruleName(g.RuleID)
		f := checks.Finding{
			Check:       Name,
			Rule:        g.RuleID,
			Severity:    Severity(g.RuleID),
			Title:       title(g),
			File:        path,
			Line:        g.StartLine,
			Commit:      g.Commit,
			Message:     fmt.Sprintf("%s found: %s", what, Redact(g.Secret)),
			Lesson:      lessons.IDForRule(g.RuleID, fallbackLesson),
			Refs:        []string{"CWE-798"},
			Fingerprint: checks.Fingerprint(Name, g.RuleID, path, hex.EncodeToString(digest[:])),
			Snippet:     redactLine(g.Line, g.Secret, g.Match),
		}
		if src.Mode == checks.ModeHistory {
			f.Lesson = lessons.IDForRule(HistoryRule, f.Lesson)
			short := g.Commit
			if len(short) > 12 {
				short = short[:12]
			}
			f.Message = fmt.Sprintf("%s found in commit %s: %s", what, short, Redact(g.Secret))
			f.Fix = fmt.Sprintf("Revoke and rotate this %s at its issuer first: it is in the history of the repository and must be treated as burnt. "+
				"Then remove it from %s and load it from an environment variable or a secret manager, and purge it from history with "+
				"`git filter-repo --replace-text <file listing the secret>`, coordinating the force-push with everyone who has a clone.", what, path)
		} else {
			then := "remove it from " + f.Location()
			if src.Mode == checks.ModeStaged {
				then += " and stage that change (`git add " + f.File + "`)"
			}
			f.Fix = fmt.Sprintf("Revoke and rotate this %s at its issuer first (once committed or shared it is burnt), "+
				"then %s, and load it at run time from an environment variable or a secret manager; keep files holding secrets out of git (.gitignore). "+
				"If it was a false positive, add `gitleaks:allow` in a comment on that line.", what, then)
		}
		out = append(out, f)
	}
	return out
}

// title is the first clause of gitleaks' rule description, e.g.
// "Identified a pattern that may indicate AWS credentials".
func title(g report.Finding) string {
	t := strings.TrimSpace(g.Description)
	for _, sep := range []string{", ", ". "} {
		if i := strings.Index(t, sep); i > 0 {
			t = t[:i]
		}
	}
	t = strings.TrimSuffix(t, ".")
	if t == "" {
		t = "Possible secret: " + g.RuleID
	}
	return t
}

// ruleName turns a rule id into words: "aws-access-token" → "AWS access token".
func ruleName(rule string) string {
	words := strings.Split(rule, "-")
	for i, w := range words {
		switch w {
		case "aws", "gcp", "api", "pat", "jwt", "ci", "cicd", "npm", "ptt", "rrt", "scim", "id":
			words[i] = strings.ToUpper(w)
		case "github":
			words[i] = "GitHub"
		case "gitlab":
			words[i] = "GitLab"
		case "oauth":
			words[i] = "OAuth"
		}
	}
	s := strings.Join(words, " ")
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// criticalRules are private keys and cloud root credentials: whoever holds
// them owns the infrastructure or can impersonate its servers.
var criticalRules = map[string]bool{
	"private-key": true, "age-secret-key": true, "pkcs12-file": true,
	"aws-access-token": true, "alibaba-access-key-id": true, "alibaba-secret-key": true,
	"azure-ad-client-secret": true, "cloudflare-global-api-key": true,
	"digitalocean-pat": true, "digitalocean-access-token": true, "yandex-aws-access-token": true,
	"hashicorp-tf-api-token": true, "vault-service-token": true, "anthropic-admin-api-key": true,
	"kubernetes-secret-yaml": true,
}

// Severity is how bad a leaked credential of this rule is: critical for
// private keys and cloud root credentials, medium for identifiers that are
// not secret on their own (client ids, public keys, test keys), high for
// every other live credential.
func Severity(rule string) checks.Severity {
	switch {
	case criticalRules[rule] || strings.HasSuffix(rule, "-private-key"):
		return checks.Critical
	case strings.HasSuffix(rule, "-client-id"), strings.HasSuffix(rule, "-access-id"),
		strings.HasSuffix(rule, "-api-id"), strings.HasSuffix(rule, "-public-key"),
		strings.HasSuffix(rule, "-pub-key"), strings.HasSuffix(rule, "-pub-api-key"),
		strings.Contains(rule, "-test-"):
		return checks.Medium
	}
	return checks.High
}

// Redact shows enough of a secret to recognise it and never the secret:
// its first four characters when it is long, and its length.
func Redact(secret string) string {
	n := len([]rune(secret))
	if n >= 16 {
		return fmt.Sprintf("%s**** (%d characters, redacted)", string([]rune(secret)[:4]), n)
	}
	return fmt.Sprintf("**** (%d characters, redacted)", n)
}

// redactLine replaces the secret and the whole match in a line.
func redactLine(line, secret, match string) string {
	line = strings.TrimSpace(line)
	if secret == "" || !strings.Contains(line, secret) {
		// The secret was decoded from an encoded form in this line (base64,
		// hex...): the line itself would give it away.
		return ""
	}
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	for _, s := range []string{match, secret} {
		if s != "" {
			line = strings.ReplaceAll(line, s, "****")
		}
	}
	if len(line) > 200 {
		line = line[:200] + "…"
	}
	return line
}

// historyProcesses is how many `git log` processes share a history scan:
// one per core, and one for a short history where start-up would dominate.
func historyProcesses(commits int) int {
	if commits < 200 {
		return 1
	}
	return min(max(runtime.GOMAXPROCS(0), 1), 4)
}

// splitCommits deals commits round-robin into n lists of similar size.
func splitCommits(commits []string, n int) [][]string {
	parts := make([][]string, n)
	for i, c := range commits {
		parts[i%n] = append(parts[i%n], c)
	}
	return parts
}
