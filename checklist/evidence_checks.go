package checklist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/deps"
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/terraform"

	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// Check names, as in findings and .secfirst.toml.
const (
	checkSecrets    = "secrets"
	checkDeps       = "deps"
	checkDockerfile = "dockerfile"
	checkKubernetes = kubernetes.CheckName
	checkTerraform  = terraform.CheckName
)

func unavailable(check string, err error) Evidence {
	switch err {
	case errCheckMissing, errCheckDisabled:
		return Evidence{Status: Todo, Text: fmt.Sprintf("not checked: the %s check is %v", check, err)}
	}
	return cannot("with the "+check+" check", err)
}

func locations(fs []checks.Finding, max int) string {
	var parts []string
	for _, f := range fs {
		p := f.Location()
		if f.Rule != "" {
			p += " (" + f.Rule + ")"
		}
		parts = append(parts, p)
	}
	return listSome(parts, max)
}

func trackedSecretsEvidence(ctx context.Context, r *Repo) Evidence {
	rep, err := r.Scan(ctx, checkSecrets)
	if err != nil {
		return unavailable(checkSecrets, err)
	}
	if n := len(rep.Findings); n > 0 {
		return Evidence{Status: Fail, Text: fmt.Sprintf("%s in tracked files: %s; rotate them, then move them out of the code%s",
			plural(n, "secret", "secrets"), locations(rep.Findings, 3), suppressedNote(rep.Suppressed, "; %d more"))}
	}
	tracked, _ := r.Tracked(ctx)
	return Evidence{Status: Pass, Text: fmt.Sprintf("no secret in the %s of the working tree%s", plural(len(tracked), "tracked file", "tracked files"), suppressedNote(rep.Suppressed, ", %d"))}
}

// suppressedNote says how many findings suppressions hid and where they are
// written, so a pass that suppressions made is never a bare pass: ", 2
// suppressed (see .secfirst.toml)", or with several sources ", 3
// suppressed (2 by .secfirst.toml, 1 by inline comments)". count is the
// format of the count ("; %d more"). It is "" when nothing was hidden.
func suppressedNote(sups []checks.Suppression, count string) string {
	if len(sups) == 0 {
		return ""
	}
	by := map[string]int{}
	var sources []string
	for _, s := range sups {
		src := checks.SuppressionSource(s.By)
		if by[src] == 0 {
			sources = append(sources, src)
		}
		by[src]++
	}
	sort.Strings(sources)
	where := "see " + sources[0]
	if len(sources) > 1 {
		var parts []string
		for _, src := range sources {
			parts = append(parts, fmt.Sprintf("%d by %s", by[src], src))
		}
		where = strings.Join(parts, ", ")
	}
	return fmt.Sprintf(count+" suppressed (%s)", len(sups), where)
}

// scanHistory names the history scan in the cache and in freshness.
const scanHistory = "history"

// historyCacheEntry is what the history item remembers between runs. It
// holds counts and fingerprints (digests) only, never a secret, a line or
// a file's content.
type historyCacheEntry struct {
	Format       int       `json:"format"`
	Root         string    `json:"root"`
	Head         string    `json:"head"`
	Config       string    `json:"config"`
	At           time.Time `json:"at"`
	Commits      int       `json:"commits"`
	Secrets      int       `json:"secrets"`
	InCommits    int       `json:"in_commits"`
	Fingerprints []string  `json:"fingerprints"`
	// Error is why the scan of Head could not be done when that lasts
	// (objects missing, as in a partial clone whose remote cannot give
	// them): a property of that HEAD, remembered so that every run does
	// not spend minutes failing again. Other errors are not cached.
	Error string `json:"error,omitempty"`
}

const historyCacheFormat = 2

// historyKey is the state a history scan depends on: HEAD, and everything
// that changes what counts as a secret (rules, ignores, this build).
func (r *Repo) historyKey(ctx context.Context) (head, config string, err error) {
	head, _, err = checks.Head(r.Root)
	if err != nil {
		// Not "no commit yet": a HEAD that cannot be read is no clean
		// history.
		return "", "", err
	}
	if head == "" {
		return "", "", nil // no commit yet
	}
	return head, r.configHash() + r.expiryDay(r.now()), nil
}

func (r *Repo) historyCachePath() string {
	if r.CacheDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(r.Root))
	return filepath.Join(r.CacheDir, "checklist", "history-"+hex.EncodeToString(sum[:8])+".json")
}

// readHistoryCache returns the last history scan of this repository with
// this configuration, whatever its HEAD.
func (r *Repo) readHistoryCache(config string) (historyCacheEntry, bool) {
	p := r.historyCachePath()
	if p == "" {
		return historyCacheEntry{}, false
	}
	data, err := safefile.ReadFile(p, maxCacheSize)
	if err != nil {
		return historyCacheEntry{}, false
	}
	var e historyCacheEntry
	if json.Unmarshal(data, &e) != nil || e.Format != historyCacheFormat || e.Root != r.Root || e.Config != config {
		return historyCacheEntry{}, false
	}
	return e, true
}

func historyEvidenceFrom(e historyCacheEntry) Evidence {
	head := e.Head
	if len(head) > 12 {
		head = head[:12]
	}
	if e.Error != "" {
		return Evidence{Status: Todo, Text: "could not scan the history: " + e.Error}
	}
	if e.Secrets == 0 {
		return Evidence{Status: Pass, Text: fmt.Sprintf("no secret in the history (%s up to %s)", plural(e.Commits, "commit", "commits"), head)}
	}
	return Evidence{Status: Fail, Text: fmt.Sprintf("%s in the history, in %s (up to %s): rotate them, then purge them with git filter-repo; `secfirst scan --history` lists them",
		plural(e.Secrets, "secret", "secrets"), plural(e.InCommits, "commit", "commits"), head)}
}

// cachedHistoryEvidence is the history evidence when the cache holds it
// for this HEAD and configuration.
func cachedHistoryEvidence(ctx context.Context, r *Repo) (Evidence, bool) {
	head, config, err := r.historyKey(ctx)
	if err != nil || head == "" {
		return Evidence{}, false
	}
	e, ok := r.readHistoryCache(config)
	if !ok || e.Head != head {
		return Evidence{}, false
	}
	r.setFreshness(Freshness{Check: scanHistory, Reused: true, At: e.At})
	return historyEvidenceFrom(e), true
}

// historySecretsEvidence scans every commit reachable from HEAD with the
// secrets check. The result is cached by HEAD and configuration; when HEAD
// has moved on from the cached one, only the new commits are scanned.
func historySecretsEvidence(ctx context.Context, r *Repo) Evidence {
	head, config, err := r.historyKey(ctx)
	if err != nil {
		return cannot("the history", err)
	}
	if head == "" {
		return Evidence{Status: Pass, Text: "no commit yet, so no history to leak from"}
	}
	last, ok := r.readHistoryCache(config)
	if ok && last.Head == head {
		r.setFreshness(Freshness{Check: scanHistory, Reused: true, At: last.At})
		return historyEvidenceFrom(last)
	}
	c, err := r.check(checkSecrets)
	if err != nil {
		return unavailable(checkSecrets, err)
	}
	now := r.now()
	revs := []string{head}
	// The commits since the last scan, when it is an ancestor of HEAD and
	// its scan succeeded: the secrets in older commits are already known.
	incremental := ok && last.Error == "" && last.Head != "" && isAncestor(ctx, r.Root, last.Head, head)
	if incremental {
		revs = append(revs, "^"+last.Head)
	}
	src := &checks.Source{Mode: checks.ModeHistory, Root: r.Root, InRepo: true, Revs: revs}
	rep := checks.Scan(ctx, src, []checks.Check{c}, r.Policy, checks.Options{Now: now})
	if ctx.Err() != nil {
		return cannot("the history", ctx.Err())
	}
	e := historyCacheEntry{Format: historyCacheFormat, Root: r.Root, Head: head, Config: config, At: now}
	if len(rep.Errors) > 0 {
		e.Error = rep.Errors[0]
		if lastingHistoryError(e.Error) {
			r.writeCache(r.historyCachePath(), e)
		}
		r.setFreshness(Freshness{Check: scanHistory, At: now})
		return historyEvidenceFrom(e)
	}
	fps := map[string]bool{}
	commits := map[string]bool{}
	for _, f := range rep.Findings {
		fps[f.Fingerprint] = true
		commits[f.Commit] = true
	}
	e.InCommits = len(commits)
	if incremental {
		for _, fp := range last.Fingerprints {
			fps[fp] = true
		}
		e.InCommits += last.InCommits // the new commits are not among the old
	}
	e.Secrets = len(fps)
	for fp := range fps {
		e.Fingerprints = append(e.Fingerprints, fp)
	}
	sort.Strings(e.Fingerprints)
	if out, err := checks.Git(ctx, r.Root, nil, "rev-list", "--count", head); err == nil {
		e.Commits, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	}
	r.writeCache(r.historyCachePath(), e)
	fresh := Freshness{Check: scanHistory, At: now}
	if incremental {
		fresh.Detail = fmt.Sprintf("the %s since %s scanned now, the history before reused from the scan of %s",
			plural(e.Commits-last.Commits, "commit", "commits"), short(last.Head), last.At.Local().Format("2006-01-02 15:04"))
	}
	r.setFreshness(fresh)
	return historyEvidenceFrom(e)
}

// lastingHistoryErrors are git's words for objects the repository does
// not have and cannot get: scanning the same HEAD again fails the same way.
var lastingHistoryErrors = []string{
	"bad object", "unable to read", "missing blob", "missing tree", "missing commit",
	"is corrupt", "from promisor remote", "lazy fetching disabled",
}

// lastingHistoryError says whether a history scan's error will recur for
// the same HEAD (objects missing), so that it is worth caching. Anything
// else (a resource, a lock, a signal, a broken configuration) is retried
// on the next run.
func lastingHistoryError(msg string) bool {
	msg = strings.ToLower(msg)
	for _, w := range lastingHistoryErrors {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// isAncestor reports whether commit a is an ancestor of b.
func isAncestor(ctx context.Context, root, a, b string) bool {
	_, err := checks.Git(ctx, root, nil, "merge-base", "--is-ancestor", a, b)
	return err == nil
}

func depsEvidence(ctx context.Context, r *Repo) Evidence {
	rep, err := r.Scan(ctx, checkDeps)
	if err != nil {
		return unavailable(checkDeps, err)
	}
	if len(rep.Findings) > 0 {
		pkgs := map[string]bool{}
		var names []string
		for _, f := range rep.Findings {
			name := f.File
			if f.Package != nil {
				name = f.Package.Name + " " + f.Package.Version
				if len(f.Package.Fixed) > 0 {
					name += " (fixed in " + f.Package.Fixed[0] + ")"
				}
			}
			if !pkgs[name] {
				pkgs[name] = true
				names = append(names, name)
			}
		}
		text := fmt.Sprintf("%s in %s: %s%s", plural(len(rep.Findings), "known vulnerability", "known vulnerabilities"), plural(len(names), "dependency", "dependencies"), listSome(names, 3), suppressedNote(rep.Suppressed, "; %d more"))
		if len(rep.Warnings) > 0 {
			text += fmt.Sprintf(" (and %s)", plural(len(rep.Warnings), "warning", "warnings"))
		}
		return Evidence{Status: Fail, Text: text}
	}
	if len(rep.Warnings) > 0 {
		// No database is not a clean bill of health.
		w := strings.TrimPrefix(rep.Warnings[0], checkDeps+": ")
		if i := strings.Index(w, ". Run "); i >= 0 {
			w = w[:i] + "; run `secfirst db update`"
		}
		return Evidence{Status: Todo, Text: "not fully checked: " + w}
	}
	// An empty report is also what a repository without a lockfile gets:
	// that is nothing checked, not a clean bill of health.
	if ecos, err := deps.Ecosystems(ctx, r.source()); err == nil && len(ecos) == 0 {
		return Evidence{Status: Todo, Text: "no lockfile secfirst can read (package-lock.json, yarn.lock, pnpm-lock.yaml, go.sum, poetry.lock, Cargo.lock, ...), so no dependency could be checked: commit the lockfile"}
	}
	return Evidence{Status: Pass, Text: "no known vulnerability in the dependencies of the tracked lockfiles and manifests (local OSV database)" + suppressedNote(rep.Suppressed, ", %d")}
}
