package checklist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

	"github.com/secfirst-dev/secfirst/checks"

	"github.com/secfirst-dev/secfirst/internal/atomicfile"
	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// Check names, as in findings and .secfirst.toml.
const (
	checkSecrets    = "secrets"
	checkDeps       = "deps"
	checkDockerfile = "dockerfile"
)

func unavailable(check string, err error) Evidence {
	switch err {
	case errCheckMissing, errCheckDisabled:
		return Evidence{Todo, fmt.Sprintf("not checked: the %s check is %v", check, err)}
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
		return Evidence{Fail, fmt.Sprintf("%s in tracked files: %s; rotate them, then move them out of the code%s",
			plural(n, "secret", "secrets"), locations(rep.Findings, 3), suppressedNote(rep.Suppressed, "; %d more"))}
	}
	tracked, _ := r.Tracked(ctx)
	return Evidence{Pass, fmt.Sprintf("no secret in the %s of the working tree%s", plural(len(tracked), "tracked file", "tracked files"), suppressedNote(rep.Suppressed, ", %d"))}
}

// suppressionSources name, for people, where each kind of suppression is
// written.
var suppressionSources = map[string]string{
	checks.SuppressedByPolicy:         checks.PolicyFile,
	checks.SuppressedByGitleaksIgnore: ".gitleaksignore",
	checks.SuppressedByInline:         "inline comments",
	checks.SuppressedByOSVConfig:      "osv-scanner.toml",
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
		src := suppressionSources[s.By]
		if src == "" {
			src = s.By
		}
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

// historyCacheEntry is what the history item remembers between runs. It
// holds counts and fingerprints (digests) only, never a secret, a line or
// a file's content.
type historyCacheEntry struct {
	Format       int      `json:"format"`
	Head         string   `json:"head"`
	Config       string   `json:"config"`
	Commits      int      `json:"commits"`
	Secrets      int      `json:"secrets"`
	InCommits    int      `json:"in_commits"`
	Fingerprints []string `json:"fingerprints"`
}

const historyCacheFormat = 1

// historyKey is the state a history scan depends on: HEAD, and everything
// that changes what counts as a secret (rules, ignores, this build).
func (r *Repo) historyKey(ctx context.Context) (head, config string, err error) {
	head, _, err = checks.Head(r.Root)
	if err != nil || head == "" {
		return "", "", nil // no commit yet
	}
	h := sha256.New()
	for _, name := range []string{checks.PolicyFile, ".gitleaks.toml", ".gitleaksignore"} {
		data, err := safefile.ReadInRoot(r.Root, name, maxConfigSize)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			// The history scan refuses such a file too; the key only
			// needs to differ from that of a readable one.
			data = []byte("unreadable: " + unwrapPathErr(err).Error())
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(data))
		h.Write(data)
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(h, "%s\x00", bi.Main.Version)
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				fmt.Fprintf(h, "%s=%s\x00", s.Key, s.Value)
			}
		}
	}
	return head, hex.EncodeToString(h.Sum(nil)), nil
}

func (r *Repo) historyCachePath() string {
	if r.CacheDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(r.Root))
	return filepath.Join(r.CacheDir, "checklist", "history-"+hex.EncodeToString(sum[:8])+".json")
}

func (r *Repo) readHistoryCache(head, config string) (historyCacheEntry, bool) {
	p := r.historyCachePath()
	if p == "" {
		return historyCacheEntry{}, false
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return historyCacheEntry{}, false
	}
	var e historyCacheEntry
	if json.Unmarshal(data, &e) != nil || e.Format != historyCacheFormat || e.Head != head || e.Config != config {
		return historyCacheEntry{}, false
	}
	return e, true
}

func (r *Repo) writeHistoryCache(e historyCacheEntry) {
	p := r.historyCachePath()
	if p == "" {
		return
	}
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return
	}
	// A cache that cannot be written only costs time on the next run.
	if os.MkdirAll(filepath.Dir(p), 0o700) == nil {
		_ = atomicfile.Write(p, append(data, '\n'), 0o600)
	}
}

func historyEvidenceFrom(e historyCacheEntry) Evidence {
	head := e.Head
	if len(head) > 12 {
		head = head[:12]
	}
	if e.Secrets == 0 {
		return Evidence{Pass, fmt.Sprintf("no secret in the history (%s up to %s)", plural(e.Commits, "commit", "commits"), head)}
	}
	return Evidence{Fail, fmt.Sprintf("%s in the history, in %s (up to %s): rotate them, then purge them with git filter-repo; `secfirst scan --history` lists them",
		plural(e.Secrets, "secret", "secrets"), plural(e.InCommits, "commit", "commits"), head)}
}

// cachedHistoryEvidence is the history evidence when the cache still holds
// it for this HEAD and configuration.
func cachedHistoryEvidence(ctx context.Context, r *Repo) (Evidence, bool) {
	head, config, err := r.historyKey(ctx)
	if err != nil || head == "" {
		return Evidence{}, false
	}
	e, ok := r.readHistoryCache(head, config)
	if !ok {
		return Evidence{}, false
	}
	return historyEvidenceFrom(e), true
}

// historySecretsEvidence scans every commit reachable from HEAD with the
// secrets check, once per HEAD: the result is cached by HEAD and
// configuration, since a full history scan is slow on a big repository.
func historySecretsEvidence(ctx context.Context, r *Repo) Evidence {
	head, config, err := r.historyKey(ctx)
	if err != nil {
		return cannot("the history", err)
	}
	if head == "" {
		return Evidence{Pass, "no commit yet, so no history to leak from"}
	}
	if e, ok := r.readHistoryCache(head, config); ok {
		return historyEvidenceFrom(e)
	}
	c, err := r.check(checkSecrets)
	if err != nil {
		return unavailable(checkSecrets, err)
	}
	src := &checks.Source{Mode: checks.ModeHistory, Root: r.Root, InRepo: true, Revs: []string{head}}
	rep := checks.Scan(ctx, src, []checks.Check{c}, r.Policy, checks.Options{})
	if ctx.Err() != nil {
		return cannot("the history", ctx.Err())
	}
	if len(rep.Errors) > 0 {
		return Evidence{Todo, "could not scan the history: " + rep.Errors[0]}
	}
	fps := map[string]bool{}
	commits := map[string]bool{}
	for _, f := range rep.Findings {
		fps[f.Fingerprint] = true
		commits[f.Commit] = true
	}
	e := historyCacheEntry{Format: historyCacheFormat, Head: head, Config: config, Secrets: len(fps), InCommits: len(commits)}
	for fp := range fps {
		e.Fingerprints = append(e.Fingerprints, fp)
	}
	sort.Strings(e.Fingerprints)
	if out, err := checks.Git(ctx, r.Root, nil, "rev-list", "--count", head); err == nil {
		e.Commits, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	}
	r.writeHistoryCache(e)
	return historyEvidenceFrom(e)
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
		return Evidence{Fail, text}
	}
	if len(rep.Warnings) > 0 {
		// No database is not a clean bill of health.
		w := strings.TrimPrefix(rep.Warnings[0], checkDeps+": ")
		if i := strings.Index(w, ". Run "); i >= 0 {
			w = w[:i] + "; run `secfirst db update`"
		}
		return Evidence{Todo, "not fully checked: " + w}
	}
	return Evidence{Pass, "no known vulnerability in the dependencies of the tracked lockfiles and manifests (local OSV database)" + suppressedNote(rep.Suppressed, ", %d")}
}
