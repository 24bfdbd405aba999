// Package secrets finds leaked credentials with gitleaks v8 as a library:
// its default rules, the repository's .gitleaks.toml on top, .gitleaksignore
// and `gitleaks:allow` comments. No raw secret ever leaves this package: a
// finding carries a redacted form, a length and a digest.
package secrets

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gitleaks/go-gitdiff/gitdiff"
	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"
	"golang.org/x/sync/semaphore"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/safefile"
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

// ReadsStagedPatch implements checks.PatchReader: the staged diff that
// lists the commit's files also gives this check its patches.
func (*Check) ReadsStagedPatch() bool { return true }

// Run implements checks.Check.
func (c *Check) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	switch {
	case len(src.Paths) == 0 && src.Mode == checks.ModeStaged:
		return c.runStaged(ctx, src)
	case len(src.Paths) == 0 && src.Mode == checks.ModeHistory:
		return c.runHistory(ctx, src)
	default:
		return c.runWorktree(ctx, src)
	}
}

// scan is one run of the check: the detector and what the run hid and
// skipped, for the result.
type scan struct {
	src *checks.Source
	// d reads the texts where gitleaks' decoder can find nothing to decode
	// (mayDecode) and keeps every finding; decoding, on the same rules,
	// reads the others, and is built when the first comes. Both are given
	// only fragments of files that allow, the rules' global allowlists,
	// leave (withoutGlobalPaths).
	d        *detect.Detector
	decoding func() *detect.Detector
	// lean is the detector without gitleaks' generic-api-key rule, for
	// the texts that rule cannot match (generic.go); nil when the rules
	// have no such rule.
	lean  func() *detect.Detector
	allow *config.Config
	// paths caches what allow says of a path when no allowlist names
	// commits (byCommit false): paths come back in commit after commit.
	paths    sync.Map
	byCommit bool
	// hunks, in history mode, has each hunk's text read once (nil: not).
	hunks  *hunks
	ignore ignoreList
	// reading is held by a submit waiting for the budgets: the staged
	// diff's parser reads no further meanwhile (see gatedReader).
	reading sync.RWMutex
	// capped, under a cap of findings per rule in a file, holds the
	// findings instead of the detector (nil: the detector holds them all).
	capped  *capped
	skipped skipped
	// limit is the size past which a file is skipped.
	limit int64
	// budget bounds the text held for detection at once; jobs feed the
	// workers that detect it, and wg waits for them to be done.
	budget *semaphore.Weighted
	jobs   chan func()
	wg     sync.WaitGroup
	stop   func()
	// ready is closed once the detectors are built (or failed to be):
	// the workers wait for it, so a history's parse can run ahead of the
	// rules' compilation.
	ready     chan struct{}
	readyOnce sync.Once
	// warnings are the run's own: the configuration, the clone.
	warnings []string
}

// newScan reads the repository's .gitleaksignore and starts a run. The
// detector comes later: staged mode chooses its rules from the diff.
func newScan(ctx context.Context, src *checks.Source) (*scan, error) {
	ignore, warnings, err := readIgnoreList(ctx, src)
	if err != nil {
		return nil, err
	}
	s := &scan{src: src, ignore: ignore, warnings: warnings, limit: src.FileSizeLimit(), budget: newBudget(),
		jobs: make(chan func(), jobsAhead), ready: make(chan struct{})}
	if src.FindingsPerRule > 0 {
		s.capped = newCapped(src.FindingsPerRule, ignore)
	}
	// As many workers as cores, each living as long as the run: the
	// regexps' deep recursion grows a goroutine's stack, once.
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for job := range s.jobs {
				job()
			}
		}()
	}
	s.stop = sync.OnceFunc(func() {
		s.wg.Wait()
		close(s.jobs)
	})
	return s, nil
}

// allows sets the global allowlists each file is checked against, before
// any is (see withoutGlobalPaths).
func (s *scan) allows(cfg *config.Config) {
	s.allow = cfg
	s.byCommit = slices.ContainsFunc(cfg.Allowlists, func(a *config.Allowlist) bool { return len(a.Commits) > 0 })
}

// detector builds the run's detectors on cfg and lets the workers start.
// gitleaks' Detector accumulates findings, so it is never shared between
// runs. It reports the findings that `gitleaks:allow` would hide too, and
// .gitleaksignore is not given to it: convert sorts them out, so outputs
// can say what was suppressed.
func (s *scan) detector(ctx context.Context, cfg config.Config) *detect.Detector {
	if s.allow == nil {
		allow := cfg
		s.allows(&allow)
	}
	cfg = withoutGlobalPaths(cfg)
	s.d = detect.NewDetectorContext(ctx, cfg)
	s.d.IgnoreGitleaksAllow = true
	s.decoding = sync.OnceValue(func() *detect.Detector {
		d := detect.NewDetectorContext(ctx, cfg)
		d.MaxDecodeDepth = maxDecodeDepth
		d.IgnoreGitleaksAllow = true
		return d
	})
	s.lean = nil
	if lean, ok := withoutGeneric(cfg); ok {
		s.lean = sync.OnceValue(func() *detect.Detector {
			d := detect.NewDetectorContext(ctx, lean)
			d.IgnoreGitleaksAllow = true
			return d
		})
	}
	s.start()
	return s.d
}

// start lets the workers run the jobs, with or without detectors.
func (s *scan) start() { s.readyOnce.Do(func() { close(s.ready) }) }

// loadRules returns the rules of the run and whether to go on: a
// configuration that leaves no rule is a loud warning, not a clean scan.
func (s *scan) loadRules(ctx context.Context) (config.Config, bool, error) {
	files, err := readConfigFiles(ctx, s.src)
	if err != nil {
		return config.Config{}, false, err
	}
	return s.rulesOf(files)
}

func (s *scan) rulesOf(files *configFiles) (config.Config, bool, error) {
	cfg, _, err := configOf(files)
	if err != nil {
		return config.Config{}, false, err
	}
	if len(cfg.Rules) == 0 {
		s.warnings = append(s.warnings, noRulesWarning(s.src))
		return cfg, false, nil
	}
	return cfg, true, nil
}

// skips reports whether the rules' global allowlists skip every fragment
// of the file in the commit.
func (s *scan) skips(path, commit string) bool {
	if s.byCommit {
		return pathAllowed(s.allow, path, commit)
	}
	if v, ok := s.paths.Load(path); ok {
		return v.(bool)
	}
	v := pathAllowed(s.allow, path, "")
	s.paths.Store(path, v)
	return v
}

// submit detects the fragments of one file in the background, once their
// text fits in the budget; an error means ctx ended first.
func (s *scan) submit(ctx context.Context, frags []detect.Fragment) error {
	n := 0
	for _, f := range frags {
		n += len(f.Raw)
	}
	release, err := s.hold(ctx, n)
	if err != nil {
		return err
	}
	s.run(ctx, release, frags)
	return nil
}

// submitFile is submit of the added lines of one file of a diff, whose
// share of the budgets is taken before their text is put together: while
// it waits, only the lines git's diff was parsed into are held.
func (s *scan) submitFile(ctx context.Context, f *gitdiff.File) error {
	n := addedSize(f)
	if n == 0 {
		return nil
	}
	release, err := s.hold(ctx, n)
	if err != nil {
		return err
	}
	s.run(ctx, release, fragments(f))
	return nil
}

// textCost is what detecting a byte of text holds, in the scan's parse
// budget: the text, and the pieces, findings and keys made of it.
const textCost = 2

// hold takes n bytes of text from the run's budget, and their cost from
// the scan's parse budget, which the checks that parse share: detected
// while the Kubernetes check parsed a 4 MiB List and the deps check read a
// 58 MB lockfile, a 10 MB leak corpus took the hook past 440 MB. It
// returns the function that gives both back; an error is ctx's.
func (s *scan) hold(ctx context.Context, n int) (release func(), err error) {
	s.reading.Lock()
	defer s.reading.Unlock()
	w, err := acquire(ctx, s.budget, n)
	if err != nil {
		return nil, err
	}
	done, err := s.src.Parsing(ctx, n*textCost)
	if err != nil {
		s.budget.Release(w)
		return nil, err
	}
	return func() {
		done()
		s.budget.Release(w)
	}, nil
}

// run detects frags in the background and calls release when done. The
// fragments that fit in one piece are read by one worker; a larger one is
// read in pieces, piecesPerJob to a worker, so that one large file keeps
// every core busy.
func (s *scan) run(ctx context.Context, release func(), frags []detect.Fragment) {
	type job struct {
		pieces []detect.Fragment
		seen   *dedupe // nil: one piece per fragment, nothing found twice
	}
	var jobs []job
	var whole []detect.Fragment
	for _, f := range frags {
		ps := pieces(f)
		if len(ps) == 1 {
			whole = append(whole, f)
			continue
		}
		seen := newDedupe()
		for i := 0; i < len(ps); i += piecesPerJob {
			jobs = append(jobs, job{pieces: ps[i:min(i+piecesPerJob, len(ps))], seen: seen})
		}
	}
	if len(whole) > 0 {
		jobs = append(jobs, job{pieces: whole})
	}
	left := atomic.Int64{}
	left.Store(int64(len(jobs)))
	for _, j := range jobs {
		s.wg.Add(1)
		s.jobs <- func() {
			defer s.wg.Done()
			defer func() {
				if left.Add(-1) == 0 {
					release()
				}
			}()
			if <-s.ready; s.d == nil {
				return // the rules did not compile: the run fails
			}
			for _, p := range j.pieces {
				d := s.d
				switch {
				case mayDecode(p.Raw):
					d = s.decoding()
				case s.lean != nil && genericCannotMatch(p.Raw):
					d = s.lean() // see generic.go
				}
				found := d.DetectContext(ctx, p)
				if j.seen == nil && s.hunks != nil {
					s.hunks.remember(p, found)
				}
				for _, finding := range found {
					if j.seen == nil || j.seen.first(finding) {
						s.add(finding)
					}
				}
			}
		}
	}
	if len(jobs) == 0 {
		release()
	}
}

// add keeps a finding of the run's.
func (s *scan) add(g report.Finding) {
	if s.capped != nil {
		s.capped.add(g)
		return
	}
	s.d.AddFinding(g)
}

// result waits for the detection and turns its findings into the check's
// result.
func (s *scan) result(ctx context.Context, c *Check) (checks.Result, error) {
	s.stop()
	if err := ctx.Err(); err != nil {
		return checks.Result{}, err
	}
	res := checks.Result{Warnings: append(s.warnings, s.skipped.warnings(s.limit)...)}
	if s.d == nil {
		return res, nil
	}
	found, past := s.d.Findings(), []*capGroup(nil)
	if s.capped != nil {
		found, past = s.capped.findings()
	}
	res.Findings, res.Suppressed, res.Unlisted = c.convert(s.src, found, past, s.ignore)
	return res, nil
}

// resultAfter is result once rules, the compilation of the rules, is done.
func (s *scan) resultAfter(ctx context.Context, c *Check, rules func() error) (checks.Result, error) {
	if err := rules(); err != nil {
		return checks.Result{}, err
	}
	return s.result(ctx, c)
}

// chooseRulesBelow is how much added text staged mode reads before it
// chooses the rules: below it only the rules the text can trigger are
// compiled, which is most of the cost of a small commit; above, every rule
// is, and the diff is detected as it streams.
const chooseRulesBelow = 1 << 20

// runStaged scans the lines the commit adds: the staged diff against HEAD
// (git compares against the empty tree before the first commit). git reads
// GIT_INDEX_FILE itself, so `git commit -a` and `git commit <path>` are right.
// A small diff is read whole first, so that only the rules it can trigger are
// compiled (see rulesFor).
func (c *Check) runStaged(ctx context.Context, src *checks.Source) (checks.Result, error) {
	// The diff reads the whole index, as the lookup of the configuration
	// does: git starts on it at once, while the configuration is read.
	first, err := stagedDiff(ctx, src, src.FileSizeLimit())
	if err != nil {
		return checks.Result{}, err
	}
	parsed := false
	defer func() {
		if !parsed {
			first.abort()
		}
	}()
	s, err := newScan(ctx, src)
	if err != nil {
		return checks.Result{}, err
	}
	defer s.stop()
	files, err := readConfigFiles(ctx, src)
	if err != nil {
		return checks.Result{}, err
	}
	// A repository's own rules, or a long-lived process (the TUI) that has
	// every rule compiled already: all of them.
	var allow *config.Config
	if files != nil || defaultCompiled.Load() {
		cfg, ok, err := s.rulesOf(files)
		if err != nil {
			return checks.Result{}, err
		} else if !ok {
			return s.result(ctx, c)
		}
		s.detector(ctx, cfg)
		allow = s.allow
	} else if allow, err = defaultAllowlists(); err != nil {
		return checks.Result{}, err
	}
	var pending []detect.Fragment
	var pendingBytes int
	var binaries []binaryFile
	take := func(f *gitdiff.File) error {
		if s.d != nil {
			return s.submitFile(ctx, f)
		}
		if n := addedSize(f); pendingBytes+n <= chooseRulesBelow {
			pending = append(pending, fragments(f)...)
			pendingBytes += n
			return nil
		}
		cfg, err := defaultConfig()
		if err != nil {
			return err
		}
		s.detector(ctx, cfg)
		if frags := pending; len(frags) > 0 {
			pending = nil
			if err := s.submit(ctx, frags); err != nil {
				return err
			}
		}
		return s.submitFile(ctx, f)
	}
	diff := func(d *runningDiff) error {
		d.r = gatedReader{r: d.r, gate: &s.reading}
		var takeErr error
		err := d.parse(func(f *gitdiff.File) {
			switch {
			case takeErr != nil || f.IsDelete || pathAllowed(allow, f.NewName, ""):
			case f.IsBinary:
				binaries = append(binaries, binaryFile{path: f.NewName, oldPath: f.OldName, blob: f.NewOIDPrefix})
			default:
				takeErr = take(f)
			}
		})
		return cmp.Or(takeErr, err)
	}
	parsed = true
	if err := diff(first); err != nil {
		s.stop()
		return checks.Result{}, err
	}
	// The added lines of the files git calls binary that gitleaks reads as text.
	if texts := s.textual(ctx, binaries, allow); len(texts) > 0 {
		var paths []string
		for _, b := range texts {
			paths = append(paths, b.path, b.oldPath)
		}
		d, err := startDiff(src.GitCommand(ctx, diffArgs("diff", true, s.limit, paths)...))
		if err == nil {
			err = diff(d)
		}
		if err != nil {
			s.stop()
			return checks.Result{}, err
		}
	}
	if s.d == nil && len(pending) > 0 {
		texts := make([]string, len(pending))
		for i, f := range pending {
			texts[i] = f.Raw
		}
		cfg, err := rulesFor(texts, maxDecodeDepth)
		if err != nil {
			return checks.Result{}, err
		}
		s.detector(ctx, cfg)
		if err := s.submit(ctx, pending); err != nil {
			s.stop()
			return checks.Result{}, err
		}
	}
	return s.result(ctx, c)
}

// diffArgs are the arguments of the git command, `diff --cached` or `log`
// (which reads the commits on its standard input), that prints the patches
// gitleaks reads (checks.PatchArgs) and, with text, every other file as
// text. paths, when given, limit it to those files.
func diffArgs(command string, text bool, limit int64, paths []string) []string {
	args := checks.PatchArgs(command, limit)
	if command == "diff" {
		args = append(args, "--cached")
	} else {
		args = append(args, "-p", "--diff-filter=tuxdb", "--no-walk=unsorted", "--stdin")
	}
	if text {
		args = append(args, "--text")
	}
	args = append(args, "--")
	for _, p := range paths {
		if p != "" {
			args = append(args, ":(literal)"+p)
		}
	}
	return args
}

// binaryFile is a file a diff calls binary.
type binaryFile struct {
	commit, path, oldPath, blob string
}

// where names the file, and its commit in history.
func (f binaryFile) where() string {
	if f.commit != "" {
		return f.path + "@" + shortCommit(f.commit)
	}
	return f.path
}

// textual returns the binary files of a diff that gitleaks reads as text
// (binaryKind) and records the others as skipped: too large, binary or
// unreadable; files the allowlists of cfg skip (images, documents...) are
// neither. git calls a file binary for one NUL byte, which would hide such
// a file's secrets from the hook and from history while the working-tree
// scan finds them, and for a size over the limit (core.bigFileThreshold).
func (s *scan) textual(ctx context.Context, files []binaryFile, cfg *config.Config) []binaryFile {
	files = slices.DeleteFunc(files, func(f binaryFile) bool { return pathAllowed(cfg, f.path, f.commit) })
	if len(files) == 0 {
		return nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, f := range files {
		if !seen[f.blob] {
			seen[f.blob] = true
			ids = append(ids, f.blob)
		}
	}
	heads, err := s.src.BlobHeads(ctx, ids, headSize, s.limit)
	var out []binaryFile
	for _, f := range files {
		blob, ok := heads[f.blob]
		switch {
		case err != nil || !ok:
			s.skipped.add(skipUnreadable, f.where())
		case blob.Size > s.limit:
			s.skipped.add(skipTooLarge, f.where()+" ("+megabytes(blob.Size)+")")
		case binaryKind(f.path, blob.Head) != "":
			s.skipped.add(skipBinary, f.where()+" ("+binaryKind(f.path, blob.Head)+")")
		default:
			out = append(out, f)
		}
	}
	return out
}

// addedText is tf.Raw(gitdiff.OpAdd) in a string of its size: Raw's
// builder doubles as it goes, and a 10 MB hunk held 16 MB while detected.
func addedText(tf *gitdiff.TextFragment) string {
	var b strings.Builder
	b.Grow(addedBytes(tf))
	for _, l := range tf.Lines {
		if l.Op == gitdiff.OpAdd {
			b.WriteString(l.Line)
		}
	}
	return b.String()
}

// addedSize is the size of the text fragments makes of f.
func addedSize(f *gitdiff.File) int {
	if f.IsDelete || f.IsBinary {
		return 0
	}
	n := 0
	for _, tf := range f.TextFragments {
		if tf != nil {
			n += addedBytes(tf)
		}
	}
	return n
}

// addedBytes is the size of tf's added lines.
func addedBytes(tf *gitdiff.TextFragment) int {
	n := 0
	for _, l := range tf.Lines {
		if l.Op == gitdiff.OpAdd {
			n += len(l.Line)
		}
	}
	return n
}

func shortCommit(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
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
			Raw:       addedText(tf),
			FilePath:  f.NewName,
			CommitSHA: commit,
			StartLine: int(tf.NewPosition),
		})
	}
	return out
}

// streamDiff runs a git command that prints patches and calls each with
// every parsed file, in order. The error names git's own complaint.
func streamDiff(cmd *exec.Cmd, each func(*gitdiff.File)) error {
	d, err := startDiff(cmd)
	if err != nil {
		return err
	}
	return d.parse(each)
}

// gatedReader reads r while no one holds gate. gitdiff's parser runs a
// file ahead of its reader: while the hook's secrets check waited for the
// budget with one file of a leak corpus, the parser held the lines of the
// next (23 MB for 10 MB of keys) beside the check that had the budget.
type gatedReader struct {
	r    io.Reader
	gate *sync.RWMutex
}

func (g gatedReader) Read(p []byte) (int, error) {
	g.gate.RLock()
	g.gate.RUnlock() //nolint:staticcheck // a wait for the holder, not a critical section
	return g.r.Read(p)
}

// runningDiff is a git command printing patches, started ahead of their
// reading: git reads the index and diffs while the caller does other work.
type runningDiff struct {
	r     io.Reader
	wait  func() error
	abort func()
}

// startDiff starts a git command that prints patches; parse reads them, or
// abort stops it.
func startDiff(cmd *exec.Cmd) (*runningDiff, error) {
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot run git: %w", err)
	}
	wait := func() error {
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("git %s: %s", gitSubcommand(cmd.Args), firstLine(stderr.String(), err))
		}
		return nil
	}
	return &runningDiff{r: stdout, wait: wait, abort: func() {
		_ = cmd.Process.Kill()
		_ = stdout.Close()
		_ = cmd.Wait()
	}}, nil
}

// stagedDiff is the staged patch: the source's own diff, which also lists
// its files, when the source shares it, else a git command of its own.
func stagedDiff(ctx context.Context, src *checks.Source, limit int64) (*runningDiff, error) {
	if p := src.ClaimStagedPatch(ctx, limit); p != nil {
		return &runningDiff{r: p.R, wait: p.Wait, abort: p.Abort}, nil
	}
	return startDiff(src.GitCommand(ctx, diffArgs("diff", false, limit, nil)...))
}

// parse calls each with every file the command prints, in order, and waits
// for it to end.
func (d *runningDiff) parse(each func(*gitdiff.File)) error {
	files, err := gitdiff.Parse(d.r)
	if err != nil {
		d.abort()
		return err
	}
	for f := range files {
		each(f)
	}
	return d.wait()
}

// gitSubcommand is the git command of a command line, after its -c options.
func gitSubcommand(args []string) string {
	for i := 1; i < len(args); i++ {
		if args[i] == "-c" {
			i++
			continue
		}
		return args[i]
	}
	return ""
}

// runHistory scans every commit reachable from HEAD (or src.Revs).
func (c *Check) runHistory(ctx context.Context, src *checks.Source) (checks.Result, error) {
	s, err := newScan(ctx, src)
	if err != nil {
		return checks.Result{}, err
	}
	defer s.stop()
	// A repository's own rules are compiled first; gitleaks' default rules
	// compile while git diffs and the diffs are parsed, and the workers
	// start on what is parsed once they are.
	files, err := readConfigFiles(ctx, src)
	if err != nil {
		return checks.Result{}, err
	}
	rules := func() error { return nil }
	if files != nil {
		cfg, ok, err := s.rulesOf(files)
		if err != nil {
			return checks.Result{}, err
		} else if !ok {
			return s.result(ctx, c)
		}
		s.detector(ctx, cfg)
		if !s.byCommit && !rulesByCommit(cfg) {
			s.hunks = &hunks{}
		}
	} else {
		allow, err := defaultAllowlists()
		if err != nil {
			return checks.Result{}, err
		}
		s.allows(allow)
		s.hunks = &hunks{} // the default rules name no commits
		compiled := make(chan error, 1)
		go func() {
			cfg, err := defaultConfig()
			if err == nil {
				s.detector(ctx, cfg)
			}
			s.start()
			compiled <- err
		}()
		rules = sync.OnceValue(func() error { return <-compiled })
		defer rules()
	}
	if out, err := src.Git(ctx, "rev-parse", "--is-shallow-repository"); err == nil && strings.TrimSpace(string(out)) == "true" {
		s.warnings = append(s.warnings, "secrets: this clone is shallow: the history before its oldest fetched commits was NOT checked for secrets (`git fetch --unshallow` fetches it)")
	}
	revs := src.Revs
	if len(revs) == 0 {
		if !src.HasHead(ctx) {
			return s.resultAfter(ctx, c, rules) // no commit yet: no history
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
		return s.resultAfter(ctx, c, rules)
	}
	parts := splitCommits(commits, historyProcesses(len(commits)))
	var binMu sync.Mutex
	var binaries []binaryFile
	var takeErr error
	take := func(f *gitdiff.File) []detect.Fragment {
		if f.IsBinary && !f.IsDelete && f.PatchHeader != nil {
			binMu.Lock()
			binaries = append(binaries, binaryFile{commit: f.PatchHeader.SHA, path: f.NewName, oldPath: f.OldName, blob: f.NewOIDPrefix})
			binMu.Unlock()
		}
		frags := fragments(f)
		if len(frags) == 0 || s.skips(frags[0].FilePath, frags[0].CommitSHA) {
			return nil
		}
		if s.hunks != nil {
			frags = slices.DeleteFunc(frags, func(f detect.Fragment) bool {
				found, ok := s.hunks.found(f)
				for _, finding := range found {
					s.add(finding)
				}
				return ok
			})
		}
		return frags
	}
	// Each stream hands its fragments to the workers by the batch: a hand
	// over per file would cost as much as reading many small ones.
	batches := func() (each func(*gitdiff.File), flush func()) {
		var batch []detect.Fragment
		size := 0
		flush = func() {
			if len(batch) == 0 {
				return
			}
			if err := s.submit(ctx, batch); err != nil {
				binMu.Lock()
				takeErr = err
				binMu.Unlock()
			}
			batch, size = nil, 0
		}
		each = func(f *gitdiff.File) {
			frags := take(f)
			for _, f := range frags {
				size += len(f.Raw)
			}
			if batch = append(batch, frags...); size >= batchSize {
				flush()
			}
		}
		return each, flush
	}
	errs := make([]error, len(parts))
	var streams sync.WaitGroup
	for i, part := range parts {
		streams.Add(1)
		go func() {
			defer streams.Done()
			cmd := src.GitCommand(ctx, diffArgs("log", false, s.limit, nil)...)
			cmd.Stdin = strings.NewReader(strings.Join(part, "\n") + "\n")
			each, flush := batches()
			errs[i] = streamDiff(cmd, each)
			flush()
		}()
	}
	streams.Wait()
	err = cmp.Or(rules(), errors.Join(errs...))
	if err == nil {
		each, flush := batches()
		err = s.historyText(ctx, s.textual(ctx, binaries, s.allow), each)
		flush()
	}
	if err = cmp.Or(err, takeErr); err != nil {
		s.stop()
		return checks.Result{}, err
	}
	return s.result(ctx, c)
}

// historyText scans the added lines of the files git called binary in
// history that gitleaks reads as text: their commits, diffed again as text
// and limited to those files.
func (s *scan) historyText(ctx context.Context, files []binaryFile, each func(*gitdiff.File)) error {
	if len(files) == 0 {
		return nil
	}
	want := map[string]bool{}
	var commits, paths []string
	seen := map[string]bool{}
	for _, f := range files {
		want[f.commit+"\x00"+f.path] = true
		for _, v := range []string{"commit\x00" + f.commit, "path\x00" + f.path, "path\x00" + f.oldPath} {
			if !seen[v] {
				seen[v] = true
				kind, value, _ := strings.Cut(v, "\x00")
				if kind == "commit" {
					commits = append(commits, value)
				} else {
					paths = append(paths, value)
				}
			}
		}
	}
	cmd := s.src.GitCommand(ctx, diffArgs("log", true, s.limit, paths)...)
	cmd.Stdin = strings.NewReader(strings.Join(commits, "\n") + "\n")
	return streamDiff(cmd, func(f *gitdiff.File) {
		// The same commits' other changes to these paths were read already.
		if f.PatchHeader != nil && want[f.PatchHeader.SHA+"\x00"+f.NewName] {
			each(f)
		}
	})
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

// runWorktree scans the tracked files as they are on disk, or the files and
// folders given on the command line, the way `gitleaks dir` does.
func (c *Check) runWorktree(ctx context.Context, src *checks.Source) (checks.Result, error) {
	s, err := newScan(ctx, src)
	if err != nil {
		return checks.Result{}, err
	}
	defer s.stop()
	files, err := src.Files(ctx, nil)
	if err != nil {
		return checks.Result{}, err
	}
	for _, p := range src.Unreadable() {
		s.skipped.add(skipUnreadable, p)
	}
	cfg, ok, err := s.loadRules(ctx)
	if err != nil {
		return checks.Result{}, err
	} else if !ok {
		return s.result(ctx, c)
	}
	s.detector(ctx, cfg)
	for _, f := range files {
		if err := s.scanFile(ctx, f.Abs, f.Path); err != nil {
			s.stop()
			return checks.Result{}, err
		}
	}
	return s.result(ctx, c)
}

// scanFile reads one file whole, as one fragment, and detects it in the
// background. What gitleaks' own file source would skip without a word
// (archives, binary files), a file over the size limit and one that cannot
// be read are recorded as skipped; so are none of the files the allowlists
// skip. An error means ctx ended.
func (s *scan) scanFile(ctx context.Context, abs, rel string) error {
	if s.skips(rel, "") {
		return nil // gitleaks' allowlists skip it: not a file to read
	}
	// Only a regular file, never followed: a tracked file swapped for a
	// link (to /dev/zero, outside the repository) or a FIFO is skipped,
	// named, and never blocks the scan; so is one under a linked folder.
	if len(s.src.Paths) == 0 { // tracked files: rel is under Root
		if _, err := safefile.InRoot(s.src.Root, rel); err != nil {
			s.skipped.add(skipUnreadable, rel+" ("+unwrapPathError(err)+")")
			return nil
		}
	}
	fh, fi, err := safefile.Open(abs)
	if err != nil {
		s.skipped.add(skipUnreadable, rel+" ("+unwrapPathError(err)+")")
		return nil
	}
	defer fh.Close()
	if fi.Size() > s.limit {
		s.skipped.add(skipTooLarge, rel+" ("+megabytes(fi.Size())+")")
		return nil
	}
	release, err := s.hold(ctx, int(fi.Size()))
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(fh, s.limit+1))
	var skip string
	switch {
	case err != nil:
		s.skipped.add(skipUnreadable, rel+" ("+unwrapPathError(err)+")")
	case int64(len(data)) > s.limit: // it grew since
		s.skipped.add(skipTooLarge, rel+" ("+megabytes(int64(len(data)))+")")
	default:
		if skip = binaryKind(rel, data[:min(len(data), headSize)]); skip != "" {
			s.skipped.add(skipBinary, rel+" ("+skip+")")
		}
	}
	if err != nil || int64(len(data)) > s.limit || skip != "" || len(data) == 0 {
		release()
		return nil
	}
	s.run(ctx, release, []detect.Fragment{{Raw: string(data), FilePath: rel, StartLine: 1}})
	return nil
}

func unwrapPathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// convert turns gitleaks findings into secfirst findings, dropping every raw
// form of the secret on the way, and sets apart those that `gitleaks:allow`
// or .gitleaksignore hides, as gitleaks would. Past the source's cap of
// findings of a rule in a file (the pre-commit hook's, see checks.RuleCap),
// the first by line are listed and the rest counted: a staged leak corpus of
// 150,000 keys took the hook 52 s, most of it redacting their fixes. past
// are the findings a capped run held only to count (see capped).
func (c *Check) convert(src *checks.Source, in []report.Finding, past []*capGroup, ignore ignoreList) ([]checks.Finding, []checks.Suppression, []checks.Unlisted) {
	listed := src.RuleCap()
	room := len(in)
	if listed != nil {
		room = 0 // most of them are counted, not listed
		slices.SortFunc(in, compareFindings)
	}
	out := make([]checks.Finding, 0, room)
	var hidden []checks.Suppression
	for _, g := range in {
		n, ignored := ignore.match(g)
		allowed := strings.Contains(g.Line, allowSignature)
		if !allowed && !ignored && listed != nil && !listed.Keep(c.counted(g, fingerprint(g))) {
			continue
		}
		f := c.finding(src, g)
		switch {
		case allowed:
			hidden = append(hidden, checks.Suppression{Finding: f, By: checks.SuppressedByInline, Where: f.Location()})
		case ignored:
			hidden = append(hidden, checks.Suppression{Finding: f, By: checks.SuppressedByGitleaksIgnore, Where: fmt.Sprintf("%s:%d", ignoreFile, n)})
		default:
			out = append(out, f)
		}
	}
	for _, grp := range past {
		for _, e := range grp.rest {
			listed.Count(c.counted(grp.like, hex.EncodeToString(e.fingerprint[:])))
		}
	}
	return out, hidden, listed.Unlisted()
}

// counted is a finding as a cap counts it: what finding fills in but the
// texts (message, fix, snippet), which cost most.
func (c *Check) counted(g report.Finding, fingerprint string) checks.Finding {
	return checks.Finding{Check: Name, Rule: g.RuleID, Severity: Severity(g.RuleID), Title: title(g), File: findingPath(g),
		Lesson: lessons.IDForRule(g.RuleID, fallbackLesson), Refs: secretRefs, Fingerprint: fingerprint}
}

// secretRefs are every secret finding's refs.
var secretRefs = []string{"CWE-798"}

// findingPath is the file a gitleaks finding is in, as findings name it.
func findingPath(g report.Finding) string {
	if g.SymlinkFile != "" {
		return filepath.ToSlash(g.SymlinkFile)
	}
	return filepath.ToSlash(g.File)
}

func (c *Check) finding(src *checks.Source, g report.Finding) checks.Finding {
	path := findingPath(g)
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
		Fingerprint: fingerprint(g),
		Snippet:     snippet(g),
	}
	if src.Mode == checks.ModeHistory {
		f.Lesson = lessons.IDForRule(HistoryRule, f.Lesson)
		f.Message = fmt.Sprintf("%s found in commit %s: %s", what, shortCommit(g.Commit), Redact(g.Secret))
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
	return f
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

// historyProcesses is how many `git log` processes share a history scan:
// one per core up to four (past that the detectors, not git, are the
// bottleneck), and one for a short history where start-up would dominate.
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
