package checklist

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/dockerfile"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// recordingCheck is a real check that remembers what each run was asked
// to read: nil paths for the whole working tree, else the files.
type recordingCheck struct {
	checks.Check
	mu   sync.Mutex
	runs [][]string
	revs [][]string
}

func (c *recordingCheck) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	c.mu.Lock()
	var paths []string
	for _, p := range src.Paths {
		rel, _ := filepath.Rel(src.Root, p)
		paths = append(paths, filepath.ToSlash(rel))
	}
	if src.Mode == checks.ModeHistory {
		c.revs = append(c.revs, src.Revs)
	} else {
		c.runs = append(c.runs, paths)
	}
	c.mu.Unlock()
	return c.Check.Run(ctx, src)
}

func (c *recordingCheck) take() ([][]string, [][]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	runs, revs := c.runs, c.revs
	c.runs, c.revs = nil, nil
	return runs, revs
}

// evaluateWith evaluates one item with the given checks and cache.
func evaluateWith(t *testing.T, dir, cache, id string, list ...checks.Check) (Evidence, *Repo) {
	t.Helper()
	o := RepoOptions{CacheDir: cache, Checks: list}
	if cache == "" {
		o.NoCache = true
	}
	r, err := OpenRepo(context.Background(), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return Evaluate(context.Background(), r, []Item{{ID: id, Kind: Auto}}, EvalOptions{})[id], r
}

func TestTrackedSecretsScanIsReusedAndOnlyChangedFilesAreRescanned(t *testing.T) {
	r := gittest.New(t)
	for i := 0; i < 20; i++ {
		r.Write(filepath.Join("src", string(rune('a'+i))+".txt"), "nothing here\n")
	}
	first := gittest.FakeAWSKey()
	r.Write("config/one.py", "KEY = \""+first+"\"\n")
	r.Commit("init")
	cache := t.TempDir()
	rec := &recordingCheck{Check: secrets.New()}
	const id = "no-secrets-in-tracked-files"

	ev, _ := evaluateWith(t, r.Dir, cache, id, rec)
	wantEvidence(t, ev, Fail, "1 secret in tracked files", "config/one.py:1")
	if runs, _ := rec.take(); len(runs) != 1 || runs[0] != nil {
		t.Fatalf("first run: %v, want one scan of the whole working tree", runs)
	}
	if ev.Fresh != "secrets scan ran now" {
		t.Fatalf("fresh: %q", ev.Fresh)
	}

	// Nothing changed: no scan at all, the same evidence, and it says so.
	again, _ := evaluateWith(t, r.Dir, cache, id, rec)
	if runs, _ := rec.take(); len(runs) != 0 {
		t.Fatalf("nothing changed, yet scanned %v", runs)
	}
	if again.Status != ev.Status || again.Text != ev.Text || !strings.HasPrefix(again.Fresh, "reused the secrets scan of ") {
		t.Fatalf("reused evidence %+v, want %+v", again, ev)
	}

	// An edit in the working tree (not even staged) and a new file: only
	// those two are scanned.
	second := gittest.FakeGitHubToken()
	r.Write("src/c.txt", "token = "+second+"\n")
	r.Write("src/new.txt", "fine\n")
	r.Git("add", "src/new.txt")
	ev, _ = evaluateWith(t, r.Dir, cache, id, rec)
	runs, _ := rec.take()
	if len(runs) != 1 || !reflect.DeepEqual(runs[0], []string{"src/c.txt", "src/new.txt"}) {
		t.Fatalf("after an edit: scans %v, want only src/c.txt and src/new.txt", runs)
	}
	wantEvidence(t, ev, Fail, "2 secrets in tracked files", "config/one.py:1", "src/c.txt:1")
	if !strings.HasPrefix(ev.Fresh, "2 changed files rescanned now, the rest reused from the secrets scan of ") {
		t.Fatalf("fresh: %q", ev.Fresh)
	}
	// The merged result is what a full scan without the cache finds.
	full, _ := evaluateWith(t, r.Dir, "", id, secrets.New())
	if full.Text != ev.Text {
		t.Fatalf("incremental %q, full %q", ev.Text, full.Text)
	}

	// A file removed: its finding goes, and nothing needs scanning.
	r.Remove("config/one.py")
	ev, _ = evaluateWith(t, r.Dir, cache, id, rec)
	if runs, _ := rec.take(); len(runs) != 0 {
		t.Fatalf("a removal scanned %v", runs)
	}
	wantEvidence(t, ev, Fail, "1 secret in tracked files: src/c.txt:1")
	if !strings.HasPrefix(ev.Fresh, "reused the secrets scan of ") || !strings.HasSuffix(ev.Fresh, " and dropped 1 removed file") {
		t.Fatalf("fresh after a removal: %q", ev.Fresh)
	}

	// A policy change changes what counts as a finding: a full scan.
	r.Write(".secfirst.toml", "[[ignore]]\npath = \"src/c.txt\"\nreason = \"test fixture\"\n")
	ev, _ = evaluateWith(t, r.Dir, cache, id, rec)
	if runs, _ := rec.take(); len(runs) != 1 || runs[0] != nil {
		t.Fatalf("after a policy change: %v, want a full scan", runs)
	}
	wantEvidence(t, ev, Pass)

	// The cache holds no secret, in any form.
	files, _ := filepath.Glob(filepath.Join(cache, "checklist", "scan-*-secrets.json"))
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}
	data, _ := os.ReadFile(files[0])
	for _, s := range []string{first, second, first[4:], second[4:], second[10:20]} {
		if strings.Contains(string(data), s) {
			t.Fatalf("the cache holds a secret:\n%s", data)
		}
	}
	if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache mode %v", fi.Mode().Perm())
	}
}

func TestDockerfileScanIsCachedToo(t *testing.T) {
	r := gittest.New(t)
	r.Write("Dockerfile", "FROM alpine:3.20\nUSER app\n")
	r.Write("api/Dockerfile", "FROM alpine:3.20\nUSER app\n")
	r.Commit("init")
	cache := t.TempDir()
	rec := &recordingCheck{Check: dockerfile.New()}
	ev, _ := evaluateWith(t, r.Dir, cache, "containers-non-root", rec)
	wantEvidence(t, ev, Pass, "all 2 Dockerfiles switch")
	rec.take()
	// Untracked edits count: the Dockerfiles as the repository has them now.
	r.Write("api/Dockerfile", "FROM alpine:3.20\n")
	ev, _ = evaluateWith(t, r.Dir, cache, "containers-non-root", rec)
	if runs, _ := rec.take(); len(runs) != 1 || !reflect.DeepEqual(runs[0], []string{"api/Dockerfile"}) {
		t.Fatalf("scans %v, want api/Dockerfile alone", runs)
	}
	wantEvidence(t, ev, Fail, "api/Dockerfile")
}

func TestHistoryScanCoversOnlyTheNewCommits(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.env", "AWS_ACCESS_KEY_ID="+gittest.FakeAWSKey()+"\n")
	first := r.Commit("one")
	cache := t.TempDir()
	rec := &recordingCheck{Check: secrets.New()}
	ev, _ := evaluateWith(t, r.Dir, cache, "no-secrets-in-history", rec)
	wantEvidence(t, ev, Fail, "1 secret in the history")
	if _, revs := rec.take(); len(revs) != 1 || !reflect.DeepEqual(revs[0], []string{first}) {
		t.Fatalf("revs %v", revs)
	}
	r.Write("b.env", "GITHUB_TOKEN="+gittest.FakeGitHubToken()+"\n")
	second := r.Commit("two")
	ev, _ = evaluateWith(t, r.Dir, cache, "no-secrets-in-history", rec)
	if _, revs := rec.take(); len(revs) != 1 || !reflect.DeepEqual(revs[0], []string{second, "^" + first}) {
		t.Fatalf("revs %v, want only the new commit", revs)
	}
	wantEvidence(t, ev, Fail, "2 secrets in the history, in 2 commits (up to "+second[:12]+")")
	if !strings.HasPrefix(ev.Fresh, "the 1 commit since "+first[:12]+" scanned now") {
		t.Fatalf("fresh %q", ev.Fresh)
	}
	// A rewritten history (the old HEAD is no ancestor): a full scan.
	r.Git("reset", "-q", "--hard", first)
	r.Git("commit", "-q", "--amend", "-m", "rewritten")
	ev, _ = evaluateWith(t, r.Dir, cache, "no-secrets-in-history", rec)
	if _, revs := rec.take(); len(revs) != 1 || len(revs[0]) != 1 {
		t.Fatalf("revs %v, want a full scan", revs)
	}
	wantEvidence(t, ev, Fail, "1 secret in the history")
}

func TestAnIgnoreThatExpiresTodayIsNotKeptByTheCache(t *testing.T) {
	r := gittest.New(t)
	r.Write("k.py", "KEY = \""+gittest.FakeAWSKey()+"\"\n")
	r.Write(".secfirst.toml", "[[ignore]]\npath = \"k.py\"\nreason = \"fixture\"\nexpires = 2024-06-30\n")
	r.Commit("init")
	cache := t.TempDir()
	at := func(day string) Evidence {
		d, _ := time.ParseInLocation(DateLayout, day, time.Local)
		repo, err := OpenRepo(context.Background(), r.Dir, RepoOptions{CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		repo.Now = func() time.Time { return d.Add(12 * time.Hour) }
		return Evaluate(context.Background(), repo, []Item{{ID: "no-secrets-in-tracked-files", Kind: Auto}}, EvalOptions{})["no-secrets-in-tracked-files"]
	}
	wantEvidence(t, at("2024-06-29"), Pass)
	wantEvidence(t, at("2024-07-01"), Fail, "1 secret")
}

// A warning belongs to the file it names: rescanning Dockerfile keeps the
// warning about docker/Dockerfile.prod, which was not rescanned (it used
// to vanish, its text containing "Dockerfile": a silent clean); fixing
// docker/Dockerfile.prod drops it.
func TestCachedWarningsBelongToTheirFile(t *testing.T) {
	r := gittest.New(t)
	r.Write("Dockerfile", "FROM alpine:3.20\nUSER app\n")
	r.Write("docker/Dockerfile.prod", "# secfirst:ignore=dockerfile/no-healthcheck\nFROM alpine:3.20\nUSER app\n")
	r.Commit("init")
	cache := t.TempDir()
	warnings := func() []string {
		t.Helper()
		repo, err := OpenRepo(context.Background(), r.Dir, RepoOptions{CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := repo.cachedScan(context.Background(), dockerfile.New(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return rep.Warnings
	}
	first := warnings()
	if len(first) != 1 || !strings.Contains(first[0], "docker/Dockerfile.prod") {
		t.Fatalf("full scan warnings %q, want one about docker/Dockerfile.prod", first)
	}
	r.Write("Dockerfile", "FROM alpine:3.21\nUSER app\n")
	if got := warnings(); !reflect.DeepEqual(got, first) {
		t.Fatalf("after rescanning Dockerfile alone: %q, want %q", got, first)
	}
	r.Write("docker/Dockerfile.prod", "FROM alpine:3.20\nUSER app\n")
	if got := warnings(); len(got) != 0 {
		t.Fatalf("after fixing docker/Dockerfile.prod: %q", got)
	}
}

func TestWarningFilesNameWholePaths(t *testing.T) {
	files := []string{"Dockerfile", "docker/Dockerfile.prod", "a.txt", "b.txt"}
	for w, want := range map[string][]string{
		"dockerfile: docker/Dockerfile.prod line 1: no reason": {"docker/Dockerfile.prod"},
		"dockerfile: skipped Dockerfile: not a regular file":   {"Dockerfile"},
		"cannot read /repo/a.txt.":                             {"a.txt"},
		"a.txt, b.txt and Dockerfile.dev":                      {"a.txt", "b.txt"},
		"xa.txt and a.txt2":                                    nil,
		"nothing named":                                        nil,
	} {
		if got := warningFiles("/repo", w, files); !reflect.DeepEqual(got, want) {
			t.Errorf("warningFiles(%q) = %q, want %q", w, got, want)
		}
	}
}

// Reading which files changed never writes the index: git status would
// refresh it and take .git/index.lock, failing a commit made meanwhile.
func TestChangedFilesAreReadWithoutWritingTheIndex(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.txt", "one\n")
	r.Commit("init")
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(r.Dir, "a.txt"), later, later); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(r.Dir, ".git", "index")
	before, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := OpenRepo(context.Background(), r.Dir, RepoOptions{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := repo.contentIDs(context.Background(), []string{"a.txt"})
	if err != nil || !strings.HasPrefix(ids["a.txt"], "blob:") {
		t.Fatalf("ids %v, %v", ids, err)
	}
	if after, _ := os.ReadFile(index); !bytes.Equal(before, after) {
		t.Fatal("reading the changed files rewrote .git/index")
	}
}

// A file git is told not to watch (assume-unchanged, skip-worktree) is
// never "modified" in git status: a secret written into it is found all
// the same, not hidden behind the cached pass of its staged content.
func TestSecretInAFileGitDoesNotWatchIsFound(t *testing.T) {
	for _, flag := range []string{"--assume-unchanged", "--skip-worktree"} {
		t.Run(flag, func(t *testing.T) {
			r := gittest.New(t)
			r.Write("settings.py", "DEBUG = False\n")
			r.Write("other.py", "x = 1\n")
			r.Commit("init")
			cache := t.TempDir()
			const id = "no-secrets-in-tracked-files"
			ev, _ := evaluateWith(t, r.Dir, cache, id, secrets.New())
			wantEvidence(t, ev, Pass)
			r.Git("update-index", flag, "settings.py")
			r.Write("settings.py", "KEY = \""+gittest.FakeAWSKey()+"\"\n")
			if st := r.Git("status", "--porcelain", "--untracked-files=no"); st != "" {
				t.Fatalf("git status shows %q: the test needs a change git does not report", st)
			}
			ev, _ = evaluateWith(t, r.Dir, cache, id, secrets.New())
			wantEvidence(t, ev, Fail, "settings.py:1")
		})
	}
}

// A file .gitleaks.toml extends ([extend] path) changes what counts as a
// secret: changing it is a full scan, not a reuse of the old results.
func TestAFileTheGitleaksConfigExtendsIsPartOfTheKey(t *testing.T) {
	r := gittest.New(t)
	r.Write("k.py", "KEY = \""+gittest.FakeAWSKey()+"\"\n")
	r.Write(".gitleaks.toml", "[extend]\npath = \"config/gitleaks-base.toml\"\n")
	r.Write("config/gitleaks-base.toml", "[extend]\nuseDefault = true\n")
	r.Commit("init")
	cache := t.TempDir()
	const id = "no-secrets-in-tracked-files"
	ev, _ := evaluateWith(t, r.Dir, cache, id, secrets.New())
	wantEvidence(t, ev, Fail, "k.py:1")
	r.Write("config/gitleaks-base.toml", "[extend]\nuseDefault = true\n\n[allowlist]\npaths = ['''^k\\.py$''']\n")
	ev, _ = evaluateWith(t, r.Dir, cache, id, secrets.New())
	wantEvidence(t, ev, Pass)
}

// A history that cannot be scanned because an object is gone fails the
// same way next time: that is cached. A failure that may pass (here a
// configuration broken for a moment) is not: the next run scans again
// (every failure used to be cached for that HEAD).
func TestOnlyLastingHistoryErrorsAreCached(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.txt", "one\n")
	r.Commit("one")
	r.Write("a.txt", "two\n")
	r.Commit("two")
	const id = "no-secrets-in-history"

	// Transient: the scan fails, then passes once git works again.
	cache := t.TempDir()
	rec := &recordingCheck{Check: secrets.New()}
	repo, err := OpenRepo(context.Background(), r.Dir, RepoOptions{CacheDir: cache, Checks: []checks.Check{rec}})
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(r.Dir, ".git", "config")
	good, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	// A value git log refuses (go-git, which reads HEAD, does not care).
	if err := os.WriteFile(config, append(append([]byte{}, good...), "[log]\n\tdate = no-such-format\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	ev := Evaluate(context.Background(), repo, []Item{{ID: id, Kind: Auto}}, EvalOptions{})[id]
	wantEvidence(t, ev, Todo, "could not scan the history")
	if err := os.WriteFile(config, good, 0o644); err != nil {
		t.Fatal(err)
	}
	ev, _ = evaluateWith(t, r.Dir, cache, id, rec)
	wantEvidence(t, ev, Pass, "no secret in the history")

	// Lasting: the first commit's blob is gone.
	blob := r.Git("rev-parse", r.Git("rev-list", "--max-parents=0", "HEAD")+":a.txt")
	if err := os.Remove(filepath.Join(r.Dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	r.Write("a.txt", "three\n")
	r.Commit("three")
	cache = t.TempDir()
	rec.take()
	ev, _ = evaluateWith(t, r.Dir, cache, id, rec)
	wantEvidence(t, ev, Todo, "could not scan the history")
	if _, revs := rec.take(); len(revs) != 1 {
		t.Fatalf("history scans %v, want one", revs)
	}
	ev, _ = evaluateWith(t, r.Dir, cache, id, rec)
	wantEvidence(t, ev, Todo, "could not scan the history")
	if _, revs := rec.take(); len(revs) != 0 {
		t.Fatalf("a missing object was scanned for again: %v", revs)
	}
}

func TestLastingHistoryError(t *testing.T) {
	for msg, want := range map[string]bool{
		"secrets: git log: fatal: unable to read 78981922613b2afb6025042ff6bd878ac1994e85": true,
		"secrets: git log: fatal: could not fetch 7898192 from promisor remote":            true,
		"secrets: git log: fatal: bad object HEAD":                                         true,
		"secrets: git log: fatal: bad config line 7 in file .git/config":                   false,
		"secrets: git log: signal: killed":                                                 false,
		"secrets: git log: fork/exec /usr/bin/git: resource temporarily unavailable":       false,
	} {
		if got := lastingHistoryError(msg); got != want {
			t.Errorf("lastingHistoryError(%q) = %v, want %v", msg, got, want)
		}
	}
}

// A HEAD that cannot be read is not "no commit yet" (a pass): the history
// evidence says it could not look.
func TestUnreadableHeadIsNoCleanHistory(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.txt", "one\n")
	r.Commit("one")
	repo, err := OpenRepo(context.Background(), r.Dir, RepoOptions{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.Dir, ".git", "config"), []byte("[core\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const id = "no-secrets-in-history"
	ev := Evaluate(context.Background(), repo, []Item{{ID: id, Kind: Auto}}, EvalOptions{})[id]
	if ev.Status == Pass {
		t.Fatalf("an unreadable HEAD passed: %+v", ev)
	}
}
