package checklist

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/deps"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/atomicfile"
	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// The evidence cache. A scan of the working tree (secrets, dependencies,
// Dockerfiles) depends on the content of the files it reads, on what
// counts as a finding (.secfirst.toml, .gitleaks.toml, .gitleaksignore), on
// this build of secfirst and, for dependencies, on the OSV database. The
// cache records, per check, the content id of every file the last scan saw
// (git's blob id, or a digest of the file when the working tree differs
// from the index) with the findings, under a key of everything else. The
// next run reuses it when nothing changed, and for the checks that judge
// each file alone (secrets, Dockerfiles) rescans only the files that did.
//
// It lives in the user's cache directory, one file per repository and
// check, written atomically, and holds what a JSON report holds: redacted
// findings and fingerprints, never a raw secret (checks.Finding's JSON
// form never has one).

const scanCacheFormat = 2

// scanRecord is the cache of one check's scan of one repository.
type scanRecord struct {
	Format int    `json:"format"`
	Root   string `json:"root"`
	Key    string `json:"key"`
	// At is when the files' findings were last all known to be current:
	// the time of the last scan, full or incremental.
	At time.Time `json:"at"`
	// Full is when the last full scan ran.
	Full time.Time `json:"full"`
	// Files maps each file the scan read to its content id.
	Files      map[string]string    `json:"files"`
	Findings   []checks.Finding     `json:"findings"`
	Suppressed []checks.Suppression `json:"suppressed"`
	// Warnings are the warnings that name no file the scan read;
	// FileWarnings those that do, by file, so that rescanning or removing
	// a file drops its warnings and only its own.
	Warnings     []string            `json:"warnings"`
	FileWarnings map[string][]string `json:"file_warnings,omitempty"`
	// Subjects are, per file, what the checklist counts in it (the
	// Kubernetes workload manifests, the Terraform resource types; see
	// subjectsOf). Only the files that hold something are listed.
	Subjects map[string][]string `json:"subjects,omitempty"`
}

// setWarnings files a scan's warnings: under each file of scanned that a
// warning names, else among those that name none.
func (rec *scanRecord) setWarnings(root string, warnings, scanned []string) {
	for _, w := range warnings {
		named := warningFiles(root, w, scanned)
		if len(named) == 0 {
			rec.Warnings = append(rec.Warnings, w)
			continue
		}
		if rec.FileWarnings == nil {
			rec.FileWarnings = map[string][]string{}
		}
		for _, f := range named {
			rec.FileWarnings[f] = append(rec.FileWarnings[f], w)
		}
	}
}

// keepWarnings copies into rec the warnings of old that name none of the
// files gone (rescanned or removed): the warnings of the files still
// reused, and those that name no file.
func (rec *scanRecord) keepWarnings(old *scanRecord, gone map[string]bool) {
	dropped := map[string]bool{}
	for f, ws := range old.FileWarnings {
		if gone[f] {
			for _, w := range ws {
				dropped[w] = true
			}
		}
	}
	for f, ws := range old.FileWarnings {
		if gone[f] {
			continue
		}
		for _, w := range ws {
			if !dropped[w] {
				if rec.FileWarnings == nil {
					rec.FileWarnings = map[string][]string{}
				}
				rec.FileWarnings[f] = append(rec.FileWarnings[f], w)
			}
		}
	}
	rec.Warnings = append(rec.Warnings, old.Warnings...)
}

// warningFiles are the files of paths that warning w names as a whole path
// (relative to root or absolute): a warning about docker/Dockerfile.prod
// does not name Dockerfile.
func warningFiles(root, w string, paths []string) []string {
	w = strings.ReplaceAll(w, filepath.ToSlash(root)+"/", "")
	var named []string
	for _, p := range paths {
		for from := 0; from < len(w); {
			i := strings.Index(w[from:], p)
			if i < 0 {
				break
			}
			i += from
			if j := i + len(p); (i == 0 || !isPathByte(w[i-1])) && pathEnds(w, j) {
				named = append(named, p)
				break
			}
			from = i + 1
		}
	}
	return named
}

// pathEnds says whether a path that ends before w[j] ends there: at the
// end, before a byte no path of a warning has, or before a full stop or
// comma that ends a sentence or clause.
func pathEnds(w string, j int) bool {
	if j == len(w) || !isPathByte(w[j]) {
		return true
	}
	return (w[j] == '.' || w[j] == ',') && (j+1 == len(w) || !isPathByte(w[j+1]))
}

func isPathByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80 ||
		strings.IndexByte("/._-+@~", c) >= 0
}

// Freshness says how current the evidence of a scan is, for people.
type Freshness struct {
	// Check is the scan ("secrets", "deps", "dockerfile", "history").
	Check string
	// Reused is true when nothing the scan depends on changed since the
	// scan of At, so its results were reused without reading a file.
	Reused bool
	// Rescanned counts the changed files scanned now when the rest was
	// reused (0 with Reused, or after a full scan).
	Rescanned int
	// Removed counts the files whose results were dropped because they are
	// gone, when the rest was reused.
	Removed int
	// At is the time of the scan whose results were reused (Reused or
	// Rescanned), or now for a full scan.
	At time.Time
	// Detail says more (the history's HEAD and new commits).
	Detail string
}

// String is "secrets scan ran now", "reused the secrets scan of
// 2024-06-30 10:12: nothing it depends on changed since", "3 changed
// files rescanned now, the rest reused from the secrets scan of
// 2024-06-30 10:12" or "reused the secrets scan of 2024-06-30 10:12 and
// dropped 2 removed files".
func (f Freshness) String() string {
	at := f.At.Local().Format("2006-01-02 15:04")
	var s string
	switch {
	case f.Detail != "" && !f.Reused && f.Rescanned == 0:
		return f.Detail
	case f.Reused:
		s = fmt.Sprintf("reused the %s scan of %s: nothing it depends on changed since", f.Check, at)
	case f.Rescanned > 0 && f.Removed > 0:
		s = fmt.Sprintf("%s rescanned now, %s dropped, the rest reused from the %s scan of %s", plural(f.Rescanned, "changed file", "changed files"), plural(f.Removed, "removed file", "removed files"), f.Check, at)
	case f.Rescanned > 0:
		s = fmt.Sprintf("%s rescanned now, the rest reused from the %s scan of %s", plural(f.Rescanned, "changed file", "changed files"), f.Check, at)
	case f.Removed > 0:
		s = fmt.Sprintf("reused the %s scan of %s and dropped %s", f.Check, at, plural(f.Removed, "removed file", "removed files"))
	default:
		s = fmt.Sprintf("%s scan ran now", f.Check)
	}
	if f.Detail != "" {
		s += "; " + f.Detail
	}
	return s
}

// fileLocal are the checks that judge each file on its own, so a changed
// file can be rescanned alone. The dependency check is not among them: an
// osv-scanner.toml or a manifest changes what a lockfile beside it means.
// Terraform is not either: a module is a folder, and a file changes what
// the resources of its siblings mean.
var fileLocal = map[string]bool{checkSecrets: true, checkDockerfile: true, checkKubernetes: true}

// scanCachePath is where a check's scan of this repository is cached.
func (r *Repo) scanCachePath(check string) string {
	if r.CacheDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(r.Root))
	return filepath.Join(r.CacheDir, "checklist", "scan-"+hex.EncodeToString(sum[:8])+"-"+check+".json")
}

// maxCacheSize bounds the read of a cache file.
const maxCacheSize = 64 << 20

func (r *Repo) readScanCache(check, key string) (*scanRecord, bool) {
	p := r.scanCachePath(check)
	if p == "" {
		return nil, false
	}
	data, err := safefile.ReadFile(p, maxCacheSize)
	if err != nil {
		return nil, false
	}
	var rec scanRecord
	if json.Unmarshal(data, &rec) != nil || rec.Format != scanCacheFormat || rec.Root != r.Root || rec.Key != key || rec.Files == nil {
		return nil, false
	}
	return &rec, true
}

// writeCache writes a cache file atomically; failing only costs time on the
// next run, so errors are ignored.
func (r *Repo) writeCache(p string, v any) {
	if p == "" {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	if os.MkdirAll(filepath.Dir(p), 0o700) == nil {
		_ = atomicfile.Write(p, append(data, '\n'), 0o600)
	}
}

// buildID identifies this build of secfirst: a new build may find other
// things in the same files.
func buildID() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var b strings.Builder
	b.WriteString(bi.Main.Version)
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
			fmt.Fprintf(&b, " %s=%s", s.Key, s.Value)
		}
	}
	if exe, err := os.Executable(); err == nil {
		// A development build has no version: its binary's identity stands in.
		if fi, err := os.Stat(exe); err == nil {
			fmt.Fprintf(&b, " %d@%d", fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return b.String()
}

// configFiles change what counts as a finding.
var configFiles = []string{checks.PolicyFile, ".gitleaks.toml", ".gitleaksignore"}

// configHash is a digest of the files that change what counts as a finding
// (with the files .gitleaks.toml extends), and of this build.
func (r *Repo) configHash() string {
	h := sha256.New()
	for _, name := range configFiles {
		data, err := safefile.ReadInRoot(r.Root, name, maxConfigSize)
		if err != nil && !os.IsNotExist(err) {
			// The scan refuses such a file too; the key only needs to
			// differ from that of a readable one.
			data = []byte("unreadable: " + unwrapPathErr(err).Error())
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(data))
		h.Write(data)
	}
	// .gitleaks.toml's [extend] path names files the scan compiles too.
	gitleaks, err := secrets.ConfigKey(context.Background(), r.Root)
	if err != nil {
		gitleaks = "unreadable: " + err.Error()
	}
	fmt.Fprintf(h, "gitleaks\x00%s\x00", gitleaks)
	fmt.Fprintf(h, "%s\x00", buildID())
	return hex.EncodeToString(h.Sum(nil))
}

// dbVersion identifies the OSV database the dependency check reads: the
// size and time of every file of its directory tree's first two levels
// (each ecosystem's all.zip and index).
func (r *Repo) dbVersion() string {
	dir := deps.ResolveDBDir(r.dbDir)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", dir)
	for _, pattern := range []string{"*", "*/*", "*/*/*"} {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() {
				fmt.Fprintf(h, "%s\x00%d\x00%d\x00", m, fi.Size(), fi.ModTime().UnixNano())
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// scanKey is everything a check's results depend on besides the files.
func (r *Repo) scanKey(check string, now time.Time) string {
	key := check + "\x00" + r.configHash() + "\x00" + r.expiryDay(now)
	if check == checkDeps {
		// osv-scanner.toml ignores expire too, and the database changes.
		key += "\x00" + now.Local().Format(DateLayout) + "\x00" + r.dbVersion()
	}
	if v := ruleSetVersion(check); v != "" {
		key += "\x00" + v
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// expiryDay is today when an ignore of .secfirst.toml has an expiry date
// (a result may change at midnight), else empty: the cache then lasts
// across days.
func (r *Repo) expiryDay(now time.Time) string {
	if r.Policy != nil {
		for _, ig := range r.Policy.Ignores {
			if !ig.Expires.IsZero() {
				return now.Local().Format(DateLayout)
			}
		}
	}
	return ""
}

type indexOnce struct {
	once  sync.Once
	blobs map[string]string // path → staged blob id
	dirty map[string]bool   // paths whose working-tree content may differ from the index
	err   error
}

// index reads, once per Repo, the blob id of every staged file and which
// files the working tree has changed: `git ls-files -s` and `git status`
// (which never writes the index: secfirst runs it beside the person's git),
// which take milliseconds on thousands of files (git compares file times
// and sizes with the index and hashes only what looks changed).
func (r *Repo) index(ctx context.Context) *indexOnce {
	r.mu.Lock()
	if r.idx == nil {
		r.idx = &indexOnce{}
	}
	x := r.idx
	r.mu.Unlock()
	x.once.Do(func() {
		out, err := checks.Git(ctx, r.Root, nil, "-c", "core.quotePath=false", "ls-files", "-s", "-v", "-z", "--full-name")
		if err != nil {
			x.err = err
			return
		}
		x.blobs = map[string]string{}
		x.dirty = map[string]bool{}
		for _, rec := range bytes.Split(out, []byte{0}) {
			// "<tag> <mode> <blob> <stage>\t<path>"
			meta, p, ok := bytes.Cut(rec, []byte{'\t'})
			if !ok {
				continue
			}
			f := strings.Fields(string(meta))
			if len(f) == 4 && f[3] == "0" {
				x.blobs[string(p)] = f[2]
				if unwatched(f[0]) {
					x.dirty[string(p)] = true
				}
			}
		}
		// --no-optional-locks: status would otherwise refresh the index
		// and write it back, taking .git/index.lock while the person may be
		// committing (the other commands the evidence runs take no lock).
		out, err = checks.Git(ctx, r.Root, nil, "--no-optional-locks", "-c", "core.quotePath=false", "status", "--porcelain=v1", "-z", "--untracked-files=no", "--no-renames", "--ignore-submodules=all")
		if err != nil {
			x.err = err
			return
		}
		for _, rec := range bytes.Split(out, []byte{0}) {
			// "XY <path>": Y is the working tree against the index.
			if len(rec) > 3 && rec[1] != ' ' {
				x.dirty[string(rec[3:])] = true
			}
		}
	})
	return x
}

// unwatched says whether a file's `git ls-files -v` tag marks it
// assume-unchanged (a lowercase tag) or skip-worktree (S): git status never
// reports such a file as changed, whatever its content, so its content id
// is a digest of the file, never the staged blob id.
func unwatched(tag string) bool {
	return tag == "S" || strings.ToLower(tag) == tag && strings.ToUpper(tag) != tag
}

// contentIDs returns the content id of each file: its staged blob id when
// the working tree holds the staged content, else a digest of the file.
func (r *Repo) contentIDs(ctx context.Context, paths []string) (map[string]string, error) {
	x := r.index(ctx)
	if x.err != nil {
		return nil, x.err
	}
	ids := make(map[string]string, len(paths))
	for _, p := range paths {
		if b, ok := x.blobs[p]; ok && !x.dirty[p] {
			ids[p] = "blob:" + b
			continue
		}
		id, err := fileDigest(filepath.Join(r.Root, filepath.FromSlash(p)))
		if err != nil {
			id = "unreadable"
		}
		ids[p] = id
	}
	return ids, nil
}

// fileDigest hashes a regular file as it streams: constant memory whatever
// its size.
func fileDigest(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", safefile.ErrNotRegular
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// scanFiles lists the files a check's scan of the working tree reads, as
// the check's Source would: the tracked files present, or the Dockerfiles.
func (r *Repo) scanFiles(ctx context.Context, check string) ([]string, error) {
	switch check {
	case checkDockerfile:
		return r.Dockerfiles(ctx)
	case checkKubernetes, checkTerraform:
		return r.iacFiles(ctx, check)
	}
	return r.Tracked(ctx)
}

// cachedScan runs check over the working tree through the cache: the
// cached results when no file changed, a scan of the changed files merged
// with them for file-local checks, else a full scan. It records how fresh
// the result is. A scan that failed or was interrupted is never cached.
func (r *Repo) cachedScan(ctx context.Context, c checks.Check, now time.Time) (*checks.Report, error) {
	name := c.Name()
	files, err := r.scanFiles(ctx, name)
	if err != nil {
		return nil, err
	}
	ids, err := r.contentIDs(ctx, files)
	if err != nil {
		return nil, err
	}
	key := r.scanKey(name, now)
	rec, ok := r.readScanCache(name, key)
	var changed []string
	gone := map[string]bool{}
	if ok {
		for _, p := range files {
			if rec.Files[p] != ids[p] {
				changed = append(changed, p)
				gone[p] = true
			}
		}
		for p := range rec.Files {
			if _, still := ids[p]; !still {
				gone[p] = true
			}
		}
		if len(gone) == 0 {
			r.setSubjects(name, rec.Subjects)
			r.setFreshness(Freshness{Check: name, Reused: true, At: rec.At})
			return rec.report(), nil
		}
	}
	scan := func(paths []string) (*checks.Report, error) {
		src := &checks.Source{Mode: checks.ModeWorktree, Root: r.Root, InRepo: true}
		if paths != nil {
			for _, p := range paths {
				src.Paths = append(src.Paths, filepath.Join(r.Root, filepath.FromSlash(p)))
			}
		}
		rep := checks.Scan(ctx, src, []checks.Check{c}, r.Policy, checks.Options{Now: now})
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		if len(rep.Errors) > 0 {
			return rep, fmt.Errorf("%s", rep.Errors[0])
		}
		return rep, nil
	}
	if ok && fileLocal[name] {
		// Only what changed; the rest of the last scan still holds.
		merged := &scanRecord{Format: scanCacheFormat, Root: r.Root, Key: key, At: now, Full: rec.Full, Files: ids}
		if len(changed) > 0 {
			rep, err := scan(changed)
			if err != nil {
				return rep, err
			}
			merged.Findings, merged.Suppressed = rep.Findings, rep.Suppressed
			merged.setWarnings(r.Root, rep.Warnings, changed)
		}
		for _, f := range rec.Findings {
			if !gone[f.File] {
				merged.Findings = append(merged.Findings, f)
			}
		}
		for _, s := range rec.Suppressed {
			if !gone[s.Finding.File] {
				merged.Suppressed = append(merged.Suppressed, s)
			}
		}
		merged.keepWarnings(rec, gone)
		merged.Warnings = uniqSorted(merged.Warnings)
		merged.Subjects = r.subjectsOf(name, changed)
		for p, v := range rec.Subjects {
			if !gone[p] {
				if merged.Subjects == nil {
					merged.Subjects = map[string][]string{}
				}
				merged.Subjects[p] = v
			}
		}
		r.setSubjects(name, merged.Subjects)
		checks.SortFindings(merged.Findings)
		r.writeCache(r.scanCachePath(name), merged)
		r.setFreshness(Freshness{Check: name, Rescanned: len(changed), Removed: len(gone) - len(changed), At: rec.At})
		return merged.report(), nil
	}
	var rep *checks.Report
	if name == checkDockerfile {
		if len(files) == 0 {
			rep = &checks.Report{Version: 1, Mode: checks.ModeWorktree}
		} else {
			// The Dockerfiles as the repository has them now, committed
			// or not yet: the same list the other Dockerfile evidence counts.
			rep, err = scan(files)
		}
	} else {
		rep, err = scan(nil)
	}
	if err != nil {
		return rep, err
	}
	subjects := r.subjectsOf(name, files)
	r.setSubjects(name, subjects)
	full := &scanRecord{
		Format: scanCacheFormat, Root: r.Root, Key: key, At: now, Full: now, Files: ids,
		Findings: rep.Findings, Suppressed: rep.Suppressed, Subjects: subjects,
	}
	full.setWarnings(r.Root, rep.Warnings, files)
	r.writeCache(r.scanCachePath(name), full)
	r.setFreshness(Freshness{Check: name, At: now})
	return rep, nil
}

func (rec *scanRecord) report() *checks.Report {
	warnings := append([]string(nil), rec.Warnings...)
	for _, ws := range rec.FileWarnings {
		warnings = append(warnings, ws...)
	}
	rep := &checks.Report{Version: 1, Mode: checks.ModeWorktree, Findings: rec.Findings, Suppressed: rec.Suppressed, Warnings: uniqSorted(warnings)}
	if rep.Findings == nil {
		rep.Findings = []checks.Finding{}
	}
	if rep.Warnings == nil {
		rep.Warnings = []string{}
	}
	rep.Summary = checks.Summarize(rep.Findings)
	return rep
}

func (r *Repo) setFreshness(f Freshness) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fresh == nil {
		r.fresh = map[string]Freshness{}
	}
	r.fresh[f.Check] = f
}

// Freshness returns how current each scan behind the evidence is, by check.
func (r *Repo) Freshness() map[string]Freshness {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]Freshness, len(r.fresh))
	for k, v := range r.fresh {
		out[k] = v
	}
	return out
}

// freshnessOf is the freshness text of the scans an item's provider uses,
// "" when its evidence came from no cached scan.
func (r *Repo) freshnessOf(uses []string) string {
	fresh := r.Freshness()
	var parts []string
	for _, u := range uses {
		if f, ok := fresh[u]; ok {
			parts = append(parts, f.String())
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
