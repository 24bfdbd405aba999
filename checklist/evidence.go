package checklist

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/checks/dockerfile"
)

// Evidence is what secfirst found for an automatic item: a status and one
// sentence saying what was found.
type Evidence struct {
	Status Status
	Text   string
	// Fresh says how current the scans behind the evidence are ("reused
	// the secrets scan of ..."); empty when it was all computed now.
	Fresh string
	// Manual is true when the repository holds nothing secfirst can verify
	// the item with (no Kubernetes manifest or Terraform file, say): a
	// person attests it, and Text says why. Status is then todo.
	Manual bool
}

// Provider computes the evidence of the automatic item with the same ID.
// Providers are independent, so tests cover each one and callers choose
// which to run.
type Provider struct {
	// ID is the checklist item the provider verifies.
	ID string
	// Slow providers (a scan of the whole history) may be skipped by a
	// caller that must stay responsive, such as the TUI.
	Slow bool
	// Evaluate computes the evidence. It must honour ctx.
	Evaluate func(ctx context.Context, r *Repo) Evidence
	// Cached returns the last evidence without doing the slow work, when
	// it is still valid (optional; used when a slow provider is skipped).
	Cached func(ctx context.Context, r *Repo) (Evidence, bool)
	// Uses are the cached scans the evidence comes from (check names, and
	// "history"), whose freshness the evidence reports.
	Uses []string
	// Promotes marks the provider of an item the template makes manual
	// and the repository can make automatic: it runs for the item when
	// the file says `kind: manual` too, and unless its evidence is Manual
	// the item is then verified by secfirst (see Assess and File.Apply).
	Promotes bool
}

// DefaultProviders are the evidence providers of the default template.
func DefaultProviders() []Provider {
	providers := []Provider{
		{ID: "secret-scanning-hook", Evaluate: hookEvidence},
		{ID: "no-secrets-in-tracked-files", Evaluate: trackedSecretsEvidence, Uses: []string{checkSecrets}},
		{ID: "no-secrets-in-history", Slow: true, Evaluate: historySecretsEvidence, Cached: cachedHistoryEvidence, Uses: []string{scanHistory}},
		{ID: "no-vulnerable-dependencies", Evaluate: depsEvidence, Uses: []string{checkDeps}},
		{ID: "dependency-updates-automated", Evaluate: depUpdatesEvidence},
		{ID: "ci-security-scans", Evaluate: ciScansEvidence},
		{ID: "env-files-ignored", Evaluate: envIgnoredEvidence},
		{ID: "security-policy", Evaluate: securityPolicyEvidence},
		{ID: "containers-non-root", Evaluate: nonRootEvidence, Uses: []string{checkDockerfile}},
		{ID: "base-images-pinned", Evaluate: pinnedImagesEvidence, Uses: []string{checkDockerfile}},
		{ID: "images-scanned", Evaluate: imageScanEvidence},
		{ID: "iac-scanned", Evaluate: iacScannedEvidence},
	}
	return append(providers, iacProviders()...)
}

// Verifiable reports whether the repository may verify a manual item:
// its provider among providers (nil: DefaultProviders) promotes it (see
// Provider.Promotes).
func Verifiable(id string, providers []Provider) bool {
	if providers == nil {
		providers = DefaultProviders()
	}
	for _, p := range providers {
		if p.ID == id {
			return p.Promotes
		}
	}
	return false
}

// Repo is the repository evidence is gathered from. It memoises the scans
// the providers share, for one evaluation: make a new Repo to see changes.
type Repo struct {
	// Root is the top level of the working tree.
	Root string
	// Policy is the repository's .secfirst.toml.
	Policy *checks.Policy
	// Checks are the checks the evidence runs.
	Checks []checks.Check
	// CacheDir holds the evidence cache ("" disables it).
	CacheDir string
	// Now is the clock of the scans (ignore expiry) and of the cache.
	Now func() time.Time

	mu       sync.Mutex
	scans    map[string]*scanResult
	src      *checks.Source
	ci       *ciOnce
	files    *filesOnce
	warnings map[string]bool
	dbDir    string
	idx      *indexOnce
	fresh    map[string]Freshness
	subjects map[string]map[string][]string
}

type scanResult struct {
	once sync.Once
	rep  *checks.Report
	err  error
}

// RepoOptions tune OpenRepo.
type RepoOptions struct {
	// DBDir is the OSV database directory ("" means the deps check's default).
	DBDir string
	// CacheDir overrides the evidence cache directory; "" means the user
	// cache directory (os.UserCacheDir()/secfirst).
	CacheDir string
	// NoCache disables the evidence cache: every scan runs in full.
	NoCache bool
	// Checks replaces the checks (tests); nil means every check, offline.
	Checks []checks.Check
}

// OpenRepo opens the repository containing dir and reads its policy.
// Evidence never touches the network: the checks run offline, so the
// dependency item reads the local vulnerability database only.
func OpenRepo(ctx context.Context, dir string, o RepoOptions) (*Repo, error) {
	root, err := checks.RepoRoot(ctx, dir)
	if err != nil {
		return nil, err
	}
	pol, err := checks.LoadPolicy(root)
	if err != nil {
		return nil, err
	}
	list := o.Checks
	if list == nil {
		list = defaultChecks(o.DBDir)
	}
	r := &Repo{Root: root, Policy: pol, Checks: list, dbDir: o.DBDir}
	switch {
	case o.NoCache:
	case o.CacheDir != "":
		r.CacheDir = o.CacheDir
	default:
		if d, err := os.UserCacheDir(); err == nil {
			r.CacheDir = filepath.Join(d, "secfirst")
		}
	}
	return r, nil
}

// defaultChecks are every check secfirst has, offline: evidence never
// touches the network.
func defaultChecks(dbDir string) []checks.Check {
	return all.Checks(all.Options{DBDir: dbDir, Offline: true})
}

var (
	errCheckMissing  = errors.New("not available in this build of secfirst")
	errCheckDisabled = errors.New("switched off in .secfirst.toml")
)

func (r *Repo) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// source is the working tree, shared by the scans so files are listed once.
func (r *Repo) source() *checks.Source {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.src == nil {
		r.src = &checks.Source{Mode: checks.ModeWorktree, Root: r.Root, InRepo: true}
	}
	return r.src
}

// check returns the named check, or why it cannot run.
func (r *Repo) check(name string) (checks.Check, error) {
	for _, c := range r.Checks {
		if c.Name() == name {
			if r.Policy != nil && !r.Policy.CheckEnabled(name) {
				return nil, errCheckDisabled
			}
			return c, nil
		}
	}
	return nil, errCheckMissing
}

// Scan runs one check over the tracked files of the working tree (the
// Dockerfile check over the Dockerfiles, committed or not), once per Repo,
// with the repository's policy (ignores apply). Results come from the
// evidence cache when the files they depend on have not changed.
func (r *Repo) Scan(ctx context.Context, name string) (*checks.Report, error) {
	r.mu.Lock()
	if r.scans == nil {
		r.scans = map[string]*scanResult{}
	}
	s := r.scans[name]
	if s == nil {
		s = &scanResult{}
		r.scans[name] = s
	}
	r.mu.Unlock()
	s.once.Do(func() {
		c, err := r.check(name)
		if err != nil {
			s.err = err
			return
		}
		s.rep, s.err = r.cachedScan(ctx, c, r.now())
	})
	return s.rep, s.err
}

// Tracked lists the tracked files present in the working tree.
func (r *Repo) Tracked(ctx context.Context) ([]string, error) {
	files, err := r.source().Files(ctx, nil)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Path
	}
	return out, nil
}

// EvalOptions tune Evaluate.
type EvalOptions struct {
	// Providers replaces DefaultProviders.
	Providers []Provider
	// SkipSlow leaves slow providers out (their cached evidence is used
	// when still valid).
	SkipSlow bool
}

// Evaluate computes fresh evidence for every automatic item that has a
// provider, concurrently. Items without a provider get a todo that says so.
func Evaluate(ctx context.Context, r *Repo, items []Item, o EvalOptions) map[string]Evidence {
	providers := o.Providers
	if providers == nil {
		providers = DefaultProviders()
	}
	byID := map[string]Provider{}
	for _, p := range providers {
		byID[p.ID] = p
	}
	out := map[string]Evidence{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, it := range items {
		p, ok := byID[it.ID]
		if it.Kind != Auto && !(ok && p.Promotes) {
			continue
		}
		if !ok {
			mu.Lock() // providers started earlier write out concurrently
			out[it.ID] = Evidence{Status: Todo, Text: fmt.Sprintf("secfirst has no automatic check for %q; make it `kind: manual` or use an id of the default template", it.ID)}
			mu.Unlock()
			continue
		}
		if o.SkipSlow && p.Slow {
			ev, ok := Evidence{}, false
			if p.Cached != nil {
				ev, ok = p.Cached(ctx, r)
			}
			if !ok {
				ev = Evidence{Status: Todo, Text: "not checked here because it is slow; `secfirst checklist status` checks it"}
			} else if ev.Fresh == "" {
				ev.Fresh = r.freshnessOf(p.Uses)
			}
			mu.Lock()
			out[it.ID] = ev
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ev := safeEvaluate(ctx, p, r)
			if ctx.Err() != nil && ev.Status != Pass && ev.Status != Fail {
				ev = Evidence{Status: Todo, Text: "not checked: interrupted"}
			}
			if ev.Fresh == "" {
				ev.Fresh = r.freshnessOf(p.Uses)
			}
			mu.Lock()
			out[it.ID] = ev
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// safeEvaluate runs a provider; a provider that panics is a todo that says
// so rather than a crash of the whole command.
func safeEvaluate(ctx context.Context, p Provider, r *Repo) (ev Evidence) {
	defer func() {
		if x := recover(); x != nil {
			ev = Evidence{Status: Todo, Text: fmt.Sprintf("could not be checked: internal error: %v", x)}
		}
	}()
	if err := ctx.Err(); err != nil {
		return Evidence{Status: Todo, Text: "not checked: interrupted"}
	}
	return p.Evaluate(ctx, r)
}

// cannot is the evidence of a provider that could not do its job.
func cannot(what string, err error) Evidence {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return Evidence{Status: Todo, Text: "not checked: interrupted"}
	}
	return Evidence{Status: Todo, Text: fmt.Sprintf("could not check %s: %v", what, err)}
}

// listSome joins the first few names and says how many more there are.
func listSome(names []string, max int) string {
	if len(names) <= max {
		return joinAnd(names)
	}
	return strings.Join(names[:max], ", ") + fmt.Sprintf(" and %d more", len(names)-max)
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func uniqSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

type filesOnce struct {
	once  sync.Once
	files []string
	// other are the listed paths that are not regular files (symbolic
	// links, mostly), by path, with their mode.
	other map[string]os.FileMode
	err   error
}

// Files lists the repository's files as git sees them: tracked, plus
// untracked files that are not ignored (a CI file or Dockerfile being
// written counts before it is committed).
func (r *Repo) Files(ctx context.Context) ([]string, error) {
	r.mu.Lock()
	if r.files == nil {
		r.files = &filesOnce{}
	}
	f := r.files
	r.mu.Unlock()
	f.once.Do(func() {
		out, err := checks.Git(ctx, r.Root, nil, "-c", "core.quotePath=false", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name")
		if err != nil {
			f.err = err
			return
		}
		seen := map[string]bool{}
		for _, p := range strings.Split(string(out), "\x00") {
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			fi, err := os.Lstat(filepath.Join(r.Root, filepath.FromSlash(p)))
			if err != nil {
				continue
			}
			if !fi.Mode().IsRegular() {
				if f.other == nil {
					f.other = map[string]os.FileMode{}
				}
				f.other[p] = fi.Mode()
				continue
			}
			f.files = append(f.files, p)
		}
		sort.Strings(f.files)
	})
	return f.files, f.err
}

// Dockerfiles lists the repository's Dockerfiles.
func (r *Repo) Dockerfiles(ctx context.Context) ([]string, error) {
	files, err := r.Files(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range files {
		if dockerfile.IsDockerfile(p) {
			out = append(out, p)
		}
	}
	r.warnOther(dockerfile.IsDockerfile)
	return out, nil
}

// warnOther warns about the listed paths that are not regular files and
// that match: files the evidence would have read, had they been regular.
// It returns those paths.
func (r *Repo) warnOther(match func(string) bool) []string {
	r.mu.Lock()
	var other map[string]os.FileMode
	if r.files != nil {
		other = r.files.other
	}
	r.mu.Unlock()
	var skipped []string
	for p, mode := range other {
		if match(p) {
			r.Warn(fmt.Sprintf("skipped %s: %s", p, notRegular(mode)))
			skipped = append(skipped, p)
		}
	}
	return skipped
}
