package secrets

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"
	"golang.org/x/sync/semaphore"
)

// gitleaks' detector costs more than the size of what it reads: a rule
// runs over a whole fragment as soon as one of its keywords is anywhere in
// it, each match is located by walking every newline of the fragment
// before it, and a rule's line allowlists are matched against the whole
// line for every candidate on it. A staged 1 MB file of one line took 21 s
// that way, a 3.8 MB JavaScript file 18 s of CPU. Fragments are read in
// pieces of about pieceSize bytes instead, so that each rule runs where its
// keywords are and neither a fragment nor a line is ever long: the work
// grows with the size of the change (TestPiecesFindWhatTheWholeFinds).
const (
	pieceSize = 2 << 10
	// pieceOverlap is how far each piece reads into the next: a secret of
	// one line up to this long that a cut runs through is whole in the
	// piece before it. A PEM block is never cut (see cutAt).
	pieceOverlap = 512
	// piecesPerJob is how many pieces of one fragment one worker reads, so
	// that a single large file keeps every core busy.
	piecesPerJob = 32
	// maxBlock bounds how far a cut moves to keep a PEM block whole.
	maxBlock = 64 << 10
	// inFlight bounds the text held for detection at once, in bytes: the
	// parse of git's output waits rather than memory growing with the commit.
	inFlight = 64 << 20
)

// pieces splits a fragment longer than a piece and its overlap into pieces
// of about pieceSize bytes, each also reading the pieceOverlap bytes after
// it, and each carrying the line it starts on.
func pieces(f detect.Fragment) []detect.Fragment {
	if len(f.Raw) <= pieceSize+pieceOverlap {
		return []detect.Fragment{f}
	}
	var out []detect.Fragment
	line := f.StartLine
	for start := 0; start < len(f.Raw); {
		end := len(f.Raw)
		if end-start > pieceSize+pieceOverlap {
			end = cutAt(f.Raw, start, start+pieceSize)
		}
		p := f
		p.Raw = f.Raw[start:min(end+pieceOverlap, len(f.Raw))]
		p.Bytes = nil
		p.StartLine = line
		out = append(out, p)
		line += strings.Count(f.Raw[start:end], "\n")
		start = end
	}
	return out
}

// cutAt is where to end the piece that starts at start and should end at
// limit: after the last newline in its last quarter, else after the last
// space or punctuation there, else at limit. A cut that would fall inside a
// PEM block ("-----BEGIN ..." to "-----END ...-----", a private key over
// many lines) moves past its end, up to maxBlock further.
func cutAt(s string, start, limit int) int {
	cut := limit
	from := limit - pieceSize/4
	if i := strings.LastIndexByte(s[from:limit], '\n'); i >= 0 {
		cut = from + i + 1
	} else if i := strings.LastIndexAny(s[from:limit], " \t;,{}()"); i >= 0 {
		cut = from + i + 1
	}
	begin := strings.LastIndex(s[start:cut], "-----BEGIN")
	if begin < 0 {
		return cut
	}
	begin += start
	end := strings.Index(s[begin:min(begin+maxBlock, len(s))], "-----END")
	if end < 0 || begin+end < cut {
		return cut // whole before the cut, or no end in sight
	}
	// The block runs past the cut: end the piece after its last line.
	after := begin + end + len("-----END")
	if close := strings.Index(s[after:min(after+100, len(s))], "-----"); close >= 0 {
		return after + close + len("-----")
	}
	return cut
}

// dedupe keeps the first of the findings that overlapping pieces of one
// fragment report twice. It is safe for concurrent use.
type dedupe struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (d *dedupe) first(f report.Finding) bool {
	key := fmt.Sprintf("%s\x00%d\x00%s", f.RuleID, f.StartLine, f.Secret)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen[key] {
		return false
	}
	d.seen[key] = true
	return true
}

// newBudget bounds the bytes of text held for detection at once.
func newBudget() *semaphore.Weighted { return semaphore.NewWeighted(inFlight) }

// acquire takes n bytes of the budget (all of it for more) and returns
// what to release, or an error when ctx ends first.
func acquire(ctx context.Context, b *semaphore.Weighted, n int) (int64, error) {
	w := min(int64(max(n, 1)), inFlight)
	return w, b.Acquire(ctx, w)
}

// fastLineAllowlists makes gitleaks test the regexes of the allowlists that
// target a whole line one by one. gitleaks joins them into one alternation
// (Allowlist.Validate), which has no literal prefix for Go's regexp to
// search for, and matches it against the whole line for every candidate on
// the line; each of them alone starts with a literal ("import", "LICENSE",
// "--mount=type=secret,") and is found with a fast search. Only allowlists
// whose every regex has a literal prefix, and which list no commits or
// stop words (whose matching Validate also prepares), are rebuilt; what
// they allow is the same (TestFastLineAllowlistsAllowTheSame).
func fastLineAllowlists(cfg *config.Config) {
	for id, r := range cfg.Rules {
		changed := false
		for i, a := range r.Allowlists {
			if !fastable(a) {
				continue
			}
			if !changed {
				r.Allowlists = append([]*config.Allowlist(nil), r.Allowlists...)
				changed = true
			}
			r.Allowlists[i] = &config.Allowlist{Description: a.Description, MatchCondition: a.MatchCondition,
				Paths: a.Paths, RegexTarget: a.RegexTarget, Regexes: a.Regexes}
		}
		if changed {
			cfg.Rules[id] = r
		}
	}
}

func fastable(a *config.Allowlist) bool {
	if a.RegexTarget != "line" || len(a.Regexes) == 0 || len(a.Commits) > 0 || len(a.StopWords) > 0 {
		return false
	}
	for _, re := range a.Regexes {
		if prefix, _ := re.LiteralPrefix(); prefix == "" {
			return false
		}
	}
	return true
}
