package checks

import (
	"context"
	"sync"

	"golang.org/x/sync/semaphore"
)

// ParseBudget is how much memory the checks of a scan may spend parsing
// files at once, all checks together. Parsed, a file takes tens of times
// its size (HCL's tokens, BuildKit's instructions): the Terraform and
// Dockerfile checks each parsing a file at its size limit while the
// Kubernetes check parsed another held 300 MB at once. Small files never
// wait on each other; a file that costs the whole budget parses alone.
const ParseBudget = 128 << 20

// Parsing waits until cost more bytes fit in the source's parse budget (a
// cost larger than the budget waits for all of it) and returns the
// function that gives them back. A check's cost is its file's size times
// what parsing takes per byte, measured (each check's parseCost). The
// error is ctx's.
func (s *Source) Parsing(ctx context.Context, cost int) (done func(), err error) {
	budget, n := s.parseBudget(cost)
	s.waiting.Add(1)
	err = budget.Acquire(ctx, n)
	s.waiting.Add(-1)
	if err != nil {
		return nil, err
	}
	return s.giveBack(n), nil
}

// TryParsing is Parsing that never waits: ok is false, and nothing taken,
// when cost does not fit now (or another check waits for it first).
func (s *Source) TryParsing(cost int) (done func(), ok bool) {
	budget, n := s.parseBudget(cost)
	if !budget.TryAcquire(n) {
		return nil, false
	}
	return s.giveBack(n), true
}

func (s *Source) parseBudget(cost int) (*semaphore.Weighted, int64) {
	s.parseOnce.Do(func() { s.parsing = semaphore.NewWeighted(ParseBudget) })
	return s.parsing, int64(min(max(cost, 1), ParseBudget))
}

func (s *Source) giveBack(n int64) func() {
	var once sync.Once
	return func() { once.Do(func() { s.parsing.Release(n) }) }
}

// WaitingToParse is how many calls of Parsing are waiting for their cost
// to fit: a test holding the budget knows by it that a check waits.
func (s *Source) WaitingToParse() int { return int(s.waiting.Load()) }

// blobWindow is how many bytes of staged blobs a StagedBlobs holds at once.
const blobWindow = 16 << 20

// StagedBlobs reads the staged blobs of a check's files as the check walks
// them in order: a few at a time, in one round trip to the scan's `git
// cat-file --batch`, holding at most about blobWindow bytes. Read all at
// once, a commit of a hundred 4 MB manifests held 400 MB before the first
// was parsed.
type StagedBlobs struct {
	src   *Source
	ids   []string // in the walk's order
	pos   map[string]int
	limit int64
	held  map[string][]byte
	err   error
	reads int // round trips to git, for tests
}

// StagedBlobs returns the reader of the blobs of files (those staged), of
// which it keeps at most limit+1 bytes each (see ReadBlobs).
func (s *Source) StagedBlobs(files []File, limit int64) *StagedBlobs {
	b := &StagedBlobs{src: s, pos: map[string]int{}, limit: limit}
	for _, f := range files {
		if f.Blob == "" {
			continue
		}
		if _, ok := b.pos[f.Blob]; !ok {
			b.pos[f.Blob] = len(b.ids)
			b.ids = append(b.ids, f.Blob)
		}
	}
	return b
}

// Err is the error of git's that stopped a read, if one did: the check
// could not read what it checks, and fails.
func (b *StagedBlobs) Err() error { return b.err }

// Get returns a blob's content (at most limit+1 bytes), reading it with
// the next few when it is not held; ok is false when git has no such
// blob. An error is git's, kept by Err.
func (b *StagedBlobs) Get(ctx context.Context, id string) (data []byte, ok bool, err error) {
	if data, ok := b.held[id]; ok {
		return data, true, nil
	}
	i, known := b.pos[id]
	if !known {
		i = len(b.ids)
	}
	n := max(1, int(blobWindow/max(b.limit, 1)))
	chunk := b.ids[i:min(i+n, len(b.ids))]
	if !known {
		chunk = []string{id}
	}
	b.held = nil // the previous window is garbage before the next is read
	b.reads++
	if b.held, err = b.src.ReadBlobs(ctx, chunk, b.limit); err != nil {
		b.err = err
		return nil, false, err
	}
	data, ok = b.held[id]
	return data, ok, nil
}
