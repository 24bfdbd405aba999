package checks

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"

	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// Mode is what a scan reads.
type Mode string

const (
	// ModeStaged reads the index exactly as `git commit` will record it.
	ModeStaged Mode = "staged"
	// ModeWorktree reads the tracked files of the working tree, or the files
	// and folders given on the command line (see Source.Paths).
	ModeWorktree Mode = "worktree"
	// ModeHistory reads every commit reachable from HEAD (or Source.Revs).
	ModeHistory Mode = "history"
)

// ErrNotARepository is returned when a git mode is asked for outside a repository.
var ErrNotARepository = errors.New("not inside a git repository")

// File is one file of a source.
type File struct {
	// Path is slash-separated and relative to Source.Root when the file is
	// under it, else absolute (a PATH outside the repository).
	Path string
	// Abs is the file on disk (working tree and paths); empty for staged files.
	Abs string
	// Blob is the staged object id (staged mode only).
	Blob string
	// link is a file staged as a symlink: never read, never listed by
	// Files, named by StagedLinks so that checks can say they skipped it.
	link bool
}

// Source is what a scan reads. Checks ask it for the files they care about;
// the secrets check also reads git's patches through Root and Revs. A
// source is one scan: it reads the list of files and, in staged mode, the
// configuration files once, and a later change of the index is not seen.
type Source struct {
	Mode Mode
	// Root is the repository's top-level directory, or the current directory
	// when scanning paths outside a repository.
	Root string
	// InRepo is true when Root is a git working tree.
	InRepo bool
	// Paths are the absolute files or folders given on the command line.
	// When set, the source is those paths and not the tracked files.
	Paths []string
	// Revs are the revisions history mode walks (git rev-list syntax).
	// Empty means HEAD.
	Revs []string
	// Env is the environment git commands run with (nil: the process's own,
	// which carries GIT_INDEX_FILE during `git commit -a`).
	Env []string
	// MaxFileSize is the size in bytes past which the secrets check skips a
	// file, with a warning naming it (0: DefaultMaxFileSize). The policy's
	// [secrets] max_file_size_mb sets it.
	MaxFileSize int64
	// FindingsPerRule caps the findings of one rule in one file that the
	// secrets, Dockerfile, Kubernetes and Terraform checks list; the rest are
	// counted in Result.Unlisted (0: no cap; the pre-commit hook sets
	// HookFindingsPerRule).
	FindingsPerRule int

	once       sync.Once
	files      []File
	err        error
	unreadable []string
	// records are the staged diff's raw records (staged mode), read with
	// the file list: what the commit changes, which stagedEntries lays
	// over HEAD's tree.
	records []rawRecord

	configOnce sync.Once
	staged     *stagedConfig

	// patch is the staged diff the file list and the secrets check share
	// (see PatchReader).
	patchMu    sync.Mutex
	sharePatch bool
	patch      *StagedPatch

	// batch is the scan's `git cat-file --batch` (staged mode), kept open
	// while checks run so that each blob read is a round trip, not a git
	// process (see openBatch).
	batchMu   sync.Mutex
	batch     *blobBatch
	batchRefs int

	// parsing is the scan's parse budget (see Parsing).
	parseOnce sync.Once
	parsing   *semaphore.Weighted
	waiting   atomic.Int32 // in Parsing, for its cost to fit
}

// DefaultMaxFileSize is the secrets check's size limit per file when the
// policy sets none: 10 MB, past any source file and most bundles, short of
// the database dumps and binaries that make a scan take minutes.
const DefaultMaxFileSize = 10_000_000

// FileSizeLimit is the size in bytes past which the secrets check skips a
// file.
func (s *Source) FileSizeLimit() int64 {
	if s.MaxFileSize > 0 {
		return s.MaxFileSize
	}
	return DefaultMaxFileSize
}

// limitsFrom takes the size limit from the policy unless one is set.
func (s *Source) limitsFrom(pol *Policy) {
	if s.MaxFileSize == 0 && pol != nil {
		s.MaxFileSize = pol.SecretsMaxFileSize
	}
}

// NewRepoSource opens the repository containing dir for a git mode.
func NewRepoSource(ctx context.Context, dir string, mode Mode) (*Source, error) {
	root, err := RepoRoot(ctx, dir)
	if err != nil {
		return nil, err
	}
	return &Source{Mode: mode, Root: root, InRepo: true}, nil
}

// NewPathsSource scans the given files or folders. Findings are reported
// relative to the repository containing cwd when there is one, else to cwd.
func NewPathsSource(ctx context.Context, cwd string, paths []string) (*Source, error) {
	s := &Source{Mode: ModeWorktree, Root: cwd}
	if root, err := RepoRoot(ctx, cwd); err == nil {
		s.Root, s.InRepo = root, true
	}
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			p = filepath.Join(cwd, p)
		}
		p = filepath.Clean(p)
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("cannot scan %s: %w", p, unwrapPathErr(err))
		}
		s.Paths = append(s.Paths, p)
	}
	return s, nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// RepoRoot returns the top level of the working tree containing dir. It asks
// git itself, so linked worktrees, submodules and GIT_DIR all behave as git does.
func RepoRoot(ctx context.Context, dir string) (string, error) {
	out, err := Git(ctx, dir, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, ErrNotARepository)
	}
	root := strings.TrimSpace(string(out))
	if root == "" {
		return "", fmt.Errorf("%s: %w (bare repository?)", dir, ErrNotARepository)
	}
	return root, nil
}

// readOnlyConfig is given to every git command secfirst runs, all of which
// only read: the repository may be hostile, and its own configuration must
// not make secfirst run a program. core.fsmonitor names a program that git
// runs to refresh the index (diff --cached, ls-files); empty switches it off
// in every git version ("false" is a bool only since git 2.36, and older
// ones would run a program of that name). log.showSignature would make
// `git log` run gpg.program. Diffs also pass --no-ext-diff and --no-textconv.
// core.hooksPath is left alone: read-only commands run no hook, and the
// hooks code asks git for its value.
var readOnlyConfig = []string{"-c", "core.fsmonitor=", "-c", "log.showSignature=false"}

// GitCommand is the git command secfirst runs to read the repository in
// dir with env (nil: the process's own): git with args, after the options
// that keep a hostile repository's configuration from running programs.
func GitCommand(ctx context.Context, dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append(append([]string{}, readOnlyConfig...), args...)...)
	cmd.Dir = dir
	if env == nil {
		env = os.Environ()
	}
	// secfirst reads in the background (the TUI, the checklist's evidence)
	// while people commit: git must not take index.lock to refresh the
	// index's stat data, or their `git add` fails on it.
	cmd.Env = append(env[:len(env):len(env)], "GIT_OPTIONAL_LOCKS=0")
	return cmd
}

// GitCommand is the git command that reads the source's repository.
func (s *Source) GitCommand(ctx context.Context, args ...string) *exec.Cmd {
	return GitCommand(ctx, s.Root, s.Env, args...)
}

// Git runs git in dir to read the repository and returns its standard
// output. The error carries the first line git printed on standard error.
func Git(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := GitCommand(ctx, dir, env, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("git %s: %s", args[0], firstLine(stderr.String(), err))
	}
	return out, nil
}

// Git runs git in the source's root with its environment.
func (s *Source) Git(ctx context.Context, args ...string) ([]byte, error) {
	return Git(ctx, s.Root, s.Env, args...)
}

// HasHead reports whether the repository has a commit checked out.
func (s *Source) HasHead(ctx context.Context) bool {
	_, err := s.Git(ctx, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
	return err == nil
}

// Files lists the files of the source whose path (slash-separated, relative
// to Root) satisfies match; a nil match keeps all. Staged: the files the
// commit adds or modifies. Worktree: the tracked files present on disk.
// Paths: every regular file under the given paths. History: none.
func (s *Source) Files(ctx context.Context, match func(path string) bool) ([]File, error) {
	files, err := s.listed(ctx)
	if err != nil {
		return nil, err
	}
	var out []File
	for _, f := range files {
		if !f.link && (match == nil || match(f.Path)) {
			out = append(out, f)
		}
	}
	return out, nil
}

// listed is every file of the source, listed once (links included).
func (s *Source) listed(ctx context.Context) ([]File, error) {
	s.once.Do(func() { s.files, s.err = s.list(ctx) })
	return s.files, s.err
}

func (s *Source) list(ctx context.Context) ([]File, error) {
	switch {
	case len(s.Paths) > 0:
		return s.walkPaths()
	case s.Mode == ModeStaged:
		return s.stagedFiles(ctx)
	case s.Mode == ModeWorktree:
		return s.trackedFiles(ctx)
	}
	return nil, nil
}

// stagedFiles lists what the commit adds or changes, with the staged blob ids.
// `git diff --cached` compares against the empty tree before the first commit
// and reads GIT_INDEX_FILE, so partial and temporary indexes behave as git's.
// When a check reads the staged patch, the list is the raw part of the same
// git process (see PatchReader).
func (s *Source) stagedFiles(ctx context.Context) ([]File, error) {
	var recs []rawRecord
	var err error
	if p := s.sharedPatch(ctx); p != nil {
		recs, err = p.readRaw()
	} else {
		var out []byte
		out, err = s.Git(ctx, "-c", "core.quotePath=false", "diff", "--cached", "--ignore-submodules=none", "--raw", "-z",
			"--no-renames", "--no-abbrev", "--no-ext-diff")
		if err != nil {
			return nil, err
		}
		recs, err = parseRaw(bufio.NewReader(bytes.NewReader(out)))
	}
	if err != nil {
		return nil, err
	}
	s.records = recs
	return filesOf(recs), nil
}

// rawRecord is one record of `git diff --raw -z --no-abbrev`.
type rawRecord struct {
	oldMode, newMode, oldID, newID string
	status                         byte   // A, C, D, M, R, T, U...
	oldPath                        string // renames and copies
	path                           string
}

// parseRaw reads the records of `git diff --raw -z` up to an empty record
// or the end.
func parseRaw(r *bufio.Reader) ([]rawRecord, error) {
	var recs []rawRecord
	next := func() (string, error) {
		rec, err := r.ReadString(0)
		return strings.TrimSuffix(rec, "\x00"), err
	}
	for {
		meta, err := next()
		if meta == "" {
			if err == io.EOF {
				err = nil
			}
			return recs, err
		}
		// ":oldmode newmode oldsha newsha status\0path\0", and a second
		// path for a rename or a copy.
		f := strings.Fields(strings.TrimPrefix(meta, ":"))
		if len(f) < 5 || f[4] == "" {
			return recs, fmt.Errorf("git diff: unexpected raw record %q", meta)
		}
		rec := rawRecord{oldMode: f[0], newMode: f[1], oldID: f[2], newID: f[3], status: f[4][0]}
		if rec.path, err = next(); err != nil {
			return recs, err
		}
		if rec.status == 'R' || rec.status == 'C' {
			rec.oldPath = rec.path
			if rec.path, err = next(); err != nil {
				return recs, err
			}
		}
		recs = append(recs, rec)
	}
}

// filesOf is the files the commit adds or changes: added, copied,
// modified, of another type, or renamed (by their new path), and no
// submodule; a symlink is marked (see StagedLinks).
func filesOf(recs []rawRecord) []File {
	var files []File
	for _, r := range recs {
		if !strings.ContainsRune("ACMTR", rune(r.status)) || r.newMode == "160000" { // a submodule
			continue
		}
		files = append(files, File{Path: r.path, Blob: r.newID, link: r.newMode == "120000"})
	}
	return files
}

// emptyIndexWarning says so when a working-tree scan of a repository had
// no tracked file to read: "no findings" would otherwise pass for a clean
// result (a clone whose checkout failed leaves an empty index). The list
// is the one the checks read (memoised).
func (s *Source) emptyIndexWarning(ctx context.Context) string {
	if s.Mode != ModeWorktree || !s.InRepo || len(s.Paths) > 0 {
		return ""
	}
	files, err := s.Files(ctx, nil)
	if err != nil || len(files) > 0 {
		return ""
	}
	return "the repository tracks no file here: nothing was scanned (`git status` shows why; a clone whose checkout failed leaves an empty index)"
}

// StagedLinks lists the files the commit stages as symlinks whose path
// satisfies match. Their content is a path, not the file: no check reads
// them, and a check names those it would have read, so that a Dockerfile
// or lockfile committed as a link is not passed in silence.
func (s *Source) StagedLinks(ctx context.Context, match func(path string) bool) []string {
	if s.Mode != ModeStaged || len(s.Paths) > 0 {
		return nil
	}
	files, _ := s.listed(ctx)
	var out []string
	for _, f := range files {
		if f.link && match(f.Path) {
			out = append(out, f.Path)
		}
	}
	return out
}

// PatchReader is a check that reads the staged patch (the secrets check).
// When one runs on a staged source, the file list comes from the same `git
// diff --cached`: one git process reads the index instead of two.
type PatchReader interface {
	ReadsStagedPatch() bool
}

// sharePatchWith makes the source's file list and its staged patch one git
// process when a check of list reads the patch.
func (s *Source) sharePatchWith(list []Check) {
	if s.Mode != ModeStaged || len(s.Paths) > 0 {
		return
	}
	for _, c := range list {
		if r, ok := c.(PatchReader); ok && r.ReadsStagedPatch() {
			s.patchMu.Lock()
			s.sharePatch = true
			s.patchMu.Unlock()
			return
		}
	}
}

// releasePatch stops the shared diff when no check took its patch.
func (s *Source) releasePatch() {
	s.patchMu.Lock()
	defer s.patchMu.Unlock()
	if s.patch != nil && !s.patch.claimed {
		s.patch.claimed = true
		s.patch.Abort()
	}
	s.sharePatch = false
}

// StagedPatch is a running `git diff --cached -U0` whose patches a check
// reads from R.
type StagedPatch struct {
	R       *bufio.Reader
	cmd     *exec.Cmd
	stdout  io.ReadCloser
	stderr  *bytes.Buffer
	limit   int64
	claimed bool
	waited  bool
	waitErr error
	rawOnce sync.Once
	records []rawRecord
	rawErr  error
}

// PatchArgs are the arguments of the git command (diff or log) that
// prints the patches the secrets check reads: added lines without context,
// full blob ids (a binary file's blob is looked at), files over limit as
// binary (git reads no more of them than their size).
func PatchArgs(command string, limit int64) []string {
	return []string{"-c", "core.quotePath=false", "-c", "core.bigFileThreshold=" + strconv.FormatInt(limit, 10),
		command, "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--full-index", "--src-prefix=a/", "--dst-prefix=b/"}
}

// stagedPatchArgs are those of the shared staged diff: the raw list of
// files, then the patches.
func stagedPatchArgs(limit int64) []string {
	return append(PatchArgs("diff", limit), "--cached", "--ignore-submodules=none", "--raw", "-z", "--no-abbrev", "-p", "--")
}

// sharedPatch starts the shared diff once, when it is to be shared.
func (s *Source) sharedPatch(ctx context.Context) *StagedPatch {
	s.patchMu.Lock()
	defer s.patchMu.Unlock()
	if !s.sharePatch {
		return nil
	}
	if s.patch == nil {
		limit := s.FileSizeLimit()
		p, err := startPatch(s.GitCommand(ctx, stagedPatchArgs(limit)...), limit)
		if err != nil {
			return nil // the list runs its own git, which says why
		}
		s.patch = p
	}
	return s.patch
}

func startPatch(cmd *exec.Cmd, limit int64) (*StagedPatch, error) {
	p := &StagedPatch{cmd: cmd, stderr: &bytes.Buffer{}, limit: limit}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p.stdout, p.R = stdout, bufio.NewReaderSize(stdout, 64<<10)
	return p, nil
}

// readRaw reads the raw records ahead of the patches, once.
func (p *StagedPatch) readRaw() ([]rawRecord, error) {
	p.rawOnce.Do(func() {
		p.records, p.rawErr = parseRaw(p.R)
		if p.rawErr == nil {
			if _, err := p.R.Peek(1); err == io.EOF {
				// Nothing staged, or git failed: its exit says which.
				p.rawErr = p.Wait()
			}
		}
	})
	return p.records, p.rawErr
}

// ClaimStagedPatch returns the staged patch of the source's shared diff,
// once, when the diff was made with limit as its size limit; nil otherwise
// (the caller runs its own git). The caller reads R to its end, then
// calls Wait, or calls Abort.
func (s *Source) ClaimStagedPatch(ctx context.Context, limit int64) *StagedPatch {
	p := s.sharedPatch(ctx)
	if p == nil {
		return nil
	}
	if _, err := s.Files(ctx, nil); err != nil {
		return nil
	}
	// The file list may have come from a diff of its own (a staged
	// policy read before the checks shared this one): the patches start
	// after this one's raw records either way.
	if _, err := p.readRaw(); err != nil {
		return nil
	}
	s.patchMu.Lock()
	defer s.patchMu.Unlock()
	if p.claimed || p.limit != limit || p.rawErr != nil {
		return nil
	}
	p.claimed = true
	return p
}

// Wait waits for git to end and says why it failed.
func (p *StagedPatch) Wait() error {
	if !p.waited {
		p.waited = true
		if err := p.cmd.Wait(); err != nil {
			p.waitErr = fmt.Errorf("git diff: %s", firstLine(p.stderr.String(), err))
		}
	}
	return p.waitErr
}

// Abort stops git unread.
func (p *StagedPatch) Abort() {
	_ = p.cmd.Process.Kill()
	_ = p.stdout.Close()
	_ = p.Wait()
}

func (s *Source) trackedFiles(ctx context.Context) ([]File, error) {
	out, err := s.Git(ctx, "ls-files", "-z", "--cached", "--full-name")
	if err != nil {
		return nil, err
	}
	var files []File
	seen := map[string]bool{}
	for _, p := range bytes.Split(out, []byte{0}) {
		if len(p) == 0 || seen[string(p)] {
			continue
		}
		seen[string(p)] = true
		rel := string(p)
		abs := filepath.Join(s.Root, filepath.FromSlash(rel))
		if fi, err := os.Lstat(abs); err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the working tree, a symlink or a submodule
		}
		files = append(files, File{Path: rel, Abs: abs})
	}
	return files, nil
}

func (s *Source) walkPaths() ([]File, error) {
	var files []File
	seen := map[string]bool{}
	add := func(abs string) {
		if !seen[abs] {
			seen[abs] = true
			files = append(files, File{Path: s.Rel(abs), Abs: abs})
		}
	}
	for _, p := range s.Paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("cannot scan %s: %w", p, unwrapPathErr(err))
		}
		if !fi.IsDir() {
			add(p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				// Skipped, as gitleaks dir does, and named (Unreadable).
				s.unreadable = append(s.unreadable, s.Rel(path)+" ("+unwrapPathErr(err).Error()+")")
				if d != nil && d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if d.Name() == ".git" {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				add(path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// Unreadable names the entries under the source's paths that could not be
// listed (a folder without permission), after Files.
func (s *Source) Unreadable() []string { return s.unreadable }

// Rel turns an absolute path into the path findings report: relative to Root
// when under it, else absolute; always slash-separated.
func (s *Source) Rel(abs string) string {
	if rel, err := filepath.Rel(s.Root, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(abs)
}

// Read returns a file's content in this source: the staged blob or the file
// on disk (a regular file, never followed), at most MaxBlobRead bytes.
func (s *Source) Read(ctx context.Context, f File) ([]byte, error) {
	if f.Blob != "" {
		return s.readBlob(ctx, f.Blob, f.Path+" (staged)", MaxBlobRead)
	}
	return safefile.ReadFile(f.Abs, MaxBlobRead)
}

// ReadPath reads any path of the repository as this source sees it, as a
// regular file of at most MaxBlobRead bytes (ReadRegular): from the index
// in staged mode, from disk otherwise. A missing file is fs.ErrNotExist;
// any other failure is its own error, never taken for a missing file.
func (s *Source) ReadPath(ctx context.Context, rel string) ([]byte, error) {
	return s.ReadRegular(ctx, rel, MaxBlobRead)
}

// MaxBlobRead is the most ReadBlobs keeps of one blob, and the most Read
// and ReadPath read: past the largest limit any check applies to a file
// (64 MiB, a lockfile), so a staged multi-gigabyte file costs the hook a
// read, not its memory.
const MaxBlobRead = 64 << 20

// ReadBlobs reads many staged blobs through one `git cat-file --batch`. A
// blob that git reports missing is absent from the map. A blob larger than
// limit (at most MaxBlobRead) comes back as its first limit+1 bytes, so
// that the caller's limit refuses it and may still look at its beginning.
// An error of git's is returned.
func (s *Source) ReadBlobs(ctx context.Context, ids []string, limit int64) (map[string][]byte, error) {
	return s.ReadBlobsIf(ctx, ids, limit, nil)
}

// ReadBlobsIf is ReadBlobs of the blobs that want (nil: all) accepts,
// asked with each blob's size before any of its content is read: a blob
// it refuses streams past, kept nowhere, and is absent from the map.
func (s *Source) ReadBlobsIf(ctx context.Context, ids []string, limit int64, want func(id string, size int64) bool) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	limit = min(limit, MaxBlobRead)
	err := s.catFile(ctx, "--batch", ids, func(id string, size int64, r *bufio.Reader) error {
		if want != nil && !want(id, size) {
			_, err := r.Discard(int(size) + 1) // the content and its trailing newline
			return err
		}
		keep := min(size, limit+1)
		buf := make([]byte, keep)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		// The rest of the content and its trailing newline.
		if _, err := io.CopyN(io.Discard, r, size-keep+1); err != nil {
			return err
		}
		out[id] = buf
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return out, nil
}

// ReadRegular reads the file rel (slash-separated, relative to Root) as
// this source sees it, when it is a regular file of at most limit bytes:
// in staged mode the index's entry (the index is the commit), otherwise the
// working tree through internal/safefile. A symlink, a submodule or a
// device is refused with an error wrapping safefile.ErrNotRegular, never
// followed; a larger file is a *safefile.TooLargeError; a missing one is
// fs.ErrNotExist; a merge conflict wraps ErrMergeConflict. Configuration a
// repository carries (.gitleaks.toml, .gitleaksignore) is read through it;
// in staged mode the files named by RegisterConfigFiles are looked up all
// at once (see stagedConfig).
func (s *Source) ReadRegular(ctx context.Context, rel string, limit int64) ([]byte, error) {
	if s.Mode != ModeStaged {
		return safefile.ReadInRoot(s.Root, rel, limit)
	}
	entries, err := s.IndexEntries(ctx, rel)
	if err != nil {
		return nil, err
	}
	switch {
	case len(entries) == 0:
		return nil, fs.ErrNotExist
	case len(entries) > 1 || entries[0].Stage != "0":
		return nil, fmt.Errorf("%s: %w", rel, ErrMergeConflict)
	case !entries[0].Regular():
		return nil, &fs.PathError{Op: "read", Path: rel + " (staged)", Err: safefile.ErrNotRegular}
	}
	return s.StagedBlob(ctx, entries[0].ID, rel+" (staged)", limit)
}

// ErrMergeConflict is the error of a staged read of a path the index holds
// a merge conflict for.
var ErrMergeConflict = errors.New("has a merge conflict in the index")

// IndexEntry is one entry of the index for a path: "<mode> <id> <stage>".
type IndexEntry struct {
	Mode, ID, Stage string
}

// Regular reports whether the entry is a regular file (not a symlink, not
// a submodule).
func (e IndexEntry) Regular() bool { return e.Mode == "100644" || e.Mode == "100755" }

var (
	configFilesMu sync.Mutex
	configFiles   = []string{PolicyFile}
)

// RegisterConfigFiles names configuration files (paths relative to the
// repository's root) that a check reads through ReadRegular. A staged scan
// looks every registered file up at once, the first time one is asked
// for: one `git ls-tree` of HEAD completed by the staged diff (see
// stagedEntries) and the scan's `git cat-file --batch` for all checks,
// instead of a git process per file, each reading the whole index.
// Checks call it from init.
func RegisterConfigFiles(paths ...string) {
	configFilesMu.Lock()
	defer configFilesMu.Unlock()
	for _, p := range paths {
		if !slices.Contains(configFiles, p) {
			configFiles = append(configFiles, p)
		}
	}
}

// configReadLimit is how much of a configuration blob the staged lookup
// keeps: the largest limit of any configuration a check reads. A larger
// blob is only measured.
const configReadLimit = MaxPolicySize

// stagedConfig is what the staged lookup of the registered configuration
// files found: their index entries and the content of the regular ones.
type stagedConfig struct {
	paths   map[string]bool
	entries map[string][]IndexEntry
	blobs   map[string][]byte
	sizes   map[string]int64
	err     error
}

func (s *Source) config(ctx context.Context) *stagedConfig {
	s.configOnce.Do(func() {
		configFilesMu.Lock()
		paths := slices.Clone(configFiles)
		configFilesMu.Unlock()
		c := &stagedConfig{paths: map[string]bool{}, blobs: map[string][]byte{}, sizes: map[string]int64{}}
		for _, p := range paths {
			c.paths[p] = true
		}
		c.entries, c.err = s.stagedEntries(ctx, paths)
		var ids []string
		for _, es := range c.entries {
			if len(es) == 1 && es[0].Stage == "0" && es[0].Regular() {
				ids = append(ids, es[0].ID)
			}
		}
		if len(ids) > 0 {
			// A larger blob is measured and passed over (see errSkipBlob);
			// what is left unread is read one by one (StagedBlob) if ever
			// asked for.
			_ = s.catFile(ctx, "--batch", ids, func(id string, size int64, r *bufio.Reader) error {
				c.sizes[id] = size
				if size > configReadLimit {
					return errSkipBlob
				}
				buf := make([]byte, size+1) // content and its trailing newline
				if _, err := io.ReadFull(r, buf); err != nil {
					return err
				}
				c.blobs[id] = buf[:size]
				return nil
			})
		}
		s.staged = c
	})
	return s.staged
}

// IndexEntries returns the index's entries for the path rel (staged mode):
// none when it is not staged, more than one for a merge conflict. The
// registered configuration files are looked up together, once.
func (s *Source) IndexEntries(ctx context.Context, rel string) ([]IndexEntry, error) {
	entries, err := s.IndexEntriesOf(ctx, []string{rel})
	return entries[rel], err
}

// IndexEntriesOf is IndexEntries of many paths: the registered
// configuration files from the one lookup, the others with one more
// lookup for all of them.
func (s *Source) IndexEntriesOf(ctx context.Context, paths []string) (map[string][]IndexEntry, error) {
	c := s.config(ctx)
	out := map[string][]IndexEntry{}
	var rest []string
	for _, p := range paths {
		switch {
		case !c.paths[p]:
			rest = append(rest, p)
		case c.err != nil:
			return nil, c.err
		case len(c.entries[p]) > 0:
			out[p] = c.entries[p]
		}
	}
	if len(rest) > 0 {
		more, err := s.stagedEntries(ctx, rest)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, more)
	}
	return out, nil
}

// lsFiles lists the index's entries of the exact paths given.
func (s *Source) lsFiles(ctx context.Context, paths []string) (map[string][]IndexEntry, error) {
	args := []string{"-c", "core.quotePath=false", "ls-files", "--stage", "-z", "--"}
	for _, p := range paths {
		args = append(args, ":(literal)"+p)
	}
	out, err := s.Git(ctx, args...)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	entries := map[string][]IndexEntry{}
	for _, line := range bytes.Split(out, []byte{0}) {
		// "<mode> <object> <stage>\t<path>"; a pathspec also matches
		// what is under a folder of that name, which is not the file.
		meta, path, ok := strings.Cut(string(line), "\t")
		f := strings.Fields(meta)
		if !ok || !want[path] || len(f) != 3 {
			continue
		}
		entries[path] = append(entries[path], IndexEntry{Mode: f[0], ID: f[1], Stage: f[2]})
	}
	return entries, nil
}

// StagedBlob reads the blob id, at most limit bytes; name is the file it is
// for, in a *safefile.TooLargeError. The blobs of the registered
// configuration files come from the staged lookup.
func (s *Source) StagedBlob(ctx context.Context, id, name string, limit int64) ([]byte, error) {
	if s.Mode == ModeStaged {
		c := s.config(ctx)
		if size, ok := c.sizes[id]; ok && size > limit {
			return nil, &safefile.TooLargeError{Path: name, Limit: limit}
		}
		if data, ok := c.blobs[id]; ok {
			return data, nil
		}
	}
	return s.readBlob(ctx, id, name, limit)
}

// readBlob reads one blob, at most limit bytes: git is stopped as soon as
// the blob proves larger.
func (s *Source) readBlob(ctx context.Context, id, name string, limit int64) ([]byte, error) {
	var data []byte
	tooLarge := false
	ok, err := s.batchRead([]string{id}, func(_ string, size int64, r *bufio.Reader) error {
		if size > limit {
			tooLarge = true
			return errSkipBlob
		}
		buf := make([]byte, size+1) // the content and its trailing newline
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		data = buf[:size]
		return nil
	})
	switch {
	case tooLarge:
		return nil, &safefile.TooLargeError{Path: name, Limit: limit}
	case !ok:
	case err != nil:
		// The batch failed and is closed: a git of its own says why, or
		// reads the blob.
	case data == nil:
		return nil, fmt.Errorf("git cat-file: %s: no such object", id)
	default:
		return data, nil
	}
	cmd := s.GitCommand(ctx, "cat-file", "blob", id)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	data, rerr := io.ReadAll(io.LimitReader(stdout, limit+1))
	_ = stdout.Close() // a larger blob: git stops on the closed pipe
	werr := cmd.Wait()
	switch {
	case int64(len(data)) > limit:
		return nil, &safefile.TooLargeError{Path: name, Limit: limit}
	case rerr != nil:
		return nil, rerr
	case werr != nil:
		return nil, fmt.Errorf("git cat-file: %s", firstLine(stderr.String(), werr))
	}
	return data, nil
}

// firstLine is the first line of what a command printed on standard error,
// or err when it printed nothing.
func firstLine(stderr string, err error) string {
	msg := strings.TrimSpace(stderr)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if msg == "" {
		return err.Error()
	}
	return msg
}

// BlobHead is the start of a blob and its whole size.
type BlobHead struct {
	Head []byte
	Size int64
}

// BlobHeads returns the size of each blob of ids and, for those of at most
// maxSize bytes, their first n bytes (fewer when the blob is shorter): one
// `git cat-file --batch-check` for the sizes, one `--batch` for the heads,
// whose rest streams past without being kept. A larger blob is never read.
// A missing blob is absent from the map.
func (s *Source) BlobHeads(ctx context.Context, ids []string, n int, maxSize int64) (map[string]BlobHead, error) {
	out := make(map[string]BlobHead, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var small []string
	err := s.catFile(ctx, "--batch-check", ids, func(id string, size int64, _ *bufio.Reader) error {
		out[id] = BlobHead{Size: size}
		if size <= maxSize {
			small = append(small, id)
		}
		return nil
	})
	if err != nil || len(small) == 0 {
		return out, err
	}
	err = s.catFile(ctx, "--batch", small, func(id string, size int64, r *bufio.Reader) error {
		head := make([]byte, min(int64(n), size))
		if _, err := io.ReadFull(r, head); err != nil {
			return err
		}
		// The rest of the blob and its trailing newline.
		if _, err := io.CopyN(io.Discard, r, size-int64(len(head))+1); err != nil {
			return err
		}
		out[id] = BlobHead{Head: head, Size: size}
		return nil
	})
	return out, err
}

// catFile runs `git cat-file <mode>` on ids and calls each with the id and
// size of every object found, and the reader positioned at its content
// (--batch), which each must consume whole.
func (s *Source) catFile(ctx context.Context, mode string, ids []string, each func(id string, size int64, r *bufio.Reader) error) error {
	if mode == "--batch" {
		if ok, err := s.batchRead(ids, each); ok {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
	cmd := s.GitCommand(ctx, "cat-file", mode)
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	err = readAnswers(bufio.NewReader(stdout), ids, each)
	_ = stdout.Close() // should a read have failed, git must not block on a full pipe
	_ = cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
