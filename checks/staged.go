package checks

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// The hook runs on every commit, and in a large repository every git
// command that reads the index costs tens of milliseconds of both cores
// (50,000 entries: 40-60 ms under load). A staged scan therefore reads the
// index once, in the `git diff --cached` the file list and the secrets
// check share, and looks other paths up without it (stagedEntries); the
// blobs it reads all go through one `git cat-file --batch` that starts
// with the checks (openBatch), so that reading a lockfile is a round trip
// rather than a git process started when the file list is known.

// stagedEntries returns the index's entries for paths, as `git ls-files
// --stage` would, without reading the index: the index is HEAD's tree plus
// what the staged diff changes, and the diff is read anyway. A path the
// diff adds, modifies, copies to or renames to has the diff's new mode and
// blob; one it deletes or renames away has none; an unmerged one has a
// single entry of stage 2, which every reader takes for a merge conflict
// as it would stages 1 to 3 (its mode and id are HEAD's, or zeros: git's
// raw record does not give the stages'). The others are HEAD's, from `git
// ls-tree`, which reads only the trees on the way to them.
//
// One difference from ls-files, in the commit's favour: an intent-to-add
// entry (`git add -N`), which the commit does not record, is absent rather
// than an empty blob. When HEAD has no tree (the first commit) or either
// git command fails, the index is read with ls-files.
func (s *Source) stagedEntries(ctx context.Context, paths []string) (map[string][]IndexEntry, error) {
	type tree struct {
		entries map[string]IndexEntry
		err     error
	}
	headc := make(chan tree, 1)
	go func() {
		e, err := s.headEntries(ctx, paths)
		headc <- tree{e, err}
	}()
	_, ferr := s.Files(ctx, nil)
	head := <-headc
	if ferr != nil || head.err != nil {
		return s.lsFiles(ctx, paths)
	}
	type change struct {
		entry   IndexEntry
		deleted bool
	}
	changed := map[string]change{}
	for _, r := range s.records {
		switch r.status {
		case 'D':
			changed[r.path] = change{deleted: true}
		case 'U':
			changed[r.path] = change{entry: IndexEntry{Mode: r.oldMode, ID: r.oldID, Stage: "2"}}
		case 'R':
			changed[r.oldPath] = change{deleted: true}
			changed[r.path] = change{entry: IndexEntry{Mode: r.newMode, ID: r.newID, Stage: "0"}}
		default: // A, C, M, T
			changed[r.path] = change{entry: IndexEntry{Mode: r.newMode, ID: r.newID, Stage: "0"}}
		}
	}
	out := map[string][]IndexEntry{}
	for _, p := range paths {
		if c, ok := changed[p]; ok {
			if !c.deleted {
				out[p] = []IndexEntry{c.entry}
			}
			continue
		}
		if e, ok := head.entries[p]; ok {
			out[p] = []IndexEntry{e}
		}
	}
	return out, nil
}

// headEntries lists HEAD's entries of the exact paths given: files,
// symlinks and submodules, never folders.
func (s *Source) headEntries(ctx context.Context, paths []string) (map[string]IndexEntry, error) {
	args := []string{"--literal-pathspecs", "-c", "core.quotePath=false", "ls-tree", "-z", "--full-tree", "HEAD", "--"}
	out, err := s.Git(ctx, append(args, paths...)...)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	entries := map[string]IndexEntry{}
	for _, line := range bytes.Split(out, []byte{0}) {
		// "<mode> <type> <object>\t<path>"
		meta, path, ok := strings.Cut(string(line), "\t")
		f := strings.Fields(meta)
		if !ok || !want[path] || len(f) != 3 || f[1] == "tree" {
			continue
		}
		entries[path] = IndexEntry{Mode: f[0], ID: f[2], Stage: "0"}
	}
	return entries, nil
}

// blobBatch is a `git cat-file --batch` kept open for many requests, one
// at a time. A blob a caller passes over is read past (up to
// batchSkipMax); a request that stops in the middle of an object for any
// other reason closes the batch, and later requests start their own git.
type blobBatch struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Reader
	closed bool
}

func startBatch(cmd *exec.Cmd) (*blobBatch, error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &blobBatch{cmd: cmd, stdin: stdin, out: bufio.NewReaderSize(stdout, 64<<10)}, nil
}

// errBatchClosed is a request to a batch that an earlier request left
// unusable: the caller starts its own git.
var errBatchClosed = errors.New("cat-file batch closed")

// errSkipBlob is what a caller's each returns to pass over a blob it will
// not read (one over its limit) without consuming it: the batch reads the
// blob past when it is at most batchSkipMax bytes, and is closed otherwise.
var errSkipBlob = errors.New("skip blob")

// batchSkipMax is the largest blob a batch reads past rather than ending
// git: a root go.sum or package.json over a caller's limit comes back on
// every commit, and a new git per commit would cost more than reading it.
const batchSkipMax = 8 << 20

// read asks for ids and calls each as catFile does; each must consume the
// content whole, or return errSkipBlob having read none of it, or return
// another error, after which the batch is closed. git's answers must be
// for the ids asked, in order: anything else closes the batch too, so
// that no request ever reads another's bytes.
func (b *blobBatch) read(ids []string, each func(id string, size int64, r *bufio.Reader) error) (err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errBatchClosed
	}
	if len(ids) == 0 {
		return nil
	}
	// git answers while it reads: the ids are written from another
	// goroutine, or a large request and a large answer would block on
	// each other's full pipe.
	wrote := make(chan error, 1)
	go func() {
		_, err := io.WriteString(b.stdin, strings.Join(ids, "\n")+"\n")
		wrote <- err
	}()
	clean := false
	defer func() {
		if !clean {
			// The stream may be in the middle of a blob (an error, a
			// caller that panicked), which git would write whole before
			// it reads the end of its input.
			b.closeLocked(true)
		}
		if werr := <-wrote; err == nil && werr != nil {
			b.closeLocked(true)
			err = werr
		}
	}()
	if err := readAnswers(b.out, ids, each); err != nil {
		return err
	}
	clean = true
	return nil
}

// readAnswers reads `git cat-file --batch` (or --batch-check) answers to
// ids, which git gives in order, and calls each with the id and size of
// every object found and the reader at its content. An object each passes
// over (errSkipBlob) is read past when it is at most batchSkipMax bytes;
// an answer for another id than the one asked is an error, so that no
// caller ever reads another's bytes.
func readAnswers(r *bufio.Reader, ids []string, each func(id string, size int64, r *bufio.Reader) error) error {
	for _, id := range ids {
		header, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		fields := strings.Fields(header)
		if len(fields) == 2 && fields[0] == id && (fields[1] == "missing" || fields[1] == "ambiguous") {
			continue
		}
		if len(fields) != 3 || !strings.EqualFold(fields[0], id) {
			return fmt.Errorf("git cat-file answered %q for %s", strings.TrimSpace(header), id)
		}
		size, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("git cat-file answered %q for %s", strings.TrimSpace(header), id)
		}
		switch err := each(fields[0], size, r); {
		case errors.Is(err, errSkipBlob) && size <= batchSkipMax:
			if _, err := r.Discard(int(size) + 1); err != nil {
				return err
			}
		case err != nil:
			return err
		}
	}
	return nil
}

func (b *blobBatch) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closeLocked(false)
}

func (b *blobBatch) closeLocked(kill bool) {
	if b.closed {
		return
	}
	b.closed = true
	_ = b.stdin.Close() // git ends at the end of its input
	if kill {
		_ = b.cmd.Process.Kill()
	}
	_ = b.cmd.Wait()
}

// openBatch starts the source's cat-file batch (staged mode) if it is not
// running, and returns the function that releases it: the last release
// ends git. RunChecks and ScanStaged hold it while checks run.
func (s *Source) openBatch(ctx context.Context) (release func()) {
	if s.Mode != ModeStaged || len(s.Paths) > 0 {
		return func() {}
	}
	s.batchMu.Lock()
	defer s.batchMu.Unlock()
	s.batchRefs++
	if s.batch == nil {
		if b, err := startBatch(s.GitCommand(ctx, "cat-file", "--batch")); err == nil {
			s.batch = b
		}
	}
	return func() {
		s.batchMu.Lock()
		defer s.batchMu.Unlock()
		if s.batchRefs--; s.batchRefs == 0 && s.batch != nil {
			s.batch.close()
			s.batch = nil
		}
	}
}

// batchRead reads ids through the open batch; ok is false when there is
// none, or it is closed, and the caller starts its own git.
func (s *Source) batchRead(ids []string, each func(id string, size int64, r *bufio.Reader) error) (ok bool, err error) {
	s.batchMu.Lock()
	b := s.batch
	s.batchMu.Unlock()
	if b == nil {
		return false, nil
	}
	if err := b.read(ids, each); !errors.Is(err, errBatchClosed) {
		return true, err
	}
	return false, nil
}
